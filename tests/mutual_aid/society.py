"""Factories for societies: open one, people in their three roles, members, a loan lent."""

from __future__ import annotations

import itertools
import uuid
from datetime import date

from ledger.actors import Actor
from ledger.db import Database
from ledger.models import Fund
from ledger.programmes import MUTUAL_AID
from ledger.programmes.mutual_aid import services as society
from ledger.programmes.mutual_aid.models import SocietyLoan, SocietyMember
from ledger.services.funds import open_fund
from tests.factories import ADMIN, committing, make_id_number

#: 钱账分管: three people, one role each.
CLERK = Actor("kuaiji", "clerk")
CASHIER = Actor("chuna", "cashier")
APPROVER = Actor("lishi", "approver")
OPENED = date(2024, 1, 1)
_codes = itertools.count(1)
#: A 章程 version unlike the defaults, as add_rules takes it.
RULES: dict[str, object] = {
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


def make_society(db: Database, fiscal: str | None = "100000.00", opened_on: date = OPENED) -> Fund:
    """A society with the default 章程 and, unless None, fiscal capital on its first day."""
    code = f"S{next(_codes)}-{uuid.uuid4().hex[:6]}"
    with committing(db) as uow:
        fund = open_fund(
            uow, actor=ADMIN, code=code, name="某村扶贫互助社", opened_on=opened_on, kind=MUTUAL_AID
        )
        if fiscal is not None:
            society.receive_fiscal_capital(uow, CASHIER, code, on=opened_on, amount=fiscal)
    return fund


def make_group(db: Database, fund: Fund, code: str = "G1") -> str:
    with committing(db) as uow:
        society.add_group(uow, CLERK, fund.code, code=code)
    return code


def make_member(
    db: Database,
    fund: Fund,
    *,
    group: str | None = "G1",
    poor: bool = False,
    shares: str | None = "1000.00",
    on: date = OPENED,
) -> SocietyMember:
    """A member who joined on `on`, in `group`, having bought `shares` (None: none)."""
    with committing(db) as uow:
        member = society.join(
            uow,
            CLERK,
            fund.code,
            name="张三",
            id_number=make_id_number(),
            poor=poor,
            joined_on=on,
            group=group,
        )
        if shares is not None:
            society.buy_share(uow, CASHIER, fund.code, member.id, on=on, amount=shares)
    return member


def make_group_of(db: Database, fund: Fund, size: int = 5, code: str = "G1") -> list[SocietyMember]:
    make_group(db, fund, code)
    return [make_member(db, fund, group=code) for _ in range(size)]


def lend(
    db: Database,
    fund: Fund,
    member: SocietyMember,
    amount: str = "5000.00",
    *,
    applied_on: date = date(2024, 2, 1),
    paid_on: date = date(2024, 2, 10),
    term_months: int = 12,
) -> SocietyLoan:
    """Apply, publish the same day, approve after the default 7 days, pay out on `paid_on`."""
    with committing(db) as uow:
        loan = society.apply_for_loan(
            uow,
            CLERK,
            fund.code,
            member=member.id,
            amount=amount,
            term_months=term_months,
            purpose="养猪",
            applied_on=applied_on,
        )
        society.post_notice(uow, CLERK, fund.code, loan.no, on=applied_on)
        society.approve_loan(uow, APPROVER, fund.code, loan.no, on=paid_on)
        society.pay_out(uow, CASHIER, fund.code, loan.no, on=paid_on)
    return loan
