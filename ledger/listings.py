"""Reads the HTTP shell needs beyond `ledger.read.books` and `ledger.read.fund`.

Three kinds of function live here, none of which writes:

- *lists* of set-up records, proposals, disasters and journals, each a
  SELECT of plain columns (rows dump like objects and survive the read
  session) that a caller can count and page in the database;
- *views* of what a write just created, read in the write's own
  transaction: a service returns its ORM row or `PostedJournal`, and the
  view adds what a client needs to see (the township code of a liaison, the
  loan's outstanding after a repayment, the red-ink journal's lines);
- *gates*: the fund named in a URL (a user granted another fund only is
  told it does not exist) and the loan named in a URL, checked before a
  request body is even read, so that another township's loan is a 404
  whatever the body says.

Township officers see only their own township here as everywhere: lists are
pinned to it (`township_filter`), and a single record of another township
is `RecordNotFound`, exactly as if it did not exist.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from ledger import journal_templates
from ledger.actors import SYSTEM, Actor, confine_fund, township_filter
from ledger.errors import FundNotFound, RecordNotFound
from ledger.models import (
    Account,
    Batch,
    ChartAccount,
    DeductionPlan,
    Disaster,
    DisasterTownship,
    Entry,
    Extension,
    Fund,
    FundSettings,
    GuaranteeCall,
    Household,
    Journal,
    Liaison,
    LiaisonAssignment,
    Loan,
    LossReport,
    Period,
    ProjectChange,
    ProjectType,
    ProposalStatus,
    Reversal,
    SalaryDeduction,
    SubLedger,
    Township,
    WriteOff,
)
from ledger.posting import AccountRef
from ledger.read.books import (
    ZERO,
    JournalLine,
    JournalView,
    TrialBalance,
    balance,
    fen_sum,
    journal_view,
    subaccount_balances,
    trial_balance,
)
from ledger.read.figures import loan_figures
from ledger.read.fund import (
    Aging,
    FundSummary,
    LiaisonExposure,
    LoanRow,
    LoanView,
    RecoveryTable,
    ThreeLineIssue,
    TownshipPosition,
    aging,
    fund_summary,
    liaison_exposures,
    loan_rows,
    loan_view,
    recovery_table,
    three_line_report,
    township_positions,
)
from ledger.services import lookup
from ledger.services.journals import PostedJournal

# --- gates ------------------------------------------------------------------


def fund(session: Session, actor: Actor, code: str) -> Fund:
    """The fund `code`, if it exists and `actor` is granted it; FundNotFound otherwise."""
    hidden = FundNotFound(f"基金 {code} 不存在", f"fund {code} does not exist", field="fund")
    confine_fund(actor, code, not_found=hidden)
    return lookup.fund(session, code)


def fund_id(session: Session, actor: Actor, code: str) -> int:
    return fund(session, actor, code).id


def check_visible(
    session: Session,
    actor: Actor,
    fund_code: str,
    loan_no: str | None = None,
    *,
    township: str | None = None,
) -> None:
    """Raise NotFound unless the fund (and the loan or township, if named) exist for `actor`."""
    found = fund(session, actor, fund_code)
    if loan_no is not None:
        lookup.loan(session, found.id, loan_no, actor)
    if township is not None:
        lookup.township(session, found.id, township, actor, "township")


# --- funds ------------------------------------------------------------------


def funds(actor: Actor) -> Select[Any]:
    """Every fund the actor is granted, by code."""
    query = select(Fund.code, Fund.name, Fund.opened_on, Fund.created_by, Fund.created_at).order_by(
        Fund.code
    )
    if actor.fund_code is not None:
        query = query.where(Fund.code == actor.fund_code)
    return query


def fund_row(session: Session, created: Fund) -> Any:
    """A fund a service just opened, as the API lists it."""
    return session.execute(funds(SYSTEM).where(Fund.id == created.id)).one()


@dataclass(frozen=True)
class Limits:
    """A fund's limits (SPEC §10); rates as fractions (0.2 = 20 %)."""

    max_loan: Decimal
    max_term_months: int
    deduction_cap: Decimal
    fee_rate: Decimal


