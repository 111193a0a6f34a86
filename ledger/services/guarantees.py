"""The liaison's guarantee (以本人的工资为担保) and liaison changes.

"资金不回收,责任不解除": the liaison answers for a loan until it is repaid,
recovered from the salary, or written off. When a loan is overdue an
approver calls the guarantee: the called principal moves from the household
(1101) to the liaison (1102) and payroll deducts it month by month, each
month at most the fund's cap (default 20 %) of the recorded monthly salary
(工资支付暂行规定 art. 16). A liaison change (联系人变更) moves the liability
from an effective date; both liaisons stay on the loan's history (不脱钩).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_DOWN, Decimal

from sqlalchemy import func, select

from ledger import dates, journal_templates, permissions, positions, validate
from ledger.actors import Actor
from ledger.db import UnitOfWork
from ledger.errors import InvalidField, InvalidTransition, NotOverdue, OverLimit
from ledger.models import (
    DeductionPlan,
    GuaranteeCall,
    Liaison,
    LiaisonAssignment,
    Loan,
    LoanStatus,
    SalaryDeduction,
)
from ledger.money import FEN, fmt
from ledger.permissions import Action
from ledger.read.books import balance, fen_sum
from ledger.read.figures import disbursed_and_outstanding, loan_figures, schedules
from ledger.schedule import add_months
from ledger.services import lookup
from ledger.services.journals import PostedJournal, post
from ledger.services.loans import GUARANTEE_CALL, money_step, record_event, within_outstanding


def current_liaison(uow: UnitOfWork, loan: Loan, on: date) -> LiaisonAssignment | None:
    """The assignment in force on `on`: the latest effective by then."""
    return uow.session.scalar(
        select(LiaisonAssignment)
        .where(LiaisonAssignment.loan_id == loan.id, LiaisonAssignment.effective_on <= on)
        .order_by(LiaisonAssignment.effective_on.desc())
        .limit(1)
    )


def monthly_cap(salary: Decimal, cap: Decimal) -> Decimal:
    """The most one month's deduction may take, rounded down to the fen (never above the cap)."""
    return (salary * cap).quantize(FEN, rounding=ROUND_DOWN)


def call_guarantee(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    registration_no: str,
    *,
    on: date,
    amount: object,
    idempotency_key: str | None = None,
) -> GuaranteeCall:
    """An approver calls the liaison's guarantee on an overdue loan (担保代偿)."""
    permissions.check(actor, Action.CALL_GUARANTEE)
    session = uow.session
    fund, loan, on, value = money_step(
        uow, actor, fund_code, registration_no, on, amount, dates.GUARANTEE_CALL, "disbursed"
    )
    permissions.check(actor, Action.CALL_GUARANTEE, loan)
    figures = loan_figures(session, loan, as_of=on)
    schedule = schedules(session, [loan.id], as_of=on).get(loan.id)
    days, _ = schedule.overdue(figures.settled, on) if schedule else (0, 0)
    if days == 0:
        raise NotOverdue(
            f"借款 {loan.registration_no} 在 {on} 未逾期,不能启动担保代偿",
            f"loan {loan.registration_no} is not overdue on {on}",
            field="registration_no",
        )
    disbursed, outstanding = disbursed_and_outstanding(session, loan)
    within_outstanding(loan, value, outstanding, GUARANTEE_CALL)
    assignment = current_liaison(uow, loan, on)
    if assignment is None:
        raise InvalidTransition("借款没有行政联系人", "the loan has no liaison", field="loan")
    liaison = session.get_one(Liaison, assignment.liaison_id)
    cap = monthly_cap(liaison.monthly_salary, lookup.settings(session, fund.id).deduction_cap)
    if cap <= 0:
        raise InvalidField(
            f"联系人 {liaison.name} 的工资扣款上限为零",
            f"liaison {liaison.name} has no deductible salary",
            field="amount",
        )
    posted = post(
        uow,
        fund.id,
        journal_templates.guarantee_call(on, loan.registration_no, liaison.id, value),
        actor=actor.username,
        idempotency_key=idempotency_key,
    )
    call = GuaranteeCall(
        fund_id=fund.id,
        loan_id=loan.id,
        liaison_id=liaison.id,
        called_on=on,
        amount=value,
        monthly_cap=cap,
        voucher=posted.voucher,
        called_by=actor.username,
    )
    session.add(call)
    session.flush()  # the plan rows need the call id
    left, seq = value, 0
    while left > 0:
        seq += 1
        part = min(cap, left)
        session.add(
            DeductionPlan(
                call_id=call.id, seq=seq, due_month=dates.month_of(add_months(on, seq)), amount=part
            )
        )
        left -= part
    closing = value == outstanding and disbursed == loan.approved_amount
    record_event(
        uow,
        loan,
        actor,
        "guarantee_called",
        on,
        to=LoanStatus.CLOSED if closing else None,
        voucher=posted.voucher,
        note=f"联系人 {liaison.name} 担保代偿 {fmt(value)} 元,按月扣款 {seq} 期,"
        f"每月不超过 {fmt(cap)} 元",
    )
    uow.session.flush()
    return call


