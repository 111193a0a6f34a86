"""Liaisons' guarantees (担保): what each answers for, what was called and deducted.

A liaison (联系人) answers for the loans assigned to them (资金不回收,责任
不解除): when a household does not repay, the overdue principal is called
from the liaison (担保代偿) and recovered by monthly salary deductions
(工资代扣) under a cap. A township officer sees their own township's only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger import chart, dates, journal_templates
from ledger.actors import Actor
from ledger.errors import (
    RecordNotFound,
)
from ledger.models import (
    DeductionPlan,
    GuaranteeCall,
    Household,
    Liaison,
    LiaisonAssignment,
    Loan,
    SalaryDeduction,
    Township,
)
from ledger.read import positions as kept_reads
from ledger.read.access import FundHeader, fund
from ledger.read.books import ZERO, balance, fen_sum, subaccount_balances
from ledger.read.figures import loan_figures, schedules
from ledger.read.listing import Seek
from ledger.read.loans import LoanRow, loan_rows
from ledger.read.setup import LiaisonRow, liaisons
from ledger.services import lookup
from ledger.services.journals import PostedJournal


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
    answering = _answered(session, fund_id, actor, as_of, liaison_ids)
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
                sum((r.overdue for r in mine), ZERO),
                called.get(person.id, ZERO),
                deducted.get(person.id, ZERO),
                owed[str(person.id)].balance if str(person.id) in owed else ZERO,
            )
        )
    return out


@dataclass(frozen=True)
class _Answered:
    """A loan with principal outstanding, as its liaison answers for it."""

    registration_no: str
    outstanding: Decimal
    overdue: Decimal


def _answered(
    session: Session,
    fund_id: int,
    actor: Actor,
    as_of: date | None,
    liaison_ids: Sequence[int] | None,
) -> dict[int, list[_Answered]]:
    """liaison id -> the loans with principal outstanding they answer for on `as_of`, by
    township and registration number.

    Today: the kept positions of the loans whose latest assignment is theirs,
    and the overdue amount of the overdue ones under their schedules. As of
    a past date: computed from the entries of the loans assigned to anyone
    by then (those of `liaison_ids`, if given), since the kept positions are
    now's.
    """
    answering: dict[int, list[_Answered]] = defaultdict(list)
    today = dates.today()
    if as_of is None or as_of == today:
        kept = kept_reads.assigned_positions(
            session,
            fund_id,
            township=actor.township_code if actor.is_township else None,
            liaison_ids=liaison_ids,
        )
        overdue = [k.loan_id for k in kept if k.oldest_unpaid_due and k.oldest_unpaid_due < today]
        plans = schedules(session, overdue)
        for k in kept:
            plan = plans.get(k.loan_id)
            amount = plan.overdue(k.figures.settled, today)[1] if plan else ZERO
            answering[k.liaison_id].append(
                _Answered(k.registration_no, k.figures.outstanding, amount)
            )
        return answering
    assigned = (
        select(Loan.registration_no)
        .join(LiaisonAssignment, LiaisonAssignment.loan_id == Loan.id)
        .where(Loan.fund_id == fund_id, LiaisonAssignment.effective_on <= as_of)
        .distinct()
    )
    if liaison_ids is not None:
        assigned = assigned.where(LiaisonAssignment.liaison_id.in_(list(liaison_ids)))
    nos = list(session.scalars(assigned))
    for row in loan_rows(session, fund_id, actor, as_of=as_of, registration_nos=nos) if nos else ():
        if row.liaison_id is not None and row.outstanding > 0:
            answering[row.liaison_id].append(
                _Answered(row.registration_no, row.outstanding, row.overdue_amount)
            )
    return answering


def _per_liaison(
    session: Session,
    model: type[GuaranteeCall] | type[SalaryDeduction],
    day: Any,
    fund_id: int,
    as_of: date | None,
    liaison_ids: Sequence[int] | None = None,
) -> dict[int, Decimal]:
    """Σ amount per liaison (of `liaison_ids`, if given) of guarantee calls or deductions
    up to `as_of`."""
    query = (
        select(model.liaison_id, fen_sum(model.amount))
        .where(model.fund_id == fund_id)
        .group_by(model.liaison_id)
    )
    if as_of is not None:
        query = query.where(day <= as_of)
    if liaison_ids is not None:
        query = query.where(model.liaison_id.in_(list(liaison_ids)))
    return {who: amount for who, amount in session.execute(query)}


@dataclass(frozen=True)
class LiaisonTotals:
    """A line of the liaisons' list: what one answers for today, summed (a liaison's own
    loans are on their own page, `liaison_exposure`)."""

    liaison_id: int
    name: str
    township: str
    monthly_salary: Decimal
    #: How many loans with principal outstanding they answer for.
    loans: int
    exposure: Decimal
    overdue_amount: Decimal
    called: Decimal
    deducted: Decimal
    owed: Decimal


def liaisons_page(
    session: Session,
    actor: Actor,
    fund_code: str,
    *,
    after: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[int, Seek[LiaisonTotals]]:
    """(how many liaisons, one page of them with their totals today), by township and id,
    sought after the cursor `after` (or after `offset` rows); a township officer's own only.

    The totals are the kept liaison rows of the page's liaisons
    (`liaison_totals`): no loan is read.
    """
    the_fund = fund(session, actor, fund_code)
    listing = liaisons(session, actor, fund_code)
    page = listing.slice(session, after, offset, limit)
    return listing.count(session), Seek(liaison_totals(session, the_fund.id, page.items), page.next)


def every_liaison(session: Session, actor: Actor, fund_code: str) -> list[LiaisonTotals]:
    """Every liaison of the list with their totals today (the list's XLSX)."""
    the_fund = fund(session, actor, fund_code)
    return liaison_totals(session, the_fund.id, liaisons(session, actor, fund_code).all(session))


def liaison_totals(
    session: Session, fund_id: int, people: Sequence[LiaisonRow]
) -> list[LiaisonTotals]:
    """`people` with what each answers for today: loans, exposure and overdue amount from
    the kept liaison rows (`read.positions.liaison_sums`); calls, deductions and what is
    owed; each read for `people` only, so a page costs its liaisons, not the book's loans."""
    ids = [person.id for person in people]
    summed = kept_reads.liaison_sums(session, fund_id, ids)
    owed = subaccount_balances(session, fund_id, chart.LIAISON_RECEIVABLE)
    called = _per_liaison(session, GuaranteeCall, GuaranteeCall.called_on, fund_id, None, ids)
    deducted = _per_liaison(
        session, SalaryDeduction, SalaryDeduction.received_on, fund_id, None, ids
    )
    none = kept_reads.LiaisonSums(0, ZERO, ZERO)
    return [
        LiaisonTotals(
            person.id,
            person.name,
            person.township,
            person.monthly_salary,
            (mine := summed.get(person.id, none)).loans,
            mine.exposure,
            mine.overdue_amount,
            called.get(person.id, ZERO),
            deducted.get(person.id, ZERO),
            owed[str(person.id)].balance if str(person.id) in owed else ZERO,
        )
        for person in people
    ]


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


@dataclass(frozen=True)
class PlannedDeduction:
    """One month of a guarantee call's deduction plan (扣款计划)."""

    seq: int
    #: The payroll month (``YYYY-MM``) the deduction falls in.
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


@dataclass(frozen=True)
class CallView:
    """A guarantee call (担保代偿) on the liaison and its monthly deduction plan."""

    called_on: date
    registration_no: str
    household: str
    amount: Decimal
    monthly_cap: Decimal
    voucher: str
    called_by: str
    plan: tuple[PlannedDeduction, ...]


@dataclass(frozen=True)
class DeductionView:
    """A salary deduction (工资代扣) received from payroll."""

    received_on: date
    amount: Decimal
    voucher: str
    recorded_by: str


@dataclass(frozen=True)
class HandoverView:
    """One line of the liability history of a loan the liaison answers or answered for."""

    registration_no: str
    household: str
    effective_on: date
    liaison_id: int
    liaison: str
    reason: str


@dataclass(frozen=True)
class LiaisonStatementData:
    """The liaison guarantee statement (联系人担保责任单) as of a date."""

    fund: FundHeader
    as_of: date
    exposure: LiaisonExposure
    township_name: str
    phone: str | None
    #: Share of the monthly salary one deduction may take (e.g. 0.2).
    deduction_cap: Decimal
    #: The loans the liaison answers for on `as_of` (outstanding > 0).
    loans: tuple[LoanRow, ...]
    calls: tuple[CallView, ...]
    deductions: tuple[DeductionView, ...]
    history: tuple[HandoverView, ...]


def liaison_statement(
    session: Session,
    actor: Actor,
    fund_code: str,
    liaison_id: int,
    *,
    as_of: date | None = None,
) -> LiaisonStatementData:
    """The liaison guarantee statement; another township's officer gets NotFound."""
    header = fund(session, actor, fund_code)
    fund_id = header.id
    person = lookup.by_id(session, Liaison, fund_id, liaison_id, actor, "liaison")
    exposure = liaison_exposures(session, fund_id, actor, as_of=as_of, liaison_ids=[person.id])[0]
    loans = ()
    if exposure.loans:
        loans = tuple(
            loan_rows(session, fund_id, actor, as_of=as_of, registration_nos=exposure.loans)
        )
    calls_query = (
        select(GuaranteeCall, Loan.registration_no, Household.name)
        .join(Loan, Loan.id == GuaranteeCall.loan_id)
        .join(Household, Household.id == Loan.household_id)
        .where(GuaranteeCall.liaison_id == person.id)
        .order_by(GuaranteeCall.called_on, GuaranteeCall.id)
    )
    deductions_query = (
        select(SalaryDeduction)
        .where(SalaryDeduction.liaison_id == person.id)
        .order_by(SalaryDeduction.received_on, SalaryDeduction.id)
    )
    if as_of is not None:
        calls_query = calls_query.where(GuaranteeCall.called_on <= as_of)
        deductions_query = deductions_query.where(SalaryDeduction.received_on <= as_of)
    calls = session.execute(calls_query).all()
    plans: dict[int, list[PlannedDeduction]] = defaultdict(list)
    if calls:
        for row in session.scalars(
            select(DeductionPlan)
            .where(DeductionPlan.call_id.in_([call.id for call, _, _ in calls]))
            .order_by(DeductionPlan.call_id, DeductionPlan.seq)
        ):
            plans[row.call_id].append(PlannedDeduction(row.seq, row.due_month, row.amount))
    ever = select(LiaisonAssignment.loan_id).where(LiaisonAssignment.liaison_id == person.id)
    history_query = (
        select(LiaisonAssignment, Loan.registration_no, Household.name, Liaison.name)
        .join(Loan, Loan.id == LiaisonAssignment.loan_id)
        .join(Household, Household.id == Loan.household_id)
        .join(Liaison, Liaison.id == LiaisonAssignment.liaison_id)
        .where(LiaisonAssignment.loan_id.in_(ever))
        .order_by(Loan.registration_no, LiaisonAssignment.effective_on)
    )
    if as_of is not None:
        history_query = history_query.where(LiaisonAssignment.effective_on <= as_of)
    history = session.execute(history_query).all()
    # Only loans that changed hands are history; a single assignment is the contract itself.
    assignments: dict[str, int] = defaultdict(int)
    for _, no, _, _ in history:
        assignments[no] += 1
    settings = lookup.settings(session, fund_id)
    town = session.get_one(Township, person.township_id)
    return LiaisonStatementData(
        header,
        as_of or dates.today(),
        exposure,
        town.name,
        person.phone,
        settings.deduction_cap,
        loans,
        tuple(
            CallView(
                call.called_on,
                no,
                household,
                call.amount,
                call.monthly_cap,
                call.voucher,
                call.called_by,
                tuple(plans[call.id]),
            )
            for call, no, household in calls
        ),
        tuple(
            DeductionView(d.received_on, d.amount, d.voucher, d.recorded_by)
            for d in session.scalars(deductions_query)
        ),
        tuple(
            HandoverView(no, household, a.effective_on, a.liaison_id, name, a.reason)
            for a, no, household, name in history
            if assignments[no] > 1
        ),
    )
