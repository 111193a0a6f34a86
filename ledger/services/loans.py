"""The loan lifecycle (SPEC §5), from registration to closing.

``applied → verified → approved → contracted → disbursed → closed``, with
the side exits ``rejected`` (at verification) and ``written_off``. Every
transition checks the state it starts from, takes the loan's row lock, and
writes a `LoanEvent` saying who, when and why; money-moving steps post their
journal (SPEC §4) in the same transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from ledger import cash, dates, journal_templates, permissions, positions, validate
from ledger.actors import Actor
from ledger.db import UnitOfWork
from ledger.errors import (
    DuplicateKey,
    DuplicateLoanInBatch,
    InvalidField,
    OverLimit,
    Overpayment,
    ThreeLinesNotOne,
)
from ledger.models import (
    OPEN_STATUSES,
    Batch,
    Fund,
    Household,
    Instalment,
    Liaison,
    LiaisonAssignment,
    Loan,
    LoanEvent,
    LoanStatus,
    ProjectType,
    ScheduleVersion,
    Township,
)
from ledger.money import fmt
from ledger.permissions import Action
from ledger.read.figures import disbursed_and_outstanding
from ledger.schedule import check_schedule
from ledger.services import lookup
from ledger.services.journals import PostedJournal, post
from ledger.threelines import three_line_problems

NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
ZERO = Decimal("0.00")


def record_event(
    uow: UnitOfWork,
    loan: Loan,
    actor: Actor,
    action: str,
    on: date,
    *,
    to: LoanStatus | None = None,
    note: str = "",
    voucher: str | None = None,
) -> None:
    """Append a history line and move the loan to `to` (if given: counted under its new
    status, `positions.record_counts`); a registration or an approval is kept in the
    period's activity (`positions.record_loan_events`)."""
    before = loan.status
    if to is not None and to != before:
        loan.status = to
        place = (loan.township_id, loan.batch_id)
        positions.record_counts(
            uow.session, loan.fund_id, loans={(*place, before): -1, (*place, to): 1}
        )
    event = LoanEvent(
        loan_id=loan.id,
        on=on,
        action=action,
        from_status=before.value,
        to_status=loan.status.value,
        actor=actor.username,
        note=note,
        voucher=voucher,
    )
    uow.session.add(event)
    if action in positions.EVENT_KINDS:
        uow.session.flush()
        positions.record_loan_events(uow.session, loan.fund_id, action, [event.id])


#: How a message names the date of each loan event a later step must not precede.
_EVENT_DATES = {
    "registered": dates.REGISTRATION,
    "verified": dates.VERIFICATION,
    "approved": dates.APPROVAL,
    "contracted": dates.CONTRACT,
    "disbursed": dates.DISBURSEMENT,
    "write_off_approved": dates.WRITE_OFF,
}


def dated_after(
    uow: UnitOfWork, loan: Loan, value: object, field: str, step: dates.Step, action: str
) -> date:
    """`value` as the date of `step`: not in the future, nor before the loan's first `action`.

    The loan's history holds the date of every lifecycle event, so the order
    registration ≤ verification ≤ approval ≤ contract ≤ disbursement ≤
    repayment is read from it rather than kept twice.
    """
    day = dates.business_day(value, field, step)
    earlier = uow.session.scalar(
        select(func.min(LoanEvent.on)).where(
            LoanEvent.loan_id == loan.id, LoanEvent.action == action
        )
    )
    return dates.not_before(day, earlier, field, step, _EVENT_DATES[action])


def _number(value: object, field: str) -> str:
    if not isinstance(value, str) or not NUMBER.match(value):
        raise InvalidField(
            f"{field} 应为 1–40 位字母、数字、- 或 _",
            f"{field} must be 1-40 letters, digits, - or _",
            field=field,
        )
    return value


#: The amounts a loan's limits cap, as a refusal names them: (Chinese, English, field).
REQUESTED = ("申请金额", "requested amount", "requested_amount")
APPROVED = ("审定金额", "approved amount", "approved_amount")


def within_loan_limits(
    amount: Decimal,
    what: tuple[str, str, str],
    kind: ProjectType | None,
    max_loan: Decimal,
    *,
    requested: Decimal | None = None,
) -> Decimal:
    """Refuse an amount over the borrowing standard (借款标准), the request or the fund's maximum.

    Registration checks the requested amount against its project type's
    standard and the fund's maximum loan, whether it comes from the form, the
    API or a sheet; approval checks the approved amount against the request
    too. `kind` is None only for a sheet row whose project type is unknown
    (refused for that already).
    """
    ceilings: list[tuple[Decimal, str, str]] = []
    if kind is not None:
        ceilings.append(
            (
                kind.borrowing_standard,
                f"项目类型 {kind.name} 的借款标准",
                f"the borrowing standard of {kind.code}",
            )
        )
    if requested is not None:
        ceilings.append((requested, "申请金额", "the requested amount"))
    ceilings.append((max_loan, "基金单笔借款上限", "the fund's maximum loan"))
    zh_name, en_name, field = what
    for ceiling, zh, en in ceilings:
        if amount > ceiling:
            raise OverLimit(
                f"{zh_name} {fmt(amount)} 超过{zh} {fmt(ceiling)}",
                f"{en_name} {amount} exceeds {en} ({ceiling})",
                field=field,
            )
    return amount


