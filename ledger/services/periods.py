"""Month close (月结) and reopen.

Closing a month checks that its journals balance and that the trial balance
up to its last day balances, then locks the month: `post()` refuses any
journal dated in it or before it (every month up to the latest closed one
counts as closed). So months reopen from the latest backwards: reopening an
earlier month while a later one stays closed would open nothing. Closing
and reopening hold the fund row exclusively, the row every posting
shares, so a posting never slips past a close under way. Reopening is a
separate action with a reason, by someone other than whoever closed the
month (四眼原则, SPEC §2). Who may close and who may reopen is written in
`ledger.permissions` (`Action.CLOSE_PERIOD`, `Action.REOPEN_PERIOD`); both
services check it before anything else.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger import permissions
from ledger.actors import Actor
from ledger.db import UnitOfWork, upsert
from ledger.errors import (
    InvalidField,
    MakerIsChecker,
    PeriodClosed,
    PeriodNotClosed,
    TrialBalanceUnbalanced,
)
from ledger.models import Entry, Fund, Journal, Period, VoucherCounter
from ledger.permissions import Action
from ledger.read.books import month_end, side_sum, trial_balance

PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def check_period(text: str) -> str:
    if not isinstance(text, str) or not PERIOD.match(text):
        raise InvalidField(
            f"会计期间 {text!r} 格式应为 YYYY-MM",
            f"period {text!r} must be YYYY-MM",
            field="period",
        )
    return text


def latest_closed(session: Session, fund_id: int) -> str | None:
    """The latest closed month: it and every month before it count as closed."""
    return session.scalar(
        select(func.max(Period.period)).where(Period.fund_id == fund_id, Period.closed.is_(True))
    )


def _lock_month(uow: UnitOfWork, fund_id: int, period: str) -> None:
    """Take the fund row exclusively and the month's voucher-counter row lock."""
    uow.session.execute(select(Fund.id).where(Fund.id == fund_id).with_for_update())
    table = VoucherCounter.__table__
    stmt = upsert(uow.session, table).values(fund_id=fund_id, period=period, last_seq=0)
    uow.session.execute(
        stmt.on_conflict_do_update(
            index_elements=["fund_id", "period"],
            set_={"last_seq": table.c.last_seq},
        )
    )


def close_period(uow: UnitOfWork, fund_id: int, period: str, *, actor: Actor) -> Period:
    """Check the trial balance and lock the month."""
    permissions.check(actor, Action.CLOSE_PERIOD)
    check_period(period)
    _lock_month(uow, fund_id, period)
    session = uow.session
    row = session.get(Period, (fund_id, period))
    latest = latest_closed(session, fund_id)
    if latest is not None and period <= latest:
        raise PeriodClosed(
            f"会计期间 {period} 已结账(已结账至 {latest})",
            f"period {period} is already closed (the books are closed up to {latest})",
            field="period",
        )
    month_debit, month_credit = session.execute(
        select(side_sum(Entry.side, Entry.amount, "D"), side_sum(Entry.side, Entry.amount, "C"))
        .join(Journal, Journal.id == Entry.journal_id)
        .where(Journal.fund_id == fund_id, Journal.period == period)
    ).one()
    totals = trial_balance(uow.session, fund_id, as_of=month_end(period)).totals
    if month_debit != month_credit or not totals.balanced:
        raise TrialBalanceUnbalanced(
            f"{period} 试算不平衡,不能结账", f"the trial balance for {period} does not balance"
        )
    if row is None:
        row = Period(fund_id=fund_id, period=period)
        session.add(row)
    row.closed = True
    row.closed_by = actor.username
    row.closed_at = datetime.now(UTC)
    uow.session.flush()
    return row


def reopen_period(
    uow: UnitOfWork, fund_id: int, period: str, *, actor: Actor, reason: str
) -> Period:
    """Unlock a closed month, recording who and why."""
    permissions.check(actor, Action.REOPEN_PERIOD)
    check_period(period)
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidField("请填写反结账原因", "a reason for reopening is required", field="reason")
    _lock_month(uow, fund_id, period)
    row = uow.session.get(Period, (fund_id, period))
    if row is None or not row.closed:
        raise PeriodNotClosed(
            f"会计期间 {period} 未结账", f"period {period} is not closed", field="period"
        )
    latest = latest_closed(uow.session, fund_id)
    if latest != period:
        raise PeriodClosed(
            f"{latest} 仍已结账,须先反结账 {latest},才能反结账 {period}",
            f"{latest} is still closed; reopen it before {period}",
            field="period",
        )
    if row.closed_by == actor.username:
        raise MakerIsChecker(
            f"会计期间 {period} 由 {actor.username} 本人结账,须由他人反结账",
            f"period {period} was closed by {actor.username}; another person must reopen it",
            field="period",
        )
    row.closed = False
    row.reopened_by = actor.username
    row.reopened_at = datetime.now(UTC)
    row.reopen_reason = reason.strip()
    uow.session.flush()
    return row