def limits_of(row: FundSettings) -> Limits:
    return Limits(row.max_loan, row.max_term_months, row.deduction_cap, row.fee_rate)


def limits(session: Session, actor: Actor, fund_code: str) -> Limits:
    return limits_of(lookup.settings(session, fund_id(session, actor, fund_code)))


# --- reference data ---------------------------------------------------------


def townships(
    session: Session, actor: Actor, fund_code: str, township: str | None = None
) -> Select[Any]:
    """The fund's townships (a township officer's own only)."""
    the_fund = fund(session, actor, fund_code)
    code = township_filter(actor, township)
    query = (
        select(Township.code, Township.name)
        .where(Township.fund_id == the_fund.id)
        .order_by(Township.code)
    )
    return query if code is None else query.where(Township.code == code)


def project_types(session: Session, actor: Actor, fund_code: str) -> Select[Any]:
    the_fund = fund(session, actor, fund_code)
    return (
        select(ProjectType.code, ProjectType.name, ProjectType.borrowing_standard)
        .where(ProjectType.fund_id == the_fund.id)
        .order_by(ProjectType.code)
    )


def batches(session: Session, actor: Actor, fund_code: str) -> Select[Any]:
    the_fund = fund(session, actor, fund_code)
    return (
        select(Batch.code, Batch.name, Batch.budget)
        .where(Batch.fund_id == the_fund.id)
        .order_by(Batch.code)
    )


def _liaisons(fund_id: int) -> Select[Any]:
    return (
        select(
            Liaison.id,
            Liaison.name,
            Township.code.label("township"),
            Liaison.monthly_salary,
            Liaison.phone,
        )
        .join(Township, Township.id == Liaison.township_id)
        .where(Liaison.fund_id == fund_id)
        .order_by(Township.code, Liaison.id)
    )


def liaisons(
    session: Session, actor: Actor, fund_code: str, township: str | None = None
) -> Select[Any]:
    """The fund's liaisons with their township (a township officer's own only)."""
    the_fund = fund(session, actor, fund_code)
    code = township_filter(actor, township)
    query = _liaisons(the_fund.id)
    return query if code is None else query.where(Township.code == code)


def liaison_row(session: Session, liaison: Liaison) -> Any:
    """A liaison as the API lists it (with the township code)."""
    return session.execute(_liaisons(liaison.fund_id).where(Liaison.id == liaison.id)).one()


def _households(fund_id: int) -> Select[Any]:
    return (
        select(
            Household.id,
            Household.name,
            Household.id_number,
            Township.code.label("township"),
            Household.village,
            Household.party_member,
            Household.phone,
        )
        .join(Township, Township.id == Household.township_id)
        .where(Household.fund_id == fund_id)
        .order_by(Township.code, Household.id)
    )


def households(
    session: Session,
    actor: Actor,
    fund_code: str,
    township: str | None = None,
    id_number: str | None = None,
) -> Select[Any]:
    """The fund's households (a township officer's own only), optionally by ID number."""
    the_fund = fund(session, actor, fund_code)
    code = township_filter(actor, township)
    query = _households(the_fund.id)
    if code is not None:
        query = query.where(Township.code == code)
    if id_number is not None:
        query = query.where(Household.id_number == id_number.strip().upper())
    return query


def household_row(session: Session, household: Household) -> Any:
    return session.execute(_households(household.fund_id).where(Household.id == household.id)).one()


def household(session: Session, actor: Actor, fund_code: str, household_id: int) -> Any:
    """One household, hidden from other townships' officers."""
    the_fund = fund(session, actor, fund_code)
    found = lookup.by_id(session, Household, the_fund.id, household_id, actor, "household")
    return household_row(session, found)