def registration_day(
    value: object, opened_on: date | None, field: str, *, now: date | None = None
) -> date:
    """A registration date: not after today, nor before the fund started.

    One registration and every row of a sheet keep this one rule; a sheet's
    rows are checked against `now`, the day it was uploaded.
    """
    day = dates.not_in_future(validate.day(value, field), field, dates.REGISTRATION, now=now)
    return dates.not_before(day, opened_on, field, dates.REGISTRATION, dates.FUND_START)


def register_loan(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    *,
    household: int,
    batch: str,
    project_type: str,
    project: str,
    requested_amount: object,
    on: date,
    registration_no: str | None = None,
    application_no: str | None = None,
) -> Loan:
    """Register an application (逐户编号登记); the number is assigned unless given."""
    session = uow.session
    fund = lookup.fund(session, fund_code)
    permissions.check(actor, Action.REGISTER)
    person = lookup.by_id(session, Household, fund.id, household, actor, "household")
    the_batch = lookup.by_code(session, Batch, fund.id, batch, "batch")
    kind = lookup.by_code(session, ProjectType, fund.id, project_type, "project_type")
    project = validate.text(project, "project", max_length=200)
    requested = within_loan_limits(
        validate.amount(requested_amount, "requested_amount"),
        REQUESTED,
        kind,
        lookup.settings(session, fund.id).max_loan,
    )
    on = registration_day(on, fund.opened_on, "date")
    town = session.get_one(Township, person.township_id)
    open_loan = session.scalar(
        select(Loan.registration_no)
        .join(Household, Household.id == Loan.household_id)
        .where(
            Loan.batch_id == the_batch.id,
            Household.id_number == person.id_number,
            Loan.status.in_(OPEN_STATUSES),
        )
    )
    if open_loan is not None:
        raise DuplicateLoanInBatch(
            f"身份证号 {person.id_number} 在第 {the_batch.code} 批已有借款 {open_loan}",
            f"ID number {person.id_number} already has loan {open_loan} in batch {the_batch.code}",
            field="household",
        )
    seq = None
    if registration_no is None:
        seq = 1 + (
            session.scalar(
                select(func.max(Loan.seq)).where(
                    Loan.batch_id == the_batch.id, Loan.township_id == town.id
                )
            )
            or 0
        )
        registration_no = f"{the_batch.code}-{town.code}-{seq:04d}"
    registration_no = _number(registration_no, "registration_no")
    application_no = (
        _number(application_no, "application_no") if application_no else registration_no
    )
    for column, value, field in (
        (Loan.registration_no, registration_no, "registration_no"),
        (Loan.application_no, application_no, "application_no"),
    ):
        if session.scalar(select(Loan.id).where(Loan.fund_id == fund.id, column == value)):
            raise DuplicateKey(
                f"编号 {value} 已被使用", f"number {value} is already used", field=field
            )
    loan = Loan(
        fund_id=fund.id,
        registration_no=registration_no,
        seq=seq,
        household_id=person.id,
        township_id=town.id,
        batch_id=the_batch.id,
        project_type_id=kind.id,
        project=project,
        status=LoanStatus.APPLIED,
        requested_amount=requested,
        application_no=application_no,
        created_by=actor.username,
    )
    session.add(loan)
    session.flush()  # the history line needs the loan id
    positions.record_counts(session, fund.id, loans={(town.id, the_batch.id, loan.status): 1})
    record_event(uow, loan, actor, "registered", on, note=f"申请 {fmt(requested)} 元")
    uow.session.flush()
    return loan


def verify_loan(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    registration_no: str,
    *,
    visited_on: date,
    visitor: str,
    eligible: bool,
    reason: str = "",
) -> Loan:
    """Record the household visit (核查); ineligible households are rejected with a reason."""
    fund = lookup.fund(uow.session, fund_code)
    loan = lookup.loan(uow.session, fund.id, registration_no, actor, lock=True)
    visited_on = dated_after(uow, loan, visited_on, "visited_on", dates.VERIFICATION, "registered")
    visitor = validate.text(visitor, "visitor", max_length=50)
    eligible = validate.flag(eligible, "eligible")
    reason = validate.text(reason, "reason", max_length=500, required=not eligible)
    permissions.check(actor, Action.VERIFY, loan)
    loan.visited_on, loan.visitor = visited_on, visitor
    if not eligible:
        loan.exclusion_reason = reason
    record_event(
        uow,
        loan,
        actor,
        "verified" if eligible else "rejected",
        visited_on,
        to=LoanStatus.VERIFIED if eligible else LoanStatus.REJECTED,
        note=reason,
    )
    uow.session.flush()
    return loan


