"""The programme's read side: loans, townships, liaisons and the fund, as of any date.

Everything here is computed from the ledger (sub-ledger turnover by event
kind) and the loans' schedules, returned as frozen dataclasses that the API,
the spreadsheets and the PDFs print unchanged. A township officer only ever
gets their own township's rows.

Definitions used throughout:

- *settled* principal of a loan = repaid by the household + called from the
  liaison's guarantee + written off; *outstanding* = disbursed − settled.
- *recovered* (回收) = repaid + called: what came back, or is owed by the
  liaison instead of the household.
- *turnover* (周转次数) = cumulative disbursed ÷ fund capital.
- *re-lending capacity* = special-account cash + cash held by townships.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ledger import chart, dates
from ledger.actors import Actor
from ledger.loanbook import (
    InstalmentSettlement,
    LoanFigures,
    Schedule,
    figures,
    schedules,
    settle_by_kind,
    settlements,
)
from ledger.models import (
    Batch,
    GuaranteeCall,
    Household,
    Liaison,
    LiaisonAssignment,
    Loan,
    LoanEvent,
    LoanStatus,
    ProjectType,
    SalaryDeduction,
    Township,
)
from ledger.queries import fen_sum, subaccount_balances, turnover_by_kind
from ledger.schedule import AGING_BUCKETS, aging_bucket, settle
from ledger.services import lookup
from ledger.services.proposals import pending_write_offs
from ledger.threelines import three_line_problems

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


def ratio(numerator: Decimal, denominator: Decimal, places: str = "0.01") -> Decimal | None:
    """numerator ÷ denominator rounded half-up, or None when the denominator is zero."""
    if denominator == 0:
        return None
    return (numerator / denominator).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def percent(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """A percentage with two decimals (本年回收率 etc.)."""
    return ratio(numerator * HUNDRED, denominator)


# --- the loans in view ----------------------------------------------------


#: Up to this many loans, `loan_rows` sums the entries of just those loans.
NARROW_LIST = 500


@dataclass(frozen=True)
class LoanRow:
    """One loan with its figures on the as-of date: the unit every report sums."""

    loan_id: int
    registration_no: str
    status: str
    household: str
    id_number: str
    village: str
    township: str
    township_name: str
    batch: str
    project_type: str
    project: str
    approved: Decimal
    figures: LoanFigures
    pending_write_off: Decimal
    overdue_days: int
    overdue_amount: Decimal
    liaison_id: int | None
    extended: bool

    @property
    def outstanding(self) -> Decimal:
        return self.figures.outstanding

    @property
    def bucket(self) -> str | None:
        return aging_bucket(self.overdue_days)


def loan_rows(
    session: Session,
    fund_id: int,
    actor: Actor,
    *,
    as_of: date | None = None,
    township: str | None = None,
    batch: str | None = None,
    statuses: Iterable[str] | None = None,
    registration_nos: Sequence[str] | None = None,
    search: str | None = None,
) -> list[LoanRow]:
    """Loans (all, or those in `statuses`) with their figures on `as_of`.

    `search` keeps loans whose registration number, household name or ID
    number contains it.
    """
    query = (
        select(
            Loan.id,
            Loan.registration_no,
            Loan.status,
            Household.name,
            Household.id_number,
            Household.village,
            Township.code,
            Township.name,
            Batch.code,
            ProjectType.code,
            Loan.project,
            Loan.approved_amount,
        )
        .join(Household, Household.id == Loan.household_id)
        .join(Township, Township.id == Loan.township_id)
        .join(Batch, Batch.id == Loan.batch_id)
        .join(ProjectType, ProjectType.id == Loan.project_type_id)
        .where(Loan.fund_id == fund_id)
        .order_by(Township.code, Loan.registration_no)
    )
    if actor.is_township:
        query = query.where(Township.code == actor.township_code)
    if township is not None:
        query = query.where(Township.code == township)
    if batch is not None:
        query = query.where(Batch.code == batch)
    if statuses is not None:
        query = query.where(Loan.status.in_([LoanStatus(s) for s in statuses]))
    if registration_nos is not None:
        query = query.where(Loan.registration_no.in_(list(registration_nos)))
    if search:
        needle = search.strip()
        query = query.where(
            or_(
                Loan.registration_no.contains(needle, autoescape=True),
                Household.name.contains(needle, autoescape=True),
                Household.id_number.contains(needle.upper(), autoescape=True),
            )
        )
    # Plain columns, not entities: building ORM objects for 10,000 loans was
    # most of a fund statement's time (bench/report_fund_statement.py).
    rows = session.execute(query).all()
    ids = [row[0] for row in rows]
    # A narrow list (a search, one township's overdue loans) sums only its own
    # loans' entries; a wide one reads the fund's totals in one pass.
    narrow = [row[1] for row in rows] if len(rows) <= NARROW_LIST else None
    by_no = figures(session, fund_id, as_of=as_of, loan_nos=narrow)
    plans = schedules(session, ids, as_of=as_of)
    pending = pending_write_offs(session, fund_id, as_of)
    liaisons = current_liaisons(session, ids, as_of)
    day = as_of or dates.today()
    # A later schedule version is an extension's or a recall's (提前收回); only the first is 展期.
    extended = set(
        session.scalars(
            select(LoanEvent.loan_id).where(
                LoanEvent.loan_id.in_(ids), LoanEvent.action == "extended", LoanEvent.on <= day
            )
        )
    )
    out = []
    for loan_id, no, status, name, id_number, village, town, town_name, *rest in rows:
        batch_code, kind, project, approved = rest
        numbers = by_no.get(no, LoanFigures())
        plan = plans.get(loan_id)
        days, amount = plan.overdue(numbers.settled, day) if plan else (0, ZERO)
        out.append(
            LoanRow(
                loan_id,
                no,
                status.value,
                name,
                id_number,
                village,
                town,
                town_name,
                batch_code,
                kind,
                project,
                approved or ZERO,
                numbers,
                pending.get(no, ZERO),
                days,
                amount,
                liaisons.get(loan_id),
                loan_id in extended,
            )
        )
    return out


def current_liaisons(
    session: Session, loan_ids: Sequence[int], as_of: date | None
) -> dict[int, int]:
    """The liaison answering for each loan on `as_of` (latest assignment effective by then)."""
    a = LiaisonAssignment
    query = select(a.loan_id, a.effective_on, a.liaison_id).where(a.loan_id.in_(list(loan_ids)))
    if as_of is not None:
        query = query.where(a.effective_on <= as_of)
    out: dict[int, tuple[date, int]] = {}
    for loan_id, effective_on, liaison_id in session.execute(query):
        if loan_id not in out or effective_on > out[loan_id][0]:
            out[loan_id] = (effective_on, liaison_id)
    return {loan_id: liaison for loan_id, (_, liaison) in out.items()}


# --- one loan ---------------------------------------------------------------


@dataclass(frozen=True)
class EventView:
    on: date
    action: str
    from_status: str | None
    to_status: str
    actor: str
    note: str
    voucher: str | None


@dataclass(frozen=True)
class AssignmentView:
    liaison_id: int
    liaison: str
    effective_on: date
    reason: str


@dataclass(frozen=True)
class LoanView:
    row: LoanRow
    requested: Decimal
    application_no: str
    contract_no: str | None
    iou_no: str | None
    technical_lead: str | None
    three_line_problems: tuple[tuple[str, str], ...]
    schedule_version: int | None
    schedule: tuple[InstalmentSettlement, ...]
    liaisons: tuple[AssignmentView, ...]
    history: tuple[EventView, ...]


def loan_view(
    session: Session, fund_id: int, registration_no: str, actor: Actor, as_of: date | None = None
) -> LoanView:
    """Everything about one loan: figures, schedule with what settled it, liaison, history.

    The history is in business-date order (then entry order): a write-off
    dated 2007 but recorded after 2008's repayments comes before them.
    """
    loan = lookup.loan(session, fund_id, registration_no, actor)
    row = loan_rows(session, fund_id, actor, as_of=as_of, registration_nos=[registration_no])[0]
    plan: Schedule | None = schedules(session, [loan.id], as_of=as_of).get(loan.id)
    instalments: tuple[InstalmentSettlement, ...] = ()
    if plan is not None:
        paid = settlements(session, loan, as_of)
        instalments = settle_by_kind(plan, paid, as_of or dates.today())
    # As of a past date the page shows the loan as it stood then: later history is not yet.
    day = as_of or date.max
    assignments = session.execute(
        select(LiaisonAssignment, Liaison.name)
        .join(Liaison, Liaison.id == LiaisonAssignment.liaison_id)
        .where(LiaisonAssignment.loan_id == loan.id, LiaisonAssignment.effective_on <= day)
        .order_by(LiaisonAssignment.effective_on)
    ).all()
    events = session.scalars(
        select(LoanEvent)
        .where(LoanEvent.loan_id == loan.id, LoanEvent.on <= day)
        .order_by(LoanEvent.on, LoanEvent.id)
    ).all()
    return LoanView(
        row,
        loan.requested_amount,
        loan.application_no,
        loan.contract_no,
        loan.iou_no,
        loan.technical_lead,
        tuple(three_line_problems(loan)),
        plan.version if plan else None,
        instalments,
        tuple(
            AssignmentView(a.liaison_id, name, a.effective_on, a.reason) for a, name in assignments
        ),
        tuple(
            EventView(e.on, e.action, e.from_status, e.to_status, e.actor, e.note, e.voucher)
            for e in events
        ),
    )


# --- three lines ----------------------------------------------------------


@dataclass(frozen=True)
class ThreeLineIssue:
    registration_no: str
    household: str
    township: str
    status: str
    application_no: str
    contract_no: str | None
    iou_no: str | None
    problems: tuple[tuple[str, str], ...]


def three_line_report(session: Session, fund_id: int, actor: Actor) -> list[ThreeLineIssue]:
    """Every approved or contracted loan whose three numbers are not one, and why."""
    query = (
        select(Loan, Household.name, Township.code)
        .join(Household, Household.id == Loan.household_id)
        .join(Township, Township.id == Loan.township_id)
        .where(
            Loan.fund_id == fund_id,
            Loan.status.in_([LoanStatus.APPROVED, LoanStatus.CONTRACTED, LoanStatus.DISBURSED]),
            # Only loans that may have a problem become objects (10,000 cost 0.8 s);
            # `three_line_problems` still decides.
            or_(
                *(
                    or_(column.is_(None), column == "", column != Loan.registration_no)
                    for column in (Loan.application_no, Loan.contract_no, Loan.iou_no)
                )
            ),
        )
        .order_by(Township.code, Loan.registration_no)
    )
    if actor.is_township:
        query = query.where(Township.code == actor.township_code)
    out = []
    for loan, name, town in session.execute(query):
        problems = three_line_problems(loan)
        if problems:
            out.append(
                ThreeLineIssue(
                    loan.registration_no,
                    name,
                    town,
                    loan.status.value,
                    loan.application_no,
                    loan.contract_no,
                    loan.iou_no,
                    tuple(problems),
                )
            )
    return out


# --- aging ----------------------------------------------------------------


@dataclass(frozen=True)
class AgingBucket:
    label: str
    loans: int
    overdue_amount: Decimal
    outstanding: Decimal


@dataclass(frozen=True)
class Aging:
    as_of: date
    loans: tuple[LoanRow, ...]
    buckets: tuple[AgingBucket, ...]
    outstanding: Decimal
    overdue_amount: Decimal
    overdue_outstanding: Decimal

    @property
    def overdue_share(self) -> Decimal | None:
        """Outstanding of overdue loans as a percentage of all outstanding."""
        return percent(self.overdue_outstanding, self.outstanding)


def aging(
    session: Session,
    fund_id: int,
    actor: Actor,
    as_of: date,
    township: str | None = None,
    *,
    rows: Sequence[LoanRow] | None = None,
) -> Aging:
    """Overdue loans by aging bucket (1–30, 31–90, 91–180, 181–365, 365+ days).

    `rows`: the fund's `loan_rows` as of `as_of`, when the caller has them already.
    """
    if rows is None:
        rows = loan_rows(session, fund_id, actor, as_of=as_of, township=township)
    rows = [r for r in rows if r.figures.disbursed > 0]
    overdue_rows = tuple(r for r in rows if r.overdue_days > 0)
    buckets = tuple(
        AgingBucket(
            label,
            sum(1 for r in overdue_rows if r.bucket == label),
            sum((r.overdue_amount for r in overdue_rows if r.bucket == label), ZERO),
            sum((r.outstanding for r in overdue_rows if r.bucket == label), ZERO),
        )
        for label, _, _ in AGING_BUCKETS
    )
    return Aging(
        as_of,
        overdue_rows,
        buckets,
        sum((r.outstanding for r in rows), ZERO),
        sum((r.overdue_amount for r in overdue_rows), ZERO),
        sum((r.outstanding for r in overdue_rows), ZERO),
    )


# --- 周转金回收情况表 ------------------------------------------------------


@dataclass(frozen=True)
class RecoveryRow:
    """The 12 columns of the 财政支农周转金借用情况表 for one township (or the total)."""

    township: str
    name: str
    opening: Decimal  #: 1 年初余额
    lent: Decimal  #: 2 本年借出
    closing: Decimal  #: 3 年末余额 = 1 + 2 − 7 − 8
    lent_to_date: Decimal  #: 4 累计借出
    due_this_year: Decimal  #: 5 本年应收到期数
    due_to_date: Decimal  #: 6 累计应收到期数
    written_off: Decimal  #: 7 本年待处理(核销)数
    recovered: Decimal  #: 8 本年回收数
    recovered_of_due: Decimal  #: 9 其中收回本年到期数
    recovered_to_date: Decimal  #: 10 累计回收数

    @property
    def rate_this_year(self) -> Decimal | None:
        """11 本年回收率 = 9 ÷ 5 (%)."""
        return percent(self.recovered_of_due, self.due_this_year)

    @property
    def rate_to_date(self) -> Decimal | None:
        """12 累计回收率 = 10 ÷ 6 (%)."""
        return percent(self.recovered_to_date, self.due_to_date)


@dataclass(frozen=True)
class RecoveryTable:
    year: int
    rows: tuple[RecoveryRow, ...]
    total: RecoveryRow


RECOVERY_FIELDS = (
    "opening",
    "lent",
    "closing",
    "lent_to_date",
    "due_this_year",
    "due_to_date",
    "written_off",
    "recovered",
    "recovered_of_due",
    "recovered_to_date",
)


def recovery_table(session: Session, fund_id: int, actor: Actor, year: int) -> RecoveryTable:
    """The fund recovery table (周转金回收情况表) for a calendar year, by township and total.

    Column 8 counts household repayments and guarantee calls (the liaison
    then owes it); column 7 counts write-offs approved in the year. Column 9
    is the part of column 8 that settled instalments falling due in the year,
    applying recoveries to the oldest instalment first.
    """
    start, end = date(year, 1, 1), date(year, 12, 31)
    before = date(year - 1, 12, 31)
    loans = select(Loan.id, Loan.registration_no, Township.code, Township.name).join(
        Township, Township.id == Loan.township_id
    )
    loans = loans.where(Loan.fund_id == fund_id)
    if actor.is_township:
        loans = loans.where(Township.code == actor.township_code)
    closing = session.execute(loans).all()
    # Only the figures at both ends and the schedules: not whole loan rows.
    opening_figures = figures(session, fund_id, as_of=before)
    closing_figures = figures(session, fund_id, as_of=end)
    plans = schedules(session, [loan_id for loan_id, *_ in closing], as_of=end)
    towns: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    names: dict[str, str] = {}
    for loan_id, no, township, township_name in closing:
        was_figures = opening_figures.get(no, LoanFigures())
        now = closing_figures.get(no, LoanFigures())
        plan = plans.get(loan_id)
        recovered_start = was_figures.repaid + was_figures.guarantee_called
        recovered_end = now.repaid + now.guarantee_called
        due_year = due_total = of_due = ZERO
        if plan is not None:
            due_year = sum((i.amount for i in plan.instalments if start <= i.due_date <= end), ZERO)
            due_total = plan.settled_before + sum(
                (i.amount for i in plan.instalments if i.due_date <= end), ZERO
            )
            paid_start = settle(plan.instalments, recovered_start - plan.settled_before)
            paid_end = settle(plan.instalments, recovered_end - plan.settled_before)
            of_due = sum(
                (
                    b.paid - a.paid
                    for a, b in zip(paid_start, paid_end, strict=True)
                    if start <= a.due_date <= end
                ),
                ZERO,
            )
        values = towns[township]
        names[township] = township_name
        values["opening"] += was_figures.outstanding
        values["lent"] += now.disbursed - was_figures.disbursed
        values["lent_to_date"] += now.disbursed
        values["due_this_year"] += due_year
        values["due_to_date"] += due_total
        values["written_off"] += now.written_off - was_figures.written_off
        values["recovered"] += recovered_end - recovered_start
        values["recovered_of_due"] += max(of_due, ZERO)
        values["recovered_to_date"] += recovered_end
    rows = tuple(_recovery_row(code, names[code], towns[code]) for code in sorted(towns))
    total = _recovery_row(
        "", "合计", {name: sum((getattr(r, name) for r in rows), ZERO) for name in RECOVERY_FIELDS}
    )
    return RecoveryTable(year, rows, total)


def _recovery_row(code: str, name: str, values: dict[str, Decimal]) -> RecoveryRow:
    closing = values["opening"] + values["lent"] - values["written_off"] - values["recovered"]
    return RecoveryRow(
        code, name, **{**{k: values.get(k, ZERO) for k in RECOVERY_FIELDS}, "closing": closing}
    )


# --- townships --------------------------------------------------------------


@dataclass(frozen=True)
class TownshipPosition:
    """A township's account with the county (乡镇周转金), as of a date."""

    code: str
    name: str
    allocated: Decimal
    remitted: Decimal
    disbursed: Decimal
    repaid: Decimal
    fees: Decimal
    recoveries: Decimal
    cash: Decimal
    loans_outstanding: Decimal
    guarantee_called: Decimal
    written_off: Decimal
    pending_write_off: Decimal
    loans: int
    overdue_loans: int

    @property
    def balanced(self) -> bool:
        """The township check (SPEC §10): what it holds in cash and loans is what it was sent.

        allocated − remitted + fees + recoveries = cash + loans outstanding
        + guarantee calls (now owed by liaisons) + write-offs.
        """
        sent = self.allocated - self.remitted + self.fees + self.recoveries
        return sent == (
            self.cash + self.loans_outstanding + self.guarantee_called + self.written_off
        )