# --- loans ------------------------------------------------------------------


@dataclass(frozen=True)
class LoanItem(LoanRow):
    """A loan row as listed, with the household's id (the API's ``household``)."""

    household_id: int = 0


@dataclass(frozen=True)
class LoanDetail(LoanItem):
    """Everything about one loan (`ledger.read.fund.LoanView`, flattened)."""

    requested: Decimal = ZERO
    application_no: str = ""
    contract_no: str | None = None
    iou_no: str | None = None
    technical_lead: str | None = None
    signed_on: date | None = None
    visited_on: date | None = None
    visitor: str | None = None
    exclusion_reason: str | None = None
    three_line_problems: tuple[tuple[str, str], ...] = ()
    schedule_version: int | None = None
    schedule: tuple[Any, ...] = ()
    liaisons: tuple[Any, ...] = ()
    history: tuple[Any, ...] = ()

    @property
    def three_lines_one(self) -> bool:
        return not self.three_line_problems


def _row_values(row: LoanRow) -> dict[str, Any]:
    return {f.name: getattr(row, f.name) for f in fields(LoanRow)}


def loans(
    session: Session,
    actor: Actor,
    fund_code: str,
    *,
    township: str | None = None,
    status: str | None = None,
    batch: str | None = None,
    overdue_on: date | None = None,
    search: str | None = None,
) -> list[LoanItem]:
    """Loans, filtered; with `overdue_on`, those overdue that day, with their figures then.

    `search` keeps loans whose registration number, household name or ID
    number contains it.
    """
    the_fund = fund(session, actor, fund_code)
    rows = loan_rows(
        session,
        the_fund.id,
        actor,
        as_of=overdue_on,
        township=township_filter(actor, township),
        batch=batch,
        statuses=None if status is None else [status],
        search=search,
    )
    if overdue_on is not None:
        rows = [row for row in rows if row.overdue_days > 0]
    owners = dict(
        session.execute(select(Loan.id, Loan.household_id).where(Loan.fund_id == the_fund.id)).all()
    )
    return [LoanItem(**_row_values(row), household_id=owners[row.loan_id]) for row in rows]


def loan_counts(session: Session, actor: Actor, fund_code: str) -> dict[str, int]:
    """How many loans are in each status (the officer's own township only): the to-do list."""
    the_fund = fund(session, actor, fund_code)
    query = (
        select(Loan.status, func.count()).where(Loan.fund_id == the_fund.id).group_by(Loan.status)
    )
    own = township_filter(actor, None)
    if own is not None:
        query = query.join(Township, Township.id == Loan.township_id).where(Township.code == own)
    return {status.value: count for status, count in session.execute(query)}


def loan(
    session: Session, actor: Actor, fund_code: str, registration_no: str, as_of: date | None = None
) -> LoanDetail:
    """One loan with its figures, schedule, liaisons and history (another township's: 404)."""
    the_fund = fund(session, actor, fund_code)
    return _detail(session, the_fund.id, actor, registration_no, as_of)


def loan_of(session: Session, actor: Actor, written: Loan) -> LoanDetail:
    """The view of a loan a service just registered or moved along."""
    return _detail(session, written.fund_id, actor, written.registration_no, None)


def _detail(
    session: Session, fund_id: int, actor: Actor, registration_no: str, as_of: date | None
) -> LoanDetail:
    view: LoanView = loan_view(session, fund_id, registration_no, actor, as_of)
    row = lookup.loan(session, fund_id, registration_no, actor)
    return LoanDetail(
        **_row_values(view.row),
        household_id=row.household_id,
        requested=view.requested,
        application_no=view.application_no,
        contract_no=view.contract_no,
        iou_no=view.iou_no,
        technical_lead=view.technical_lead,
        signed_on=row.signed_on,
        visited_on=row.visited_on,
        visitor=row.visitor,
        exclusion_reason=row.exclusion_reason,
        three_line_problems=view.three_line_problems,
        schedule_version=view.schedule_version,
        schedule=view.schedule,
        liaisons=view.liaisons,
        history=view.history,
    )


