"""Plans read: a plan as it stands, and plan against actual (计划完成情况).

Plan against actual compares, for one year and as of a date, each
township's planned households and amount (by batch) with what the loans
and the book say happened in that year:

- *registered* (登记): loans registered in the year, at the amount asked;
- *approved* (审定): loans approved in the year, at the approved amount;
- *disbursed* (发放): money paid out in the year, from the loans' 1101
  sub-accounts (a red-ink reversal takes its disbursement back out); a
  household counts when principal went out on one of its loans in the
  year (a reversal's day takes money back, not a household).

Households are counted once per row however many loans they hold in it,
so a township's row may count fewer households than its batches' rows
add up to; amounts always add up. Both are read from the kept days
(`ActivityDay`), so a year costs its days, not its loans. The plan compared is the version in
force on the as-of date, so a past report shows the plan it was judged
against. A township officer sees only their own township.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger import dates
from ledger.actors import Actor
from ledger.errors import RecordNotFound
from ledger.models import (
    Batch,
    Plan,
    PlanLine,
    PlanRevision,
    Township,
)
from ledger.read import positions as kept_reads
from ledger.read.access import fund as visible_fund
from ledger.read.rates import percent
from ledger.services.plans import latest_revision, plan_by_year

ZERO = Decimal("0.00")
#: What actually happened, in the order the rows show it.
ACTUALS = ("registered", "approved", "disbursed")


@dataclass(frozen=True)
class Tally:
    """A number of households and an amount."""

    households: int = 0
    amount: Decimal = ZERO

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.households + other.households, self.amount + other.amount)


@dataclass(frozen=True)
class RevisionView:
    """One version of a plan: when, by whom and why it was recorded."""

    version: int
    recorded_on: date
    recorded_by: str
    reason: str


@dataclass(frozen=True)
class PlanLineView:
    """One year's plan for a township and batch."""

    year: int
    township: str
    township_name: str
    batch: str
    planned: Tally


@dataclass(frozen=True)
class PlanView:
    """A plan at one version, with the history of all its versions."""

    first_year: int
    last_year: int
    name: str
    #: The version shown: the one in force on the as-of date.
    version: RevisionView
    lines: tuple[PlanLineView, ...]
    versions: tuple[RevisionView, ...]


def _revision_view(revision: PlanRevision) -> RevisionView:
    return RevisionView(
        revision.version, revision.recorded_on, revision.recorded_by, revision.reason
    )


def _lines(session: Session, actor: Actor, revision_id: int) -> list[PlanLineView]:
    query = (
        select(PlanLine, Township.code, Township.name, Batch.code)
        .join(Township, Township.id == PlanLine.township_id)
        .join(Batch, Batch.id == PlanLine.batch_id)
        .where(PlanLine.revision_id == revision_id)
        .order_by(PlanLine.year, Township.code, Batch.code)
    )
    if actor.is_township:
        query = query.where(Township.code == actor.township_code)
    return [
        PlanLineView(line.year, town, town_name, batch, Tally(line.households, line.amount))
        for line, town, town_name, batch in session.execute(query)
    ]


def plan(
    session: Session,
    actor: Actor,
    fund_code: str,
    first_year: int,
    *,
    as_of: date | None = None,
) -> PlanView:
    """The plan starting in `first_year` as in force on `as_of` (today by default)."""
    fund = visible_fund(session, actor, fund_code)
    found = plan_by_year(session, fund.id, first_year)
    day = as_of or dates.today()
    shown = latest_revision(session, found.id, day)
    if shown is None:
        raise RecordNotFound(
            f"{day} 时 {first_year} 年开始的规划尚未制定",
            f"the plan starting in {first_year} was not yet made on {day}",
            field="as_of",
        )
    versions = session.scalars(
        select(PlanRevision).where(PlanRevision.plan_id == found.id).order_by(PlanRevision.version)
    )
    return PlanView(
        found.first_year,
        found.last_year,
        found.name,
        _revision_view(shown),
        tuple(_lines(session, actor, shown.id)),
        tuple(_revision_view(r) for r in versions),
    )


def plan_at(session: Session, actor: Actor, fund_code: str, revision: PlanRevision) -> PlanView:
    """The plan at the version just written (read in the write's own transaction)."""
    first_year = session.get_one(Plan, revision.plan_id).first_year
    return plan(session, actor, fund_code, first_year, as_of=revision.recorded_on)


def plans(
    session: Session, actor: Actor, fund_code: str, *, as_of: date | None = None
) -> list[PlanView]:
    """The fund's plans as in force on `as_of` (today), by first year; unmade ones left out."""
    fund = visible_fund(session, actor, fund_code)
    day = as_of or dates.today()
    first_years = session.scalars(
        select(Plan.first_year)
        .where(
            Plan.fund_id == fund.id,
            Plan.id.in_(select(PlanRevision.plan_id).where(PlanRevision.recorded_on <= day)),
        )
        .order_by(Plan.first_year)
    )
    return [plan(session, actor, fund_code, year, as_of=day) for year in first_years]


# --- plan against actual ------------------------------------------------------