def township_positions(
    session: Session, fund_id: int, actor: Actor, as_of: date | None = None
) -> list[TownshipPosition]:
    """Every township the actor may see, with its movements and holdings."""
    query = select(Township).where(Township.fund_id == fund_id).order_by(Township.code)
    if actor.is_township:
        query = query.where(Township.code == actor.township_code)
    towns = session.scalars(query).all()
    turnover = turnover_by_kind(session, fund_id, chart.TOWNSHIP_FUNDS, as_of=as_of)
    cash = subaccount_balances(session, fund_id, chart.TOWNSHIP_FUNDS, as_of)
    loans_by_town: dict[str, list[LoanRow]] = defaultdict(list)
    for row in loan_rows(session, fund_id, actor, as_of=as_of):
        loans_by_town[row.township].append(row)
    out = []
    for town in towns:
        moved = turnover.get(town.code, {})
        rows = [r for r in loans_by_town[town.code] if r.figures.disbursed > 0]
        out.append(
            TownshipPosition(
                town.code,
                town.name,
                allocated=moved.get(("allocation", "D"), ZERO),
                remitted=moved.get(("remittance", "C"), ZERO),
                disbursed=moved.get(("disbursement", "C"), ZERO),
                repaid=moved.get(("repayment", "D"), ZERO),
                fees=moved.get(("fee", "D"), ZERO),
                recoveries=moved.get(("recovery", "D"), ZERO),
                cash=cash[town.code].balance if town.code in cash else ZERO,
                loans_outstanding=sum((r.outstanding for r in rows), ZERO),
                guarantee_called=sum((r.figures.guarantee_called for r in rows), ZERO),
                written_off=sum((r.figures.written_off for r in rows), ZERO),
                pending_write_off=sum((r.pending_write_off for r in rows), ZERO),
                loans=len(rows),
                overdue_loans=sum(1 for r in rows if r.overdue_days > 0),
            )
        )
    return out