@dataclass(frozen=True)
class LoanMovement:
    """Money that moved on a loan (disbursement, repayment, recovery) and where the loan stands."""

    voucher: str
    date: date
    kind: str
    loan: str
    township: str
    amount: Decimal
    status: str
    outstanding: Decimal


def _journal_amount(view: JournalView) -> Decimal:
    return sum((line.debit for line in view.lines), ZERO)


def loan_movement(
    session: Session, actor: Actor, fund_code: str, registration_no: str, posted: PostedJournal
) -> LoanMovement:
    the_fund = lookup.fund(session, fund_code)
    the_loan = lookup.loan(session, the_fund.id, registration_no, actor)
    town = session.get_one(Township, the_loan.township_id)
    return LoanMovement(
        posted.voucher,
        posted.posted_on,
        posted.kind,
        the_loan.registration_no,
        town.code,
        _journal_amount(journal_view(session, the_fund.id, posted.voucher)),
        the_loan.status.value,
        loan_figures(session, the_loan).outstanding,
    )


@dataclass(frozen=True)
class AssignmentRow:
    """A liaison change (联系人变更) as recorded."""

    loan: str
    liaison: int
    liaison_name: str
    previous_liaison: int | None
    effective_on: date
    reason: str
    recorded_by: str


def assignment(session: Session, created: LiaisonAssignment) -> AssignmentRow:
    the_loan = session.get_one(Loan, created.loan_id)
    person = session.get_one(Liaison, created.liaison_id)
    previous = session.scalar(
        select(LiaisonAssignment.liaison_id)
        .where(
            LiaisonAssignment.loan_id == created.loan_id,
            LiaisonAssignment.effective_on < created.effective_on,
        )
        .order_by(LiaisonAssignment.effective_on.desc())
        .limit(1)
    )
    return AssignmentRow(
        the_loan.registration_no,
        person.id,
        person.name,
        previous,
        created.effective_on,
        created.reason,
        created.recorded_by,
    )


# --- guarantees -------------------------------------------------------------


@dataclass(frozen=True)
class PlannedDeduction:
    seq: int
    month: str
    amount: Decimal


@dataclass(frozen=True)
class GuaranteeCallRow:
    """A guarantee call (担保代偿) and its monthly deduction plan."""

    id: int
    loan: str
    liaison: int
    liaison_name: str
    date: date
    amount: Decimal
    monthly_cap: Decimal
    voucher: str
    called_by: str
    plan: tuple[PlannedDeduction, ...]
    loan_status: str
    loan_outstanding: Decimal


def guarantee_call(session: Session, call: GuaranteeCall) -> GuaranteeCallRow:
    the_loan = session.get_one(Loan, call.loan_id)
    person = session.get_one(Liaison, call.liaison_id)
    plan = session.scalars(
        select(DeductionPlan).where(DeductionPlan.call_id == call.id).order_by(DeductionPlan.seq)
    ).all()
    return GuaranteeCallRow(
        call.id,
        the_loan.registration_no,
        person.id,
        person.name,
        call.called_on,
        call.amount,
        call.monthly_cap,
        call.voucher,
        call.called_by,
        tuple(PlannedDeduction(p.seq, p.due_month, p.amount) for p in plan),
        the_loan.status.value,
        loan_figures(session, the_loan).outstanding,
    )


@dataclass(frozen=True)
class SalaryDeductionRow:
    """A deduction received from payroll (工资代扣), and what the liaison still owes."""

    voucher: str
    liaison: int
    date: date
    amount: Decimal
    recorded_by: str
    owed: Decimal


