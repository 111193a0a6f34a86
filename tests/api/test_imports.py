"""Registration import over HTTP: the template, a good sheet, a refused one, limits.

The module's programme has townships 340123001 (A) and 340123002 (B),
batch 1 and the project types fish (standard 5,000) and pig (3,000).
"""

from __future__ import annotations

import io

from openpyxl import load_workbook
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from ledger.registration_import import COLUMNS
from tests.api.conftest import assert_problem
from tests.api.programme import County, World
from tests.api.test_bad_input import audit_head
from tests.factories import audited_since
from tests.sheets.files import person, xlsx


def upload(county: County, world: World, data: bytes, who: str = "clerk", key: str | None = None):
    # Encoded here, as bytes: the test client would spool a large body to a
    # temporary file and leave it open when the app refuses it unread.
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), "登记表.xlsx")})
    return county.client.post(
        f"{world.f}/imports/registrations",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=county.headers(who, key),
    )


def households(county: County, world: World) -> int:
    return int(county.get("clerk", f"{world.f}/households", per_page=1).headers["X-Total-Count"])


def test_the_template_filled_in_imports(county: County, world: World):
    response = county.get("township_a", f"{world.f}/imports/registrations/template.xlsx")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert [c.value for c in sheet[1]] == [c.header for c in COLUMNS]
    assert sheet.freeze_panes == "A2"
    assert "选填" in sheet["A1"].comment.text and "必填" in sheet["B1"].comment.text
    # The clerk keeps the example row, fixes its project, and imports it.
    sheet["I2"] = "pig"
    sheet["J2"] = "养猪 5 头"
    sheet["K2"] = "3000.00"
    out = io.BytesIO()
    sheet.parent.save(out)
    created = upload(county, world, out.getvalue())
    assert created.status_code == 201, created.get_data(as_text=True)
    assert created.get_json()["loans"] == 1
    [no] = created.get_json()["registration_nos"]
    loan = county.json("clerk", f"{world.f}/loans/{no}")
    assert (loan["status"], loan["household_name"]) == ("applied", "张三")


def test_a_sheet_with_three_bad_rows_among_a_thousand_writes_nothing(
    county: County, world: World, api_app
):
    rows = [person(n) for n in range(1000)]
    rows[1]["身份证号"] = "340123196503010013"  # wrong check digit
    rows[2]["批次"] = "7"
    rows[999]["党员"] = "不详"
    before = households(county, world), audit_head(api_app)
    problem = assert_problem(upload(county, world, xlsx(rows)), 422, "rows-refused")
    assert [(r["row"], r["column"]) for r in problem["rows"]] == [
        (3, "身份证号"),
        (4, "批次"),
        (1001, "党员"),
    ]
    assert all(r["message_zh"] and r["message_en"] for r in problem["rows"])
    assert [e["field"] for e in problem["errors"]] == [
        "第 3 行 身份证号",
        "第 4 行 批次",
        "第 1001 行 党员",
    ]
    assert (households(county, world), audit_head(api_app)) == before


def test_a_good_sheet_is_one_audited_write_and_retries_replay(
    county: County, world: World, api_app
):
    data = xlsx([person(n, 乡镇代码="340123002") for n in range(2000, 2010)])
    head = audit_head(api_app)
    first = upload(county, world, data, key="import-1")
    assert first.status_code == 201 and first.get_json()["loans"] == 10
    assert len(audited_since(api_app.extensions["ledger_db"], head)) == 1
    again = upload(county, world, data, key="import-1")
    assert again.status_code == 201 and again.get_json() == first.get_json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    other = xlsx([person(3000)])
    assert_problem(upload(county, world, other, key="import-1"), 422, "idempotency-key-reused")
    mine = county.json("township_b", f"{world.f}/loans", query={"batch": "1"})
    assert {r["registration_no"] for r in mine} >= set(first.get_json()["registration_nos"])


def test_who_may_import_and_what_is_refused(county: County, world: World, api_app):
    data = xlsx([person(4000)])
    assert upload(county, world, data, who="township_a").status_code == 403
    assert upload(county, world, data, who="leader").status_code == 403
    too_big = b"x" * (8 * 1024 * 1024 + 1)
    assert_problem(upload(county, world, too_big), 413, "payload-too-large")
    assert_problem(upload(county, world, b"%PDF-1.4\n"), 422, "rows-refused")
    assert_problem(upload(county, world, b""), 422, "sheet-refused")
    missing = county.client.post(
        f"{world.f}/imports/registrations",
        data={},
        content_type="multipart/form-data",
        headers=county.headers("clerk"),
    )
    assert_problem(missing, 422, "invalid-input")
