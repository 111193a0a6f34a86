"""Kept figures: computed from the entries and schedules, written by the posting path only.

A loan's kept figures (`models.positions`) are a function of its entries and
its schedule versions. Each loan's contribution is piecewise constant
between its *change days* (days it has entries, days a schedule version
takes effect); the per-day tables hold the change of every loan's
contribution on each change day, summed per township (and batch), so a read
as of D sums the days up to D. The aging days are kept summed over every day
too (`AgingNow`): today's aging reads the rows that are, not the days that were.

Writing is always the same move: compute the touched loans' contributions
before and after (from the entries in the database, less or with the
journals just posted; from the schedule versions, without or with the one
just added) and add the difference. That stays exact when a journal is
dated before others (a later day's contribution changes too: aging is not
linear in the money) and when a red-ink reversal cancels a journal. A
posting dated on or after a loan's last entry, and not a reversal, changes
no earlier day: its "before" is the kept position, and no entry is read.
The whole-book computation is the same function over every loan, which
`rebuild` writes and `check` compares.

A loan's figures now also count under the liaison of its latest assignment
(`LiaisonTotal`, `LiaisonDue`); a change of liaison moves them
(`record_liaison_change`).

The paged lists' totals are kept counts of rows, not of entries: the loans
per township, batch and status (`LoanCount`) and the households per township
(`HouseholdCount`), added to by the services that add a loan or household or
move a loan's status (`record_counts`); the whole-book computation counts
the rows.

The recovery table's column 9 (the year's recoveries that settled
instalments due in the year) is not a sum over days: per loan and year it
clamps the recovered principal at both ends of the year to the instalments
due in it. It is kept per year instead, from the same before/after
computation; the fast path needs the loan's recovered principal before its
last movement's year (`Position.recovered_before_year`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, and_, bindparam, case, delete, func, insert, or_, select
from sqlalchemy.orm import Session, aliased

from ledger import kind_days
from ledger.chart import LOANS
from ledger.models import (
    NO_EARLIER,
    Account,
    ActivityDay,
    AgingDay,
    AgingNow,
    Batch,
    DisbursementCorrected,
    DueDay,
    Entry,
    Fund,
    Household,
    HouseholdCount,
    HouseholdDay,
    Instalment,
    Journal,
    LiaisonAssignment,
    LiaisonDue,
    LiaisonTotal,
    Loan,
    LoanCount,
    LoanEvent,
    LoanPosition,
    LoanStatus,
    PositionDay,
    PositionTotal,
    RecoveredOfDueYear,
    ScheduleVersion,
    Township,
)
from ledger.posting import DEBIT, JournalDraft
from ledger.read.books import fen_sum
from ledger.read.figures import CREDIT_KINDS
from ledger.row_writes import Write, write_all
from ledger.schedule import Instalment as Due
from ledger.schedule import settle

ZERO = Decimal("0.00")
#: The money figures of a loan, in the order of every figures tuple here.
FIGURES = ("disbursed", "repaid", "guarantee_called", "written_off")
#: Columns of a totals row (`PositionTotal`, `PositionDay`).
TOTALS = (*FIGURES, "outstanding", "lent_loans", "open_loans")
#: Columns of an aging row (`AgingDay`).
AGING = ("loans", "outstanding", "unpaid")
#: Columns of a liaison's row (`LiaisonTotal`).
LIAISON = ("open_loans", "outstanding")
#: Columns of a dues row (`DueDay`).
DUES = ("due", "settled_before")
#: Columns of an activity row (`ActivityDay`).
ACTIVITY = ("households", "amount")
#: The loan events `ActivityDay` keeps besides disbursements.
EVENT_KINDS = ("registered", "approved")

Numbers = tuple[Any, ...]
#: Per business day, the change of each of `FIGURES`.
Moves = dict[date, tuple[Decimal, ...]]


@dataclass(frozen=True)
class LoanRef:
    id: int
    registration_no: str
    township_id: int
    batch_id: int
    #: The liaison of its latest assignment (None before it is contracted).
    liaison_id: int | None


@dataclass(frozen=True)
class Plan:
    """A schedule version: in force from `effective_on` for what was not settled before it."""

    version: int
    effective_on: date
    settled_before: Decimal
    instalments: tuple[Due, ...]


@dataclass(frozen=True)
class Position:
    """A loan's kept figures now (a `LoanPosition` row without its keys)."""

    disbursed: Decimal
    repaid: Decimal
    guarantee_called: Decimal
    written_off: Decimal
    outstanding: Decimal
    oldest_unpaid_due: date | None
    last_moved_on: date | None
    recovered_before_year: Decimal


#: The position of a loan nothing has moved.
NO_POSITION = Position(ZERO, ZERO, ZERO, ZERO, ZERO, None, None, ZERO)
#: The columns of a `LoanPosition` row that `Position` holds.
POSITION = (
    *FIGURES,
    "outstanding",
    "oldest_unpaid_due",
    "last_moved_on",
    "recovered_before_year",
)


@dataclass
class Kept:
    """Every kept figure of some loans, as the tables hold them (zero rows left out)."""

    positions: dict[int, Position] = field(default_factory=dict)
    #: (township_id, batch_id) -> `TOTALS`
    totals: dict[tuple[int, int], Numbers] = field(default_factory=dict)
    #: (township_id, batch_id, day) -> change of `TOTALS`
    days: dict[tuple[int, int, date], Numbers] = field(default_factory=dict)
    #: (township_id, batch_id, oldest_due, due_date, day) -> change of `AGING`
    aging: dict[tuple[int, int, date, date, date], Numbers] = field(default_factory=dict)
    #: (township_id, batch_id, oldest_due, due_date) -> `AGING` now: `aging` over every day
    aging_now: dict[tuple[int, int, date, date], Numbers] = field(default_factory=dict)
    #: (household's township_id, day) -> change of (households with money lent,)
    households: dict[tuple[int, date], Numbers] = field(default_factory=dict)
    #: (liaison_id,) -> `LIAISON` now
    liaisons: dict[tuple[int], Numbers] = field(default_factory=dict)
    #: (liaison_id, due_date) -> (unpaid principal now,)
    dues: dict[tuple[int, date], Numbers] = field(default_factory=dict)
    #: (township_id, batch_id, due_date, day) -> change of `DUES`
    due_days: dict[tuple[int, int, date, date], Numbers] = field(default_factory=dict)
    #: (township_id, batch_id, year) -> (column 9 of the recovery table,)
    recovered: dict[tuple[int, int, int], Numbers] = field(default_factory=dict)
    #: (kind, township_id, batch_id, day, since_township, since_batch) -> `ACTIVITY`
    activity: dict[tuple[str, int, int, date, date, date], Numbers] = field(default_factory=dict)
    #: (township_id, batch_id, household_id, loan_id, day) -> (the day's principal disbursed, net,)
    corrected: dict[tuple[int, int, int, int, date], Numbers] = field(default_factory=dict)
    #: (loan's township_id, batch_id, status value) -> (loans,) now
    loan_counts: dict[tuple[int, int, str], Numbers] = field(default_factory=dict)
    #: (township_id,) -> (households,) now
    household_counts: dict[tuple[int], Numbers] = field(default_factory=dict)


def _add(target: dict[Any, Numbers], key: Any, values: Numbers, sign: int = 1) -> None:
    """Add `values` (times `sign`) to the row `key`; a row that comes to zero goes."""
    old = target.get(key)
    new = (
        tuple(sign * v for v in values)
        if old is None
        else tuple(a + sign * b for a, b in zip(old, values, strict=True))
    )
    if any(new):
        target[key] = new
    else:
        target.pop(key, None)


