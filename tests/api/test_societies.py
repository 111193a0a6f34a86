"""A village mutual-aid society over HTTP (SPEC §13): a year with exact figures, each
refusal family once as problem+json naming the field and the 章程 setting, an idempotent
repayment, and the society's confinement (another county's, or a revolving fund, is 404)."""

from __future__ import annotations

from typing import Any

import pytest

from ledger.models import AuditRecord
from tests.api.conftest import assert_problem
from tests.api.programme import County, join, open_society

RULES = {
    "effective_on": "2024-02-01",
    "share_size": "500.00",
    "loan_cap": "3000.00",
    "loan_share_multiple": 3,
    "max_term_months": 6,
    "fee_rate_monthly": "0.005",
    "overdue_fee_rate_monthly": "0.0075",
    "notice_days": 5,
    "group_min": 3,
    "group_max": 5,
    "distribution": {
        "reserve": "0.40",
        "welfare": "0.10",
        "risk": "0.20",
        "staff": "0.10",
        "dividend": "0.20",
    },
}


@pytest.fixture(scope="module")
def society(county: County, programme_db: Any) -> dict[str, Any]:
    """A society with its 章程 of 2024-02-01, capital, a group of three and their shares."""
    code, s = open_society(programme_db)
    county.create("cashier", f"{s}/fiscal-capital", {"date": "2024-01-02", "amount": "100000.00"})
    county.create("clerk", f"{s}/rules", RULES)
    county.create("clerk", f"{s}/groups", {"code": "G1"})
    a = join(county, s, "王大", poor=True)
    b = join(county, s, "王二")
    c = join(county, s, "王三")
    county.create(
        "clerk",
        f"{s}/members/{a}/shares",
        {"date": "2024-02-01", "amount": "1000.00", "allocated": True},
    )
    for member in (b, c):
        county.create(
            "cashier", f"{s}/members/{member}/shares", {"date": "2024-02-01", "amount": "500.00"}
        )
    return {"code": code, "s": s, "a": a, "b": b, "c": c}


def apply(county: County, s: str, member: int, amount: str = "3000.00", **extra: Any) -> Any:
    body = {
        "member": member,
        "amount": amount,
        "term_months": 6,
        "purpose": "养猪",
        "applied_on": "2024-02-05",
        **extra,
    }
    return county.post("clerk", f"{s}/loans", body, status=None)


def audit_count(programme_db: Any, chain: str | None = None) -> int:
    """Audit records on `chain`, or on every chain."""
    with programme_db.read() as session:
        query = session.query(AuditRecord)
        if chain is not None:
            query = query.filter(AuditRecord.chain == chain)
        return query.count()