# --- liaisons ---------------------------------------------------------------


@dataclass(frozen=True)
class LiaisonExposure:
    """What a liaison answers for (资金不回收,责任不解除)."""

    liaison_id: int
    name: str
    township: str
    monthly_salary: Decimal
    loans: tuple[str, ...]
    #: Outstanding principal of the loans they answer for: their exposure.
    exposure: Decimal
    overdue_amount: Decimal
    called: Decimal
    deducted: Decimal
    #: Called and not yet deducted (1102 balance).
    owed: Decimal


def liaison_exposures(
    session: Session,
    fund_id: int,
    actor: Actor,
    as_of: date | None = None,
    liaison_ids: Sequence[int] | None = None,
) -> list[LiaisonExposure]:
    query = (
        select(Liaison, Township.code)
        .join(Township, Township.id == Liaison.township_id)
        .where(Liaison.fund_id == fund_id)
        .order_by(Township.code, Liaison.id)
    )
    if actor.is_township:
        query = query.where(Township.code == actor.township_code)
    if liaison_ids is not None:
        query = query.where(Liaison.id.in_(list(liaison_ids)))
    people = session.execute(query).all()
    rows = loan_rows(session, fund_id, actor, as_of=as_of)
    answering: dict[int, list[LoanRow]] = defaultdict(list)
    for row in rows:
        if row.liaison_id is not None and row.outstanding > 0:
            answering[row.liaison_id].append(row)
    owed = subaccount_balances(session, fund_id, chart.LIAISON_RECEIVABLE, as_of)
    called = _per_liaison(session, GuaranteeCall, GuaranteeCall.called_on, fund_id, as_of)
    deducted = _per_liaison(session, SalaryDeduction, SalaryDeduction.received_on, fund_id, as_of)
    out = []
    for person, town in people:
        mine = answering[person.id]
        out.append(
            LiaisonExposure(
                person.id,
                person.name,
                town,
                person.monthly_salary,
                tuple(r.registration_no for r in mine),
                sum((r.outstanding for r in mine), ZERO),
                sum((r.overdue_amount for r in mine), ZERO),
                called.get(person.id, ZERO),
                deducted.get(person.id, ZERO),
                owed[str(person.id)].balance if str(person.id) in owed else ZERO,
            )
        )
    return out


