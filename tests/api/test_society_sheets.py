"""A society's sheets over HTTP: groups and members imported all or none, every bad cell
listed with its row, column and rule in Chinese and English; every list exported as XLSX
with the figures the JSON gives and typed text kept as text."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from ledger.uploads import MAX_BYTES
from tests.api.conftest import assert_problem
from tests.api.programme import County, open_society
from tests.factories import make_id_number
from tests.sheets.files import table_xlsx
from tests.sheets.test_no_formulas import formulas

MEMBERS = ("姓名", "身份证号", "贫困户", "联保小组", "入社日期")
#: A name a clerk typed that a spreadsheet would run as a formula.
HOSTILE = '=HYPERLINK("http://x.example","张")'


def upload(county: County, s: str, kind: str, data: bytes, who: str = "clerk") -> Any:
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), f"{kind}.xlsx")})
    return county.client.post(
        f"{s}/imports/{kind}",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=county.headers(who),
    )


def sheet(response: Any) -> list[tuple[Any, ...]]:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert formulas(response.data) == []
    book = load_workbook(io.BytesIO(response.data))
    return [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]


@pytest.fixture(scope="module")
def society(county: County, programme_db: Any) -> dict[str, Any]:
    code, s = open_society(programme_db)
    county.create("cashier", f"{s}/fiscal-capital", {"date": "2024-01-02", "amount": "50000.00"})
    return {"code": code, "s": s}


def test_groups_and_members_import_all_or_none(county: County, society: dict[str, Any]):
    s = society["s"]
    groups = upload(county, s, "groups", table_xlsx(["小组编号"], [["G1"], ["G2"]]))
    assert groups.status_code == 201, groups.get_data(as_text=True)
    assert groups.get_json() == {"rows": 2, "keys": ["G1", "G2"]}

    people = [
        ["王大", make_id_number(), "是", "G1", "2024-01-05"],
        [HOSTILE, make_id_number(), "否", "G1", "2024-01-05"],
        ["王三", make_id_number(), "否", "G1", "2024-01-06"],
    ]
    # Four bad rows among good ones: every problem listed, nothing written.
    twice = people[0][1]
    bad = [
        *people,
        ["李四", "340123197005128881", "否", "G1", "2024-01-05"],  # wrong check digit
        ["李五", make_id_number(), "也许", "G9", "2024-02-30"],  # three bad cells
        ["李六", twice, "否", "G2", "2024-01-07"],  # the same household twice
        ["李七", make_id_number(), "否", "G9", "2024-01-07"],  # no such group
    ]
    refused = upload(county, s, "members", table_xlsx(MEMBERS, bad, typed=True))
    problem = assert_problem(refused, 422, "rows-refused")
    where = [(r["row"], r["column"]) for r in problem["rows"]]
    assert where == [
        (5, "身份证号"),
        (6, "贫困户"),
        (6, "入社日期"),
        (7, "身份证号"),
        (8, "联保小组"),
    ]
    by_row = {(r["row"], r["column"]): r for r in problem["rows"]}
    assert "已是本社社员" in by_row[(7, "身份证号")]["message_zh"]
    assert "already a member" in by_row[(7, "身份证号")]["message_en"]
    assert "G9" in by_row[(8, "联保小组")]["message_zh"]
    assert county.get("leader", f"{s}/members").headers["X-Total-Count"] == "0"

    done = upload(county, s, "members", table_xlsx(MEMBERS, people, typed=True))
    assert done.status_code == 201, done.get_data(as_text=True)
    assert done.get_json()["rows"] == 3
    members = county.json("leader", f"{s}/members")
    assert [(m["name"], m["poor"], m["group"], m["joined_on"]) for m in members] == [
        ("王大", True, "G1", "2024-01-05"),
        (HOSTILE, False, "G1", "2024-01-05"),
        ("王三", False, "G1", "2024-01-06"),
    ]
    assert [str(m["id"]) for m in members] == done.get_json()["keys"]
    # A group imported again is refused whole, naming the row and the column.
    again = upload(county, s, "groups", table_xlsx(["小组编号"], [["G3"], ["G1"]]))
    rows = assert_problem(again, 422, "rows-refused")["rows"]
    assert [(r["row"], r["column"]) for r in rows] == [(3, "小组编号")]
    assert [g["code"] for g in county.json("leader", f"{s}/groups")] == ["G1", "G2"]


def test_an_import_is_the_clerks_and_keeps_the_upload_limits(
    county: County, society: dict[str, Any]
):
    s = society["s"]
    data = table_xlsx(["小组编号"], [["G7"]])
    assert_problem(upload(county, s, "groups", data, who="cashier"), 403, "role-not-permitted")
    unknown = upload(county, s, "members", table_xlsx(["姓名", "电话"], [["王大", "1"]]))
    columns = [r["column"] for r in assert_problem(unknown, 422, "rows-refused")["rows"]]
    assert columns == ["电话", "身份证号", "贫困户", "入社日期"]
    formula = upload(county, s, "groups", table_xlsx(["小组编号"], [["=1+1"]]))
    [row] = assert_problem(formula, 422, "rows-refused")["rows"]
    assert (row["row"], row["column"], row["message_zh"]) == (
        2,
        "小组编号",
        "不接受公式,请填写数值",
    )
    big = upload(county, s, "groups", b"x" * (MAX_BYTES + 1))
    assert big.status_code == 413
    garbage = upload(county, s, "groups", b"\x00\x01 not a sheet")
    assert [e["field"] for e in assert_problem(garbage, 422, "sheet-refused")["errors"]] == ["file"]


def test_every_list_exports_with_the_jsons_figures_and_text_as_typed(
    county: County, society: dict[str, Any]
):
    s = society["s"]
    members = county.json("leader", f"{s}/members")
    wang, hostile = members[0]["id"], members[1]["id"]
    county.create(
        "clerk",
        f"{s}/members/{wang}/shares",
        {"date": "2024-01-08", "amount": "1000.00", "allocated": True},
    )
    county.create(
        "cashier", f"{s}/members/{hostile}/shares", {"date": "2024-01-08", "amount": "2000.00"}
    )
    no = county.create(
        "clerk",
        f"{s}/loans",
        {
            "member": hostile,
            "amount": "4000.00",
            "term_months": 6,
            "purpose": "=1+1 养羊",
            "applied_on": "2024-01-09",
        },
    )["no"]
    county.create(
        "cashier",
        f"{s}/expenses",
        {
            "date": "2024-01-10",
            "amount": "8.80",
            "purpose": "@SUM(1) 文具",
            "approved_by": county.name("approver"),
        },
    )
    rows = sheet(county.get("auditor", f"{s}/exports/members.xlsx"))
    assert rows[0][:5] == ("社员号", "姓名", "身份证号", "贫困户", "联保小组")
    assert [r[1:5] for r in rows[1:4]] == [
        ("王大", members[0]["id_number"], "是", "G1"),
        (HOSTILE, members[1]["id_number"], "否", "G1"),
        ("王三", members[2]["id_number"], "否", "G1"),
    ]
    assert rows[-1][0] == "合计" and rows[-1][-2:] == (2000, 1000)
    groups = sheet(county.get("leader", f"{s}/exports/groups.xlsx"))
    assert groups[1:] == [("G1", 3, f"王大、{HOSTILE}、王三"), ("G2", 0, None)]
    loans = sheet(county.get("cashier", f"{s}/exports/loans.xlsx"))
    assert loans[1][:4] == (no, HOSTILE, "=1+1 养羊", "已申请")
    assert loans[1][-4:] == (4000, 0, 0, 0)
    expenses = sheet(county.get("approver", f"{s}/exports/expenses.xlsx"))
    assert expenses[1][2:] == ("@SUM(1) 文具", county.name("approver"), county.name("cashier"), 8.8)
    everyone = sheet(county.get("leader", "/api/v1/societies/export.xlsx", as_of="2024-01-31"))
    [mine] = [r for r in everyone if r[0] == society["code"]]
    assert mine[5:11] == (50000, 2000, 0, 0, 3, 1)
    # 50,000 + 2,000 bought - 8.80 paid out.
    assert mine[-1] == 51991.2