def test_a_year_of_a_society(county: County, society: dict[str, Any], programme_db: Any):
    s, a, b, c = society["s"], society["a"], society["b"], society["c"]
    versions = county.json("leader", f"{s}/rules")
    assert [v["effective_on"] for v in versions] == ["2024-01-01", "2024-02-01"]
    assert versions[1]["fee_rate_monthly"] == "0.005000"
    assert versions[1]["distribution"]["reserve"] == "0.4000"
    assert county.json("auditor", f"{s}/groups") == [{"code": "G1", "members": [a, b, c]}]
    assert county.json("approver", f"{s}/members/{a}")["shares_allocated"] == "1000.00"

    no = apply(county, s, a).get_json()["no"]
    county.create("clerk", f"{s}/loans/{no}/notice", {"date": "2024-02-05"})
    county.create("approver", f"{s}/loans/{no}/approval", {"date": "2024-02-10"})
    lent = county.create("cashier", f"{s}/loans/{no}/disbursements", {"date": "2024-02-10"})
    assert (lent["status"], lent["due_date"], lent["principal_outstanding"]) == (
        "lent",
        "2024-08-10",
        "3000.00",
    )
    # 30 days on 3000.00 at 5‰ a month: 15.00, settled before principal.
    first = county.create(
        "cashier", f"{s}/loans/{no}/repayments", {"date": "2024-03-11", "amount": "1015.00"}
    )
    assert (first["fee"], first["principal"]) == ("15.00", "1000.00")
    # 30 days on 2000.00: 10.00; the loan is repaid.
    second = county.create(
        "cashier", f"{s}/loans/{no}/repayments", {"date": "2024-04-10", "amount": "2010.00"}
    )
    assert (second["fee"], second["principal"]) == ("10.00", "2000.00")
    loan = county.json("leader", f"{s}/loans/{no}")
    assert (loan["status"], loan["fee_paid"], loan["fee_accrued"]) == ("repaid", "25.00", "0.00")

    county.create("cashier", f"{s}/bank-interest", {"date": "2024-06-21", "amount": "50.00"})
    county.create(
        "cashier",
        f"{s}/expenses",
        {
            "date": "2024-07-01",
            "amount": "5.00",
            "purpose": "账本",
            "approved_by": county.name("approver"),
        },
    )
    closed = county.create("clerk", f"{s}/periods/2024-01/close", None)
    assert (closed["period"], closed["closed"]) == ("2024-01", True)

    # Income 15 + 10 + 50 less 5 of expenses: 70.00, by 40/10/20/10/20 %; the dividend's
    # 14.00 by shares on 31 December (1000 allocated, 500, 500).
    table = county.create("approver", f"{s}/distributions/2024", None)
    assert {k: table[k] for k in ("income", "expenses", "result")} == {
        "income": "75.00",
        "expenses": "5.00",
        "result": "70.00",
    }
    assert [table[k] for k in ("reserve", "welfare", "risk", "staff")] == [
        "28.00",
        "7.00",
        "14.00",
        "7.00",
    ]
    assert table["dividends"] == {str(a): "7.00", str(b): "3.50", str(c): "3.50"}
    paid = county.create("cashier", f"{s}/members/{b}/dividends", {"date": "2025-01-05"})
    assert paid["amount"] == "3.50"
    county.create("cashier", f"{s}/subsidies", {"date": "2025-01-05", "amount": "7.00"})
    left = county.create("cashier", f"{s}/members/{c}/exit", {"date": "2025-01-10"})
    assert (left["member"], left["refund"]) == (c, "500.00")

    figures = county.json("auditor", f"{s}/summary", as_of="2025-01-10")
    assert figures == {
        "fiscal_capital": "100000.00",
        "member_shares": "500.00",
        "donations": "0.00",
        "reserves": "49.00",
        "members": 2,
        "poor_members": 1,
        "loans_outstanding": "0.00",
        "overdue": "0.00",
        "fee_income": "0.00",
        # 100000 + 1000 shares - 3000 lent + 3025 repaid + 50 - 5 - 3.50 - 7.00 - 500 refund
        "bank": "100559.50",
    }
    page = county.get("leader", f"{s}/members", per_page=2)
    assert page.headers["X-Total-Count"] == "3"
    assert [m["id"] for m in page.get_json()] == [a, b]
    assert [row["no"] for row in county.json("leader", f"{s}/loans")] == [no]


def test_every_write_is_audited_once_on_the_societys_chain(county: County, programme_db: Any):
    """The service's record on the society's chain, and no HTTP record on any chain."""
    code, s = open_society(programme_db)
    chain, everywhere = audit_count(programme_db, code), audit_count(programme_db)
    county.create("clerk", f"{s}/groups", {"code": "G9"})
    county.create(
        "cashier", f"{s}/donations", {"date": "2024-01-03", "amount": "20.00", "donor": "乡贤"}
    )
    assert audit_count(programme_db, code) == chain + 2
    assert audit_count(programme_db) == everywhere + 2