def _now(aging: dict[tuple[int, int, date, date, date], Numbers]) -> dict[Any, Numbers]:
    """Aging days (or their changes) summed over the days: the rows (or change) of now."""
    out: dict[Any, Numbers] = {}
    for (t, b, u, d, _), values in aging.items():
        _add(out, (t, b, u, d), values)
    return out


def _totals(figures: Sequence[Decimal]) -> Numbers:
    disbursed, repaid, called, written = figures
    outstanding = disbursed - repaid - called - written
    return (*figures, outstanding, int(disbursed > 0), int(outstanding > 0))


def _in_force(plans: Sequence[Plan], day: date) -> Plan | None:
    """The version in force on `day`: the latest effective by then (as `read.figures.schedules`)."""
    found = [plan for plan in plans if plan.effective_on <= day]
    return max(found, key=lambda plan: plan.version) if found else None


def _aging(
    figures: Sequence[Decimal], plans: Sequence[Plan], day: date
) -> tuple[date | None, dict[tuple[date, date], Numbers]]:
    """(oldest unpaid due date, {(oldest_due, due_date): AGING}) of a loan on `day`."""
    totals = _totals(figures)
    plan = _in_force(plans, day)
    if totals[0] <= 0 or plan is None:
        return None, {}
    settled = totals[1] + totals[2] + totals[3] - plan.settled_before
    unpaid = [s for s in settle(plan.instalments, settled) if not s.settled]
    if not unpaid:
        return None, {}
    oldest = unpaid[0].due_date
    rows: dict[tuple[date, date], Numbers] = {}
    for state in unpaid:
        first = state.due_date == oldest
        _add(
            rows, (oldest, state.due_date), (int(first), totals[4] if first else ZERO, state.unpaid)
        )
    return oldest, rows


def _dues(plans: Sequence[Plan], day: date) -> dict[Any, Numbers]:
    """{("due", due_date): DUES} of a loan on `day` under the schedule in force then.

    What the version found settled before it counts as due on its effective
    day. An approved schedule counts before money is lent, as the recovery
    table always counted it: so approval keeps it (`record_schedules`).
    """
    plan = _in_force(plans, day)
    if plan is None:
        return {}
    rows: dict[Any, Numbers] = {}
    for due in plan.instalments:
        _add(rows, ("due", due.due_date), (due.amount, ZERO))
    _add(rows, ("due", plan.effective_on), (ZERO, plan.settled_before))
    return rows


def _state(
    figures: tuple[Decimal, ...], plans: Sequence[Plan], day: date
) -> tuple[date | None, dict[Any, Numbers]]:
    """(oldest unpaid due date, {"totals", (oldest_due, due_date) or ("due", due_date): numbers})
    on `day`."""
    oldest, rows = _aging(figures, plans, day)
    state: dict[Any, Numbers] = {**rows, **_dues(plans, day)}
    if any(figures):
        state["totals"] = _totals(figures)
    return oldest, state


def _recovered_of_due(moves: Moves, plans: Sequence[Plan], since: date) -> dict[int, Decimal]:
    """year -> the recovery table's column 9 of one loan, for the years from `since`'s on
    in which it has recoveries (in the others, nothing).

    The recoveries (repaid and called) at the year's start and end, each
    settled oldest first against the schedule in force at the year's end:
    what the year added to the instalments due in it, never below nothing.
    """
    recovered = {day: values[1] + values[2] for day, values in moves.items()}
    years = sorted({day.year for day, amount in recovered.items() if amount})
    out: dict[int, Decimal] = {}
    for year in years:
        if year < since.year:
            continue
        start, end = date(year, 1, 1), date(year, 12, 31)
        plan = _in_force(plans, end)
        if plan is None:
            continue
        at_start = sum((a for day, a in recovered.items() if day < start), ZERO)
        at_end = sum((a for day, a in recovered.items() if day <= end), ZERO)
        paid_start = settle(plan.instalments, at_start - plan.settled_before)
        paid_end = settle(plan.instalments, at_end - plan.settled_before)
        settled = sum(
            (
                b.paid - a.paid
                for a, b in zip(paid_start, paid_end, strict=True)
                if start <= a.due_date <= end
            ),
            ZERO,
        )
        if settled > 0:
            out[year] = settled
    return out


def _recovered_before_year(moves: Moves) -> Decimal:
    """Repaid and called before 1 January of the year of the loan's last movement."""
    start = date(max(moves).year, 1, 1)
    return sum((v[1] + v[2] for day, v in moves.items() if day < start), ZERO)


def _loan_kept(
    kept: Kept,
    loan: LoanRef,
    moves: Moves,
    plans: Sequence[Plan],
    since: date | None = None,
    position: bool = True,
) -> None:
    """Add one loan's contribution to `kept`: its totals now (and `position`), and its changes
    on its change days from `since` on.

    The changes before `since` are left out: a caller diffing two computations
    that differ only from `since` on would add and take away the same numbers.
    """
    days = sorted(set(moves) | {plan.effective_on for plan in plans})
    start = since or date.min
    early = [day for day in days if day < start]
    late = days[len(early) :]
    figures: tuple[Decimal, ...] = (ZERO,) * len(FIGURES)
    for day in early:
        if day in moves:
            figures = tuple(a + b for a, b in zip(figures, moves[day], strict=True))
    oldest, before = None, {}
    if early and (late or position or loan.liaison_id is not None):
        oldest, before = _state(figures, plans, early[-1])
    for day in late:
        if day in moves:
            figures = tuple(a + b for a, b in zip(figures, moves[day], strict=True))
        oldest, state = _state(figures, plans, day)
        for key in state.keys() | before.keys():
            new, old = state.get(key), before.get(key)
            if new == old:
                continue
            if key == "totals":
                target, where, width = kept.days, (loan.township_id, loan.batch_id, day), 7
            elif key[0] == "due":
                where = (loan.township_id, loan.batch_id, key[1], day)
                target, width = kept.due_days, 2
            else:
                target, where, width = kept.aging, (loan.township_id, loan.batch_id, *key, day), 3
            zeros = (0,) * width
            _add(
                target, where, tuple(a - b for a, b in zip(new or zeros, old or zeros, strict=True))
            )
        before = state
    for year, amount in _recovered_of_due(moves, plans, start).items():
        _add(kept.recovered, (loan.township_id, loan.batch_id, year), (amount,))
    if moves:
        totals = _totals(figures)
        if position:
            kept.positions[loan.id] = Position(
                *totals[:5], oldest, max(moves), _recovered_before_year(moves)
            )
        _add(kept.totals, (loan.township_id, loan.batch_id), totals)
        if loan.liaison_id is not None:
            # `before` is now the loan's state on its last change day: its state now.
            _add(kept.liaisons, (loan.liaison_id,), (totals[6], totals[4]))
            for key, numbers in before.items():
                if key != "totals" and key[0] != "due":
                    _add(kept.dues, (loan.liaison_id, key[1]), (numbers[2],))


def compute(
    loans: Iterable[LoanRef],
    moves: dict[str, Moves],
    plans: dict[int, list[Plan]],
    since: dict[int, date] | None = None,
    positions: bool = True,
) -> Kept:
    """Every kept figure of `loans`, from their movements and schedule versions.

    With `since`, a loan's changes are those from its day in `since` on only;
    without `positions`, the loans' own rows are left out.
    """
    kept = Kept()
    for loan in loans:
        _loan_kept(
            kept,
            loan,
            moves.get(loan.registration_no, {}),
            plans.get(loan.id, []),
            (since or {}).get(loan.id),
            positions,
        )
    return kept


