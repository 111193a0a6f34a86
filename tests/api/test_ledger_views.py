"""The books over HTTP: journals, trial balance, accounts, red-ink reversal, periods.

The module's programme has five journals: the appropriation (2007-03-01),
two allocations (2007-04-01) and two disbursements (2007-04-10).
"""

from __future__ import annotations

from tests.api.conftest import assert_problem
from tests.api.programme import TOWN_A, TOWN_B, County, World
from tests.api.test_bad_input import journal_count


def vouchers(rows: list[dict]) -> list[str]:
    return [row["voucher"] for row in rows]


def test_journals_filtered_and_paged(county: County, world: World):
    url = f"{world.f}/journals"
    everything = county.get("leader", url)
    assert everything.headers["X-Total-Count"] == "5"
    assert vouchers(everything.get_json()) == [
        "记-2007-03-0001",
        "记-2007-04-0001",
        "记-2007-04-0002",
        "记-2007-04-0003",
        "记-2007-04-0004",
    ]
    assert [j["kind"] for j in county.json("clerk", url, kind="allocation")] == ["allocation"] * 2
    assert vouchers(county.json("clerk", url, to="2007-03-31")) == ["记-2007-03-0001"]
    assert [j["kind"] for j in county.json("clerk", url, **{"from": "2007-04-02"})] == [
        "disbursement",
        "disbursement",
    ]
    last = county.get("clerk", url, per_page=2, page=3)
    assert vouchers(last.get_json()) == ["记-2007-04-0004"] and last.headers["X-Total-Count"] == "5"


def test_one_journal_names_sub_accounts(county: County, world: World):
    loan = county.json("clerk", f"{world.f}/loans/{world.loan_a}")
    voucher = next(e["voucher"] for e in loan["history"] if e["action"] == "disbursed")
    journal = county.json("approver", f"{world.f}/journals/{voucher}")
    assert (journal["date"], journal["kind"], journal["reverses"], journal["red"]) == (
        "2007-04-10",
        "disbursement",
        None,
        False,
    )
    assert journal["entries"] == [
        {"account": f"1101/{world.loan_a}", "debit": "5000.00", "credit": "0.00"},
        {"account": f"1011/{TOWN_A}", "debit": "0.00", "credit": "5000.00"},
    ]
    missing = county.get("clerk", f"{world.f}/journals/记-2099-01-0001", status=None)
    assert_problem(missing, 404, "journal-not-found")


def test_the_trial_balance_as_of_and_from(county: County, world: World):
    url = f"{world.f}/trial-balance"
    empty = county.json("leader", url, as_of="2007-02-28")
    assert empty["totals"] == {
        "debit": "0.00",
        "credit": "0.00",
        "debit_balances": "0.00",
        "credit_balances": "0.00",
        "balanced": True,
    }
    april = county.json("leader", url, **{"from": "2007-04-01", "as_of": "2007-04-30"})
    assert (april["as_of"], april["from"]) == ("2007-04-30", "2007-04-01")
    special = next(a for a in april["accounts"] if a["code"] == "1001")
    assert (special["opening"], special["debit"], special["credit"], special["balance"]) == (
        "100000.00",
        "0.00",
        "30000.00",
        "70000.00",
    )
    assert april["totals"]["debit"] == april["totals"]["credit"] == "37000.00"


def test_the_chart_with_sub_accounts(county: County, world: World):
    chart = {
        line["code"]: line
        for line in county.json("clerk", f"{world.f}/accounts", as_of="2007-04-05")
    }
    assert chart["1011"]["name"] == "乡镇周转金" and chart["1011"]["subledger"] == "township"
    assert [(s["account"], s["balance"]) for s in chart["1011"]["subaccounts"]] == [
        (f"1011/{TOWN_A}", "20000.00"),
        (f"1011/{TOWN_B}", "10000.00"),
    ]
    assert chart["1101"]["balance"] == "0.00" and chart["1001"]["subaccounts"] == []


