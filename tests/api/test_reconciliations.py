"""Reconciliation over HTTP: a township's book and a bank statement, matched, never posted.

Each accepted upload leaves one audit record (who, which file, for what); a
refused one leaves none.

The module's programme: township A (340123001) was allocated 20,000.00 on
2007-04-01 and disbursed loan_a's 5,000.00 on 2007-04-10; the special
account received 100,000.00 on 2007-03-01 and allocated 20,000.00 (A) and
10,000.00 (B) on 2007-04-01.
"""

from __future__ import annotations

import hashlib
import io
import json

from openpyxl import load_workbook
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from ledger.models import AuditRecord
from tests.api.conftest import assert_problem
from tests.api.programme import TOWN_A, County, World
from tests.api.test_bad_input import audit_head, journal_count
from tests.factories import audited_since as since
from tests.reports.pdf import squeezed
from tests.sheets.files import table_csv, table_xlsx


def post(county: County, who: str, url: str, data: bytes, **form: str):
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), "book"), **form})
    return county.client.post(
        url,
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=county.headers(who),
    )


BOOK = ["日期", "借据号", "类型", "金额"]


def audited_since(api_app, heads: dict[str, tuple[int, str]]) -> list[AuditRecord]:
    """The audit records appended to any chain since `heads` was taken."""
    return since(api_app.extensions["ledger_db"], heads)


def assert_upload_audited(record: AuditRecord, who: str, url: str, target: str, data: bytes):
    assert (record.actor, record.action, record.target) == (who, f"POST {url}", target)
    details = json.loads(record.details)
    assert (details["file"], details["bytes"]) == ("book", len(data))
    assert details["sha256"] == hashlib.sha256(data).hexdigest()
    return details


def test_a_township_book_with_every_kind_of_difference(county: County, world: World, api_app):
    book = [
        ["2007-04-01", "", "拨入", "20000.00"],
        ["2007-04-10", world.loan_a, "发放", "4500.00"],
        ["2007-04-15", world.loan_a, "收回", "100.00"],
    ]
    before = journal_count(county, world), audit_head(api_app)
    url = f"{world.f}/reconciliations/townships/{TOWN_A}"
    data = table_xlsx(BOOK, book)
    response = post(county, "township_a", url, data, to="2007-04-30")
    assert response.status_code == 200, response.get_data(as_text=True)
    result = response.get_json()
    m = result["matching"]
    assert [p["other"]["row"] for p in m["matched"]] == [2]
    assert [(p["county"]["amount"], p["other"]["amount"]) for p in m["amount_differences"]] == [
        ("-5000.00", "-4500.00")
    ]
    assert m["only_county"] == []
    assert [(x["row"], x["kind"], x["amount"]) for x in m["only_other"]] == [
        (4, "repayment", "100.00")
    ]
    assert (result["county_opening"], result["county_closing"]) == ("0.00", "15000.00")
    assert (result["township_closing"], result["agreed"]) == ("15600.00", False)
    assert journal_count(county, world) == before[0]  # never posts
    (record,) = audited_since(api_app, before[1])  # but the upload is on the record
    details = assert_upload_audited(
        record, county.name("township_a"), url, f"fund:{world.code}/township:{TOWN_A}", data
    )
    assert (record.role, details["township"], details["to"]) == ("township", TOWN_A, "2007-04-30")


def test_a_matching_book_agrees_and_csv_in_gb18030_reads(county: County, world: World):
    book = [["2007-04-01", "", "拨入", "20000.00"], ["2007-04-10", world.loan_a, "发放", "5000"]]
    url = f"{world.f}/reconciliations/townships/{TOWN_A}"
    data = table_csv(BOOK, book, encoding="gb18030")
    result = post(county, "clerk", url, data, **{"from": "2007-04-01", "to": "2007-04-30"})
    assert result.status_code == 200, result.get_data(as_text=True)
    assert result.get_json()["agreed"] is True