def _per_liaison(
    session: Session,
    model: type[GuaranteeCall] | type[SalaryDeduction],
    day: Any,
    fund_id: int,
    as_of: date | None,
) -> dict[int, Decimal]:
    """Σ amount per liaison of guarantee calls or deductions up to `as_of`."""
    query = (
        select(model.liaison_id, fen_sum(model.amount))
        .where(model.fund_id == fund_id)
        .group_by(model.liaison_id)
    )
    if as_of is not None:
        query = query.where(day <= as_of)
    return {who: amount for who, amount in session.execute(query)}


# --- the fund -----------------------------------------------------------------


@dataclass(frozen=True)
class GroupFigures:
    """Loans of one township or batch summed."""

    key: str
    name: str
    loans: int
    disbursed: Decimal
    recovered: Decimal
    written_off: Decimal
    outstanding: Decimal
    overdue_amount: Decimal
    overdue_loans: int


@dataclass(frozen=True)
class FundSummary:
    as_of: date | None
    capital_by_source: dict[str, Decimal]
    capital: Decimal
    special_cash: Decimal
    township_cash: Decimal
    outstanding: Decimal
    overdue_amount: Decimal
    overdue_outstanding: Decimal
    overdue_loans: int
    written_off: Decimal
    pending_write_off: Decimal
    recovered: Decimal
    liaison_receivable: Decimal
    fee_income: Decimal
    recoveries_income: Decimal
    disbursed_to_date: Decimal
    households_served: int
    loans: int
    by_township: tuple[GroupFigures, ...] = field(default=())
    by_batch: tuple[GroupFigures, ...] = field(default=())

    @property
    def turnover(self) -> Decimal | None:
        """周转次数: cumulative disbursed ÷ capital."""
        return ratio(self.disbursed_to_date, self.capital)

    @property
    def relending_capacity(self) -> Decimal:
        return self.special_cash + self.township_cash

    @property
    def overdue_share(self) -> Decimal | None:
        return percent(self.overdue_outstanding, self.outstanding)

    @property
    def recovery_rate(self) -> Decimal | None:
        """回收率 (%): recovered ÷ (recovered + principal past due and unpaid)."""
        return percent(self.recovered, self.recovered + self.overdue_amount)


