"""The progress report (进展情况汇报): the programme over a period, as the county sends it up.

Any period will do: a quarter for the quarterly meeting (季度调度会), a
year for the annual report. Every figure is as the book and the records
stood at the end of `end`; "in the period" means dated from `start` to
`end`, both days included. A period is read from the fund's first
business day at the earliest (`_first_day`).

Each section reuses the read that already gives its figure:

- households and money by township and batch in the period: the plan
  read's registered / approved / disbursed facts (`read.plans`), over the
  period instead of a year;
- plan against actual: `read.plans.plan_against_actual` for each year the
  period touches, as of `end` (so a quarter shows its year's progress);
- repayment and recovery: the kept figures per township (`read.positions`)
  at `end` less those at the end of the day before `start`, and to date the
  fund summary's groups (`read.fund.fund_summary`);
- visits: `read.visits`' rule (every loan owing money needs its liaison's
  visit each month), month by month, the last month counted to `end`;
- inspections and their open findings (`read.inspections.open_findings`);
- outcomes: `read.outcomes` at the last year end on or before `end`,
  counting the incomes dated and approved by `end`.

Townships are ranked by their recovery rate to date (回收率 = recovered ÷
(recovered + principal past due and unpaid)): the fund revolves, so what a
township brings back is what the county can lend again, and it is the
figure a county leader asks a township about first. Ties (often: early
in a programme nothing is overdue and every rate is 100%) go by money
recovered to date, the larger first; townships with nothing due yet
come last.

A township officer reads their own township's report: every section is
confined to it, as each underlying read confines it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, func, or_, select
from sqlalchemy.orm import Session

from ledger import dates
from ledger.actors import Actor, township_filter
from ledger.errors import DateInFuture, InvalidField
from ledger.models import (
    ActivityDay,
    Batch,
    Disaster,
    Finding,
    Fund,
    Inspection,
    InspectionLoan,
    Loan,
    LossReport,
    Plan,
    PlanRevision,
    ProposalStatus,
    Township,
    WriteOff,
)
from ledger.read import positions as kept_reads
from ledger.read.access import FundHeader
from ledger.read.access import fund as visible_fund
from ledger.read.books import fen_sum
from ledger.read.figures import LoanFigures
from ledger.read.fund import GroupFigures, fund_summary
from ledger.read.inspections import OpenFinding, open_findings
from ledger.read.outcomes import IncomeGrowth, OutcomesByTownship, income_growth, out_of_poverty
from ledger.read.plans import (
    ACTUALS,
    Actuals,
    PlanAgainstActual,
    Tally,
    actuals,
    plan_against_actual,
)
from ledger.read.rates import recovery_rate
from ledger.read.visits import tally_by_township
from ledger.services import lookup

ZERO = Decimal("0.00")
#: The money figures of a loan the kept totals sum (`LoanFigures`' fields).
MONEY = tuple(f.name for f in fields(LoanFigures))


# --- the period's loans, by township and batch --------------------------------


@dataclass(frozen=True)
class Activity:
    """Loans of a township or batch registered, approved and disbursed in the period.

    Households are counted once per row however many loans they hold in it.
    """

    key: str
    name: str
    registered: Tally
    approved: Tally
    disbursed: Tally


def _activity(
    done: Actuals, towns: dict[str, str], batches: dict[str, str]
) -> tuple[tuple[Activity, ...], tuple[Activity, ...], Activity]:
    """Rows by township and by batch (code, name), and the total."""

    def rows(groups: dict[str, dict[str, Tally]], names: dict[str, str]) -> tuple[Activity, ...]:
        keys = sorted({key for kind in ACTUALS for key in groups[kind]})
        return tuple(
            Activity(
                key, names.get(key, key), *(groups[kind].get(key, Tally()) for kind in ACTUALS)
            )
            for key in keys
        )

    total = Activity("", "合计", *(done.total.get(kind, Tally()) for kind in ACTUALS))
    return rows(done.townships, towns), rows(done.batches, batches), total


# --- repayment and recovery ---------------------------------------------------


@dataclass(frozen=True)
class Recovery:
    """A township's money: what moved in the period, and where it stands at `end`."""

    township: str
    name: str
    #: In the period, from the loans' 1101 sub-accounts (red ink nets out).
    disbursed: Decimal
    #: Repaid by households in the period.
    repaid: Decimal
    #: Called from liaisons' guarantees in the period (they owe it now).
    called: Decimal
    written_off: Decimal
    #: To date, as of `end`: loans, disbursed, recovered, written off, outstanding, overdue.
    to_date: GroupFigures

    @property
    def recovered(self) -> Decimal:
        """回收 in the period: repaid + called."""
        return self.repaid + self.called

    @property
    def recovery_rate(self) -> Decimal | None:
        """回收率 to date (%): recovered ÷ (recovered + past due and unpaid)."""
        return recovery_rate(self.to_date.recovered, self.to_date.overdue_amount)