def test_bad_books_and_other_townships(county: County, world: World, api_app):
    before = audit_head(api_app)
    url = f"{world.f}/reconciliations/townships/{TOWN_A}"
    formula = table_xlsx(
        BOOK, [["2007-04-01", "", "拨入", "=10000*2"], ["2007-04-31", "", "?", "1"]]
    )
    problem = assert_problem(post(county, "clerk", url, formula), 422, "rows-refused")
    assert [(r["row"], r["column"]) for r in problem["rows"]] == [
        (2, "金额"),
        (3, "日期"),
        (3, "类型"),
    ]
    other = post(county, "township_b", url, table_xlsx(BOOK, []))
    assert_problem(other, 404, "record-not-found")
    assert audit_head(api_app) == before  # a refused upload leaves no record


def test_the_bank_reconciliation_statement(county: County, world: World, api_app):
    statement = [
        ["2007-03-01", "100000.00", "收", "县财政拨入", "100000.00"],
        ["2007-04-02", "20000.00", "付", "拨但家庙镇", "80000.00"],
        ["2007-04-20", "50.00", "收", "利息", "80050.00"],
        ["2007-04-25", "10.00", "付", "手续费", "80040.00"],
    ]
    header = ["日期", "金额", "方向", "摘要", "余额"]
    before = journal_count(county, world), audit_head(api_app)
    url = f"{world.f}/reconciliations/bank"
    data = table_xlsx(header, statement)
    response = post(county, "clerk", url, data)
    assert response.status_code == 200, response.get_data(as_text=True)
    r = response.get_json()
    assert (r["from"], r["to"], r["book_balance"], r["statement_balance"]) == (
        "2007-03-01",
        "2007-04-25",
        "70000.00",
        "80040.00",
    )
    assert (r["bank_in_not_booked"], r["bank_out_not_booked"]) == ("50.00", "10.00")
    assert (r["booked_in_not_at_bank"], r["booked_out_not_at_bank"]) == ("0.00", "10000.00")
    assert (r["adjusted_book"], r["adjusted_statement"], r["reconciled"]) == (
        "70040.00",
        "70040.00",
        True,
    )
    statement[3][4] = "80041.00"  # the bank's balance does not follow from its lines
    wrong = post(county, "clerk", url, table_xlsx(header, statement))
    assert wrong.get_json()["reconciled"] is False
    assert journal_count(county, world) == before[0]
    first, second = audited_since(api_app, before[1])
    assert_upload_audited(first, county.name("clerk"), url, f"fund:{world.code}/bank", data)
    assert json.loads(second.details)["sha256"] != json.loads(first.details)["sha256"]
    refused = post(county, "township_a", url, b"x")
    assert refused.status_code == 403
    assert len(audited_since(api_app, before[1])) == 2


def test_the_results_as_xlsx_and_pdf(county: County, world: World):
    book = [["2007-04-01", "", "拨入", "20000.00"], ["2007-04-10", world.loan_a, "发放", "4500"]]
    url = f"{world.f}/reconciliations/townships/{TOWN_A}"
    data = table_xlsx(BOOK, book)
    sheet = post_as(county, "township_a", url, data, "xlsx")
    summary, lines = load_workbook(io.BytesIO(sheet)).worksheets
    assert [r[1] for r in summary.iter_rows(min_row=2, values_only=True)] == [0, 15000, 0, 15500]
    assert [r[0] for r in lines.iter_rows(min_row=2, values_only=True)] == ["相符", "金额不符"]
    text = squeezed(post_as(county, "township_a", url, data, "pdf"))
    # The township's reconciliation statement, with the check against its book last.
    assert "乡镇周转金对账单" in text and "与乡镇账逐笔核对" in text
    assert "金额不符" in text and "15,500.00" in text and "核对意见" in text
    statement = table_xlsx(
        ["日期", "金额", "方向", "摘要", "余额"],
        [["2007-03-01", "100000.00", "收", "县财政拨入", "100000.00"]],
    )
    bank = squeezed(post_as(county, "clerk", f"{world.f}/reconciliations/bank", statement, "pdf"))
    assert "银行存款余额调节表" in bank and "调节后的账面余额" in bank and "100,000.00" in bank
    bad = county.client.post(f"{url}?format=doc", headers=county.headers("clerk"))
    assert_problem(bad, 422, "invalid-input")


def post_as(county: County, who: str, url: str, data: bytes, kind: str) -> bytes:
    response = post(county, who, f"{url}?format={kind}", data)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.headers["Content-Disposition"].endswith(f".{kind}")
    return response.get_data()