def test_a_red_ink_reversal(county: County, world: World):
    wrong = county.create(
        "clerk",
        f"{world.f}/appropriations",
        {"date": "2007-05-01", "amount": "50.00", "source": "city"},
    )["voucher"]
    url = f"{world.f}/journals/{wrong}/reversal"
    journals = journal_count(county, world)
    county.post("clerk", url, {"date": "2007-05-02"}, status=422)  # a reason is required
    asked = county.create("clerk", url, {"reason": "重复录入", "date": "2007-05-02"})
    assert (asked["journal"], asked["status"], asked["voucher"]) == (wrong, "proposed", None)
    assert journal_count(county, world) == journals  # nothing is posted until approved
    assert_problem(
        county.post("clerk", url, {"reason": "再冲"}, status=None), 409, "proposal-pending"
    )
    decide = f"{world.f}/reversals/{asked['id']}/decision"
    # The approver who proposed cannot approve; the clerk cannot decide at all.
    own = county.create("approver", url.replace(wrong, world.voucher), {"reason": "试"})
    assert_problem(
        county.post(
            "approver", f"{world.f}/reversals/{own['id']}/decision", {"approve": True}, status=None
        ),
        403,
        "maker-is-checker",
    )
    county.post("clerk", decide, {"approve": True}, status=403)
    decided = county.create("approver", decide, {"approve": True, "date": "2007-05-03"})
    assert (decided["status"], decided["decided_by"]) == ("approved", county.name("approver"))
    red = county.json("clerk", f"{world.f}/journals/{decided['voucher']}")
    assert (red["reverses"], red["red"], red["memo"]) == (wrong, True, f"冲销 {wrong}:重复录入")
    assert (red["date"], journal_count(county, world)) == ("2007-05-03", journals + 1)
    assert [e["debit"] for e in red["entries"]] == ["-50.00", "0.00"]
    assert_problem(
        county.post("approver", decide, {"approve": True}, status=None), 409, "invalid-transition"
    )
    assert_problem(
        county.post("clerk", url, {"reason": "再冲"}, status=None), 409, "already-reversed"
    )
    listed = county.json("leader", f"{world.f}/reversals", query={"status": "approved"})
    assert [r["voucher"] for r in listed] == [decided["voucher"]]
    back = county.post(
        "clerk", f"{world.f}/journals/{red['voucher']}/reversal", {"reason": "x"}, status=None
    )
    assert_problem(back, 409, "cannot-reverse-reversal")
    assert_problem(
        county.post("clerk", f"{world.f}/journals/nope/reversal", {"reason": "x"}, status=None),
        404,
        "journal-not-found",
    )
    balance = {
        a["code"]: a["balance"]
        for a in county.json("clerk", f"{world.f}/trial-balance")["accounts"]
    }
    assert balance["3001"] == "100000.00"


def test_closing_and_reopening_a_month(county: County, world: World):
    close, reopen = f"{world.f}/periods/2006-12/close", f"{world.f}/periods/2006-12/reopen"
    closed = county.create("clerk", close, None)
    assert (closed["period"], closed["closed"], closed["closed_by"]) == (
        "2006-12",
        True,
        county.name("clerk"),
    )
    assert_problem(county.post("clerk2", close, None, status=None), 409, "period-closed")
    late = county.post(
        "clerk",
        f"{world.f}/appropriations",
        {"date": "2006-12-31", "amount": "1.00", "source": "county"},
        status=None,
    )
    assert_problem(late, 409, "period-closed")
    county.post("approver", reopen, {}, status=422)
    opened = county.create("approver", reopen, {"reason": "补记漏账"})
    assert (opened["closed"], opened["reopened_by"], opened["reopen_reason"]) == (
        False,
        county.name("approver"),
        "补记漏账",
    )
    assert_problem(
        county.post("approver2", reopen, {"reason": "x"}, status=None), 409, "period-not-closed"
    )
    listed = county.json("leader", f"{world.f}/periods")
    assert [(p["period"], p["closed"]) for p in listed] == [("2006-12", False)]
    bad = county.post("clerk", f"{world.f}/periods/2006-13/close", None, status=None)
    assert assert_problem(bad, 422, "invalid-field")["errors"][0]["field"] == "period"