def salary_deduction(session: Session, fund_code: str, posted: PostedJournal) -> SalaryDeductionRow:
    the_fund = lookup.fund(session, fund_code)
    row = session.scalars(
        select(SalaryDeduction).where(
            SalaryDeduction.fund_id == the_fund.id, SalaryDeduction.voucher == posted.voucher
        )
    ).one()
    owed = balance(
        session, the_fund.id, journal_templates.liaison_receivable(row.liaison_id)
    ).balance
    return SalaryDeductionRow(
        row.voucher, row.liaison_id, row.received_on, row.amount, row.recorded_by, owed
    )


# --- disasters --------------------------------------------------------------


@dataclass(frozen=True)
class DisasterRow:
    code: str
    name: str
    date: date
    kind: str
    townships: tuple[str, ...]
    recorded_by: str
    losses: int
    assessed_loss: Decimal


def _disaster_rows(session: Session, events: Sequence[Disaster]) -> list[DisasterRow]:
    ids = [event.id for event in events]
    struck: dict[int, list[str]] = defaultdict(list)
    for disaster_id, code in session.execute(
        select(DisasterTownship.disaster_id, Township.code)
        .join(Township, Township.id == DisasterTownship.township_id)
        .where(DisasterTownship.disaster_id.in_(ids))
        .order_by(Township.code)
    ):
        struck[disaster_id].append(code)
    losses = {
        disaster_id: (count, total)
        for disaster_id, count, total in session.execute(
            select(
                LossReport.disaster_id,
                func.count(LossReport.id),
                fen_sum(LossReport.assessed_loss),
            )
            .where(LossReport.disaster_id.in_(ids))
            .group_by(LossReport.disaster_id)
        )
    }
    out = []
    for event in events:
        count, assessed = losses.get(event.id, (0, ZERO))
        out.append(
            DisasterRow(
                event.code,
                event.name,
                event.occurred_on,
                event.kind,
                tuple(struck[event.id]),
                event.recorded_by,
                count,
                assessed,
            )
        )
    return out


def disasters(session: Session, actor: Actor, fund_code: str) -> list[DisasterRow]:
    the_fund = fund(session, actor, fund_code)
    events = session.scalars(
        select(Disaster).where(Disaster.fund_id == the_fund.id).order_by(Disaster.occurred_on)
    ).all()
    return _disaster_rows(session, events)


def disaster(session: Session, actor: Actor, fund_code: str, code: str) -> DisasterRow:
    the_fund = fund(session, actor, fund_code)
    event = lookup.by_code(session, Disaster, the_fund.id, code, "disaster")
    return _disaster_rows(session, [event])[0]


def disaster_of(session: Session, created: Disaster) -> DisasterRow:
    return _disaster_rows(session, [created])[0]


@dataclass(frozen=True)
class LossRow:
    id: int
    disaster: str
    loan: str
    township: str
    assessed_loss: Decimal
    inspector: str
    assessed_on: date
    recorded_by: str


def loss(session: Session, report: LossReport) -> LossRow:
    event = session.get_one(Disaster, report.disaster_id)
    the_loan = session.get_one(Loan, report.loan_id)
    town = session.get_one(Township, the_loan.township_id)
    return LossRow(
        report.id,
        event.code,
        the_loan.registration_no,
        town.code,
        report.assessed_loss,
        report.inspector,
        report.assessed_on,
        report.recorded_by,
    )


# --- proposals ---------------------------------------------------------------

_DECIDED = (
    "status",
    "reason",
    "proposed_by",
    "proposed_on",
    "decided_by",
    "decided_on",
    "decision_note",
)


def _proposals(
    model: type[WriteOff] | type[Extension] | type[ProjectChange],
    fund_id: int,
    extra: Sequence[Any],
    *,
    status: str | None,
    loan_no: str | None,
) -> Select[Any]:
    query = (
        select(
            model.id,
            Loan.registration_no.label("loan"),
            Township.code.label("township"),
            *extra,
            *(getattr(model, name) for name in _DECIDED),
        )
        .join(Loan, Loan.id == model.loan_id)
        .join(Township, Township.id == Loan.township_id)
        .where(model.fund_id == fund_id)
        .order_by(model.id)
    )
    if status is not None:
        query = query.where(model.status == ProposalStatus(status))
    if loan_no is not None:
        query = query.where(Loan.registration_no == loan_no)
    return query