def _lent_flips(moves: Moves) -> list[tuple[date, int]]:
    """The days a loan comes to have principal disbursed (+1) and ceases to (−1)."""
    flips, disbursed, lent = [], ZERO, False
    for day in sorted(moves):
        disbursed += moves[day][0]
        if (disbursed > 0) != lent:
            lent = not lent
            flips.append((day, 1 if lent else -1))
    return flips


def _household_kept(kept: Kept, township_id: int, loans: Iterable[Moves], sign: int = 1) -> None:
    """Add (times `sign`) the days a household comes to have a loan with money lent, or
    ceases to: it has one while any of its `loans` (their movements) has."""
    by_day: dict[date, int] = defaultdict(int)
    for moves in loans:
        for day, flip in _lent_flips(moves):
            by_day[day] += flip
    lent = 0
    for day in sorted(by_day):
        was, lent = lent, lent + by_day[day]
        if (was > 0) != (lent > 0):
            _add(kept.households, (township_id, day), (sign if lent > 0 else -sign,))


#: A household-event of `ActivityDay`: (day, loan id, township id, batch id, amount, counts).
Event = tuple[date, int, int, int, Decimal, bool]


def _activity_kept(kept: Kept, kind: str, events: Iterable[Event], sign: int = 1) -> None:
    """Add (times `sign`) one household's events of `kind`, each keyed by the household's
    previous counting event in its township and in its township and batch (`ActivityDay`)."""
    last: dict[tuple[int, ...], date] = {}
    for day, _, town, batch, amount, counts in sorted(events):
        since = (last.get((town,), NO_EARLIER), last.get((town, batch), NO_EARLIER))
        _add(kept.activity, (kind, town, batch, day, *since), (int(counts), amount), sign)
        if counts:
            last[(town,)] = last[(town, batch)] = day


def _disbursements(loan: LoanRef, moves: Moves) -> list[Event]:
    """A loan's days with principal disbursed, net; a household-event where more went out."""
    return [
        (day, loan.id, loan.township_id, loan.batch_id, v[0], v[0] > 0)
        for day, v in moves.items()
        if v[0]
    ]


def _disbursed_kept(
    kept: Kept, household_id: int, loans: Iterable[tuple[LoanRef, Moves]], sign: int = 1
) -> None:
    """Add (times `sign`) a household's disbursement activity: its days with principal paid
    out, or, once one of its disbursements was reversed, its days' money alone and every
    day of its loans in `corrected` (`DisbursementCorrected`)."""
    events = [event for ref, moves in loans for event in _disbursements(ref, moves)]
    if all(counts for *_, counts in events):
        _activity_kept(kept, "disbursed", events, sign)
        return
    _activity_kept(kept, "disbursed", [(*event[:5], False) for event in events], sign)
    for day, loan_id, town, batch, amount, _ in events:
        _add(kept.corrected, (town, batch, household_id, loan_id, day), (amount,), sign)


def _once_per_loan(rows: Iterable[tuple[int, Event]]) -> list[Event]:
    """Each loan's first event of (event id, event) `rows`: a loan counts once however
    often its registration or approval was recorded."""
    first: dict[int, Event] = {}
    for _, event in sorted(rows, key=lambda row: (row[1][0], row[0])):
        first.setdefault(event[1], event)
    return list(first.values())


# --- reading the inputs ---------------------------------------------------------------


def _answering() -> Any:
    """The liaison of the loan's latest assignment: the one answering for it now."""
    a = LiaisonAssignment
    return (
        select(a.liaison_id)
        .where(a.loan_id == Loan.id)
        .order_by(a.effective_on.desc())
        .limit(1)
        .scalar_subquery()
    )


def _loans(conn: Connection, fund_id: int) -> dict[str, LoanRef]:
    """Every loan of the fund."""
    found = conn.execute(
        select(Loan.id, Loan.registration_no, Loan.township_id, Loan.batch_id, _answering())
        .where(Loan.fund_id == fund_id)
        .order_by(Loan.id)
    )
    return {row.registration_no: LoanRef(*row) for row in found}


@lru_cache(maxsize=2)
def _moves_query(by_number: bool) -> Any:
    """Loan-account turnover per loan, day, journal kind and side, and the part of it in
    the journals ``:fresh``.

    A red-ink reversal counts against the kind of the journal it reverses, on
    its own date, as `read.figures.figures` counts it.
    """
    original = aliased(Journal)
    kind = func.coalesce(original.kind, Journal.kind)
    fresh = case((Entry.journal_id.in_(bindparam("fresh", expanding=True)), Entry.amount), else_=0)
    query = (
        select(
            Account.subkey, Entry.posted_on, kind, Entry.side, fen_sum(Entry.amount), fen_sum(fresh)
        )
        .select_from(Account)
        .join(Entry, Entry.account_id == Account.id)
        .join(Journal, Journal.id == Entry.journal_id)
        .outerjoin(original, original.id == Journal.reverses_id)
        .where(Account.fund_id == bindparam("fund_id"), Account.code == LOANS)
        .group_by(Account.subkey, Entry.posted_on, kind, Entry.side)
    )
    if by_number:
        query = query.where(Account.subkey.in_(bindparam("nos", expanding=True)))
    return query


def _moves(
    conn: Connection, fund_id: int, nos: Sequence[str] | None, fresh: Sequence[int] = ()
) -> tuple[dict[str, Moves], dict[str, Moves]]:
    """(all movements, movements of the journals `fresh`) per loan, by day and figure."""
    params: dict[str, Any] = {"fund_id": fund_id, "fresh": list(fresh)}
    if nos is not None:
        params["nos"] = list(nos)
    every: dict[str, dict[date, list[Decimal]]] = defaultdict(dict)
    new: dict[str, dict[date, list[Decimal]]] = defaultdict(dict)
    for no, day, journal_kind, side, amount, new_amount in conn.execute(
        _moves_query(nos is not None), params
    ):
        index = FIGURES.index(
            "disbursed" if side == DEBIT else CREDIT_KINDS.get(journal_kind, "repaid")
        )
        every[no].setdefault(day, [ZERO] * len(FIGURES))[index] += amount
        if new_amount:
            new[no].setdefault(day, [ZERO] * len(FIGURES))[index] += new_amount
    # Every day with an entry stays, even one that nets to nothing: its date is
    # the loan's last movement all the same.
    moved = {no: {day: tuple(v) for day, v in days.items()} for no, days in every.items()}
    return moved, _nonzero(new)


def _nonzero(moves: dict[str, dict[date, list[Decimal]]]) -> dict[str, Moves]:
    """The days that change something (a journal and its reversal in one batch change nothing)."""
    out = {no: {day: tuple(v) for day, v in days.items() if any(v)} for no, days in moves.items()}
    return {no: days for no, days in out.items() if days}


def _plus(moves: Moves, new: Moves, sign: int = 1) -> Moves:
    """`moves` with `new` added (or, with `sign` -1, taken away), zero days left out."""
    out = dict(moves)
    for day, values in new.items():
        old = out.pop(day, (ZERO,) * len(FIGURES))
        changed = tuple(a + sign * b for a, b in zip(old, values, strict=True))
        if any(changed):
            out[day] = changed
    return out


