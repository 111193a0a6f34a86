"""Kept figures read back: per township and batch totals and aging, now or as of a date,
turnover by event kind between two dates, and the counts of loans by status and of
households that the paged lists' totals are.

Building blocks over `ledger.positions`' tables, taking a fund id. A read as
of D sums the per-day rows up to D, so it costs in proportion to the
townships, batches and days (or oldest-due and due dates) shown, never to
the loans or entries in the book. Aging as of today (or later) reads the
rows kept for now instead of the days: in proportion to the open loans' due
dates, not to the book's history.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import Session, aliased

from ledger import dates
from ledger.models import (
    Account,
    AccountKindDay,
    ActivityDay,
    AgingDay,
    AgingNow,
    ChartAccount,
    ChartKindDay,
    DisbursementCorrected,
    DueDay,
    HouseholdCount,
    HouseholdDay,
    LiaisonAssignment,
    LiaisonDue,
    LiaisonTotal,
    Loan,
    LoanCount,
    LoanPosition,
    LoanStatus,
    PositionDay,
    PositionTotal,
    RecoveredOfDueYear,
    Township,
)
from ledger.read.books import fen_sum
from ledger.read.figures import LoanFigures
from ledger.schedule import AGING_BUCKETS, aging_bucket

ZERO = Decimal("0.00")
#: The columns of `KeptTotals`, in its order: five money figures, then two counts.
COLUMNS = (
    "disbursed",
    "repaid",
    "guarantee_called",
    "written_off",
    "outstanding",
    "lent_loans",
    "open_loans",
)


@dataclass(frozen=True)
class KeptTotals:
    """The loans of one township and batch, summed."""

    disbursed: Decimal = ZERO
    repaid: Decimal = ZERO
    guarantee_called: Decimal = ZERO
    written_off: Decimal = ZERO
    outstanding: Decimal = ZERO
    #: Loans with principal disbursed, and with principal outstanding.
    lent_loans: int = 0
    open_loans: int = 0


def past(as_of: date | None) -> date | None:
    """`as_of` for the kept totals: None ("now", one row per group) unless before today.

    Nothing is dated after today, so the end of today and any later date read as now.
    """
    return None if as_of is None or as_of >= dates.today() else as_of


def totals(
    session: Session, fund_id: int, *, as_of: date | None = None, township_id: int | None = None
) -> dict[tuple[int, int], KeptTotals]:
    """(township id, batch id) -> totals, now (one row each) or at the end of `as_of`."""
    return _totals(session, ("township_id", "batch_id"), [fund_id], as_of, township_id)


def township_totals(
    session: Session, fund_id: int, *, as_of: date | None = None, township_id: int | None = None
) -> dict[int, KeptTotals]:
    """Township id -> its batches summed, now or at the end of `as_of` (a date, even today)."""
    found = _totals(session, ("township_id",), [fund_id], past(as_of), township_id)
    return {town: kept for (town,), kept in found.items()}


def fund_totals(
    session: Session, fund_ids: Iterable[int], *, as_of: date | None = None
) -> dict[int, KeptTotals]:
    """Fund id -> its townships and batches summed, now or at the end of `as_of`.

    One query for many funds (a region's): the same rows `totals` reads, added
    in the database.
    """
    found = _totals(session, ("fund_id",), fund_ids, as_of)
    return {fund_id: kept for (fund_id,), kept in found.items()}


def _totals(
    session: Session,
    keys: tuple[str, ...],
    fund_ids: Iterable[int],
    as_of: date | None,
    township_id: int | None = None,
) -> dict[tuple[int, ...], KeptTotals]:
    """`keys` -> the kept totals summed over the rest: the totals rows now, the days up to
    `as_of` otherwise."""
    model: type[PositionTotal] | type[PositionDay] = PositionTotal if as_of is None else PositionDay
    c = model.__table__.c
    query = (
        select(
            *(c[k] for k in keys),
            *(fen_sum(c[name]) for name in COLUMNS[:5]),
            *(func.coalesce(func.sum(c[name]), 0) for name in COLUMNS[5:]),
        )
        .where(c.fund_id.in_(list(fund_ids)))
        .group_by(*(c[k] for k in keys))
    )
    if as_of is not None:
        query = query.where(c.day <= as_of)
    if township_id is not None:
        query = query.where(c.township_id == township_id)
    out = {}
    for row in session.execute(query):
        key, values = tuple(row[: len(keys)]), row[len(keys) :]
        kept = KeptTotals(*values[:5], int(values[5]), int(values[6]))
        if kept != KeptTotals():
            out[key] = kept
    return out


@dataclass(frozen=True)
class BucketTotals:
    """The overdue loans of one aging bucket, counted and summed."""

    label: str
    loans: int
    overdue_amount: Decimal
    outstanding: Decimal


def aging(
    session: Session, fund_id: int, *, as_of: date | None = None, township_id: int | None = None
) -> dict[tuple[int, int], tuple[BucketTotals, ...]]:
    """(township id, batch id) -> its overdue loans by aging bucket at the end of `as_of`
    (today if None).

    A loan whose oldest unpaid instalment fell due on u is (D − u) days
    overdue on D when u < D; its instalments due before D are its overdue
    amount (`ledger.schedule.overdue`).
    """
    day = as_of or dates.today()
    a = _aging_source(day)
    query = (
        select(
            a.township_id,
            a.batch_id,
            a.oldest_due,
            a.due_date,
            func.coalesce(func.sum(a.loans), 0),
            fen_sum(a.outstanding),
            fen_sum(a.unpaid),
        )
        .where(a.fund_id == fund_id, *_overdue_on(day))
        .group_by(a.township_id, a.batch_id, a.oldest_due, a.due_date)
    )
    if township_id is not None:
        query = query.where(a.township_id == township_id)
    sums: dict[tuple[int, int], dict[str, list]] = {}
    for town, batch, oldest, due, loans, outstanding, unpaid in session.execute(query):
        label = aging_bucket((day - oldest).days)
        buckets = sums.setdefault(
            (town, batch), {name: [0, ZERO, ZERO] for name, _, _ in AGING_BUCKETS}
        )
        values = buckets[label]  # type: ignore[index]
        values[0] += int(loans)
        values[1] += unpaid if due < day else ZERO
        values[2] += outstanding
    return {
        key: tuple(BucketTotals(label, *values) for label, values in buckets.items())
        for key, buckets in sums.items()
    }


def _aging_source(day: date) -> type[AgingDay] | type[AgingNow]:
    """The rows that, summed, hold the unpaid instalments at the end of `day`: those kept
    for now from today on (nothing is dated after today), the days before."""
    return AgingNow if day >= dates.today() else AgingDay


def _overdue_on(day: date) -> tuple[ColumnElement[bool], ...]:
    """The rows of `_aging_source(day)` that, summed, hold the loans overdue at the end of
    `day`."""
    a = _aging_source(day)
    return (a.oldest_due < day,) if a is AgingNow else (a.day <= day, a.oldest_due < day)


def fund_overdue(session: Session, fund_ids: Iterable[int], *, as_of: date) -> dict[int, Decimal]:
    """Fund id -> its overdue amount (逾期金额) at the end of `as_of`: the instalments due
    before then of the loans overdue then, as `aging` sums them, added in the database."""
    a = _aging_source(as_of)
    query = (
        select(a.fund_id, fen_sum(a.unpaid))
        .where(a.fund_id.in_(list(fund_ids)), *_overdue_on(as_of), a.due_date < as_of)
        .group_by(a.fund_id)
    )
    return {fund_id: amount for fund_id, amount in session.execute(query)}


def summed(groups: Iterable[tuple[BucketTotals, ...]]) -> tuple[BucketTotals, ...]:
    """Buckets of several groups (townships, batches) added label by label, in bucket order."""
    out = {name: BucketTotals(name, 0, ZERO, ZERO) for name, _, _ in AGING_BUCKETS}
    for buckets in groups:
        for b in buckets:
            o = out[b.label]
            out[b.label] = BucketTotals(
                b.label,
                o.loans + b.loans,
                o.overdue_amount + b.overdue_amount,
                o.outstanding + b.outstanding,
            )
    return tuple(out.values())


def households(
    session: Session, fund_id: int, *, as_of: date | None = None, township_id: int | None = None
) -> int:
    """Households with a loan that had principal disbursed by the end of `as_of` (now if None)."""
    h = HouseholdDay
    query = select(func.coalesce(func.sum(h.households), 0)).where(h.fund_id == fund_id)
    if as_of is not None:
        query = query.where(h.day <= as_of)
    if township_id is not None:
        query = query.where(h.township_id == township_id)
    return int(session.scalar(query) or 0)


def loan_counts(
    session: Session,
    fund_id: int,
    where: Sequence[ColumnElement[bool]] = (),
    statuses: Iterable[str] | None = None,
) -> dict[str, int]:
    """Status -> how many of the fund's loans are in it now (of `statuses` only, if given),
    from the kept counts (`LoanCount`) meeting `where` (conditions on their township and
    batch): townships × batches × statuses rows, not the loans."""
    c = LoanCount
    query = (
        select(c.status, func.sum(c.loans)).where(c.fund_id == fund_id, *where).group_by(c.status)
    )
    if statuses is not None:
        query = query.where(c.status.in_([LoanStatus(s) for s in statuses]))
    return {status.value: int(n) for status, n in session.execute(query) if n}


def registered_households(fund_id: int, *where: ColumnElement[bool]) -> Select[Any]:
    """How many households the fund has registered (those of the kept counts meeting
    `where`, conditions on their township), as a one-number SELECT: a list's total
    (`Listing.total`), in proportion to the townships."""
    c = HouseholdCount
    return select(func.coalesce(func.sum(c.households), 0)).where(c.fund_id == fund_id, *where)


def dues(
    session: Session, fund_id: int, start: date, end: date, township_id: int | None = None
) -> dict[int, tuple[Decimal, Decimal]]:
    """township id -> (due in start..end, due by end) of the lent loans, under the schedules
    in force at the end of `end`; due by `end` counts what a schedule found settled before it.

    The recovery table's columns 5 and 6: townships × due dates × days summed.
    """
    d = DueDay
    query = (
        select(
            d.township_id,
            fen_sum(case((d.due_date.between(start, end), d.due), else_=0)),
            fen_sum(case((d.due_date <= end, d.due), else_=0) + d.settled_before),
        )
        .where(d.fund_id == fund_id, d.day <= end)
        .group_by(d.township_id)
    )
    if township_id is not None:
        query = query.where(d.township_id == township_id)
    return {town: (year, total) for town, year, total in session.execute(query)}


def recovered_of_due(
    session: Session, fund_id: int, year: int, township_id: int | None = None
) -> dict[int, Decimal]:
    """township id -> the recovery table's column 9 of `year` (`RecoveredOfDueYear`)."""
    r = RecoveredOfDueYear
    query = (
        select(r.township_id, fen_sum(r.recovered))
        .where(r.fund_id == fund_id, r.year == year)
        .group_by(r.township_id)
    )
    if township_id is not None:
        query = query.where(r.township_id == township_id)
    return {town: amount for town, amount in session.execute(query)}


# --- loans' kept positions: the paged loan list and liaisons' exposures ----------


def loan_figures(session: Session, fund_id: int, loan_ids: Sequence[int]) -> dict[str, LoanFigures]:
    """Registration number -> figures now, of the loans given (a page) that have moved."""
    p = LoanPosition
    query = (
        select(Loan.registration_no, p.disbursed, p.repaid, p.guarantee_called, p.written_off)
        .join(Loan, Loan.id == p.loan_id)
        .where(p.fund_id == fund_id, p.loan_id.in_(list(loan_ids)))
    )
    return {no: LoanFigures(*money) for no, *money in session.execute(query)}


def _overdue(fund_id: int, day: date) -> list[ColumnElement[bool]]:
    p = LoanPosition
    return [p.fund_id == fund_id, p.oldest_unpaid_due < day, p.outstanding > 0]


def overdue_loan(fund_id: int, day: date) -> ColumnElement[bool]:
    """The loan (`Loan` of the enclosing query) is overdue at the end of `day` by its kept
    position: its oldest unpaid instalment fell due before `day`, principal outstanding.

    The kept position is the loan now, so this is right for today only (or
    later, until a posting or schedule changes); a past date needs the
    entries (`read.fund`). A correlated EXISTS: a page looks up its own
    loans' positions only, not every overdue loan's.
    """
    p = LoanPosition
    return select(p.loan_id).where(p.loan_id == Loan.id, *_overdue(fund_id, day)).exists()


@dataclass(frozen=True)
class AssignedPosition:
    """A loan with principal outstanding now, and the liaison answering for it today."""

    liaison_id: int
    loan_id: int
    registration_no: str
    figures: LoanFigures
    oldest_unpaid_due: date | None


def answering_today(a: type[LiaisonAssignment]) -> tuple[ColumnElement[bool], ...]:
    """The assignment `a` is its loan's latest effective by today: the liaison answering now."""
    today = dates.today()
    later = aliased(LiaisonAssignment)
    superseded = (
        select(later.id)
        .where(
            later.loan_id == a.loan_id,
            later.effective_on > a.effective_on,
            later.effective_on <= today,
        )
        .exists()
    )
    return (a.effective_on <= today, ~superseded)


def assigned_positions(
    session: Session,
    fund_id: int,
    *,
    township: str | None = None,
    liaison_ids: Sequence[int] | None = None,
) -> list[AssignedPosition]:
    """The fund's loans (of `township`, if named) with principal outstanding and a liaison,
    by township code and registration number: the kept position joined with the latest
    liaison assignment effective by today."""
    p, a = LoanPosition, LiaisonAssignment
    query = (
        select(
            a.liaison_id,
            p.loan_id,
            Loan.registration_no,
            p.disbursed,
            p.repaid,
            p.guarantee_called,
            p.written_off,
            p.oldest_unpaid_due,
        )
        .join(a, a.loan_id == p.loan_id)
        .join(Loan, Loan.id == p.loan_id)
        .join(Township, Township.id == p.township_id)
        .where(p.fund_id == fund_id, p.outstanding > 0, *answering_today(a))
        .order_by(Township.code, Loan.registration_no)
    )
    if township is not None:
        query = query.where(Township.code == township)
    if liaison_ids is not None:
        query = query.where(a.liaison_id.in_(list(liaison_ids)))
    return [
        AssignedPosition(who, loan_id, no, LoanFigures(*money), oldest)
        for who, loan_id, no, *money, oldest in session.execute(query)
    ]


@dataclass(frozen=True)
class LiaisonSums:
    """What one liaison answers for today, from the kept liaison rows."""

    #: Loans with principal outstanding.
    loans: int
    exposure: Decimal
    overdue_amount: Decimal


def liaison_sums(
    session: Session, fund_id: int, liaison_ids: Sequence[int]
) -> dict[int, LiaisonSums]:
    """liaison id -> their loans, exposure and overdue amount today, for `liaison_ids` only:
    one row each, and their unpaid instalments summed over the due dates before today."""
    ids = list(liaison_ids)
    t, d = LiaisonTotal, LiaisonDue
    overdue = dict(
        session.execute(
            select(d.liaison_id, fen_sum(d.unpaid))
            .where(d.fund_id == fund_id, d.liaison_id.in_(ids), d.due_date < dates.today())
            .group_by(d.liaison_id)
        ).all()
    )
    return {
        who: LiaisonSums(int(loans), exposure, overdue.get(who, ZERO))
        for who, loans, exposure in session.execute(
            select(t.liaison_id, t.open_loans, t.outstanding).where(
                t.fund_id == fund_id, t.liaison_id.in_(ids)
            )
        )
    }


# --- turnover by event kind: the kept days of `ledger.kind_days` --------------------------


def turnover(
    session: Session,
    fund_id: int,
    code: str,
    *,
    as_of: date | None = None,
    keys: Iterable[str] | None = None,
) -> dict[str, dict[tuple[str, str], Decimal]]:
    """Per sub-account key of chart line `code`: turnover by (event kind, side) up to `as_of`.

    What `books.turnover_by_kind` sums from the entries, from the kept days:
    in proportion to the accounts × kinds × days read.
    """
    k = AccountKindDay
    query = (
        select(Account.subkey, k.kind, fen_sum(k.debit), fen_sum(k.credit))
        .join(k, k.account_id == Account.id)
        .where(Account.fund_id == fund_id, Account.code == code)
        .group_by(Account.subkey, k.kind)
    )
    if as_of is not None:
        query = query.where(k.day <= as_of)
    if keys is not None:
        query = query.where(Account.subkey.in_(list(keys)))
    out: dict[str, dict[tuple[str, str], Decimal]] = {}
    for key, kind, debit, credit in session.execute(query):
        out.setdefault(key, {}).update({(kind, "D"): debit, (kind, "C"): credit})
    return out


def chart_turnover(
    session: Session, fund_id: int, from_: date | None, to: date | None
) -> dict[tuple[str, str, str], Decimal]:
    """(chart code, event kind, side) -> the fund's turnover within the dates (kept days)."""
    k = ChartKindDay
    query = (
        select(ChartAccount.code, k.kind, fen_sum(k.debit), fen_sum(k.credit))
        .join(k, k.chart_id == ChartAccount.id)
        .where(ChartAccount.fund_id == fund_id)
        .group_by(ChartAccount.code, k.kind)
    )
    if from_ is not None:
        query = query.where(k.day >= from_)
    if to is not None:
        query = query.where(k.day <= to)
    out: dict[tuple[str, str, str], Decimal] = {}
    for code, kind, debit, credit in session.execute(query):
        out[(code, kind, "D")], out[(code, kind, "C")] = debit, credit
    return out


@dataclass(frozen=True)
class ActivityCell:
    """A township and batch's loans of one kind (`read.plans.ACTUALS`) in a period."""

    kind: str
    township_id: int
    batch_id: int
    #: Its households, each once.
    households: int
    #: Those not counted in the township's other batches in the period: summed over a
    #: township's cells, the township's households, each once.
    new_in_township: int
    amount: Decimal


def activity(
    session: Session, fund_id: int, first: date, last: date, *, township_id: int | None = None
) -> list[ActivityCell]:
    """Each township and batch's loans registered, approved and disbursed from `first` to
    `last` (both included), from the kept days (`ActivityDay`: an event counts its household
    when the household's previous one was before `first`)."""
    a = ActivityDay

    def counted(since: Any) -> Any:
        return func.coalesce(func.sum(case((since < first, a.households), else_=0)), 0)

    query = (
        select(
            a.kind,
            a.township_id,
            a.batch_id,
            counted(a.since_batch),
            counted(a.since_township),
            fen_sum(a.amount),
        )
        .where(a.fund_id == fund_id, a.day.between(first, last))
        .group_by(a.kind, a.township_id, a.batch_id)
    )
    if township_id is not None:
        query = query.where(a.township_id == township_id)
    cells = {tuple(row[:3]): list(row[3:]) for row in session.execute(query)}
    for key, (households, new_in_township) in _corrected(
        session, fund_id, first, last, township_id
    ).items():
        cell = cells.setdefault(("disbursed", *key), [0, 0, ZERO])
        cell[0] += households
        cell[1] += new_in_township
    return [ActivityCell(*key, *cell) for key, cell in cells.items() if any(cell)]


def _corrected(
    session: Session, fund_id: int, first: date, last: date, township_id: int | None
) -> dict[tuple[int, int], tuple[int, int]]:
    """(township id, batch id) -> (households, new in the township) disbursed from `first` to
    `last` of the households with a reversed disbursement (`DisbursementCorrected`): a
    household counts where one of its loans' days in the period sum to anything."""
    c = DisbursementCorrected
    query = (
        select(c.household_id, c.township_id, c.batch_id)
        .where(c.fund_id == fund_id, c.day.between(first, last))
        .group_by(c.household_id, c.township_id, c.batch_id, c.loan_id)
        .having(func.sum(c.amount) != 0)
        .order_by(c.household_id, c.township_id, c.batch_id)
    )
    if township_id is not None:
        query = query.where(c.township_id == township_id)
    out: dict[tuple[int, int], tuple[int, int]] = {}
    counted: set[tuple[int, ...]] = set()
    for household, town, batch in session.execute(query):
        if (household, town, batch) in counted:
            continue
        new = (household, town) not in counted
        counted |= {(household, town, batch), (household, town)}
        households, new_in_township = out.get((town, batch), (0, 0))
        out[(town, batch)] = (households + 1, new_in_township + new)
    return out