def approve_loan(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    registration_no: str,
    *,
    approved_amount: object,
    schedule: Iterable[tuple[date, object]],
    on: date,
) -> Loan:
    """Approve an amount (审定) within every limit, with a schedule that sums exactly."""
    session = uow.session
    fund = lookup.fund(session, fund_code)
    loan = lookup.loan(session, fund.id, registration_no, actor, lock=True)
    on = dated_after(uow, loan, on, "date", dates.APPROVAL, "verified")
    amount = validate.amount(approved_amount, "approved_amount")
    permissions.check(actor, Action.APPROVE, loan)
    limits = lookup.settings(session, fund.id)
    kind = session.get_one(ProjectType, loan.project_type_id)
    within_loan_limits(amount, APPROVED, kind, limits.max_loan, requested=loan.requested_amount)
    dues = check_schedule(
        schedule,
        principal=amount,
        starts=on,
        starts_as=dates.APPROVAL,
        max_term_months=limits.max_term_months,
    )
    loan.approved_amount = amount
    session.add(
        ScheduleVersion(
            loan_id=loan.id, version=1, effective_on=on, principal=amount, settled_before=0
        )
    )
    session.add_all(
        Instalment(loan_id=loan.id, version=1, seq=d.seq, due_date=d.due_date, amount=d.amount)
        for d in dues
    )
    positions.record_schedules(session, fund.id, {loan.id: 1})
    record_event(
        uow,
        loan,
        actor,
        "approved",
        on,
        to=LoanStatus.APPROVED,
        note=f"审定 {fmt(amount)} 元,{len(dues)} 期",
    )
    uow.session.flush()
    return loan


def sign_contract(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    registration_no: str,
    *,
    contract_no: str,
    iou_no: str,
    liaison: int,
    technical_lead: str,
    signed_on: date,
) -> Loan:
    """Record the responsibility agreement, contract and IOU (责任书、合同书、借据).

    Numbers that are not one are recorded as signed (that is what the paper
    says) but the loan cannot be disbursed until they are corrected; the
    three-line report lists it.
    """
    session = uow.session
    fund = lookup.fund(session, fund_code)
    loan = lookup.loan(session, fund.id, registration_no, actor, lock=True)
    contract_no = _number(contract_no, "contract_no")
    iou_no = _number(iou_no, "iou_no")
    person = lookup.by_id(session, Liaison, fund.id, liaison, actor, "liaison")
    technical_lead = validate.text(technical_lead, "technical_lead", max_length=50)
    signed_on = dated_after(uow, loan, signed_on, "signed_on", dates.CONTRACT, "approved")
    permissions.check(actor, Action.CONTRACT, loan)
    if person.township_id != loan.township_id:
        raise InvalidField(
            "行政联系人必须是借款人所在乡镇的干部",
            "the liaison must be an official of the borrower's township",
            field="liaison",
        )
    for column, value, field in (
        (Loan.contract_no, contract_no, "contract_no"),
        (Loan.iou_no, iou_no, "iou_no"),
    ):
        if session.scalar(
            select(Loan.id).where(Loan.fund_id == fund.id, column == value, Loan.id != loan.id)
        ):
            raise DuplicateKey(
                f"编号 {value} 已被其他借款使用",
                f"number {value} is used by another loan",
                field=field,
            )
    loan.contract_no, loan.iou_no = contract_no, iou_no
    loan.technical_lead, loan.signed_on = technical_lead, signed_on
    session.add(
        LiaisonAssignment(
            loan_id=loan.id,
            liaison_id=person.id,
            effective_on=signed_on,
            reason="签订责任书",
            recorded_by=actor.username,
        )
    )
    problems = three_line_problems(loan)
    record_event(
        uow,
        loan,
        actor,
        "contracted",
        signed_on,
        to=LoanStatus.CONTRACTED,
        note="; ".join(zh for zh, _ in problems) or "三线合一",
    )
    uow.session.flush()
    return loan


#: What settles a loan's principal, as a refusal names it: (Chinese, English).
REPAYMENT = ("还款", "repayment")
GUARANTEE_CALL = ("担保代偿", "guarantee call")
WRITE_OFF = ("核销", "write-off")