def test_a_repayment_retried_with_its_key_is_made_once(
    county: County, society: dict[str, Any], programme_db: Any
):
    s, b = society["s"], society["b"]
    no = apply(county, s, b, amount="1500.00", applied_on="2024-02-06").get_json()["no"]
    county.create("clerk", f"{s}/loans/{no}/notice", {"date": "2024-02-06"})
    county.create("approver", f"{s}/loans/{no}/approval", {"date": "2024-02-11"})
    county.create("cashier", f"{s}/loans/{no}/disbursements", {"date": "2024-02-11"})
    body = {"date": "2024-03-12", "amount": "100.00"}
    first = county.post("cashier", f"{s}/loans/{no}/repayments", body, key="repay-once")
    audited = audit_count(programme_db, society["code"])
    again = county.post("cashier", f"{s}/loans/{no}/repayments", body, key="repay-once")
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    # 30 days on 1500.00 at 5‰: 7.50 of fee, 92.50 of principal, once.
    assert (first.get_json()["fee"], first.get_json()["principal"]) == ("7.50", "92.50")
    assert county.json("leader", f"{s}/loans/{no}")["principal_outstanding"] == "1407.50"
    assert audit_count(programme_db, society["code"]) == audited


def refused(response: Any, status: int, code: str, field: str, *words: str) -> None:
    body = assert_problem(response, status, code)
    assert [e["field"] for e in body["errors"]] == [field]
    for word in words:
        assert word in body["detail"] + body["detail_en"], word


def test_refusals_name_the_field_and_the_setting(county: County, society: dict[str, Any]):
    s, a, b = society["s"], society["a"], society["b"]
    refused(
        apply(county, s, a, amount="3500.00"), 422, "society-charter-limit", "amount", "loan_cap"
    )
    refused(
        apply(county, s, a, term_months=7),
        422,
        "society-charter-limit",
        "term_months",
        "max_term_months",
    )
    loner = join(county, s, "独户", group=None)
    refused(apply(county, s, loner, amount="100.00"), 409, "society-group-rule", "member")
    refused(
        county.post(
            "clerk",
            f"{s}/members/{b}/shares",
            {"date": "2024-02-02", "amount": "500.00", "allocated": True},
            status=None,
        ),
        422,
        "society-allocation-refused",
        "member",
    )
    no = apply(county, s, a, amount="300.00", applied_on="2024-02-07").get_json()["no"]
    county.create("clerk", f"{s}/loans/{no}/notice", {"date": "2024-02-07"})
    early = county.post("approver", f"{s}/loans/{no}/approval", {"date": "2024-02-09"}, status=None)
    refused(early, 409, "society-notice-period", "date", "notice_days")
    county.create("approver", f"{s}/loans/{no}/approval", {"date": "2024-02-12"})
    county.create("cashier", f"{s}/loans/{no}/disbursements", {"date": "2024-02-12"})
    owes = county.post("cashier", f"{s}/members/{a}/exit", {"date": "2024-02-13"}, status=None)
    refused(owes, 409, "society-member-owes", "member")
    own = {
        "date": "2024-02-13",
        "amount": "1.00",
        "purpose": "笔",
        "approved_by": county.name("cashier"),
    }
    refused(
        county.post("cashier", f"{s}/expenses", own, status=None),
        403,
        "maker-is-checker",
        "approved_by",
    )
    # A clerk keeps the register, the cashier the money: a bought share is the cashier's.
    bought = {"date": "2024-02-13", "amount": "500.00"}
    assert_problem(
        county.post("clerk", f"{s}/members/{b}/shares", bought, status=None),
        403,
        "role-not-allowed",
    )
    number = {"date": "2024-02-13", "amount": 100}
    refused(
        county.post("cashier", f"{s}/bank-interest", number, status=None),
        422,
        "invalid-input",
        "amount",
    )


