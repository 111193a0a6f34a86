"""A society's PDFs and the county's roll-up over HTTP: each answers a PDF with the
society's figures in it; a ``month`` missing, malformed, to come or before the society
opened is a 422 naming ``month``; a year not yet distributed and a revolving fund's code
are 404s, and so is another county's region."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.api.conftest import assert_problem
from tests.api.programme import County, open_society
from tests.api.roles import COUNTY_A
from tests.reports import pdf


def test_the_society_pdfs_answer_with_its_figures(county: County, society_world: Any):
    s = f"/api/v1/societies/{society_world.code}"
    member = county.get("cashier", f"{s}/reports/members/{society_world.member}/statement.pdf")
    assert member.mimetype == "application/pdf"
    assert "inline" in member.headers["Content-Disposition"]
    text = pdf.squeezed(member.data)
    assert "社员对账单" in text and "甲" in text and "入股1,000.00" in text
    notice = pdf.squeezed(county.get("clerk", f"{s}/reports/loan-notice.pdf").data)
    # The loan was applied for and not yet published: nothing is on notice.
    assert "借款公示表" in notice and "无公示中的借款" in notice
    month = pdf.squeezed(county.get("leader", f"{s}/reports/monthly.pdf", month="2024-01").data)
    assert "3001财政扶贫资金10,000.00" in month and "3002社员互助金1,000.00" in month
    assert "资产合计11,000.00" in month


def test_a_year_not_distributed_and_a_revolving_fund(
    county: County, society_world: Any, world: Any
):
    s = f"/api/v1/societies/{society_world.code}"
    assert_problem(
        county.get("approver", f"{s}/reports/distribution/2024.pdf", status=None),
        404,
        "record-not-found",
    )
    assert_problem(
        county.get(
            "leader", f"/api/v1/societies/{world.code}/reports/loan-notice.pdf", status=None
        ),
        404,
        "fund-not-found",
    )


def test_the_roll_up_lists_the_countys_societies_to_its_readers_only(
    county: County, society_world: Any
):
    path = f"/api/v1/regions/{COUNTY_A}/reports/societies.pdf"
    text = pdf.squeezed(county.get("leader", path).data)
    assert "村级扶贫互助社运行情况汇总表" in text and "胡家湾村扶贫互助社" in text
    assert_problem(county.get("b_leader", path, status=None), 404, "region-not-found")
    assert county.get("cashier", path, status=None).status_code == 403


def test_a_year_out_of_range_is_refused_naming_the_field(county: County, society_world: Any):
    path = f"/api/v1/societies/{society_world.code}/reports/distribution/99999.pdf"
    response = county.get("leader", path, status=None)
    assert assert_problem(response, 422, "invalid-field")["errors"][0]["field"] == "year"


@pytest.mark.parametrize(
    ("query", "code", "en"),
    [
        ({}, "invalid-input", "Missing data for required field."),
        ({"month": "2024-13"}, "invalid-input", 'Not a month: use YYYY-MM, e.g. "2007-04".'),
        ({"month": "2024-1"}, "invalid-input", 'Not a month: use YYYY-MM, e.g. "2007-04".'),
        ({"month": "2026-12"}, "date-in-future", "month 2026-12 is after this month 2026-11"),
        (
            {"month": "2023-12"},
            "date-out-of-order",
            "month 2023-12 is before 2024-01, the month the society opened",
        ),
        (
            {"month": "0000-01"},
            "date-out-of-order",
            "month 0000-01 is before 2024-01, the month the society opened",
        ),
    ],
    ids=["missing", "no-month", "one-digit", "to-come", "before-opening", "year-0"],
)
def test_the_monthly_report_needs_a_month_the_society_has_lived(
    county: County, society_world: Any, set_today: Any, query: dict[str, str], code: str, en: str
):
    """Opened on 1 January 2024 and read on 15 November 2026: the months it has lived run
    from 2024-01 to 2026-11 (this month so far); any other ``month`` is refused in both
    languages, naming the field."""
    set_today(date(2026, 11, 15))
    s = f"/api/v1/societies/{society_world.code}/reports/monthly.pdf"
    body = assert_problem(county.get("auditor", s, status=None, **query), 422, code)
    [error] = body["errors"]
    assert error["field"] == "month"
    assert error["message_en"] == en and error["message_zh"]
    for month in ("2024-01", "2026-11"):
        assert county.get("auditor", s, month=month).mimetype == "application/pdf"


def test_a_year_with_nothing_in_it_closes_once_and_prints_its_zeros(
    county: County, programme_db: Any
):
    """No income, no expenses: the distribution answers a table of zeros and no voucher,
    a second is a 409 naming the year, and the year's table prints the zeros."""
    _, s = open_society(programme_db)
    table = county.create("approver", f"{s}/distributions/2024", None)
    assert {k: table[k] for k in ("income", "expenses", "result", "reserve", "staff")} == {
        "income": "0.00",
        "expenses": "0.00",
        "result": "0.00",
        "reserve": "0.00",
        "staff": "0.00",
    }
    assert (table["dividends"], table["voucher"], table["closing_voucher"]) == ({}, None, None)
    again = county.post("approver", f"{s}/distributions/2024", None, status=None)
    body = assert_problem(again, 409, "society-distribution-refused")
    assert body["errors"][0]["field"] == "year"
    assert "2024" in body["detail"] and "2024 was already closed" in body["detail_en"]
    text = pdf.squeezed(county.get("auditor", f"{s}/reports/distribution/2024.pdf").data)
    assert "2024年度" in text and "凭证无(本年无收支)" in text
    assert "本年收益0.00" in text and "合计100%0.00" in text and "本年度无分红" in text