def _write_offs(
    fund_id: int,
    *,
    status: str | None = None,
    loan_no: str | None = None,
    disaster_code: str | None = None,
) -> Select[Any]:
    query = _proposals(
        WriteOff,
        fund_id,
        (
            WriteOff.amount,
            WriteOff.ground,
            WriteOff.evidence,
            Disaster.code.label("disaster"),
            WriteOff.document_no,
            WriteOff.voucher,
        ),
        status=status,
        loan_no=loan_no,
    ).outerjoin(Disaster, Disaster.id == WriteOff.disaster_id)
    if disaster_code is not None:
        query = query.where(Disaster.code == disaster_code)
    return query


def write_offs(
    session: Session,
    actor: Actor,
    fund_code: str,
    *,
    status: str | None = None,
    loan: str | None = None,
    disaster: str | None = None,
) -> Select[Any]:
    """Write-off proposals (核销), oldest first, with their decisions."""
    the_fund = fund(session, actor, fund_code)
    return _write_offs(the_fund.id, status=status, loan_no=loan, disaster_code=disaster)


def write_off(session: Session, row: WriteOff) -> Any:
    return session.execute(_write_offs(row.fund_id).where(WriteOff.id == row.id)).one()


def write_off_list(session: Session, rows: Sequence[WriteOff]) -> list[Any]:
    if not rows:
        return []
    return list(
        session.execute(
            _write_offs(rows[0].fund_id).where(WriteOff.id.in_([row.id for row in rows]))
        )
    )


def _extensions(fund_id: int, *, status: str | None = None, loan_no: str | None = None):
    return _proposals(
        Extension,
        fund_id,
        (Extension.schedule, Disaster.code.label("disaster")),
        status=status,
        loan_no=loan_no,
    ).outerjoin(Disaster, Disaster.id == Extension.disaster_id)


def extensions(
    session: Session,
    actor: Actor,
    fund_code: str,
    *,
    status: str | None = None,
    loan: str | None = None,
) -> Select[Any]:
    """Extension proposals (展期), oldest first, with their decisions."""
    the_fund = fund(session, actor, fund_code)
    return _extensions(the_fund.id, status=status, loan_no=loan)


def extension(session: Session, row: Extension) -> Any:
    return session.execute(_extensions(row.fund_id).where(Extension.id == row.id)).one()


def extension_list(session: Session, rows: Sequence[Extension]) -> list[Any]:
    if not rows:
        return []
    return list(
        session.execute(
            _extensions(rows[0].fund_id).where(Extension.id.in_([row.id for row in rows]))
        )
    )


def _project_changes(fund_id: int, *, status: str | None = None, loan_no: str | None = None):
    return _proposals(
        ProjectChange,
        fund_id,
        (ProjectType.code.label("project_type"), ProjectChange.project),
        status=status,
        loan_no=loan_no,
    ).join(ProjectType, ProjectType.id == ProjectChange.project_type_id)


def project_changes(
    session: Session,
    actor: Actor,
    fund_code: str,
    *,
    status: str | None = None,
    loan: str | None = None,
) -> Select[Any]:
    """Project-change proposals (项目变更), oldest first, with their decisions."""
    the_fund = fund(session, actor, fund_code)
    return _project_changes(the_fund.id, status=status, loan_no=loan)


def project_change(session: Session, row: ProjectChange) -> Any:
    return session.execute(_project_changes(row.fund_id).where(ProjectChange.id == row.id)).one()


