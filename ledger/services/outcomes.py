"""Outcomes (脱贫成效): the county's poverty line and households' incomes.

The county sets its poverty line (贫困线) with the date it takes effect. A
township officer records a household's net income per member (人均纯收入)
at registration (登记时) and at each year end (年末), as the household's
liaison (行政联系人) reports it, with the 专业户 flag; a second officer of the
same township approves it, and only approved incomes count. The status the
income gives (贫困 / 脱贫 / 返贫) is judged by `ledger.poverty`, never stored.

An income has a date, which fixes the year it stands for and the line that
judges it: a date before any line, or a year before the household was
first registered for a loan, is refused.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger import dates, permissions, validate
from ledger.actors import Actor
from ledger.db import UnitOfWork
from ledger.errors import (
    BeforeRegistration,
    DuplicateKey,
    InvalidTransition,
    MakerIsChecker,
    NoPovertyLine,
    RecordNotFound,
)
from ledger.models import (
    Household,
    IncomeKind,
    IncomeRecord,
    Liaison,
    Loan,
    LoanEvent,
    PovertyLine,
    Township,
)
from ledger.permissions import Action
from ledger.poverty import line_on
from ledger.services import lookup

INCOME = dates.Step("收入核定日", "income date")


def set_poverty_line(
    uow: UnitOfWork, actor: Actor, fund_code: str, *, effective_from: date, amount: object
) -> PovertyLine:
    """Set the poverty line in force from `effective_from` (until a later one takes over).

    A line may be announced before it takes effect, so the date may be ahead.
    """
    session = uow.session
    fund = lookup.fund(session, fund_code)
    permissions.check(actor, Action.SET_POVERTY_LINE)
    effective_from = validate.day(effective_from, "effective_from")
    value = validate.amount(amount, "amount")
    if session.scalar(
        select(PovertyLine.id).where(
            PovertyLine.fund_id == fund.id, PovertyLine.effective_from == effective_from
        )
    ):
        raise DuplicateKey(
            f"{effective_from} 起的贫困线已设定",
            f"a poverty line from {effective_from} is set already",
            field="effective_from",
        )
    row = PovertyLine(
        fund_id=fund.id, effective_from=effective_from, amount=value, recorded_by=actor.username
    )
    session.add(row)
    uow.session.flush()
    return row


def poverty_lines(session: Session, fund_id: int) -> list[tuple[date, Decimal]]:
    """The fund's poverty lines as (effective_from, amount), oldest first."""
    return [
        (effective_from, amount)
        for effective_from, amount in session.execute(
            select(PovertyLine.effective_from, PovertyLine.amount)
            .where(PovertyLine.fund_id == fund_id)
            .order_by(PovertyLine.effective_from)
        )
    ]


def registered_on(session: Session, household_id: int) -> date | None:
    """The day the household was first registered for a loan (登记), if ever."""
    return session.scalar(
        select(func.min(LoanEvent.on))
        .join(Loan, Loan.id == LoanEvent.loan_id)
        .where(Loan.household_id == household_id, LoanEvent.action == "registered")
    )


def record_income(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    *,
    household: int,
    kind: str,
    on: date,
    income: object,
    specialised: bool = False,
    liaison: int | None = None,
) -> IncomeRecord:
    """Record a household's income at registration or at a year end; it waits for approval.

    One registration income per household, one year-end income per year.
    """
    session = uow.session
    fund = lookup.fund(session, fund_code)
    permissions.check(actor, Action.RECORD_INCOME)
    home = lookup.by_id(session, Household, fund.id, household, actor, "household")
    the_kind = validate.choice(IncomeKind, kind, "kind")
    on = dates.business_day(on, "date", INCOME)
    value = validate.amount(income, "income", allow_zero=True)
    specialised = validate.flag(specialised, "specialised")
    # An officer sees only their own township's households and liaisons, so
    # the liaison who reported is the household's township's.
    reporter = (
        None
        if liaison is None
        else lookup.by_id(session, Liaison, fund.id, liaison, actor, "liaison")
    )
    registered = registered_on(session, home.id)
    if registered is None:
        raise InvalidTransition(
            f"农户 {home.name} 尚未登记借款,没有可比的登记收入",
            f"household {home.id} has no registered loan; its outcomes have no starting point",
            field="household",
        )
    if on.year < registered.year:
        raise BeforeRegistration(
            f"收入年度 {on.year} 早于农户登记年度 {registered.year}({registered} 登记)",
            f"income year {on.year} is before the year of registration {registered.year} "
            f"(registered {registered})",
            field="date",
        )
    if line_on(poverty_lines(session, fund.id), on) is None:
        raise NoPovertyLine(
            f"{on} 没有适用的贫困线,请先设定贫困线",
            f"no poverty line is in force on {on}; set one first",
            field="date",
        )
    same = select(IncomeRecord.on).where(
        IncomeRecord.household_id == home.id, IncomeRecord.kind == the_kind
    )
    if the_kind is IncomeKind.YEAR_END:
        same = same.where(IncomeRecord.year == on.year)
    earlier = session.scalar(same)
    if earlier is not None:
        what_zh, what_en = (
            ("登记收入", "a registration income")
            if the_kind is IncomeKind.REGISTRATION
            else (f"{on.year} 年末收入", f"a {on.year} year-end income")
        )
        raise DuplicateKey(
            f"农户 {home.name} 已有{what_zh}({earlier})",
            f"household {home.id} has {what_en} already ({earlier})",
            field="date",
        )
    row = IncomeRecord(
        fund_id=fund.id,
        household_id=home.id,
        kind=the_kind,
        on=on,
        year=on.year,
        income=value,
        specialised=specialised,
        liaison_id=reporter.id if reporter else None,
        recorded_by=actor.username,
    )
    session.add(row)
    uow.session.flush()
    return row


def approve_income(
    uow: UnitOfWork, actor: Actor, fund_code: str, income_id: int, *, on: date
) -> IncomeRecord:
    """Approve an income of the officer's own township, recorded by another person."""
    session = uow.session
    fund = lookup.fund(session, fund_code)
    permissions.check(actor, Action.APPROVE_INCOME)
    row = (
        session.scalar(
            select(IncomeRecord)
            .where(IncomeRecord.id == income_id, IncomeRecord.fund_id == fund.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if isinstance(income_id, int) and not isinstance(income_id, bool)
        else None
    )
    town = None
    if row is not None:
        home = session.get_one(Household, row.household_id)
        town = session.get_one(Township, home.township_id)
    if row is None or town is None or not actor.sees_township(town.code):
        raise RecordNotFound(
            f"收入记录 {income_id} 不存在", f"income {income_id} does not exist", field="income_id"
        )
    if row.recorded_by == actor.username:
        raise MakerIsChecker(
            f"收入记录 {row.id} 由 {actor.username} 本人登记,须由他人审核",
            f"income {row.id} was recorded by {actor.username}; another person must approve it",
            field="income_id",
        )
    if row.approved_by is not None:
        raise InvalidTransition(
            f"收入记录 {row.id} 已于 {row.approved_on} 由 {row.approved_by} 审核",
            f"income {row.id} was approved by {row.approved_by} on {row.approved_on}",
            field="income_id",
        )
    on = dates.not_before(
        dates.business_day(on, "date", dates.DECISION), row.on, "date", dates.DECISION, INCOME
    )
    row.approved_by, row.approved_on = actor.username, on
    uow.session.flush()
    return row