def _plans(conn: Connection, fund_id: int) -> dict[int, list[Plan]]:
    """Every loan's schedule versions, by loan id."""
    in_fund = select(Loan.id).where(Loan.fund_id == fund_id)
    v, i = ScheduleVersion, Instalment
    items: dict[tuple[int, int], list[Due]] = defaultdict(list)
    for loan_id, version, seq, due_date, amount in conn.execute(
        select(i.loan_id, i.version, i.seq, i.due_date, i.amount)
        .where(i.loan_id.in_(in_fund))
        .order_by(i.loan_id, i.version, i.seq)
    ):
        items[(loan_id, version)].append(Due(seq, due_date, amount))
    out: dict[int, list[Plan]] = defaultdict(list)
    for loan_id, version, effective_on, settled_before in conn.execute(
        select(v.loan_id, v.version, v.effective_on, v.settled_before).where(v.loan_id.in_(in_fund))
    ):
        out[loan_id].append(
            Plan(version, effective_on, settled_before, tuple(items[(loan_id, version)]))
        )
    return out


def computed(session: Session, fund_id: int) -> tuple[Kept, dict[str, LoanRef]]:
    """Every kept figure of the fund, recomputed from its entries and schedules."""
    conn = session.connection()
    loans = _loans(conn, fund_id)
    moves, _ = _moves(conn, fund_id, None)
    kept = compute(loans.values(), moves, _plans(conn, fund_id))
    for household_id, (township_id, refs) in _households(conn, fund_id, None).items():
        mine = [(ref, moves.get(ref.registration_no, {})) for ref in refs]
        _household_kept(kept, township_id, (moved for _, moved in mine))
        _disbursed_kept(kept, household_id, mine)
    for (_, kind), rows in _event_rows(conn, fund_id, None).items():
        _activity_kept(kept, kind, _once_per_loan(rows))
    kept.aging_now = _now(kept.aging)
    _counted(conn, fund_id, kept)
    return kept, loans


def _counted(conn: Connection, fund_id: int, kept: Kept) -> None:
    """Count the fund's loans by township, batch and status and its households by township
    into `kept`: the rows themselves, what the kept counts must say."""
    for town, batch, status, n in conn.execute(
        select(Loan.township_id, Loan.batch_id, Loan.status, func.count())
        .where(Loan.fund_id == fund_id)
        .group_by(Loan.township_id, Loan.batch_id, Loan.status)
    ):
        _add(kept.loan_counts, (town, batch, LoanStatus(status).value), (n,))
    for town, n in conn.execute(
        select(Household.township_id, func.count())
        .where(Household.fund_id == fund_id)
        .group_by(Household.township_id)
    ):
        _add(kept.household_counts, (town,), (n,))


@lru_cache(maxsize=2)
def _households_query(by_number: bool) -> Any:
    """The loans of households (of the loans ``:nos``, locked, when `by_number`)."""
    query = (
        select(
            Loan.household_id,
            Household.township_id,
            Loan.id,
            Loan.registration_no,
            Loan.township_id,
            Loan.batch_id,
        )
        .join(Household, Household.id == Loan.household_id)
        .order_by(Loan.household_id, Loan.registration_no)
    )
    if not by_number:
        return query.where(Loan.fund_id == bindparam("fund_id"))
    mine = select(Loan.household_id).where(
        Loan.fund_id == bindparam("fund_id"),
        Loan.registration_no.in_(bindparam("nos", expanding=True)),
    )
    # By household (a household's loans are its fund's): not a scan of the fund's loans.
    return query.where(Loan.household_id.in_(mine)).with_for_update(of=Household, key_share=True)


def _households(
    conn: Connection, fund_id: int, nos: Sequence[str] | None
) -> dict[int, tuple[int, list[LoanRef]]]:
    """household id -> (its township id, its loans), for the households of the loans `nos`
    (None: every household with a loan), those locked.

    Locked (FOR NO KEY UPDATE: a loan may still be registered for them), so
    that two postings lending to one household's loans at once count it once.
    """
    params: dict[str, Any] = {"fund_id": fund_id}
    if nos is not None:
        params["nos"] = list(nos)
    out: dict[int, tuple[int, list[LoanRef]]] = {}
    for household_id, township_id, *loan in conn.execute(
        _households_query(nos is not None), params
    ):
        out.setdefault(household_id, (township_id, []))[1].append(LoanRef(*loan, None))
    return out


def _event_rows(
    conn: Connection, fund_id: int, households: Sequence[int] | None, kind: str | None = None
) -> dict[tuple[int, str], list[tuple[int, Event]]]:
    """(household id, kind) -> its loans' registration or approval events, with their ids
    (None: every household's; `kind` only, when given).

    A registration counts the amount asked, an approval the amount approved.
    """
    query = (
        select(
            Loan.household_id,
            LoanEvent.action,
            LoanEvent.id,
            LoanEvent.on,
            Loan.id,
            Loan.township_id,
            Loan.batch_id,
            Loan.requested_amount,
            Loan.approved_amount,
        )
        .join(LoanEvent, LoanEvent.loan_id == Loan.id)
        .where(Loan.fund_id == fund_id, LoanEvent.action.in_([kind] if kind else EVENT_KINDS))
    )
    if households is not None:
        query = query.where(Loan.household_id.in_(list(households)))
    out: dict[tuple[int, str], list[tuple[int, Event]]] = defaultdict(list)
    for household, action, event_id, on, loan_id, town, batch, asked, approved in conn.execute(
        query
    ):
        amount = (asked if action == "registered" else approved) or ZERO
        out[(household, action)].append((event_id, (on, loan_id, town, batch, amount, True)))
    return out


# --- writing ----------------------------------------------------------------------------


#: The key of an `AgingNow` row.
_NOW_KEYS = ("fund_id", "township_id", "batch_id", "oldest_due", "due_date")
#: The key of an `ActivityDay` row after its fund (`Kept.activity`'s).
_ACTIVITY_KEYS = ("kind", "township_id", "batch_id", "day", "since_township", "since_batch")
#: The key of a `DisbursementCorrected` row after its fund (`Kept.corrected`'s).
_CORRECTED_KEYS = ("township_id", "batch_id", "household_id", "loan_id", "day")
#: The key of a `LoanCount` row after its fund (`Kept.loan_counts`').
_LOAN_COUNT_KEYS = ("township_id", "batch_id", "status")

# How each kept table is written: a loan's row is set, the others are added to.
_POSITION = Write.setting(
    "position",
    LoanPosition.__table__,
    ("fund_id", "loan_id"),
    POSITION,
    also=("township_id", "batch_id"),
)
_TOTALS = Write.adding(
    "totals", PositionTotal.__table__, ("fund_id", "township_id", "batch_id"), TOTALS
)
_DAYS = Write.adding(
    "days", PositionDay.__table__, ("fund_id", "township_id", "batch_id", "day"), TOTALS
)
_AGING = Write.adding(
    "aging",
    AgingDay.__table__,
    ("fund_id", "township_id", "batch_id", "oldest_due", "due_date", "day"),
    AGING,
)
_AGING_NOW = Write.adding("aging_now", AgingNow.__table__, _NOW_KEYS, AGING)
_HOUSEHOLDS = Write.adding(
    "households", HouseholdDay.__table__, ("fund_id", "township_id", "day"), ("households",)
)
_LIAISONS = Write.adding("liaisons", LiaisonTotal.__table__, ("fund_id", "liaison_id"), LIAISON)
_DUES = Write.adding(
    "dues", LiaisonDue.__table__, ("fund_id", "liaison_id", "due_date"), ("unpaid",)
)
_DUE_DAYS = Write.adding(
    "due_days", DueDay.__table__, ("fund_id", "township_id", "batch_id", "due_date", "day"), DUES
)
_RECOVERED = Write.adding(
    "recovered",
    RecoveredOfDueYear.__table__,
    ("fund_id", "township_id", "batch_id", "year"),
    ("recovered",),
)
_ACTIVITY = Write.adding("activity", ActivityDay.__table__, ("fund_id", *_ACTIVITY_KEYS), ACTIVITY)
_CORRECTED = Write.adding(
    "corrected", DisbursementCorrected.__table__, ("fund_id", *_CORRECTED_KEYS), ("amount",)
)
_LOAN_COUNTS = Write.adding(
    "loan_counts", LoanCount.__table__, ("fund_id", *_LOAN_COUNT_KEYS), ("loans",)
)
_HOUSEHOLD_COUNTS = Write.adding(
    "household_counts", HouseholdCount.__table__, ("fund_id", "township_id"), ("households",)
)
#: Rows written to the kept tables, by the posting's `write_all` or by `_write`.
KeptRows = list[tuple[Write, list[dict[str, Any]]]]