def _reversals(fund_id: int, *, status: str | None = None) -> Select[Any]:
    query = (
        select(
            Reversal.id,
            Journal.voucher_no.label("journal"),
            Reversal.voucher,
            Reversal.status,
            Reversal.reason,
            Reversal.proposed_by,
            Reversal.proposed_on,
            Reversal.decided_by,
            Reversal.decided_on,
            Reversal.decision_note,
        )
        .join(Journal, Journal.id == Reversal.journal_id)
        .where(Reversal.fund_id == fund_id)
        .order_by(Reversal.id)
    )
    if status is not None:
        query = query.where(Reversal.status == ProposalStatus(status))
    return query


def reversals(
    session: Session, actor: Actor, fund_code: str, *, status: str | None = None
) -> Select[Any]:
    """Reversal proposals (冲销申请), oldest first, with their decisions."""
    return _reversals(fund(session, actor, fund_code).id, status=status)


def reversal(session: Session, row: Reversal) -> Any:
    return session.execute(_reversals(row.fund_id).where(Reversal.id == row.id)).one()


# --- the books ------------------------------------------------------------------


def journal(session: Session, actor: Actor, fund_code: str, voucher: str) -> JournalView:
    return journal_view(session, fund_id(session, actor, fund_code), voucher)


def journals(
    session: Session,
    actor: Actor,
    fund_code: str,
    *,
    from_: date | None = None,
    to: date | None = None,
    kind: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[int, list[JournalView]]:
    """(count, one page) of the fund's journals in voucher order, with their lines."""
    the_fund = fund(session, actor, fund_code)
    query = select(Journal).where(Journal.fund_id == the_fund.id)
    if from_ is not None:
        query = query.where(Journal.posted_on >= from_)
    if to is not None:
        query = query.where(Journal.posted_on <= to)
    if kind is not None:
        query = query.where(Journal.kind == kind)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = session.scalars(
        query.order_by(Journal.period, Journal.seq).offset(offset).limit(limit)
    ).all()
    ids = [j.id for j in page]
    lines: dict[int, list[JournalLine]] = defaultdict(list)
    for entry, code, subkey in session.execute(
        select(Entry, Account.code, Account.subkey)
        .join(Account, Account.id == Entry.account_id)
        .where(Entry.journal_id.in_(ids))
        .order_by(Entry.journal_id, Entry.line_no)
    ):
        lines[entry.journal_id].append(
            JournalLine(
                str(AccountRef(code, subkey)),
                entry.side,
                entry.amount,
                entry.amount if entry.side == "D" else ZERO,
                entry.amount if entry.side == "C" else ZERO,
            )
        )
    original = aliased(Journal)
    reverses = dict(
        session.execute(
            select(Journal.id, original.voucher_no)
            .join(original, original.id == Journal.reverses_id)
            .where(Journal.id.in_(ids))
        ).all()
    )
    reversed_by = dict(
        session.execute(
            select(Journal.reverses_id, Journal.voucher_no).where(Journal.reverses_id.in_(ids))
        ).all()
    )
    return total, [
        JournalView(
            j.voucher_no,
            j.posted_on,
            j.kind,
            j.memo,
            j.recorded_by,
            j.red,
            reverses.get(j.id),
            reversed_by.get(j.id),
            tuple(lines[j.id]),
        )
        for j in page
    ]


@dataclass(frozen=True)
class SubAccountRow:
    account: str
    key: str
    debit: Decimal
    credit: Decimal
    balance: Decimal


@dataclass(frozen=True)
class ChartRow:
    """A line of the chart of accounts with its turnover and balance."""

    code: str
    name: str
    name_en: str
    kind: str
    subledger: str
    debit: Decimal
    credit: Decimal
    balance: Decimal
    subaccounts: tuple[SubAccountRow, ...]


def accounts(
    session: Session, actor: Actor, fund_code: str, as_of: date | None = None
) -> list[ChartRow]:
    """The chart of accounts with balances, each line with its sub-accounts (明细账)."""
    the_fund = fund(session, actor, fund_code)
    totals = {row.code: row for row in trial_balance(session, the_fund.id, as_of=as_of).rows}
    out = []
    for line in session.scalars(
        select(ChartAccount).where(ChartAccount.fund_id == the_fund.id).order_by(ChartAccount.code)
    ):
        subs: tuple[SubAccountRow, ...] = ()
        if line.subledger is not SubLedger.NONE:
            subs = tuple(
                SubAccountRow(b.account, key, b.debit, b.credit, b.balance)
                for key, b in sorted(
                    subaccount_balances(session, the_fund.id, line.code, as_of).items()
                )
            )
        total = totals[line.code]
        out.append(
            ChartRow(
                line.code,
                line.name_zh,
                line.name_en,
                line.kind.value,
                line.subledger.value,
                total.debit,
                total.credit,
                total.balance,
                subs,
            )
        )
    return out


def trial_balance_of(
    session: Session,
    actor: Actor,
    fund_code: str,
    *,
    as_of: date | None = None,
    from_: date | None = None,
) -> TrialBalance:
    return trial_balance(session, fund_id(session, actor, fund_code), as_of=as_of, from_=from_)


def periods(session: Session, actor: Actor, fund_code: str) -> Select[Any]:
    """Months that were ever closed, with who closed and reopened them."""
    the_fund = fund(session, actor, fund_code)
    return (
        select(
            Period.period,
            Period.closed,
            Period.closed_by,
            Period.closed_at,
            Period.reopened_by,
            Period.reopened_at,
            Period.reopen_reason,
        )
        .where(Period.fund_id == the_fund.id)
        .order_by(Period.period)
    )


# --- the programme's figures ---------------------------------------------------


def summary(
    session: Session, actor: Actor, fund_code: str, as_of: date | None = None
) -> FundSummary:
    return fund_summary(session, fund_id(session, actor, fund_code), actor, as_of)


def aging_of(
    session: Session, actor: Actor, fund_code: str, as_of: date, township: str | None = None
) -> Aging:
    the_fund = fund(session, actor, fund_code)
    return aging(session, the_fund.id, actor, as_of, township_filter(actor, township))


def recovery(session: Session, actor: Actor, fund_code: str, year: int) -> RecoveryTable:
    return recovery_table(session, fund_id(session, actor, fund_code), actor, year)


def three_lines(session: Session, actor: Actor, fund_code: str) -> list[ThreeLineIssue]:
    return three_line_report(session, fund_id(session, actor, fund_code), actor)


def township_position(
    session: Session, actor: Actor, fund_code: str, code: str, as_of: date | None = None
) -> TownshipPosition:
    """One township's account with the county (another township's: 404)."""
    the_fund = fund(session, actor, fund_code)
    town = lookup.township(session, the_fund.id, code, actor, "township")
    for position in township_positions(session, the_fund.id, actor, as_of):
        if position.code == town.code:
            return position
    raise lookup.not_found(Township, code, "township")  # pragma: no cover - listed above


def exposures(session: Session, actor: Actor, fund_code: str) -> list[LiaisonExposure]:
    """Every liaison's exposure today (a township officer's own township only)."""
    return liaison_exposures(session, fund_id(session, actor, fund_code), actor)


def liaison_exposure(
    session: Session, actor: Actor, fund_code: str, liaison_id: int, as_of: date | None = None
) -> LiaisonExposure:
    """One liaison's exposure (资金不回收,责任不解除); another township's: 404."""
    the_fund = fund(session, actor, fund_code)
    person = lookup.by_id(session, Liaison, the_fund.id, liaison_id, actor, "liaison")
    found = liaison_exposures(session, the_fund.id, actor, as_of, liaison_ids=[person.id])
    if not found:  # pragma: no cover - by_id has checked it exists and is visible
        raise RecordNotFound(
            f"联系人 {liaison_id} 不存在", f"liaison {liaison_id} does not exist", field="liaison"
        )
    return found[0]