def _no_loans(code: str, name: str) -> GroupFigures:
    return GroupFigures(code, name, 0, ZERO, ZERO, ZERO, ZERO, ZERO, 0)


def _kept_by_township(
    session: Session, fund_id: int, actor: Actor, as_of: date
) -> dict[int, LoanFigures]:
    """township id -> its loans' money figures at the end of `as_of`, from the kept totals."""
    own = lookup.own_township_id(session, fund_id, actor)
    return {
        town: LoanFigures(**{name: getattr(kept, name) for name in MONEY})
        for town, kept in kept_reads.township_totals(
            session, fund_id, as_of=as_of, township_id=own
        ).items()
    }


def _recovery(
    session: Session, fund_id: int, actor: Actor, start: date, end: date
) -> tuple[tuple[Recovery, ...], Recovery]:
    """Each township with lending (ranked, see the module) and the total."""
    now = _kept_by_township(session, fund_id, actor, end)
    before = _kept_by_township(session, fund_id, actor, start - timedelta(days=1))
    summary = fund_summary(session, fund_id, actor, as_of=end)
    groups = {g.key: g for g in summary.by_township}
    towns = session.execute(
        select(Township.id, Township.code, Township.name).where(Township.fund_id == fund_id)
    )
    rows = []
    for town_id, code, name in sorted(towns, key=lambda t: t.code):
        if town_id not in now:
            continue
        was, end_figures = before.get(town_id, LoanFigures()), now[town_id]
        moved = LoanFigures(**{f: getattr(end_figures, f) - getattr(was, f) for f in MONEY})
        if not groups.get(code) and moved == LoanFigures():
            continue
        rows.append(
            Recovery(
                code,
                name,
                moved.disbursed,
                moved.repaid,
                moved.guarantee_called,
                moved.written_off,
                groups.get(code) or _no_loans(code, name),
            )
        )
    rows.sort(key=_rank)

    def total(field: Callable[[Recovery], Decimal]) -> Decimal:
        return sum((field(r) for r in rows), ZERO)

    all_loans = GroupFigures(
        "",
        "合计",
        summary.loans,
        summary.disbursed_to_date,
        summary.recovered,
        summary.written_off,
        summary.outstanding,
        summary.overdue_amount,
        summary.overdue_loans,
    )
    return tuple(rows), Recovery(
        "",
        "合计",
        total(lambda r: r.disbursed),
        total(lambda r: r.repaid),
        total(lambda r: r.called),
        total(lambda r: r.written_off),
        all_loans,
    )


def _rank(row: Recovery) -> tuple[bool, Decimal, Decimal, str]:
    """Recovery rate first (none yet: last), then recovered to date, the larger first."""
    rate = row.recovery_rate
    return (rate is None, -(rate or ZERO), -row.to_date.recovered, row.township)


# --- disasters ----------------------------------------------------------------


@dataclass(frozen=True)
class DisasterLine:
    """A disaster of the period: who was hit, what was lost, what was written off by `end`."""

    code: str
    name: str
    #: None on the total.
    occurred_on: date | None
    #: Households with a loss assessed on one of their loans (受灾户), each once.
    households: int
    #: Projects damaged (项目受毁): one per loss report, so a project struck by two
    #: disasters counts twice in the total, as the county's report counts them.
    projects: int
    assessed_loss: Decimal
    #: Write-offs of this disaster approved on or before `end`.
    written_off: Decimal


@dataclass(frozen=True)
class Disasters:
    """The period's disasters, and their total (code "", name 合计, no date).

    A household struck twice counts once in the total (it may be less than the
    lines add up to); projects damaged and the amounts always add up.
    """

    lines: tuple[DisasterLine, ...]
    total: DisasterLine