#: Deletes the `aging_now` rows of the keys given that came to zero.
_AGING_GONE = delete(AgingNow).where(
    *(AgingNow.__table__.c[k] == bindparam(k) for k in _NOW_KEYS),
    *(AgingNow.__table__.c[c] == 0 for c in AGING),
)


def _row_sets(fund_id: int, loans: dict[str, LoanRef], positions: Kept, changes: Kept) -> KeptRows:
    """(write, rows) of `positions`' loan rows and `changes`' other rows, key-sorted.

    Sorted by key, so two transactions upserting the same rows lock them in one order.
    """
    by_id = {loan.id: loan for loan in loans.values()}
    return [
        (
            _POSITION,
            [
                {
                    "fund_id": fund_id,
                    "loan_id": loan_id,
                    "township_id": by_id[loan_id].township_id,
                    "batch_id": by_id[loan_id].batch_id,
                    **positions.positions[loan_id].__dict__,
                    "version": 1,
                }
                # A loan nothing moved keeps no row (a schedule approved, not yet lent).
                for loan_id in sorted(by_id)
                if loan_id in positions.positions
            ],
        ),
        (
            _TOTALS,
            [
                {"fund_id": fund_id, "township_id": t, "batch_id": b}
                | dict(zip(TOTALS, v, strict=True))
                for (t, b), v in sorted(changes.totals.items())
            ],
        ),
        (
            _DAYS,
            [
                {"fund_id": fund_id, "township_id": t, "batch_id": b, "day": day}
                | dict(zip(TOTALS, v, strict=True))
                for (t, b, day), v in sorted(changes.days.items())
            ],
        ),
        (
            _AGING,
            [
                {
                    "fund_id": fund_id,
                    "township_id": t,
                    "batch_id": b,
                    "oldest_due": u,
                    "due_date": d,
                    "day": day,
                }
                | dict(zip(AGING, v, strict=True))
                for (t, b, u, d, day), v in sorted(changes.aging.items())
            ],
        ),
        (
            _AGING_NOW,
            [
                dict(zip(_NOW_KEYS, (fund_id, *key), strict=True))
                | dict(zip(AGING, v, strict=True))
                for key, v in sorted(_now(changes.aging).items())
            ],
        ),
        (_HOUSEHOLDS, _household_rows(fund_id, changes)),
        (
            _LIAISONS,
            [
                {"fund_id": fund_id, "liaison_id": who} | dict(zip(LIAISON, v, strict=True))
                for (who,), v in sorted(changes.liaisons.items())
            ],
        ),
        (
            _DUES,
            [
                {"fund_id": fund_id, "liaison_id": who, "due_date": d, "unpaid": v[0]}
                for (who, d), v in sorted(changes.dues.items())
            ],
        ),
        (
            _DUE_DAYS,
            [
                {"fund_id": fund_id, "township_id": t, "batch_id": b, "due_date": d, "day": day}
                | dict(zip(DUES, v, strict=True))
                for (t, b, d, day), v in sorted(changes.due_days.items())
            ],
        ),
        (
            _RECOVERED,
            [
                {"fund_id": fund_id, "township_id": t, "batch_id": b, "year": y, "recovered": v[0]}
                for (t, b, y), v in sorted(changes.recovered.items())
            ],
        ),
        (_ACTIVITY, _activity_rows(fund_id, changes)),
        (_CORRECTED, _corrected_rows(fund_id, changes)),
        *_count_rows(fund_id, changes),
    ]


def _count_rows(fund_id: int, changes: Kept) -> KeptRows:
    return [
        (
            _LOAN_COUNTS,
            [
                {"fund_id": fund_id}
                | dict(zip(_LOAN_COUNT_KEYS, key, strict=True))
                | {"loans": v[0]}
                for key, v in sorted(changes.loan_counts.items())
            ],
        ),
        (
            _HOUSEHOLD_COUNTS,
            [
                {"fund_id": fund_id, "township_id": t, "households": v[0]}
                for (t,), v in sorted(changes.household_counts.items())
            ],
        ),
    ]


def _corrected_rows(fund_id: int, changes: Kept) -> list[dict[str, Any]]:
    return [
        {"fund_id": fund_id} | dict(zip(_CORRECTED_KEYS, key, strict=True)) | {"amount": v[0]}
        for key, v in sorted(changes.corrected.items())
    ]


def _activity_rows(fund_id: int, changes: Kept) -> list[dict[str, Any]]:
    return [
        {"fund_id": fund_id}
        | dict(zip(_ACTIVITY_KEYS, key, strict=True))
        | dict(zip(ACTIVITY, v, strict=True))
        for key, v in sorted(changes.activity.items())
    ]


def _household_rows(fund_id: int, changes: Kept) -> list[dict[str, Any]]:
    return [
        {"fund_id": fund_id, "township_id": t, "day": day, "households": v[0]}
        for (t, day), v in sorted(changes.households.items())
    ]


def _difference(after: Kept, before: Kept) -> Kept:
    """after − before, row by row (the loans' own rows are not differences: left out)."""
    out = Kept()
    for name in (
        "totals",
        "days",
        "aging",
        "households",
        "liaisons",
        "dues",
        "due_days",
        "recovered",
        "activity",
        "corrected",
        "loan_counts",
        "household_counts",
    ):
        target = getattr(out, name)
        for key, values in getattr(after, name).items():
            _add(target, key, values)
        for key, values in getattr(before, name).items():
            _add(target, key, values, -1)
    return out


def _refreshed(
    fund_id: int,
    loans: dict[str, LoanRef],
    moves: tuple[dict[str, Moves], dict[str, Moves]],
    plans: tuple[dict[int, list[Plan]], dict[int, list[Plan]]],
    since: dict[int, date],
) -> tuple[Kept, Kept]:
    """(change, after): the change of `loans`' contributions from (before, after) inputs,
    and their contributions after, whose `positions` are the loans' rows.

    The inputs differ from each loan's day in `since` on: earlier days are not recomputed.
    """
    before = compute(loans.values(), moves[0], plans[0], since, positions=False)
    after = compute(loans.values(), moves[1], plans[1], since)
    return _difference(after, before), after


def _write(
    conn: Connection,
    fund_id: int,
    changes: Kept,
    loans: dict[str, LoanRef] | None = None,
    positions: Kept | None = None,
) -> None:
    """Add `changes`' rows to the kept tables (and set `positions`' rows of `loans`)."""
    rows = _row_sets(fund_id, loans or {}, positions or changes, changes)
    write_all(conn, rows)
    drop_emptied(conn, rows)


