"""A loan's figures, read from the ledger, as of any date.

The loan's sub-account ``1101/<registration no>`` is the truth: its debits
are disbursements; its credits are repayments, guarantee calls (moved to the
liaison) and write-offs. A red-ink reversal counts against the kind of the
journal it reverses. Schedules come from the loan's schedule versions; the
version in force on a date is the latest one effective by then, and it
covers the principal settled after it took effect.

What settled each instalment is told apart: settlements (repayments,
guarantee calls, write-offs) fill the instalments oldest first in business-date
order, so an instalment written off is 已核销, not 已还, and one half repaid
before the write-off is both (部分已还、部分核销).

Functions take many loans at once (one grouped query each) so that a report
over 10,000 loans costs a handful of queries, not 10,000.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from ledger.chart import LOANS
from ledger.db import chunked
from ledger.models import Account, Entry, Instalment, Journal, Loan, ScheduleVersion
from ledger.read.books import fen_sum, turnover_by_kind
from ledger.schedule import Instalment as Due
from ledger.schedule import overdue

ZERO = Decimal("0.00")

#: Journal kinds that credit a loan account, and the figure each feeds.
CREDIT_KINDS = {
    "repayment": "repaid",
    "guarantee_call": "guarantee_called",
    "write_off": "written_off",
}


@dataclass(frozen=True)
class LoanFigures:
    """A loan's principal figures on a date, from its sub-account."""

    disbursed: Decimal = ZERO
    repaid: Decimal = ZERO
    guarantee_called: Decimal = ZERO
    written_off: Decimal = ZERO

    @property
    def settled(self) -> Decimal:
        """Principal no longer owed by the household: repaid, called or written off."""
        return self.repaid + self.guarantee_called + self.written_off

    @property
    def outstanding(self) -> Decimal:
        return self.disbursed - self.settled


def figures(
    session: Session,
    fund_id: int,
    *,
    as_of: date | None = None,
    from_: date | None = None,
    loan_nos: Iterable[str] | None = None,
) -> dict[str, LoanFigures]:
    """Figures per registration number for loans with any movement (others are all zero).

    With `from_`, what moved from that day to `as_of` only: a period's loans.
    """
    sums: dict[str, dict[str, Decimal]] = {}
    for loan_no, turnover in turnover_by_kind(
        session, fund_id, LOANS, as_of=as_of, from_=from_, keys=loan_nos
    ).items():
        values = sums.setdefault(loan_no, defaultdict(Decimal))
        for (journal_kind, side), amount in turnover.items():
            values["disbursed" if side == "D" else CREDIT_KINDS.get(journal_kind, "repaid")] += (
                amount
            )
    return {no: LoanFigures(**values) for no, values in sums.items()}


def loan_figures(session: Session, loan: Loan, as_of: date | None = None) -> LoanFigures:
    return figures(session, loan.fund_id, as_of=as_of, loan_nos=[loan.registration_no]).get(
        loan.registration_no, LoanFigures()
    )


def disbursed_and_outstanding(session: Session, loan: Loan) -> tuple[Decimal, Decimal]:
    """(disbursed, outstanding) now, from the loan account's running totals: one row read."""
    row = session.execute(
        select(Account.debit_total, Account.credit_total).where(
            Account.fund_id == loan.fund_id,
            Account.code == LOANS,
            Account.subkey == loan.registration_no,
        )
    ).first()
    if row is None:
        return ZERO, ZERO
    return row.debit_total, row.debit_total - row.credit_total


@dataclass(frozen=True)
class Schedule:
    """The repayment schedule in force on a date, and the principal settled before it."""

    version: int
    effective_on: date
    settled_before: Decimal
    instalments: tuple[Due, ...]

    def overdue(self, settled_total: Decimal, as_of: date) -> tuple[int, Decimal]:
        """(days, amount) overdue given all principal settled by `as_of`."""
        return overdue(self.instalments, settled_total - self.settled_before, as_of)


def schedules(
    session: Session, loan_ids: Iterable[int], as_of: date | None = None
) -> dict[int, Schedule]:
    """The schedule in force per loan on `as_of` (today's when None)."""
    ids = list(loan_ids)
    if not ids:
        return {}
    # Plain columns, not entities: a statement over 10,000 loans reads some
    # 30,000 of these rows, and building ORM objects was most of its time.
    v = ScheduleVersion
    current: dict[int, Any] = {}
    for part in chunked(ids):
        versions = select(v.loan_id, v.version, v.effective_on, v.settled_before).where(
            v.loan_id.in_(part)
        )
        if as_of is not None:
            versions = versions.where(v.effective_on <= as_of)
        for row in session.execute(versions):
            if row.loan_id not in current or row.version > current[row.loan_id].version:
                current[row.loan_id] = row
    dues: dict[tuple[int, int], list[Due]] = defaultdict(list)
    i = Instalment
    for part in chunked(current):
        for loan_id, version, seq, due_date, amount in session.execute(
            select(i.loan_id, i.version, i.seq, i.due_date, i.amount)
            .where(i.loan_id.in_(part))
            .order_by(i.loan_id, i.version, i.seq)
        ):
            if current[loan_id].version == version:
                dues[(loan_id, version)].append(Due(seq, due_date, amount))
    return {
        loan_id: Schedule(
            v.version, v.effective_on, v.settled_before, tuple(dues[(loan_id, v.version)])
        )
        for loan_id, v in current.items()
    }