def within_outstanding(
    loan: Loan,
    amount: Decimal,
    outstanding: Decimal,
    settlement: tuple[str, str],
    *,
    pending: Decimal = ZERO,
) -> None:
    """Refuse settling more principal than the loan still owes (SPEC §5).

    A repayment, a guarantee call and a write-off each settle principal, and
    none may exceed the outstanding. A write-off proposal also leaves room for
    the write-offs already `pending` on the loan; a repayment or call does not
    wait for them (a decision then finds the outstanding smaller and refuses).
    """
    room = max(outstanding - pending, ZERO)
    if amount > room:
        zh, en = settlement
        raise Overpayment(
            f"借款 {loan.registration_no} {zh} {fmt(amount)} 元超过尚欠本金 {fmt(room)} 元"
            + (f"(尚欠 {fmt(outstanding)} 元,其中待批核销 {fmt(pending)} 元)" if pending else ""),
            f"{en} {amount} of loan {loan.registration_no} exceeds what it owes ({room}"
            + (f": outstanding {outstanding}, pending write-offs {pending}" if pending else "")
            + ")",
            field="amount",
        )


def money_step(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    registration_no: str,
    on: object,
    amount: object,
    step: dates.Step,
    follows: str,
) -> tuple[Fund, Loan, date, Decimal]:
    """How every money-moving loan step starts: the fund, the locked loan, a date, an amount.

    The date is that of `step`, which may not precede the loan's `follows` event.
    """
    fund = lookup.fund(uow.session, fund_code)
    loan = lookup.loan(uow.session, fund.id, registration_no, actor, lock=True)
    day = dated_after(uow, loan, on, "date", step, follows)
    return fund, loan, day, validate.amount(amount, "amount")


def disburse_loan(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    registration_no: str,
    *,
    on: date,
    amount: object,
    idempotency_key: str | None = None,
) -> PostedJournal:
    """Pay the household from its township's funds (发放)."""
    session = uow.session
    fund, loan, on, value = money_step(
        uow, actor, fund_code, registration_no, on, amount, dates.DISBURSEMENT, "contracted"
    )
    permissions.check(actor, Action.DISBURSE, loan)
    problems = three_line_problems(loan)
    if problems:
        raise ThreeLinesNotOne(
            "三线不合一,不能发放:" + ";".join(zh for zh, _ in problems),
            "three lines are not one: " + "; ".join(en for _, en in problems),
            field="registration_no",
        )
    disbursed, _ = disbursed_and_outstanding(session, loan)
    if disbursed + value > (loan.approved_amount or 0):
        raise OverLimit(
            f"累计发放 {fmt(disbursed + value)} 将超过审定金额 {fmt(loan.approved_amount or 0)}",
            f"total disbursed {disbursed + value} would exceed the approved {loan.approved_amount}",
            field="amount",
        )
    town = session.get_one(Township, loan.township_id)
    cash.require_cash(
        session,
        fund.id,
        journal_templates.township_funds(town.code),
        value,
        on,
        cash.DISBURSEMENT,
        holder_zh=town.name,
        holder_en=town.name,
    )
    posted = post(
        uow,
        fund.id,
        journal_templates.disbursement(on, loan.registration_no, town.code, value),
        actor=actor.username,
        idempotency_key=idempotency_key,
    )
    record_event(
        uow,
        loan,
        actor,
        "disbursed",
        on,
        to=LoanStatus.DISBURSED,
        note=f"发放 {fmt(value)} 元",
        voucher=posted.voucher,
    )
    uow.session.flush()
    return posted


def repay_loan(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    registration_no: str,
    *,
    on: date,
    amount: object,
    idempotency_key: str | None = None,
) -> PostedJournal:
    """A repayment collected by the township (收回), settling the oldest instalment first."""
    session = uow.session
    fund, loan, on, value = money_step(
        uow, actor, fund_code, registration_no, on, amount, dates.REPAYMENT, "disbursed"
    )
    permissions.check(actor, Action.REPAY, loan)
    disbursed, outstanding = disbursed_and_outstanding(session, loan)
    within_outstanding(loan, value, outstanding, REPAYMENT)
    town = session.get_one(Township, loan.township_id)
    posted = post(
        uow,
        fund.id,
        journal_templates.repayment(on, loan.registration_no, town.code, value),
        actor=actor.username,
        idempotency_key=idempotency_key,
    )
    closing = value == outstanding and loan.approved_amount == disbursed
    record_event(
        uow,
        loan,
        actor,
        "repaid",
        on,
        to=LoanStatus.CLOSED if closing else None,
        note=f"还款 {fmt(value)} 元" + (",已结清" if closing else ""),
        voucher=posted.voucher,
    )
    uow.session.flush()
    return posted