def drop_emptied(conn: Connection, written: KeptRows) -> None:
    """Delete the `aging_now` rows that the rows `written` may have brought to zero.

    Its figures are never negative, so only a row given no increase can come
    to zero; after a repayment there is usually one, after a disbursement none.
    """
    gone = [
        {k: row[k] for k in _NOW_KEYS}
        for write, rows in written
        if write is _AGING_NOW
        for row in rows
        if not any(row[c] > 0 for c in AGING)
    ]
    if gone:
        conn.execute(_AGING_GONE, gone)


@lru_cache(maxsize=1)
def _inputs_query() -> Any:
    """The loans ``:nos``, locked, with their kept position and schedules, in one statement."""
    p, v, i = LoanPosition, ScheduleVersion, Instalment
    return (
        select(
            Loan.id,
            Loan.registration_no,
            Loan.township_id,
            Loan.batch_id,
            _answering(),
            p.loan_id,
            *(p.__table__.c[c] for c in FIGURES),
            p.last_moved_on,
            p.recovered_before_year,
            v.version,
            v.effective_on,
            v.settled_before,
            i.seq,
            i.due_date,
            i.amount,
        )
        .select_from(Loan)
        .outerjoin(p, (p.fund_id == Loan.fund_id) & (p.loan_id == Loan.id))
        .outerjoin(v, v.loan_id == Loan.id)
        .outerjoin(i, (i.loan_id == v.loan_id) & (i.version == v.version))
        .where(
            Loan.fund_id == bindparam("fund_id"),
            Loan.registration_no.in_(bindparam("nos", expanding=True)),
        )
        .order_by(Loan.id, v.version, i.seq)
        .with_for_update(of=Loan)
    )


@dataclass(frozen=True)
class MovedLoans:
    """What a write needs of the loans it touches, besides their entries."""

    loans: dict[str, LoanRef]
    #: Per loan id with a kept row: its movements as far as the kept row tells them (`_told`).
    kept: dict[int, Moves]
    plans: dict[int, list[Plan]]
    #: The households of the loans lent to (or their lending reversed), locked (`_households`).
    households: dict[int, tuple[int, list[LoanRef]]] = field(default_factory=dict)


def _told(figures: tuple[Decimal, ...], last: date, recovered_before: Decimal) -> Moves:
    """A loan's movements as its kept row tells them: everything on its last day, but what
    was recovered before that day's year on the eve of it.

    Exact for every figure on every day from the start of the last day's year
    that is not before the last day, which is all a posting dated on or after
    it can change.
    """
    if not recovered_before:
        return {last: figures}
    eve = (ZERO, recovered_before, ZERO, ZERO)
    rest = (figures[0], figures[1] - recovered_before, *figures[2:])
    return {date(last.year - 1, 12, 31): eve, last: rest}


def _inputs(conn: Connection, fund_id: int, nos: Sequence[str]) -> MovedLoans:
    loans: dict[str, LoanRef] = {}
    kept: dict[int, Moves] = {}
    versions: dict[tuple[int, int], tuple[date, Decimal]] = {}
    dues: dict[tuple[int, int], list[Due]] = defaultdict(list)
    for row in conn.execute(_inputs_query(), {"fund_id": fund_id, "nos": list(nos)}):
        loan_id, no, township_id, batch_id, liaison_id, kept_id, *figures, last, recovered = row[
            :12
        ]
        loans[no] = LoanRef(loan_id, no, township_id, batch_id, liaison_id)
        if kept_id is not None:
            kept[loan_id] = _told(tuple(figures), last, recovered) if last else {}
        version, effective_on, settled_before, seq, due_date, amount = row[12:]
        if version is not None:
            versions[(loan_id, version)] = (effective_on, settled_before)
            if seq is not None:
                dues[(loan_id, version)].append(Due(seq, due_date, amount))
    plans: dict[int, list[Plan]] = defaultdict(list)
    for (loan_id, version), (effective_on, settled_before) in versions.items():
        plans[loan_id].append(
            Plan(version, effective_on, settled_before, tuple(dues[(loan_id, version)]))
        )
    return MovedLoans(loans, kept, plans)


def _draft_moves(drafts: Sequence[JournalDraft]) -> dict[str, Moves]:
    """What `drafts` (none a reversal) move on each loan, by day and figure."""
    moves: dict[str, dict[date, list[Decimal]]] = defaultdict(dict)
    for draft in drafts:
        for line in draft.lines:
            if line.account.code == LOANS:
                figure = (
                    "disbursed" if line.side == DEBIT else CREDIT_KINDS.get(draft.kind, "repaid")
                )
                values = moves[line.account.key].setdefault(draft.posted_on, [ZERO] * len(FIGURES))
                values[FIGURES.index(figure)] += line.amount
    return _nonzero(moves)


def _since(loans: dict[str, LoanRef], new: dict[str, Moves]) -> dict[int, date]:
    """Per loan, the first day `new` moves it (none: no day changes)."""
    return {loan.id: min(new.get(no) or [date.max]) for no, loan in loans.items()}


def lock_loans(conn: Connection, fund_id: int, drafts: Sequence[JournalDraft]) -> MovedLoans | None:
    """Lock the loans `drafts` move and read what keeping their figures needs; None if none.

    Called by `services.journals.post_many` before it locks the accounts: the
    services lock the loans, then the households lent to (here, whether the
    loans' kept rows go with the journals or after them), then the accounts.
    A schedule change holds the same loan lock, so a posting and a schedule
    change of one loan never compute from each other's uncommitted half.
    """
    lines = [ln for d in drafts for ln in d.lines if ln.account.code == LOANS]
    inputs = _inputs(conn, fund_id, sorted({ln.account.key for ln in lines})) if lines else None
    if inputs is None or not inputs.loans:
        return None
    lent = sorted({ln.account.key for ln in lines if ln.side == DEBIT} & inputs.loans.keys())
    return replace(inputs, households=_households(conn, fund_id, lent)) if lent else inputs


def posting_rows(
    conn: Connection, fund_id: int, drafts: Sequence[JournalDraft], inputs: MovedLoans
) -> KeptRows | None:
    """The kept rows of the loans `drafts` move, built before the journals go in, to go
    with them; None when they need the loans' entries read with the new journals, which
    `record_posting` then does after them.

    Called by `services.journals.post_many` only, with what `lock_loans` read.
    A posting dated on or after each loan's last movement, and not a reversal,
    changes no earlier day: the kept position is then the loan's figures on
    every day the change can reach, and its entries are not read. Lending to a
    household reads its loans' entries as they were before.
    """
    loans = inputs.loans
    if any(d.red or d.reverses for d in drafts):
        return None
    new = _draft_moves(drafts)
    since = _since(loans, new)
    before = {no: inputs.kept.get(loan.id, {}) for no, loan in loans.items()}
    if not new or any(moves and since[loans[no].id] < max(moves) for no, moves in before.items()):
        return None
    after = {no: _plus(before[no], new.get(no, {})) for no in loans}
    change, kept = _refreshed(fund_id, loans, (before, after), (inputs.plans, inputs.plans), since)
    lent = _lent(new)
    if lent:
        households = _households_of(inputs, lent)
        every = [ref.registration_no for _, refs in households.values() for ref in refs]
        was, _ = _moves(conn, fund_id, every)
        now = {no: _plus(was.get(no, {}), new.get(no, {})) for no in every}
        _households_changed(change, households, was, now)
    return _row_sets(fund_id, loans, kept, change)