def record_salary_deduction(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    liaison_id: int,
    *,
    on: date,
    amount: object,
    idempotency_key: str | None = None,
) -> PostedJournal:
    """A deduction received from payroll (工资代扣), within the month's cap."""
    session = uow.session
    fund = lookup.fund(session, fund_code)
    permissions.check(actor, Action.DEDUCT_SALARY)
    liaison = lookup.by_id(session, Liaison, fund.id, liaison_id, actor, "liaison")
    first_call = session.scalar(
        select(func.min(GuaranteeCall.called_on)).where(GuaranteeCall.liaison_id == liaison.id)
    )
    on = dates.not_before(
        dates.business_day(on, "date", dates.SALARY_DEDUCTION),
        first_call,
        "date",
        dates.SALARY_DEDUCTION,
        dates.GUARANTEE_CALL,
    )
    value = validate.amount(amount, "amount")
    owed = balance(session, fund.id, journal_templates.liaison_receivable(liaison.id)).balance
    if value > owed:
        raise OverLimit(
            f"扣款 {fmt(value)} 超过联系人 {liaison.name} 尚欠代偿款 {fmt(owed)}",
            f"deduction {value} exceeds the {owed} the liaison owes",
            field="amount",
        )
    cap = monthly_cap(liaison.monthly_salary, lookup.settings(session, fund.id).deduction_cap)
    month_start = on.replace(day=1)
    this_month = session.scalar(
        select(fen_sum(SalaryDeduction.amount)).where(
            SalaryDeduction.liaison_id == liaison.id,
            SalaryDeduction.received_on >= month_start,
            SalaryDeduction.received_on < add_months(month_start, 1),
        )
    )
    if this_month + value > cap:
        raise OverLimit(
            f"本月扣款合计 {fmt(this_month + value)} 超过月工资 {fmt(liaison.monthly_salary)} "
            f"的扣款上限 {fmt(cap)}",
            f"this month's deductions {this_month + value} exceed the cap {cap} of the "
            f"monthly salary {liaison.monthly_salary}",
            field="amount",
        )
    posted = post(
        uow,
        fund.id,
        journal_templates.salary_deduction(on, liaison.id, value),
        actor=actor.username,
        idempotency_key=idempotency_key,
    )
    session.add(
        SalaryDeduction(
            fund_id=fund.id,
            liaison_id=liaison.id,
            received_on=on,
            amount=value,
            voucher=posted.voucher,
            recorded_by=actor.username,
        )
    )
    uow.session.flush()
    return posted


def change_liaison(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    registration_no: str,
    *,
    effective_on: date,
    liaison: int,
    reason: str,
) -> LiaisonAssignment:
    """Hand a loan to a new liaison from `effective_on` (联系人变更); history is kept."""
    session = uow.session
    fund = lookup.fund(session, fund_code)
    loan = lookup.loan(session, fund.id, registration_no, actor, lock=True)
    effective_on = dates.business_day(effective_on, "effective_on", dates.LIAISON_CHANGE)
    reason = validate.text(reason, "reason", max_length=500)
    successor = lookup.by_id(session, Liaison, fund.id, liaison, actor, "liaison")
    permissions.check(actor, Action.CHANGE_LIAISON, loan)
    latest = session.scalar(
        select(LiaisonAssignment)
        .where(LiaisonAssignment.loan_id == loan.id)
        .order_by(LiaisonAssignment.effective_on.desc())
        .limit(1)
    )
    if latest is None:  # pragma: no cover - contracted loans always have one
        raise InvalidTransition("借款没有行政联系人", "the loan has no liaison", field="loan")
    if successor.id == latest.liaison_id:
        raise InvalidField(
            "新联系人与现联系人相同", "the new liaison is the current one", field="liaison"
        )
    if successor.township_id != loan.township_id:
        raise InvalidField(
            "行政联系人必须是借款人所在乡镇的干部",
            "the liaison must be an official of the borrower's township",
            field="liaison",
        )
    if effective_on <= latest.effective_on:
        raise InvalidField(
            f"生效日期必须晚于 {latest.effective_on}",
            f"effective_on must be after {latest.effective_on}",
            field="effective_on",
        )
    predecessor = session.get_one(Liaison, latest.liaison_id)
    assignment = LiaisonAssignment(
        loan_id=loan.id,
        liaison_id=successor.id,
        effective_on=effective_on,
        reason=reason,
        recorded_by=actor.username,
    )
    session.add(assignment)
    positions.record_liaison_change(session, fund.id, loan.id, latest.liaison_id)
    record_event(
        uow,
        loan,
        actor,
        "liaison_changed",
        effective_on,
        note=f"{predecessor.name} → {successor.name}:{reason}",
    )
    uow.session.flush()
    return assignment