def _disasters(session: Session, fund_id: int, actor: Actor, start: date, end: date) -> Disasters:
    """The disasters that struck in the period, with the losses assessed by `end`."""
    town = township_filter(actor, None)

    def mine(query: Any, loan_id: Any) -> Any:
        """`query` joined to its loans of the fund (the officer's township's): a join, not
        ``loan_id IN (the fund's loans)``, which SQLite built from every loan."""
        query = query.join(Loan, Loan.id == loan_id).where(Loan.fund_id == fund_id)
        if town is not None:
            query = query.join(Township, Township.id == Loan.township_id).where(
                Township.code == town
            )
        return query

    events = session.scalars(
        select(Disaster)
        .where(Disaster.fund_id == fund_id, Disaster.occurred_on.between(start, end))
        .order_by(Disaster.occurred_on, Disaster.code)
    ).all()
    ids = [event.id for event in events]
    if not ids:  # no disaster struck in the period: no loss or write-off to read
        return Disasters((), DisasterLine("", "合计", None, 0, 0, ZERO, ZERO))
    reports = session.execute(
        mine(
            select(LossReport.disaster_id, Loan.id, Loan.household_id, LossReport.assessed_loss),
            LossReport.loan_id,
        ).where(
            LossReport.disaster_id.in_(ids),
            or_(LossReport.assessed_on.is_(None), LossReport.assessed_on <= end),
        )
    ).all()
    written = dict(
        session.execute(
            mine(select(WriteOff.disaster_id, fen_sum(WriteOff.amount)), WriteOff.loan_id)
            .where(
                WriteOff.disaster_id.in_(ids),
                WriteOff.status == ProposalStatus.APPROVED,
                WriteOff.decided_on <= end,
            )
            .group_by(WriteOff.disaster_id)
        ).all()
    )

    def line(
        code: str, name: str, on: date | None, rows: list[Row[Any]], off: Decimal
    ) -> DisasterLine:
        return DisasterLine(
            code,
            name,
            on,
            len({household for _, _, household, _ in rows}),
            len(rows),
            sum((loss for *_, loss in rows), ZERO),
            off,
        )

    struck = {d for d, *_ in reports}
    lines = tuple(
        line(
            event.code,
            event.name,
            event.occurred_on,
            [r for r in reports if r[0] == event.id],
            written.get(event.id, ZERO),
        )
        for event in events
        if town is None or event.id in struck  # an officer sees the disasters that hit them
    )
    return Disasters(lines, line("", "合计", None, list(reports), sum(written.values(), ZERO)))


# --- visits -------------------------------------------------------------------


@dataclass(frozen=True)
class VisitTally:
    """A township's visits against the monthly rule, summed over the period's months."""

    township: str
    name: str
    #: Loan-months due a visit: each loan counted once in each month it was owing.
    due: int
    done: int

    @property
    def missing(self) -> int:
        return self.due - self.done


def _months(start: date, end: date) -> Iterable[tuple[date, date]]:
    """Each month the period touches, clipped to the period."""
    first = start
    while first <= end:
        following = (first.replace(day=1) + timedelta(days=32)).replace(day=1)
        yield first, min(following - timedelta(days=1), end)
        first = following


def _visits(
    session: Session, fund_id: int, actor: Actor, start: date, end: date
) -> tuple[tuple[VisitTally, ...], VisitTally]:
    town = township_filter(actor, None)
    towns = select(Township.id, Township.code, Township.name).where(Township.fund_id == fund_id)
    if town is not None:
        towns = towns.where(Township.code == town)
    names = {town_id: (code, name) for town_id, code, name in session.execute(towns)}
    own = next(iter(names)) if town is not None and names else None
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for first, last in _months(start, end):
        for town_id, (due, done) in tally_by_township(session, fund_id, first, last, own).items():
            counts[town_id][0] += due
            counts[town_id][1] += done
    rows = tuple(
        sorted(
            (VisitTally(*names[t], *counts[t]) for t in counts if any(counts[t])),
            key=lambda r: r.township,
        )
    )
    return rows, VisitTally("", "合计", sum(r.due for r in rows), sum(r.done for r in rows))


# --- inspections --------------------------------------------------------------


@dataclass(frozen=True)
class Inspections:
    """The county office's inspections in the period, and the findings open at `end`."""

    held: int
    #: Households' loans visited on them.
    loans_visited: int
    #: Findings made on the period's inspections.
    findings: int
    #: Open (未销号) on `end`, oldest first, whenever found.
    open: tuple[OpenFinding, ...]

    @property
    def overdue(self) -> int:
        """Open findings past their date to correct by."""
        return sum(f.overdue for f in self.open)