def record_posting(
    conn: Connection,
    fund_id: int,
    drafts: Sequence[JournalDraft],
    journal_ids: Sequence[int],
    inputs: MovedLoans,
) -> None:
    """Keep the figures of the loans `drafts` (just inserted as `journal_ids`) moved, when
    `posting_rows` could not: from their entries, read with and without `journal_ids`.

    Called by `services.journals.post_many` only, after the entries are in.
    """
    loans = inputs.loans
    after, new = _moves(conn, fund_id, list(loans), journal_ids)
    before = {no: _plus(after.get(no, {}), new.get(no, {}), -1) for no in loans}
    since = _since(loans, new)
    change, kept = _refreshed(fund_id, loans, (before, after), (inputs.plans, inputs.plans), since)
    _write(conn, fund_id, change, loans, kept)
    lent = _lent(new)
    if lent:
        _refresh_households(conn, fund_id, _households_of(inputs, lent), journal_ids)


def _lent(new: dict[str, Moves]) -> list[str]:
    """The loans whose principal disbursed `new` moves (a disbursement or its reversal)."""
    return [no for no, moves in new.items() if any(v[0] for v in moves.values())]


def _households_of(inputs: MovedLoans, lent: list[str]) -> dict[int, tuple[int, list[LoanRef]]]:
    """The households (locked by `lock_loans`) of the loans `lent`."""
    mine = set(lent)
    return {
        household: (town, refs)
        for household, (town, refs) in inputs.households.items()
        if any(ref.registration_no in mine for ref in refs)
    }


def _refresh_households(
    conn: Connection,
    fund_id: int,
    households: dict[int, tuple[int, list[LoanRef]]],
    fresh: Sequence[int],
) -> None:
    """Keep what is kept per household of `households`, some of whose loans' principal
    disbursed the journals `fresh` (just inserted) moved.

    Every loan of those households is read from its entries, with and without
    `fresh`: an activity event's key is the household's event before it,
    which an earlier-dated disbursement changes for the events after it.
    """
    every = [ref.registration_no for _, refs in households.values() for ref in refs]
    after, new = _moves(conn, fund_id, every, fresh)
    before = {no: _plus(after.get(no, {}), new.get(no, {}), -1) for no in every}
    change = Kept()
    _households_changed(change, households, before, after)
    _write(conn, fund_id, change)


def _households_changed(
    change: Kept,
    households: dict[int, tuple[int, list[LoanRef]]],
    before: dict[str, Moves],
    after: dict[str, Moves],
) -> None:
    """Add to `change` what is kept per household of `households`, from their loans'
    movements `before` to `after`: the households served (`HouseholdDay`) and the
    disbursement activity (`ActivityDay`, `DisbursementCorrected`). Only a disbursement
    or its reversal changes them, so a repayment reads nothing for them."""
    for household_id, (township_id, refs) in households.items():
        for side, sign in ((after, 1), (before, -1)):
            loans = [(ref, side.get(ref.registration_no, {})) for ref in refs]
            _household_kept(change, township_id, (moves for _, moves in loans), sign)
            _disbursed_kept(change, household_id, loans, sign)


def record_loan_events(session: Session, fund_id: int, kind: str, event_ids: Sequence[int]) -> None:
    """Keep the activity after the loan events `event_ids` of `kind` (registered or
    approved), flushed, were added.

    Called by the services that register and approve loans, in their
    transaction. The households' events are read with and without the new
    ones, their rows locked as a disbursement locks them.
    """
    conn = session.connection()
    households = list(
        dict.fromkeys(
            conn.scalars(
                select(Household.id)
                .join(Loan, Loan.household_id == Household.id)
                .join(LoanEvent, LoanEvent.loan_id == Loan.id)
                .where(LoanEvent.id.in_(list(event_ids)))
                .order_by(Household.id)
                .with_for_update(of=Household, key_share=True)
            )
        )
    )
    added = set(event_ids)
    change = Kept()
    for rows in _event_rows(conn, fund_id, households, kind).values():
        _activity_kept(change, kind, _once_per_loan(rows))
        _activity_kept(change, kind, _once_per_loan(r for r in rows if r[0] not in added), -1)
    _write(conn, fund_id, change)


def record_schedules(session: Session, fund_id: int, versions: dict[int, int]) -> None:
    """Keep the figures right after schedule version `versions[loan id]` of each loan was
    added (flushes it first): an approval's first, an extension's or a recall's.

    Called by the services that add a schedule version, in their transaction,
    holding the loans' locks (which `_inputs` takes again) as a posting does.
    """
    session.flush()
    conn = session.connection()
    nos = list(conn.scalars(select(Loan.registration_no).where(Loan.id.in_(list(versions)))))
    inputs = _inputs(conn, fund_id, nos)
    every, _ = _moves(conn, fund_id, nos)
    plans = inputs.plans
    earlier = {
        loan_id: [plan for plan in plans[loan_id] if plan.version != version]
        for loan_id, version in versions.items()
    }
    effective = {
        loan_id: next(plan.effective_on for plan in plans[loan_id] if plan.version == version)
        for loan_id, version in versions.items()
    }
    change, kept = _refreshed(fund_id, inputs.loans, (every, every), (earlier, plans), effective)
    _write(conn, fund_id, change, inputs.loans, kept)


def record_counts(
    session: Session,
    fund_id: int,
    *,
    loans: Mapping[tuple[int, int, LoanStatus], int] | None = None,
    households: Mapping[int, int] | None = None,
) -> None:
    """Add to the kept counts: `loans` per (loan's township id, batch id, status), `households`
    per township id. A loan or household added counts 1; a loan moved from one status to
    another, -1 under the old and 1 under the new.

    Called, in their transaction, by the services that add a loan
    (`services.loans.register_loan`, the registration sheet import) or a
    household (`services.setup.add_household`, the import) and by
    `services.loans.record_event` when it moves a loan's status; nothing else
    adds or moves them. The rows only ever have differences added, in key
    order, so two writers of one township and batch wait at the upsert.
    """
    change = Kept()
    for (town, batch, status), n in (loans or {}).items():
        _add(change.loan_counts, (town, batch, LoanStatus(status).value), (n,))
    for town, n in (households or {}).items():
        _add(change.household_counts, (town,), (n,))
    _write(session.connection(), fund_id, change)


def record_liaison_change(session: Session, fund_id: int, loan_id: int, was: int) -> None:
    """Move a loan's figures now from liaison `was` to that of its new latest assignment
    (flushes it first).

    Called by `services.guarantees.change_liaison`, in its transaction, holding
    the loan's lock as a posting does. Only the liaisons' rows change: the
    township's and the days' are the same either side.
    """
    session.flush()
    conn = session.connection()
    no = conn.execute(select(Loan.registration_no).where(Loan.id == loan_id)).scalar_one()
    inputs = _inputs(conn, fund_id, [no])
    loan = inputs.loans[no]
    every, _ = _moves(conn, fund_id, [no])
    # From date.max on: no day is recomputed, only the loan's state now.
    since = {loan_id: date.max}
    before = compute([replace(loan, liaison_id=was)], every, inputs.plans, since, False)
    after = compute([loan], every, inputs.plans, since, False)
    _write(conn, fund_id, _difference(after, before))


# --- rebuild and check ------------------------------------------------------------------