def fund_summary(
    session: Session,
    fund_id: int,
    actor: Actor,
    as_of: date | None = None,
    *,
    rows: Sequence[LoanRow] | None = None,
) -> FundSummary:
    """The leaders' figures: capital, cash, loans, risk, turnover, capacity.

    `rows`: the fund's `loan_rows` as of `as_of`, when the caller has them already.
    """
    capital = {
        key: b.balance
        for key, b in subaccount_balances(session, fund_id, chart.CAPITAL, as_of).items()
    }
    total_capital = sum(capital.values(), ZERO)
    special = subaccount_balances(session, fund_id, chart.SPECIAL_ACCOUNT, as_of)
    towns = subaccount_balances(session, fund_id, chart.TOWNSHIP_FUNDS, as_of)
    liaisons = subaccount_balances(session, fund_id, chart.LIAISON_RECEIVABLE, as_of)
    fees = subaccount_balances(session, fund_id, chart.FEE_INCOME, as_of)
    recoveries = subaccount_balances(session, fund_id, chart.RECOVERIES, as_of)
    if rows is None:
        rows = loan_rows(session, fund_id, actor, as_of=as_of)
    rows = [r for r in rows if r.figures.disbursed > 0]
    overdue_rows = [r for r in rows if r.overdue_days > 0]
    households = {r.id_number for r in rows}
    return FundSummary(
        as_of=as_of,
        capital_by_source=capital,
        capital=total_capital,
        special_cash=sum((b.balance for b in special.values()), ZERO),
        township_cash=sum((b.balance for b in towns.values()), ZERO),
        outstanding=sum((r.outstanding for r in rows), ZERO),
        overdue_amount=sum((r.overdue_amount for r in overdue_rows), ZERO),
        overdue_outstanding=sum((r.outstanding for r in overdue_rows), ZERO),
        overdue_loans=len(overdue_rows),
        written_off=sum((r.figures.written_off for r in rows), ZERO),
        pending_write_off=sum((r.pending_write_off for r in rows), ZERO),
        recovered=sum((r.figures.repaid + r.figures.guarantee_called for r in rows), ZERO),
        liaison_receivable=sum((b.balance for b in liaisons.values()), ZERO),
        fee_income=sum((b.balance for b in fees.values()), ZERO),
        recoveries_income=sum((b.balance for b in recoveries.values()), ZERO),
        disbursed_to_date=sum((r.figures.disbursed for r in rows), ZERO),
        households_served=len(households),
        loans=len(rows),
        by_township=_groups(rows, lambda r: (r.township, r.township_name)),
        by_batch=_groups(rows, lambda r: (r.batch, r.batch)),
    )


def _groups(rows: list[LoanRow], key) -> tuple[GroupFigures, ...]:
    grouped: dict[tuple[str, str], list[LoanRow]] = defaultdict(list)
    for row in rows:
        grouped[key(row)].append(row)
    return tuple(
        GroupFigures(
            code,
            name,
            len(items),
            sum((r.figures.disbursed for r in items), ZERO),
            sum((r.figures.repaid + r.figures.guarantee_called for r in items), ZERO),
            sum((r.figures.written_off for r in items), ZERO),
            sum((r.outstanding for r in items), ZERO),
            sum((r.overdue_amount for r in items), ZERO),
            sum(1 for r in items if r.overdue_days > 0),
        )
        for (code, name), items in sorted(grouped.items())
    )