def _inspections(
    session: Session, fund_id: int, actor: Actor, fund_code: str, start: date, end: date
) -> Inspections:
    held = select(Inspection.id).where(
        Inspection.fund_id == fund_id, Inspection.inspected_on.between(start, end)
    )
    town = township_filter(actor, None)
    if town is not None:
        held = held.join(Township, Township.id == Inspection.township_id).where(
            Township.code == town
        )
    ids = list(session.scalars(held))

    def count(model: type[InspectionLoan] | type[Finding]) -> int:
        return session.scalar(
            select(func.count()).select_from(model).where(model.inspection_id.in_(ids))
        )

    return Inspections(
        len(ids),
        count(InspectionLoan),
        count(Finding),
        open_findings(session, actor, fund_code, as_of=end),
    )


# --- the report ---------------------------------------------------------------


@dataclass(frozen=True)
class ProgressReport:
    """Everything the progress report says, as of the end of `end`."""

    fund_code: str
    fund_name: str
    start: date
    end: date
    #: Registered, approved and disbursed in the period, by township and by batch.
    by_township: tuple[Activity, ...]
    by_batch: tuple[Activity, ...]
    activity: Activity
    #: Plan against actual of each year the period touches, as of `end`.
    plans: tuple[PlanAgainstActual, ...]
    #: Townships ranked by recovery rate to date (see the module), and the total.
    townships: tuple[Recovery, ...]
    recovery: Recovery
    disasters: Disasters
    #: Visits due, done and missing in the period, by township, and the total.
    visits: tuple[VisitTally, ...]
    visits_total: VisitTally
    inspections: Inspections
    #: The last year end on or before `end` whose outcomes are reported.
    outcome_year: int
    outcomes: OutcomesByTownship
    growth: IncomeGrowth


def check_period(start: date, end: date) -> None:
    """A period runs forwards and has ended by today."""
    if end < start:
        raise InvalidField(
            f"截止日期 end {end} 早于起始日期 {start}",
            f"end {end} is before start {start}",
            field="end",
        )
    today = dates.today()
    if end > today:
        raise DateInFuture(
            f"截止日期 end {end} 晚于今天 {today}",
            f"end {end} is after today {today}",
            field="end",
        )


def _first_day(session: Session, fund: FundHeader) -> date:
    """The fund's first business day: its opening, first loan event or plan (today if none).

    Nothing of the programme happened before it, so a period that starts
    earlier (a year's report of a fund opened in March) is read from it,
    and one that ends earlier has nothing to report.
    """
    days = [
        session.scalar(select(Fund.opened_on).where(Fund.id == fund.id)),
        # A loan's first event is its registration (or, in a book loaded without its
        # history, its disbursement): the first day kept in the period's activity.
        session.scalar(select(func.min(ActivityDay.day)).where(ActivityDay.fund_id == fund.id)),
        session.scalar(
            select(func.min(PlanRevision.recorded_on))
            .join(Plan, Plan.id == PlanRevision.plan_id)
            .where(Plan.fund_id == fund.id)
        ),
    ]
    return min((day for day in days if day is not None), default=dates.today())


def progress_report(
    session: Session, actor: Actor, fund_code: str, *, start: date, end: date
) -> ProgressReport:
    """The progress report of the period from `start` to `end` (both included)."""
    check_period(start, end)
    fund = visible_fund(session, actor, fund_code)
    opened = _first_day(session, fund)
    if end < opened:
        raise InvalidField(
            f"截止日期 end {end} 早于本基金的第一个业务日 {opened},无可汇报",
            f"end {end} is before the fund's first business day {opened}: nothing to report",
            field="end",
        )
    first = max(start, opened)
    done, names = actuals(session, actor, fund.id, first, end)
    batches = dict(
        session.execute(select(Batch.code, Batch.name).where(Batch.fund_id == fund.id)).all()
    )
    by_township, by_batch, activity = _activity(done, names, batches)
    townships, recovery = _recovery(session, fund.id, actor, first, end)
    visits, visits_total = _visits(session, fund.id, actor, first, end)
    year = end.year if end == date(end.year, 12, 31) else end.year - 1
    return ProgressReport(
        fund.code,
        fund.name,
        start,
        end,
        by_township,
        by_batch,
        activity,
        tuple(
            plan_against_actual(session, actor, fund_code, y, as_of=end)
            for y in range(first.year, end.year + 1)
        ),
        townships,
        recovery,
        _disasters(session, fund.id, actor, first, end),
        visits,
        visits_total,
        _inspections(session, fund.id, actor, fund_code, first, end),
        year,
        out_of_poverty(session, actor, fund_code, year, as_of=end),
        income_growth(session, actor, fund_code, year, as_of=end),
    )
