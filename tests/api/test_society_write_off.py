"""A bad loan written off against the risk reserve over HTTP, and the approved expenses list.

The write-off is the committee's (approver), citing the approvals of the members' meeting
and the county, and never beyond the risk reserve that year-end distributions built up;
each refusal leaves the book as it was. The numbers are worked out by hand below."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import assert_problem
from tests.api.programme import County, join, open_society

#: Every fen of the result to the risk reserve, at 10 % a month, so that a year builds one.
RULES = {
    "effective_on": "2024-01-02",
    "share_size": "1000.00",
    "loan_cap": "5000.00",
    "loan_share_multiple": 5,
    "max_term_months": 12,
    "fee_rate_monthly": "0.1",
    "overdue_fee_rate_monthly": "0.1",
    "notice_days": 0,
    "group_min": 3,
    "group_max": 5,
    "distribution": {"reserve": "0", "welfare": "0", "risk": "1", "staff": "0", "dividend": "0"},
}
APPROVALS = "社员大会决议〔2025〕1号;县扶贫办批复〔2025〕3号"


def lend(county: County, s: str, member: int, amount: str, term: int) -> str:
    no = county.create(
        "clerk",
        f"{s}/loans",
        {
            "member": member,
            "amount": amount,
            "term_months": term,
            "purpose": "养牛",
            "applied_on": "2024-01-10",
        },
    )["no"]
    county.create("clerk", f"{s}/loans/{no}/notice", {"date": "2024-01-10"})
    county.create("approver", f"{s}/loans/{no}/approval", {"date": "2024-01-10"})
    county.create("cashier", f"{s}/loans/{no}/disbursements", {"date": "2024-01-10"})
    return no


@pytest.fixture(scope="module")
def book(county: County, programme_db: Any) -> dict[str, Any]:
    """Two loans of 2024-01-10: A's 1,000.00 for a month, never repaid; B's 3,000.00 repaid
    with 120 days of fee on 2024-05-09."""
    code, s = open_society(programme_db)
    county.create("cashier", f"{s}/fiscal-capital", {"date": "2024-01-02", "amount": "20000.00"})
    county.create("clerk", f"{s}/rules", RULES)
    county.create("clerk", f"{s}/groups", {"code": "G1"})
    a, b, _ = (join(county, s, name, joined_on="2024-01-02") for name in ("甲", "乙", "丙"))
    for member in (a, b):
        county.create(
            "cashier", f"{s}/members/{member}/shares", {"date": "2024-01-02", "amount": "1000.00"}
        )
    bad, good = lend(county, s, a, "1000.00", 1), lend(county, s, b, "3000.00", 6)
    # 120 days on 3000.00 at 10 % a month: 1,200.00 of fee.
    paid = county.create(
        "cashier", f"{s}/loans/{good}/repayments", {"date": "2024-05-09", "amount": "4200.00"}
    )
    assert (paid["fee"], paid["principal"]) == ("1200.00", "3000.00")
    return {"code": code, "s": s, "bad": bad, "good": good}


def test_a_bad_loan_is_written_off_against_the_risk_reserve_once_one_is_built(
    county: County, book: dict[str, Any]
):
    s, bad = book["s"], book["bad"]
    url = f"{s}/loans/{bad}/write-off"
    body = {"date": "2024-12-30", "document": APPROVALS}
    # No distribution yet: no risk reserve, nothing written off.
    short = assert_problem(
        county.post("approver", url, body, status=None), 409, "society-risk-reserve-short"
    )
    assert short["errors"][0]["field"] == "loan" and "风险准备金 0.00" in short["detail"]
    assert county.json("leader", f"{s}/loans/{bad}")["status"] == "lent"

    # 2024: A's fee on 1,000.00 at 10 % a month, each span rounded to the fen: 31 days to
    # its due date (2024-02-10), 103.33, and 325 overdue days to 31 December, 1,083.33;
    # with B's 1,200.00, 2,386.66, all to the risk reserve.
    table = county.create("approver", f"{s}/distributions/2024", None)
    assert (table["income"], table["result"], table["risk"]) == ("2386.66", "2386.66", "2386.66")
    assert county.json("leader", f"{s}/summary", as_of="2025-01-05")["reserves"] == "2386.66"

    # The one who records loans keeps no say over a write-off; the approvals must be cited.
    assert_problem(
        county.post("clerk", url, {"date": "2025-01-05", "document": APPROVALS}, status=None),
        403,
        "role-not-permitted",
    )
    unsaid = county.post("approver", url, {"date": "2025-01-05"}, status=None)
    assert [e["field"] for e in assert_problem(unsaid, 422, "invalid-input")["errors"]] == [
        "document"
    ]
    repaid = county.post(
        "approver",
        f"{s}/loans/{book['good']}/write-off",
        body | {"date": "2025-01-05"},
        status=None,
    )
    assert [e["field"] for e in assert_problem(repaid, 409, "invalid-transition")["errors"]] == [
        "state"
    ]

    # Five days more of fee (1,000.00 × 10 % × 5 / 30 = 16.67) are accrued first, so the
    # write-off takes 1,000.00 of principal and 1,203.33 of fee out of the reserve.
    done = county.create("approver", url, {"date": "2025-01-05", "document": APPROVALS})
    loan = county.json("auditor", f"{s}/loans/{bad}")
    assert (loan["status"], loan["principal_outstanding"], loan["fee_accrued"]) == (
        "written_off",
        "0.00",
        "0.00",
    )
    figures = county.json("leader", f"{s}/summary", as_of="2025-01-05")
    assert (figures["reserves"], figures["loans_outstanding"]) == ("183.33", "0.00")
    journal = county.json("auditor", f"/api/v1/funds/{book['code']}/journals/{done['voucher']}")
    assert APPROVALS in journal["memo"]
    lines = {(e["account"], e["debit"], e["credit"]) for e in journal["entries"]}
    assert lines == {
        ("3103", "2203.33", "0.00"),
        (f"1201/{bad}", "0.00", "1000.00"),
        (f"1301/{bad}", "0.00", "1203.33"),
    }
    again = county.post("approver", url, {"date": "2025-01-06", "document": APPROVALS}, status=None)
    assert_problem(again, 409, "invalid-transition")
    trial = county.json("auditor", f"/api/v1/funds/{book['code']}/trial-balance")
    assert trial["totals"]["debit_balances"] == trial["totals"]["credit_balances"]


def test_the_approved_expenses_are_listed_with_their_approver_and_voucher(
    county: County, book: dict[str, Any]
):
    s = book["s"]
    approver, cashier = county.name("approver"), county.name("cashier")
    first = county.create(
        "cashier",
        f"{s}/expenses",
        {"date": "2025-01-10", "amount": "35.50", "purpose": "账本和印章", "approved_by": approver},
    )
    assert {k: first[k] for k in ("date", "amount", "purpose", "approved_by", "paid_by")} == {
        "date": "2025-01-10",
        "amount": "35.50",
        "purpose": "账本和印章",
        "approved_by": approver,
        "paid_by": cashier,
    }
    # The payer approving their own payment is refused, and listed nowhere.
    own = {"date": "2025-01-11", "amount": "10.00", "purpose": "茶水", "approved_by": cashier}
    assert_problem(
        county.post("cashier", f"{s}/expenses", own, status=None), 403, "maker-is-checker"
    )
    county.create(
        "cashier",
        f"{s}/expenses",
        {"date": "2025-01-12", "amount": "12.00", "purpose": "复印", "approved_by": approver},
    )
    page = county.get("leader", f"{s}/expenses", per_page=1)
    assert page.headers["X-Total-Count"] == "2" and "Link" in page.headers
    listed = county.json("auditor", f"{s}/expenses")
    assert [(e["date"], e["amount"], e["purpose"]) for e in listed] == [
        ("2025-01-10", "35.50", "账本和印章"),
        ("2025-01-12", "12.00", "复印"),
    ]
    assert listed[0] == first
    journal = county.json("auditor", f"/api/v1/funds/{book['code']}/journals/{first['voucher']}")
    assert {(e["account"], e["debit"]) for e in journal["entries"]} == {
        ("5001", "35.50"),
        ("1001", "0.00"),
    }