def rebuild(session: Session, fund_id: int) -> Kept:
    """Replace every kept figure of the fund by the one computed from the entries (flushes).

    Takes the fund row's lock first, as a month close does, so postings (which
    share it) wait; run it while the book takes no writes all the same (after
    the upgrade to migration 0009, or after `check` found a difference).
    """
    conn = session.connection()
    conn.execute(select(Fund.id).where(Fund.id == fund_id).with_for_update())
    kept, loans = computed(session, fund_id)
    with_position = {no: loan for no, loan in loans.items() if loan.id in kept.positions}
    row_sets = _row_sets(fund_id, with_position, kept, kept)
    for write, _ in row_sets:
        conn.execute(delete(write.table).where(write.table.c.fund_id == fund_id))
    for write, rows in row_sets:
        if rows:
            conn.execute(insert(write.table), rows)
    kind_days.rebuild(conn, fund_id)
    return kept


def unfilled(session: Session) -> list[str]:
    """Codes of funds whose kept figures are missing: a fund that lent money and keeps no
    loan position, or registered households and keeps no count of them (books from before
    migration 0009, or a migration that emptied the kept tables for `rebuild` to refill)."""
    lent = (
        select(Account.id)
        .where(Account.fund_id == Fund.id, Account.code == LOANS, Account.debit_total > 0)
        .exists()
    )
    positioned = select(LoanPosition.loan_id).where(LoanPosition.fund_id == Fund.id).exists()
    registered = select(Household.id).where(Household.fund_id == Fund.id).exists()
    counted = select(HouseholdCount.fund_id).where(HouseholdCount.fund_id == Fund.id).exists()
    return list(
        session.scalars(
            select(Fund.code)
            .where(or_(and_(lent, ~positioned), and_(registered, ~counted)))
            .order_by(Fund.code)
        )
    )


@dataclass(frozen=True)
class Difference:
    """One kept figure that is not what the entries say."""

    fund: str
    #: What it is of: ``loan 2024-01-0001``, ``township 001 batch 2024`` ...
    subject: str
    figure: str
    kept: object
    computed: object

    def __str__(self) -> str:
        return (
            f"{self.fund} {self.subject} {self.figure}: kept {self.kept}, computed {self.computed}"
        )


def _stored(session: Session, fund_id: int) -> Kept:
    stored = Kept()
    conn = session.connection()
    p = LoanPosition
    for row in conn.execute(select(p).where(p.fund_id == fund_id)):
        stored.positions[row.loan_id] = Position(*(getattr(row, c) for c in POSITION))
    for model, target, keys, columns in (
        (PositionTotal, stored.totals, ("township_id", "batch_id"), TOTALS),
        (PositionDay, stored.days, ("township_id", "batch_id", "day"), TOTALS),
        (
            AgingDay,
            stored.aging,
            ("township_id", "batch_id", "oldest_due", "due_date", "day"),
            AGING,
        ),
        (AgingNow, stored.aging_now, _NOW_KEYS[1:], AGING),
        (HouseholdDay, stored.households, ("township_id", "day"), ("households",)),
        (LiaisonTotal, stored.liaisons, ("liaison_id",), LIAISON),
        (LiaisonDue, stored.dues, ("liaison_id", "due_date"), ("unpaid",)),
        (DueDay, stored.due_days, ("township_id", "batch_id", "due_date", "day"), DUES),
        (
            RecoveredOfDueYear,
            stored.recovered,
            ("township_id", "batch_id", "year"),
            ("recovered",),
        ),
        (ActivityDay, stored.activity, _ACTIVITY_KEYS, ACTIVITY),
        (DisbursementCorrected, stored.corrected, _CORRECTED_KEYS, ("amount",)),
        (LoanCount, stored.loan_counts, _LOAN_COUNT_KEYS, ("loans",)),
        (HouseholdCount, stored.household_counts, ("township_id",), ("households",)),
    ):
        for row in conn.execute(select(model).where(model.fund_id == fund_id)):
            _add(
                target,
                tuple(_plain(getattr(row, k)) for k in keys),
                tuple(getattr(row, c) for c in columns),
            )
    return stored


def _plain(key: Any) -> Any:
    """A key column's value as `Kept` holds it: a status by its value."""
    return key.value if isinstance(key, LoanStatus) else key


def check(session: Session, fund_id: int) -> list[Difference]:
    """Every kept figure of the fund that differs from the one computed from the entries."""
    conn = session.connection()
    code = conn.execute(select(Fund.code).where(Fund.id == fund_id)).scalar_one()
    towns = dict(
        conn.execute(select(Township.id, Township.code).where(Township.fund_id == fund_id)).all()
    )
    batches = dict(conn.execute(select(Batch.id, Batch.code).where(Batch.fund_id == fund_id)).all())
    computed_kept, loans = computed(session, fund_id)
    numbers = {loan.id: no for no, loan in loans.items()}
    stored = _stored(session, fund_id)
    out: list[Difference] = []

    def compare(subject: str, columns: Sequence[str], kept: Numbers, want: Numbers) -> None:
        out.extend(
            Difference(code, subject, column, a, b)
            for column, a, b in zip(columns, kept, want, strict=True)
            if a != b
        )

    for loan_id in sorted(stored.positions.keys() | computed_kept.positions.keys()):
        compare(
            f"loan {numbers.get(loan_id, loan_id)}",
            POSITION,
            tuple(stored.positions.get(loan_id, NO_POSITION).__dict__.values()),
            tuple(computed_kept.positions.get(loan_id, NO_POSITION).__dict__.values()),
        )
    for name, columns, label in (
        ("totals", TOTALS, lambda k: f"township {towns[k[0]]} batch {batches[k[1]]}"),
        ("days", TOTALS, lambda k: f"township {towns[k[0]]} batch {batches[k[1]]} day {k[2]}"),
        (
            "aging",
            AGING,
            lambda k: (
                f"township {towns[k[0]]} batch {batches[k[1]]}"
                f" oldest due {k[2]} due {k[3]} day {k[4]}"
            ),
        ),
        (
            "aging_now",
            AGING,
            lambda k: (
                f"township {towns[k[0]]} batch {batches[k[1]]} oldest due {k[2]} due {k[3]} now"
            ),
        ),
        ("households", ("households",), lambda k: f"township {towns[k[0]]} day {k[1]}"),
        ("liaisons", LIAISON, lambda k: f"liaison {k[0]}"),
        ("dues", ("unpaid",), lambda k: f"liaison {k[0]} due {k[1]}"),
        (
            "due_days",
            DUES,
            lambda k: f"township {towns[k[0]]} batch {batches[k[1]]} due {k[2]} day {k[3]}",
        ),
        (
            "recovered",
            ("recovered_of_due",),
            lambda k: f"township {towns[k[0]]} batch {batches[k[1]]} year {k[2]}",
        ),
        (
            "activity",
            ACTIVITY,
            lambda k: (
                f"{k[0]} township {towns[k[1]]} batch {batches[k[2]]} day {k[3]}"
                f" after {k[4]} in the township, {k[5]} in the batch"
            ),
        ),
        (
            "corrected",
            ("amount",),
            lambda k: (
                f"township {towns[k[0]]} batch {batches[k[1]]} household {k[2]}"
                f" loan {numbers.get(k[3], k[3])} day {k[4]} (a disbursement reversed)"
            ),
        ),
        (
            "loan_counts",
            ("loans",),
            lambda k: f"township {towns[k[0]]} batch {batches[k[1]]} status {k[2]} count",
        ),
        ("household_counts", ("households",), lambda k: f"township {towns[k[0]]} count"),
    ):
        mine, want = getattr(stored, name), getattr(computed_kept, name)
        zeros = (0,) * len(columns)
        for key in sorted(mine.keys() | want.keys()):
            compare(label(key), columns, mine.get(key, zeros), want.get(key, zeros))
    out.extend(Difference(code, *d) for d in kind_days.differences(conn, fund_id))
    return out