# --- what settled each instalment ----------------------------------------------------


#: Instalment states (the API's ``state``), with their Chinese labels.
INSTALMENT_STATES = {
    "repaid": "已还",
    "written_off": "已核销",
    "guarantee_called": "已代偿",
    "settled": "已结清",
    "partly_settled": "部分结清",
    "overdue": "逾期",
    "not_due": "未到期",
}

#: How an instalment settled partly by a figure is described (部分已还、部分核销).
PARTLY = {"repaid": "部分已还", "guarantee_called": "部分代偿", "written_off": "部分核销"}


@dataclass(frozen=True)
class InstalmentSettlement:
    """One instalment and the principal each kind of settlement paid of it."""

    seq: int
    due_date: date
    amount: Decimal
    repaid: Decimal
    guarantee_called: Decimal
    written_off: Decimal
    #: One of `INSTALMENT_STATES`.
    state: str

    @property
    def paid(self) -> Decimal:
        return self.repaid + self.guarantee_called + self.written_off

    @property
    def unpaid(self) -> Decimal:
        return self.amount - self.paid

    @property
    def settled(self) -> bool:
        return self.unpaid == 0

    @property
    def label(self) -> str:
        """The state in Chinese; a partial one names its parts (部分已还、部分核销、逾期)."""
        if self.state not in ("settled", "partly_settled", "overdue"):
            return INSTALMENT_STATES[self.state]
        parts = [PARTLY[figure] for figure in PARTLY if getattr(self, figure) > 0]
        if self.state == "overdue":
            parts.append(INSTALMENT_STATES["overdue"])
        return "、".join(parts)


def settlements(
    session: Session, loan: Loan, as_of: date | None = None
) -> list[tuple[str, Decimal]]:
    """(figure, amount) of each journal that settled the loan by `as_of`, in business-date order.

    A red-ink reversal nets into the journal it reverses, at that journal's
    date, so a reversed repayment settles nothing.
    """
    original = aliased(Journal)
    journal_id = func.coalesce(original.id, Journal.id)
    posted_on = func.coalesce(original.posted_on, Journal.posted_on)
    kind = func.coalesce(original.kind, Journal.kind)
    query = (
        select(kind, fen_sum(Entry.amount))
        .select_from(Account)
        .join(Entry, Entry.account_id == Account.id)
        .join(Journal, Journal.id == Entry.journal_id)
        .outerjoin(original, original.id == Journal.reverses_id)
        .where(
            Account.fund_id == loan.fund_id,
            Account.code == LOANS,
            Account.subkey == loan.registration_no,
            Entry.side == "C",
        )
        .group_by(journal_id, posted_on, kind)
        .order_by(posted_on, journal_id)
    )
    if as_of is not None:
        query = query.where(Entry.posted_on <= as_of)
    return [
        (CREDIT_KINDS.get(journal_kind, "repaid"), amount)
        for journal_kind, amount in session.execute(query)
        if amount > 0
    ]


def settle_by_kind(
    plan: Schedule, paid: Iterable[tuple[str, Decimal]], as_of: date
) -> tuple[InstalmentSettlement, ...]:
    """Fill `plan`'s instalments oldest first with `paid` (from `settlements`), as of `as_of`.

    The first `plan.settled_before` of it settled earlier schedules.
    """
    skip = plan.settled_before
    filled = [dict.fromkeys(PARTLY, ZERO) for _ in plan.instalments]
    index = 0
    for figure, amount in paid:
        left = amount - min(skip, amount)
        skip -= amount - left
        while left > 0 and index < len(plan.instalments):
            room = plan.instalments[index].amount - sum(filled[index].values())
            take = min(room, left)
            filled[index][figure] += take
            left -= take
            if take == room:
                index += 1
    return tuple(
        InstalmentSettlement(
            due.seq, due.due_date, due.amount, **parts, state=_state(due, parts, as_of)
        )
        for due, parts in zip(plan.instalments, filled, strict=True)
    )


def _state(due: Due, parts: dict[str, Decimal], as_of: date) -> str:
    paid = sum(parts.values())
    if paid == due.amount:
        kinds = [figure for figure, amount in parts.items() if amount > 0]
        return kinds[0] if len(kinds) == 1 else "settled"
    if due.due_date < as_of:  # as `ledger.schedule.overdue` counts
        return "overdue"
    return "partly_settled" if paid > 0 else "not_due"
