"""SPEC §13's endpoint table, row by row: each request here names SPEC's fields exactly
and each answer is checked for SPEC's fields and their shapes (money and fractions as
strings, ids and counts as integers), so that a renamed field fails here first. Fields a
row does not name (a member's join ``date``, an expense's ``approved_by``, a society's
bank account) are sent as the domain requires; extra answer fields may stay."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal
from typing import Any

import pytest

from tests.api.programme import County, open_society
from tests.api.roles import COUNTY_A
from tests.api.test_societies import RULES
from tests.factories import make_id_number

MONEY = re.compile(r"^-?\d+\.\d{2}$")
FRACTION = re.compile(r"^0(\.\d+)?$|^1(\.0+)?$")
ROW = (
    "fund",
    "name",
    "county",
    "village",
    "fiscal_capital",
    "member_shares",
    "donations",
    "reserves",
    "members",
    "poor_members",
    "loans_outstanding",
    "overdue",
    "fee_income",
)
RULE_FIELDS = (
    "effective_on",
    "share_size",
    "loan_cap",
    "loan_share_multiple",
    "max_term_months",
    "fee_rate_monthly",
    "overdue_fee_rate_monthly",
    "notice_days",
    "group_min",
    "group_max",
    "distribution",
)
MEMBER = ("id", "name", "id_number", "poor", "group", "shares_bought", "shares_allocated")
LOAN = ("no", "member", "amount", "term_months", "purpose", "applied_on")
LOAN_FIGURES = ("principal_outstanding", "fee_accrued", "fee_paid", "due_date", "status")
PARTS = ("reserve", "welfare", "risk", "staff", "dividend")
TABLE = ("year", "income", "expenses", "result", "reserve", "welfare", "risk", "staff")


def has(answer: dict[str, Any], names: tuple[str, ...]) -> None:
    missing = [name for name in names if name not in answer]
    assert not missing, f"SPEC's fields missing from the answer: {missing}"


def money(value: Any) -> Decimal:
    """An amount as SPEC carries it: a string with two decimals."""
    assert isinstance(value, str) and MONEY.match(value), value
    return Decimal(value)


@pytest.fixture(scope="module")
def society(county: County, programme_db: Any) -> dict[str, Any]:
    """A society of county A with fiscal capital, the test 章程 of 2024-02-01 and a group
    G1 of three members, the first holding 1,000.00 of shares."""
    code, s = open_society(programme_db)
    county.create("cashier", f"{s}/fiscal-capital", {"date": "2024-01-02", "amount": "100000.00"})
    county.create("clerk", f"{s}/rules", RULES)
    county.create("clerk", f"{s}/groups", {"code": "G1"})
    members = [member(county, s, name, "G1") for name in ("甲", "乙", "丙")]
    body = {"date": "2024-02-01", "amount": "1000.00", "allocated": False}
    county.create("cashier", f"{s}/members/{members[0]['id']}/shares", body)
    return {"code": code, "s": s, "members": [m["id"] for m in members]}


def member(
    county: County, s: str, name: str, group: str | None, poor: bool = False
) -> dict[str, Any]:
    body = {
        "name": name,
        "id_number": make_id_number(),
        "poor": poor,
        "group": group,
        "date": "2024-02-01",
    }
    return county.create("clerk", f"{s}/members", body)


def test_get_societies_region_as_of(county: County, society: dict[str, Any]):
    response = county.get(
        "leader", "/api/v1/societies", region=COUNTY_A, as_of="2024-12-31", per_page=500
    )
    assert int(response.headers["X-Total-Count"]) >= 1
    row = next(r for r in response.get_json() if r["fund"] == society["code"])
    has(row, ROW)
    assert (row["county"], row["members"], row["poor_members"]) == (COUNTY_A, 3, 0)
    assert money(row["fiscal_capital"]) == Decimal("100000.00")
    assert money(row["member_shares"]) == Decimal("1000.00")
    for name in ("donations", "reserves", "loans_outstanding", "overdue", "fee_income"):
        money(row[name])
    # as_of before the society's money came: the same row with nothing in it.
    early = county.json("leader", "/api/v1/societies", as_of="2024-01-01", per_page=500)
    assert next(r for r in early if r["fund"] == society["code"])["fiscal_capital"] == "0.00"


def test_post_societies(county: County):
    body = {"fund": f"HZ{uuid.uuid4().hex[:8]}", "name": "张家湾村扶贫互助社"}
    body |= {"county": COUNTY_A, "village": "张家湾村"}
    # What opening needs besides SPEC's row: where, the bank account (专户) and the day.
    extra = {"township": "但家庙镇", "bank": "农商银行", "bank_account": "622848012345"}
    row = county.create("admin", "/api/v1/societies", {**body, **extra, "opened_on": "2024-01-01"})
    assert {k: row[k] for k in body} == body
    has(row, ROW)
    assert (row["members"], money(row["fiscal_capital"])) == (0, Decimal("0.00"))


def test_get_post_rules(county: County, society: dict[str, Any]):
    s = society["s"]
    body = {**RULES, "effective_on": "2024-12-01", "fee_rate_monthly": "0.006"}
    body["distribution"] = dict(zip(PARTS, ("0.35", "0.15", "0.20", "0.10", "0.20"), strict=True))
    answer = county.create("clerk", f"{s}/rules", body)
    has(answer, RULE_FIELDS)
    assert set(answer["distribution"]) == set(PARTS)
    for key in PARTS:
        value = answer["distribution"][key]
        assert FRACTION.match(value) and Decimal(value) == Decimal(body["distribution"][key])
    for key in ("fee_rate_monthly", "overdue_fee_rate_monthly"):
        assert isinstance(answer[key], str) and Decimal(answer[key]) == Decimal(body[key])
    assert money(answer["share_size"]) == Decimal(body["share_size"])
    assert money(answer["loan_cap"]) == Decimal(body["loan_cap"])
    whole = ("loan_share_multiple", "max_term_months", "notice_days", "group_min", "group_max")
    assert {k: answer[k] for k in whole} == {k: body[k] for k in whole}
    versions = county.json("auditor", f"{s}/rules")
    for version in versions:
        has(version, RULE_FIELDS)
    assert versions[-1]["effective_on"] == "2024-12-01"


def test_get_post_members(county: County, society: dict[str, Any]):
    s = society["s"]
    body = {"name": "王五", "id_number": make_id_number(), "poor": True, "group": "G1"}
    answer = county.create("clerk", f"{s}/members", {**body, "date": "2024-03-01"})
    has(answer, MEMBER)
    assert {k: answer[k] for k in body} == body
    assert (answer["shares_bought"], answer["shares_allocated"]) == ("0.00", "0.00")
    assert isinstance(answer["id"], int)
    listed = county.json("leader", f"{s}/members", per_page=500)
    assert next(m for m in listed if m["id"] == answer["id"]) == answer
    first = county.json("leader", f"{s}/members/{society['members'][0]}")
    has(first, MEMBER)
    assert (first["group"], first["shares_bought"]) == ("G1", "1000.00")


def test_post_member_shares(county: County, society: dict[str, Any]):
    s = society["s"]
    id = member(county, s, "孙八", "G1", poor=True)["id"]
    bought = county.create(
        "cashier",
        f"{s}/members/{id}/shares",
        {"date": "2024-03-02", "amount": "500.00", "allocated": False},
    )
    assert (bought["amount"], bought["allocated"]) == ("500.00", False)
    allocated = county.create(
        "clerk",
        f"{s}/members/{id}/shares",
        {"date": "2024-03-02", "amount": "1000.00", "allocated": True},
    )
    assert (allocated["amount"], allocated["allocated"]) == ("1000.00", True)
    figures = county.json("leader", f"{s}/members/{id}")
    assert (figures["shares_bought"], figures["shares_allocated"]) == ("500.00", "1000.00")


def test_post_member_exit(county: County, society: dict[str, Any]):
    s = society["s"]
    id = member(county, s, "赵六", None)["id"]
    county.create("cashier", f"{s}/members/{id}/shares", {"date": "2024-03-03", "amount": "500.00"})
    answer = county.create("cashier", f"{s}/members/{id}/exit", {"date": "2024-03-04"})
    assert money(answer["refund"]) == Decimal("500.00")
    assert isinstance(answer["voucher"], str) and answer["voucher"]


def test_get_post_groups(county: County, society: dict[str, Any]):
    s = society["s"]
    assert county.create("clerk", f"{s}/groups", {"code": "G2"}) == {"code": "G2", "members": []}
    id = member(county, s, "钱七", "G2")["id"]
    groups = {g["code"]: g["members"] for g in county.json("leader", f"{s}/groups")}
    assert groups["G2"] == [id]
    assert groups["G1"][:3] == society["members"]


def test_get_post_loans_and_their_steps(county: County, society: dict[str, Any]):
    s, a = society["s"], society["members"][0]
    body = {
        "member": a,
        "amount": "3000.00",
        "term_months": 6,
        "purpose": "养猪",
        "applied_on": "2024-02-05",
    }
    applied = county.create("clerk", f"{s}/loans", body)
    has(applied, LOAN + LOAN_FIGURES)
    assert {k: applied[k] for k in body} == body
    assert (applied["status"], applied["due_date"], applied["principal_outstanding"]) == (
        "applied",
        None,
        "0.00",
    )
    no = applied["no"]
    county.create("clerk", f"{s}/loans/{no}/notice", {"date": "2024-02-05"})
    county.create("approver", f"{s}/loans/{no}/approval", {"date": "2024-02-10"})
    lent = county.create("cashier", f"{s}/loans/{no}/disbursements", {"date": "2024-02-10"})
    assert (lent["status"], lent["due_date"], lent["principal_outstanding"]) == (
        "lent",
        "2024-08-10",
        "3000.00",
    )
    # 30 days on 3,000.00 at 5‰ a month: 15.00 of fee, settled before principal.
    repaid = county.create(
        "cashier", f"{s}/loans/{no}/repayments", {"date": "2024-03-11", "amount": "1015.00"}
    )
    assert (repaid["fee"], repaid["principal"]) == ("15.00", "1000.00")
    assert isinstance(repaid["voucher"], str) and repaid["voucher"]
    loan = county.json("auditor", f"{s}/loans/{no}")
    has(loan, LOAN + LOAN_FIGURES)
    assert (loan["principal_outstanding"], loan["fee_accrued"], loan["fee_paid"]) == (
        "2000.00",
        "0.00",
        "15.00",
    )
    assert any(row["no"] == no for row in county.json("leader", f"{s}/loans", per_page=500))


def test_get_post_expenses(county: County, society: dict[str, Any]):
    s = society["s"]
    body = {"date": "2024-04-01", "amount": "12.50", "purpose": "账本"}
    answer = county.create(
        "cashier", f"{s}/expenses", {**body, "approved_by": county.name("approver")}
    )
    assert {k: answer[k] for k in body} == body
    listed = county.json("leader", f"{s}/expenses", per_page=500)
    assert {k: listed[-1][k] for k in body} == body


def test_post_distribution_year(county: County, programme_db: Any):
    """A society of its own, so the table's figures are exactly its year's."""
    _, s = open_society(programme_db)
    county.create("cashier", f"{s}/fiscal-capital", {"date": "2024-01-02", "amount": "1000.00"})
    county.create("clerk", f"{s}/rules", RULES)
    county.create("cashier", f"{s}/bank-interest", {"date": "2024-06-21", "amount": "10.00"})
    table = county.create("approver", f"{s}/distributions/2024", None)
    has(table, (*TABLE, "dividends", "voucher"))
    assert table["year"] == 2024
    # No member holds a share: the dividend's part goes to 公积金 with the fen left over.
    figures = [money(table[k]) for k in TABLE[1:]]
    assert figures == [
        Decimal(v) for v in ("10.00", "0.00", "10.00", "6.00", "1.00", "2.00", "1.00")
    ]
    assert table["dividends"] == {}
    assert isinstance(table["voucher"], str) and table["voucher"]
    assert table["closing_voucher"] not in (None, table["voucher"])
    printed = county.get("leader", f"{s}/reports/distribution/2024.pdf")
    assert printed.mimetype == "application/pdf" and printed.data.startswith(b"%PDF-")


def test_get_the_pdfs(county: County, society: dict[str, Any]):
    s, id = society["s"], society["members"][0]
    for path, query in [
        (f"{s}/reports/loan-notice.pdf", {}),
        (f"{s}/reports/monthly.pdf", {"month": "2024-02"}),
        (f"{s}/reports/members/{id}/statement.pdf", {}),
        (f"/api/v1/regions/{COUNTY_A}/reports/societies.pdf", {"as_of": "2024-12-31"}),
    ]:
        response = county.get("leader", path, **query)
        assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF-")