def test_another_countys_society_and_a_revolving_fund_are_not_societies(
    county: County, society: dict[str, Any], programme_db: Any, world: Any
):
    for who in ("b_clerk", "b_leader"):
        assert_problem(
            county.get(who, f"{society['s']}/summary", status=None), 404, "fund-not-found"
        )
    revolving = f"/api/v1/societies/{world.code}"
    assert_problem(county.get("leader", f"{revolving}/summary", status=None), 404, "fund-not-found")
    assert_problem(
        county.post("clerk", f"{revolving}/groups", {"code": "G1"}, status=None),
        404,
        "fund-not-found",
    )


def test_an_overdue_group_and_the_year_end_refusals(county: County, programme_db: Any):
    """联保, the risk reserve, dividends declared, membership and the year, each refused."""
    _, s = open_society(programme_db)
    county.create("cashier", f"{s}/fiscal-capital", {"date": "2024-01-02", "amount": "10000.00"})
    county.create("clerk", f"{s}/groups", {"code": "G1"})
    a, b, _ = (join(county, s, name, joined_on="2024-01-02") for name in ("甲", "乙", "丙"))
    county.create("cashier", f"{s}/members/{a}/shares", {"date": "2024-01-02", "amount": "1000.00"})
    no = apply(county, s, a, amount="1000.00", term_months=1, applied_on="2024-01-03").get_json()[
        "no"
    ]
    county.create("clerk", f"{s}/loans/{no}/notice", {"date": "2024-01-03"})
    county.create("approver", f"{s}/loans/{no}/approval", {"date": "2024-01-10"})
    county.create("cashier", f"{s}/loans/{no}/disbursements", {"date": "2024-01-10"})
    # Due 2024-02-10 and unpaid: the group may not borrow, nor its members leave.
    late = apply(county, s, b, amount="100.00", applied_on="2024-03-01")
    refused(late, 409, "society-group-overdue", "member", no)
    leaving = county.post("cashier", f"{s}/members/{b}/exit", {"date": "2024-03-01"}, status=None)
    refused(leaving, 409, "society-group-overdue", "member")
    write_off = {"date": "2024-03-01", "document": "社员大会决议 2024-1 号"}
    refused(
        county.post("approver", f"{s}/loans/{no}/write-off", write_off, status=None),
        409,
        "society-risk-reserve-short",
        "loan",
    )
    refused(
        county.post("cashier", f"{s}/members/{b}/dividends", {"date": "2024-03-01"}, status=None),
        409,
        "society-more-than-declared",
        "member",
    )
    loner = join(county, s, "独户", group=None, joined_on="2024-01-02")
    county.create("cashier", f"{s}/members/{loner}/exit", {"date": "2024-03-01"})
    refused(
        county.post(
            "cashier",
            f"{s}/members/{loner}/shares",
            {"date": "2024-03-02", "amount": "1000.00"},
            status=None,
        ),
        409,
        "society-not-a-member",
        "member",
    )
    county.create("approver", f"{s}/distributions/2024", None)
    again = county.post("approver", f"{s}/distributions/2024", None, status=None)
    refused(again, 409, "society-distribution-refused", "year")
    assert county.json("leader", f"{s}/summary", as_of="2024-03-01")["overdue"] == "1000.00"


def test_the_book_answers_at_the_funds_url_and_nothing_revolving_does(
    county: County, society: dict[str, Any]
):
    """SPEC §13: the ledger endpoints answer for a society at /api/v1/funds/<s>; the revolving
    fund's own are a 404, and so is its month close, which would skip the fees' accrual."""
    f = f"/api/v1/funds/{society['code']}"
    trial = county.json("auditor", f"{f}/trial-balance")
    assert trial["totals"]["debit_balances"] == trial["totals"]["credit_balances"]
    assert county.json("leader", f"{f}/accounts")
    for path in ("loans", "townships", "summary", "aging"):
        assert_problem(county.get("leader", f"{f}/{path}", status=None), 404, "fund-not-found")
    assert_problem(
        county.post("clerk", f"{f}/periods/2024-02/close", None, status=None),
        404,
        "fund-not-found",
    )
