"""The PDF reports over HTTP: served as PDFs, figures equal the JSON API's, scoped.

The module's programme (tests/api/programme.py): capital 100,000 from the
county; A was allocated 20,000 and lent 5,000, B 10,000 and lent 2,000.
"""

from __future__ import annotations

from ledger.money import daxie, fmt
from tests.api.conftest import assert_problem
from tests.api.programme import TOWN_A, County, World
from tests.reports.pdf import fonts, squeezed


def pdf_of(county: County, who: str, path: str, **query: str) -> bytes:
    response = county.get(who, path, **query)
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("inline; filename=")
    body = response.get_data()
    assert all(fonts(body).values()), "every font is embedded"
    return body


def test_the_fund_statement_prints_the_summary(county: County, world: World):
    summary = county.json("leader", f"{world.f}/summary")
    body = squeezed(pdf_of(county, "leader", f"{world.f}/reports/fund-statement.pdf"))
    assert "周转金运行情况报告" in body
    for figure in ("special_cash", "township_cash", "outstanding", "capital"):
        assert fmt(summary[figure]).replace(" ", "") in body, figure
    head = squeezed(
        pdf_of(
            county,
            "clerk",
            f"{world.f}/reports/fund-statement.pdf",
            **{"from": "2007-01-01", "to": "2007-03-31"},
        )
    )
    # Before any allocation the whole capital sits in the special account.
    assert "2007-03-31" in head and "100,000.00" in head


def test_a_township_reconciles_its_own_account(county: County, world: World):
    position = county.json("township_a", f"{world.f}/townships/{TOWN_A}/position")
    body = squeezed(
        pdf_of(county, "township_a", f"{world.f}/reports/townships/{TOWN_A}/reconciliation.pdf")
    )
    assert "但家庙镇" in body and fmt(position["cash"]) in body
    assert "20,000.00" in body  # the allocation, movement by movement


def test_the_loan_statement_shows_the_outstanding_in_words(county: County, world: World):
    loan = county.json("township_a", f"{world.f}/loans/{world.loan_a}")
    body = squeezed(
        pdf_of(county, "township_a", f"{world.f}/reports/loans/{world.loan_a}/statement.pdf")
    )
    assert world.loan_a in body
    assert fmt(loan["outstanding"]) in body
    assert daxie(loan["outstanding"]) in body


def test_ledger_reports_match_the_trial_balance(county: County, world: World):
    balance = county.json("clerk", f"{world.f}/trial-balance", as_of="2008-12-31")
    body = squeezed(
        pdf_of(county, "leader", f"{world.f}/reports/trial-balance.pdf", as_of="2008-12-31")
    )
    assert fmt(balance["totals"]["debit"]) in body
    vouchers = squeezed(pdf_of(county, "clerk", f"{world.f}/reports/vouchers/{world.voucher}.pdf"))
    assert world.voucher in vouchers
    month = squeezed(pdf_of(county, "clerk", f"{world.f}/reports/vouchers.pdf", period="2007-04"))
    assert "记账凭证" in month and "记-2007-04-0001" in month


def test_other_reports_render(county: County, world: World):
    for who, path in (
        ("township_a", f"reports/liaisons/{world.liaison_a}/guarantee.pdf"),
        ("leader", f"reports/disasters/{world.disaster}.pdf"),
        ("clerk", "reports/accounts/1011/subledger.pdf"),
        ("township_b", "reports/aging.pdf"),
    ):
        assert squeezed(pdf_of(county, who, f"{world.f}/{path}"))


def test_another_townships_papers_are_not_found(county: County, world: World):
    for path in (
        f"reports/townships/{TOWN_A}/reconciliation.pdf",
        f"reports/loans/{world.loan_a}/statement.pdf",
        f"reports/liaisons/{world.liaison_a}/guarantee.pdf",
    ):
        response = county.get("township_b", f"{world.f}/{path}", status=None)
        assert_problem(response, 404, "record-not-found")
    refused = county.get("township_a", f"{world.f}/reports/fund-statement.pdf", status=None)
    assert refused.status_code == 403


def test_bad_dates_name_the_field(county: County, world: World):
    url = f"{world.f}/reports/fund-statement.pdf"
    for query, field, code in (
        ({"to": "2008-02-30"}, "to", "invalid-input"),
        ({"from": "20080501"}, "from", "invalid-input"),
        ({"from": "2008-05-01", "to": "2008-04-01"}, "from", "invalid-field"),
    ):
        problem = assert_problem(county.get("clerk", url, status=None, **query), 422, code)
        assert [e["field"] for e in problem["errors"]] == [field], problem
    problem = assert_problem(
        county.get("clerk", f"{world.f}/reports/vouchers.pdf", status=None, period="2007-13"),
        422,
        "invalid-input",
    )
    assert "YYYY-MM" in str(problem)


def test_the_progress_report_is_the_period_and_a_townships_own(county: County, world: World):
    period = {"start": "2007-01-01", "end": "2008-12-31"}
    whole = squeezed(pdf_of(county, "leader", f"{world.f}/reports/progress.pdf", **period))
    assert "进展情况汇报" in whole and "期间:2007-01-01至2008-12-31" in whole
    assert "但家庙镇" in whole and "衡山镇" in whole
    # A lent 5,000 and B 2,000: the period's disbursements print with separators.
    assert "5,000.00" in whole and "2,000.00" in whole and "7,000.00" in whole
    own = squeezed(pdf_of(county, "township_a", f"{world.f}/reports/progress.pdf", **period))
    assert "但家庙镇" in own and "衡山镇" not in own


def test_a_backwards_progress_period_names_its_end(county: County, world: World):
    url = f"{world.f}/reports/progress.pdf"
    query = {"start": "2008-05-01", "end": "2008-04-01"}
    problem = assert_problem(county.get("clerk", url, status=None, **query), 422, "invalid-field")
    assert [e["field"] for e in problem["errors"]] == ["end"], problem
    bad = assert_problem(
        county.get("clerk", url, status=None, end="2008-13-01"), 422, "invalid-input"
    )
    assert [e["field"] for e in bad["errors"]] == ["end"], bad