@dataclass(frozen=True)
class PlanActualRow:
    """Plan and actual of one township (and batch, unless this is the township's total)."""

    township: str
    township_name: str
    #: None on a township's total row and on the grand total.
    batch: str | None
    planned: Tally
    registered: Tally
    approved: Tally
    disbursed: Tally
    #: The batch's name (第一批(2007)), None where `batch` is None.
    batch_name: str | None = None

    @property
    def disbursed_share(self) -> Decimal | None:
        """Disbursed as a percentage of the planned amount (None with no plan)."""
        return percent(self.disbursed.amount, self.planned.amount)


@dataclass(frozen=True)
class PlanAgainstActual:
    year: int
    as_of: date
    #: The plan compared (its first year and version), None when no plan covers the year.
    plan_first_year: int | None
    plan_version: int | None
    #: One row per township and batch that was planned or had any activity.
    rows: tuple[PlanActualRow, ...]
    #: One row per township, batch None.
    townships: tuple[PlanActualRow, ...]
    total: PlanActualRow


@dataclass(frozen=True)
class Actuals:
    """What happened in a period, per kind (`ACTUALS`): by township and batch (codes), by
    township, by batch, and in all; each row counts its households once."""

    cells: dict[str, dict[tuple[str, str], Tally]]
    townships: dict[str, dict[str, Tally]]
    batches: dict[str, dict[str, Tally]]
    total: dict[str, Tally]


def actuals(
    session: Session, actor: Actor, fund_id: int, first: date, last: date
) -> tuple[Actuals, dict[str, str]]:
    """What the loans and the book say happened between `first` and `last`, and the names
    of the townships the actor sees, from the kept days (`read.positions.activity`)."""
    towns = select(Township.id, Township.code, Township.name).where(Township.fund_id == fund_id)
    if actor.is_township:
        towns = towns.where(Township.code == actor.township_code)
    listed = session.execute(towns).all()
    seen = {town_id: code for town_id, code, _ in listed}
    names = {code: name for _, code, name in listed}
    out = Actuals(
        {kind: defaultdict(Tally) for kind in ACTUALS},
        {kind: defaultdict(Tally) for kind in ACTUALS},
        {kind: defaultdict(Tally) for kind in ACTUALS},
        defaultdict(Tally),
    )
    if last < first or not seen:  # the year had not begun on the as-of date
        return out, names
    batches = dict(
        session.execute(select(Batch.id, Batch.code).where(Batch.fund_id == fund_id)).all()
    )
    own = next(iter(seen)) if actor.is_township else None
    for cell in kept_reads.activity(session, fund_id, first, last, township_id=own):
        town, batch = seen[cell.township_id], batches[cell.batch_id]
        whole, new = Tally(cell.households, cell.amount), Tally(cell.new_in_township, cell.amount)
        out.cells[cell.kind][(town, batch)] += whole
        out.townships[cell.kind][town] += new
        out.batches[cell.kind][batch] += whole
        out.total[cell.kind] += new
    return out, names


def plan_against_actual(
    session: Session,
    actor: Actor,
    fund_code: str,
    year: int,
    *,
    as_of: date | None = None,
) -> PlanAgainstActual:
    """Each township's plan for `year` against what happened in it, as of `as_of` (today)."""
    fund = visible_fund(session, actor, fund_code)
    as_of = as_of or dates.today()
    covering = session.scalar(
        select(Plan).where(Plan.fund_id == fund.id, Plan.first_year <= year, Plan.last_year >= year)
    )
    revision = latest_revision(session, covering.id, as_of) if covering else None
    planned: dict[tuple[str, str], Tally] = {}
    done, names = actuals(session, actor, fund.id, date(year, 1, 1), min(as_of, date(year, 12, 31)))
    if revision is not None:
        for line in _lines(session, actor, revision.id):
            if line.year == year:
                planned[(line.township, line.batch)] = line.planned
                names[line.township] = line.township_name
    batches = dict(
        session.execute(select(Batch.code, Batch.name).where(Batch.fund_id == fund.id)).all()
    )

    def row(town: str | None, batch: str | None) -> PlanActualRow:
        def mine(key: tuple[str, str]) -> bool:
            return (town is None or key[0] == town) and (batch is None or key[1] == batch)

        def actual(kind: str) -> Tally:
            if town is None:
                return done.total[kind]
            if batch is None:
                return done.townships[kind].get(town, Tally())
            return done.cells[kind].get((town, batch), Tally())

        plans = [t for key, t in planned.items() if mine(key)]
        return PlanActualRow(
            town or "",
            names[town] if town else "合计",
            batch,
            Tally(sum(t.households for t in plans), sum((t.amount for t in plans), ZERO)),
            *(actual(kind) for kind in ACTUALS),
            batches[batch] if batch else None,
        )

    keys = sorted(set(planned) | {key for kind in ACTUALS for key in done.cells[kind]})
    return PlanAgainstActual(
        year,
        as_of,
        covering.first_year if revision and covering else None,
        revision.version if revision else None,
        tuple(row(town, batch) for town, batch in keys),
        tuple(row(town, None) for town in sorted({town for town, _ in keys})),
        row(None, None),
    )
