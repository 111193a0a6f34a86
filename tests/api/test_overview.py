"""The programme's figures over HTTP: fund summary, aging, recovery table, three lines.

The module's programme: capital 100,000; A holds 20,000 and lent 5,000
(2,500 due 2008-04-01 and 2009-04-01), B holds 10,000 and lent 2,000 (due
2008-01-15); nothing repaid.
"""

from __future__ import annotations

from tests.api.conftest import assert_problem
from tests.api.programme import TOWN_A, TOWN_B, County, World


def test_the_fund_summary(county: County, world: World):
    summary = county.json("leader", f"{world.f}/summary")
    assert summary["capital_by_source"] == {"county": "100000.00"}
    assert (summary["special_cash"], summary["township_cash"], summary["outstanding"]) == (
        "70000.00",
        "23000.00",
        "7000.00",
    )
    assert (summary["relending_capacity"], summary["turnover"], summary["loans"]) == (
        "93000.00",
        "0.07",
        2,
    )
    assert summary["pending_write_off"] == "1000.00"
    assert [(g["key"], g["disbursed"]) for g in summary["by_township"]] == [
        (TOWN_A, "5000.00"),
        (TOWN_B, "2000.00"),
    ]
    before = county.json("clerk", f"{world.f}/summary", as_of="2007-03-31")
    assert (before["special_cash"], before["loans"], before["turnover"]) == ("100000.00", 0, "0.00")


def test_aging_by_bucket_and_township(county: County, world: World):
    aging = county.json("clerk", f"{world.f}/aging", as_of="2008-06-01")
    assert {b["label"]: (b["loans"], b["overdue_amount"]) for b in aging["buckets"]} == {
        "1-30": (0, "0.00"),
        "31-90": (1, "2500.00"),
        "91-180": (1, "2000.00"),
        "181-365": (0, "0.00"),
        "365+": (0, "0.00"),
    }
    assert [(r["registration_no"], r["overdue_days"]) for r in aging["loans"]] == [
        (world.loan_a, 61),
        (world.loan_b, 138),
    ]
    mine = county.json("township_a", f"{world.f}/aging", as_of="2008-06-01")
    assert [r["registration_no"] for r in mine["loans"]] == [world.loan_a]
    assert (mine["outstanding"], mine["overdue_share"]) == ("5000.00", "100.00")
    assert_problem(
        county.get("township_a", f"{world.f}/aging", status=None, township=TOWN_B),
        404,
        "not-found",
    )


def test_the_overdue_loans_of_the_aging_are_paged_by_cursor(county: County, world: World):
    """`loans` is one page; the buckets and totals stay the whole fund's, from the kept
    figures; the next page is in `next` and in the Link header, as on the loan list."""
    url = f"{world.f}/aging"
    first = county.get("clerk", url, as_of="2008-06-01", per_page=1)
    body = first.get_json()
    assert [r["registration_no"] for r in body["loans"]] == [world.loan_a]
    assert (body["overdue_loans"], first.headers["X-Total-Count"]) == (2, "2")
    assert body["overdue_amount"] == "4500.00"  # both loans', not the page's
    assert body["next"] and f"after={body['next']}" in first.headers["Link"]
    second = county.get("clerk", url, as_of="2008-06-01", per_page=1, after=body["next"])
    rest = second.get_json()
    assert [(r["registration_no"], r["overdue_days"]) for r in rest["loans"]] == [
        (world.loan_b, 138)
    ]
    assert rest["next"] is None and "Link" not in second.headers
    assert rest["buckets"] == body["buckets"]
    # The loans overdue on a past day, paged the same way, counted from the kept aging.
    loans = county.get("clerk", f"{world.f}/loans", overdue_on="2008-06-01", per_page=1)
    assert [r["registration_no"] for r in loans.get_json()] == [world.loan_a]
    assert loans.headers["X-Total-Count"] == "2"
    after = loans.headers["Link"].split("after=")[1].split(">")[0]
    assert after == body["next"]  # one order, one cursor
    # Before anything fell due, nothing is overdue: an empty page, no next.
    none = county.get("clerk", url, as_of="2007-12-31")
    assert (none.get_json()["loans"], none.headers["X-Total-Count"]) == ([], "0")
    body = assert_problem(
        county.get("clerk", url, status=None, after="bm90IGEgY3Vyc29y"), 400, "bad-cursor"
    )
    assert "after" in body["detail"] and "after" in body["detail_en"]


def test_the_recovery_table(county: County, world: World):
    table = county.json("leader", f"{world.f}/recovery-table", year=2008)
    assert [(r["township"], r["opening"], r["due_this_year"]) for r in table["rows"]] == [
        (TOWN_A, "5000.00", "2500.00"),
        (TOWN_B, "2000.00", "2000.00"),
    ]
    assert (
        table["total"]["name"],
        table["total"]["closing"],
        table["total"]["rate_this_year"],
    ) == (
        "合计",
        "7000.00",
        "0.00",
    )
    lent = county.json("township_b", f"{world.f}/recovery-table", year=2007)
    assert [(r["township"], r["lent"]) for r in lent["rows"]] == [(TOWN_B, "2000.00")]


def test_no_three_line_problems(county: County, world: World):
    assert county.json("leader", f"{world.f}/three-line-report") == []
