"""Proposals decided by a second person (四眼原则): write-offs (核销),
extensions (展期) and project changes (项目变更), and the recovery of a
written-off loan (核销收回).

A clerk proposes; an approver who is not the proposer approves or rejects.
Nothing moves until the approval, and the approval re-checks every figure
against the loan as it is then (a repayment may have come in meanwhile):

- A proposed write-off is *pending* (待处理): reports show it beside the
  outstanding until it is decided, and the pending write-offs of a loan may
  never add up to more than it owes. Approval posts 5001 (by disaster) or
  5002 against 1101/loan. That also releases the liaison's salary guarantee
  for the amount, since a liaison's exposure is the outstanding of the loans
  they answer for. A loan whose outstanding reaches zero becomes
  ``written_off`` but stays in the book with its liaison (账销案存: the claim
  is kept on the write-off register), and a later recovery posts
  1011 township / 4002 loan. Rejection returns the amount to outstanding.
- An approved extension adds a schedule version, effective from the approval
  date, covering the outstanding at that date; overdue days then count from
  its due dates (`ledger.read.figures.Schedule.overdue`). The loan stays
  ``disbursed`` and its history says ``extended``, so the risk stays visible.
- An approved project change moves the loan to another project type, never
  one whose borrowing standard (借款标准) is below the approved amount.

Who may do what (SPEC §2) is in `ledger.permissions`: clerks and approvers
propose; only an approver decides, and never their own proposal (checked
here); a recovery is collected like a repayment, by a clerk or by the
officer of the loan's own township.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from ledger import chart, dates, journal_templates, permissions, positions, validate
from ledger.actors import Actor
from ledger.db import UnitOfWork
from ledger.errors import (
    InvalidField,
    InvalidTransition,
    MakerIsChecker,
    OverLimit,
    ProposalPending,
    RecordNotFound,
    ScheduleMismatch,
)
from ledger.models import (
    Disaster,
    DisasterTownship,
    Extension,
    Fund,
    Instalment,
    Loan,
    LoanStatus,
    ProjectChange,
    ProjectType,
    ProposalStatus,
    Recall,
    Reversal,
    ScheduleVersion,
    Township,
    WriteOff,
    WriteOffGround,
)
from ledger.money import fmt
from ledger.permissions import Action
from ledger.posting import AccountRef
from ledger.read.books import balance, fen_sum
from ledger.read.figures import LoanFigures, figures, loan_figures
from ledger.schedule import Instalment as Due
from ledger.schedule import check_schedule
from ledger.services import lookup
from ledger.services.journals import PostedJournal, post, post_many
from ledger.services.loans import WRITE_OFF, dated_after, record_event, within_outstanding

ZERO = Decimal("0.00")

GROUND_ZH = {
    WriteOffGround.DEATH: "借款人死亡或失踪",
    WriteOffGround.DISASTER: "重大自然灾害",
    WriteOffGround.POLICY: "政策性原因项目终止",
    WriteOffGround.ENFORCEMENT: "强制执行两年以上无果",
    WriteOffGround.OTHER: "其他",
}

#: History actions written when a proposal is made.
PROPOSED_ACTIONS = {
    WriteOff: "write_off_proposed",
    Extension: "extension_proposed",
    ProjectChange: "project_change_proposed",
}
_KIND_NAMES = {
    WriteOff: ("核销申请", "write-off", "write_off_id"),
    Extension: ("展期申请", "extension", "extension_id"),
    ProjectChange: ("项目变更申请", "project change", "change_id"),
    Reversal: ("冲销申请", "reversal", "reversal_id"),
    Recall: ("提前收回申请", "recall", "recall_id"),
}

P = TypeVar("P", WriteOff, Extension, ProjectChange, Reversal, Recall)


# --- shared checks --------------------------------------------------------


def struck(session: Session, disaster_id: int, township_id: int) -> bool:
    """True when the disaster struck the township."""
    return (
        session.get(DisasterTownship, {"disaster_id": disaster_id, "township_id": township_id})
        is not None
    )


def _disaster(
    session: Session, fund_id: int, loan: Loan, code: object, on: date, *, required: bool
) -> Disaster | None:
    """The disaster a proposal names, which must have struck the loan's township by `on`."""
    if code is None or code == "":
        if required:
            raise InvalidField(
                "灾害核销须注明灾害",
                "a disaster write-off must name the disaster",
                field="disaster",
            )
        return None
    if not isinstance(code, str):
        raise InvalidField("灾害编号无效", "disaster must be a disaster code", field="disaster")
    event = lookup.by_code(session, Disaster, fund_id, code, "disaster")
    if not struck(session, event.id, loan.township_id):
        raise InvalidField(
            f"借款 {loan.registration_no} 所在乡镇不在 {event.name} 受灾乡镇之列",
            f"loan {loan.registration_no} is not in a township struck by {event.code}",
            field="disaster",
        )
    dates.not_before(on, event.occurred_on, "date", dates.PROPOSAL, dates.DISASTER)
    return event


def _decision(
    approve: object, note: object, on: object, document_no: object, *, needs_document: bool
) -> tuple[bool, str, date, str | None]:
    """Validate a decision: a rejection needs a note, an approval may need a document number."""
    approve = validate.flag(approve, "approve")
    note = validate.text(note, "note", max_length=500, required=not approve)
    on = dates.business_day(on, "date", dates.DECISION)
    document = validate.text(
        document_no, "document_no", max_length=64, required=approve and needs_document
    )
    return approve, note, on, document or None


def _ids(ids: object, field: str) -> list[int]:
    if not isinstance(ids, Sequence) or isinstance(ids, str) or not ids:
        raise InvalidField("请选择要审批的申请", f"{field} must be a non-empty list", field=field)
    result = []
    for index, key in enumerate(ids):
        if not isinstance(key, int) or isinstance(key, bool):
            raise InvalidField(
                "申请编号无效", "an id must be an integer", field=f"{field}[{index}]"
            )
        if key in result:
            raise InvalidField(
                f"申请 {key} 重复", f"id {key} is listed twice", field=f"{field}[{index}]"
            )
        result.append(key)
    return result


def _id(value: object, field: str) -> list[int]:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidField("申请编号无效", f"{field} must be an integer", field=field)
    return [value]


def _lock_proposals(session: Session, model: type[P], fund_id: int, ids: list[int]) -> list[P]:
    """The proposals in `ids` order, row-locked so that two approvers cannot both decide."""
    rows = session.scalars(
        select(model)
        .where(model.fund_id == fund_id, model.id.in_(ids))
        .order_by(model.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    found = {row.id: row for row in rows}
    zh, en, field = _KIND_NAMES[model]
    for key in ids:
        if key not in found:
            raise RecordNotFound(f"{zh} {key} 不存在", f"{en} {key} does not exist", field=field)
    return [found[key] for key in ids]


def _lock_loans(session: Session, loan_ids: Iterable[int]) -> dict[int, Loan]:
    rows = session.scalars(
        select(Loan)
        .where(Loan.id.in_(sorted(set(loan_ids))))
        .order_by(Loan.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    return {row.id: row for row in rows}


Proposal = WriteOff | Extension | ProjectChange | Reversal | Recall


def _check_decidable(actor: Actor, row: Proposal, on: date) -> None:
    zh, en, field = _KIND_NAMES[type(row)]
    if row.proposed_by == actor.username:
        raise MakerIsChecker(
            f"{zh} {row.id} 由 {actor.username} 本人提出,须由他人审批",
            f"{en} {row.id} was proposed by {actor.username}; another person must decide it",
            field=field,
        )
    if row.status is not ProposalStatus.PROPOSED:
        raise InvalidTransition(
            f"{zh} {row.id} 已于 {row.decided_on} 由 {row.decided_by} 审批({row.status.value})",
            f"{en} {row.id} was already {row.status.value} by {row.decided_by} on {row.decided_on}",
            field=field,
        )
    dates.not_before(on, row.proposed_on, "date", dates.DECISION, dates.PROPOSAL)


def _decide(row: Proposal, actor: Actor, approve: bool, note: str, on: date) -> None:
    row.status = ProposalStatus.APPROVED if approve else ProposalStatus.REJECTED
    row.decided_by = actor.username
    row.decided_on = on
    row.decision_note = note


def _no_pending(session: Session, model: type[P], loan: Loan) -> None:
    pending = session.scalar(
        select(model.id).where(model.loan_id == loan.id, model.status == ProposalStatus.PROPOSED)
    )
    if pending is not None:
        zh, en, _ = _KIND_NAMES[model]
        raise ProposalPending(
            f"借款 {loan.registration_no} 已有待审批的{zh}({pending})",
            f"loan {loan.registration_no} already has a pending {en} ({pending})",
            field="loan",
        )


# --- reading proposals ----------------------------------------------------


def _listed(
    session: Session,
    model: type[P],
    fund_id: int,
    status: ProposalStatus | None,
    disaster_id: int | None = None,
) -> list[P]:
    query = select(model).where(model.fund_id == fund_id).order_by(model.id)
    if status is not None:
        query = query.where(model.status == status)
    if disaster_id is not None:
        query = query.where(model.disaster_id == disaster_id)  # type: ignore[union-attr]
    return list(session.scalars(query))


def list_write_offs(
    session: Session,
    fund_id: int,
    *,
    status: ProposalStatus | None = None,
    disaster_id: int | None = None,
) -> list[WriteOff]:
    """A fund's write-off proposals, oldest first (all, or those in `status`)."""
    return _listed(session, WriteOff, fund_id, status, disaster_id)


def list_extensions(
    session: Session,
    fund_id: int,
    *,
    status: ProposalStatus | None = None,
    disaster_id: int | None = None,
) -> list[Extension]:
    """A fund's extension proposals, oldest first (all, or those in `status`)."""
    return _listed(session, Extension, fund_id, status, disaster_id)


# --- write-offs (核销) -----------------------------------------------------


def _ground(value: object) -> WriteOffGround:
    try:
        return WriteOffGround(value)
    except ValueError:
        allowed = ", ".join(g.value for g in WriteOffGround)
        raise InvalidField(
            f"核销依据 {value!r} 无效,应为 {allowed} 之一",
            f"ground {value!r} is not one of {allowed}",
            field="ground",
        ) from None


def pending_by_loan(session: Session, loan_ids: Iterable[int]) -> dict[int, Decimal]:
    """Σ proposed (undecided) write-off amounts per loan id, now."""
    ids = list(loan_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(WriteOff.loan_id, fen_sum(WriteOff.amount))
        .where(WriteOff.loan_id.in_(ids), WriteOff.status == ProposalStatus.PROPOSED)
        .group_by(WriteOff.loan_id)
    )
    return {loan_id: amount for loan_id, amount in rows}


def _pending(query: Select[Any], fund_id: int, as_of: date | None) -> Select[Any]:
    """`query` over write-off proposals narrowed to the fund's pending ones on `as_of`."""
    query = query.join(Loan, Loan.id == WriteOff.loan_id).where(WriteOff.fund_id == fund_id)
    if as_of is None:
        return query.where(WriteOff.status == ProposalStatus.PROPOSED)
    return query.where(
        WriteOff.proposed_on <= as_of,
        or_(WriteOff.status == ProposalStatus.PROPOSED, WriteOff.decided_on > as_of),
    )


def pending_write_offs(
    session: Session, fund_id: int, as_of: date | None = None
) -> dict[str, Decimal]:
    """Pending write-offs (待处理) per registration no: proposed and not decided by `as_of`.

    Reports show this beside the outstanding; the outstanding itself still
    includes it until an approval posts the write-off.
    """
    query = _pending(select(Loan.registration_no, WriteOff.amount), fund_id, as_of)
    result: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for loan_no, amount in session.execute(query):
        result[loan_no] += amount
    return dict(result)


def pending_write_offs_by_group(
    session: Session, fund_id: int, as_of: date | None = None, township_id: int | None = None
) -> dict[tuple[int, int], Decimal]:
    """`pending_write_offs` summed per (township id, batch id) of their loans."""
    query = _pending(
        select(Loan.township_id, Loan.batch_id, fen_sum(WriteOff.amount)), fund_id, as_of
    ).group_by(Loan.township_id, Loan.batch_id)
    if township_id is not None:
        query = query.where(Loan.township_id == township_id)
    return {(town, batch): amount for town, batch, amount in session.execute(query)}


def new_write_off(
    uow: UnitOfWork,
    actor: Actor,
    fund_id: int,
    loan: Loan,
    *,
    amount: Decimal,
    ground: WriteOffGround,
    reason: str,
    evidence: str,
    disaster: Disaster | None,
    on: date,
) -> WriteOff:
    """Add a validated write-off proposal and its history line (no checks, no commit)."""
    row = WriteOff(
        fund_id=fund_id,
        loan_id=loan.id,
        amount=amount,
        ground=ground,
        disaster_id=disaster.id if disaster else None,
        evidence=evidence,
        status=ProposalStatus.PROPOSED,
        reason=reason,
        proposed_by=actor.username,
        proposed_on=on,
    )
    uow.session.add(row)
    record_event(
        uow,
        loan,
        actor,
        PROPOSED_ACTIONS[WriteOff],
        on,
        note=f"申请核销 {fmt(amount)} 元({GROUND_ZH[ground]}"
        + (f",{disaster.name}" if disaster else "")
        + ")",
    )
    return row


def propose_write_off(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    *,
    loan: str,
    amount: object,
    ground: str,
    reason: str,
    evidence: str = "",
    disaster: str | None = None,
    on: date,
) -> WriteOff:
    """Propose writing off (part of) a disbursed loan; it is pending until decided."""
    session = uow.session
    fund = lookup.fund(session, fund_code)
    permissions.check(actor, Action.PROPOSE_WRITE_OFF)
    the_loan = lookup.loan(session, fund.id, loan, actor, lock=True)
    value = validate.amount(amount, "amount")
    kind = _ground(ground)
    reason = validate.text(reason, "reason", max_length=500, required=kind is WriteOffGround.OTHER)
    evidence = validate.text(evidence, "evidence", max_length=500, required=False)
    on = dated_after(uow, the_loan, on, "date", dates.PROPOSAL, "disbursed")
    event = _disaster(
        session, fund.id, the_loan, disaster, on, required=kind is WriteOffGround.DISASTER
    )
    if event is not None and kind is not WriteOffGround.DISASTER:
        raise InvalidField(
            "只有灾害核销才注明灾害(记入 5001 灾害核销)",
            "only a write-off on the disaster ground names a disaster (it posts to 5001)",
            field="disaster",
        )
    permissions.check(actor, Action.PROPOSE_WRITE_OFF, the_loan)
    outstanding = loan_figures(session, the_loan).outstanding
    pending = pending_by_loan(session, [the_loan.id]).get(the_loan.id, ZERO)
    within_outstanding(the_loan, value, outstanding, WRITE_OFF, pending=pending)
    row = new_write_off(
        uow,
        actor,
        fund.id,
        the_loan,
        amount=value,
        ground=kind,
        reason=reason,
        evidence=evidence,
        disaster=event,
        on=on,
    )
    uow.session.flush()
    return row


def _decide_write_offs(
    uow: UnitOfWork,
    actor: Actor,
    fund: Fund,
    ids: list[int],
    *,
    approve: object,
    note: object,
    on: object,
    document_no: object,
) -> list[WriteOff]:
    session = uow.session
    permissions.check(actor, Action.DECIDE_WRITE_OFF)
    approve, note, on, document = _decision(approve, note, on, document_no, needs_document=True)
    rows = _lock_proposals(session, WriteOff, fund.id, ids)
    loans = _lock_loans(session, (row.loan_id for row in rows))
    for row in rows:
        _check_decidable(actor, row, on)

    # What each loan owes before this call, and after the rows decided before each row.
    start: dict[int, Decimal] = {}
    drafts = []
    if approve:
        now = figures(session, fund.id, loan_nos=[loan.registration_no for loan in loans.values()])
        start = {
            loan.id: now.get(loan.registration_no, LoanFigures()).outstanding
            for loan in loans.values()
        }
        codes = dict(
            session.execute(
                select(Disaster.id, Disaster.code).where(
                    Disaster.id.in_({row.disaster_id for row in rows if row.disaster_id})
                )
            ).all()
        )
        left = dict(start)
        for row in rows:
            loan = loans[row.loan_id]
            permissions.check(actor, Action.DECIDE_WRITE_OFF, loan)
            within_outstanding(loan, row.amount, left[loan.id], WRITE_OFF)
            left[loan.id] -= row.amount
            drafts.append(
                journal_templates.write_off(
                    on,
                    loan.registration_no,
                    row.amount,
                    codes.get(row.disaster_id) if row.ground is WriteOffGround.DISASTER else None,
                    f"核销 {loan.registration_no}({GROUND_ZH[row.ground]})批文 {document}",
                )
            )
    vouchers = iter(post_many(uow, fund.id, drafts, actor=actor.username))

    owed = dict(start)
    for row in rows:
        loan = loans[row.loan_id]
        _decide(row, actor, approve, note, on)
        row.document_no = document
        if not approve:
            record_event(uow, loan, actor, "write_off_rejected", on, note=note)
            continue
        row.voucher = next(vouchers).voucher
        owed[loan.id] -= row.amount
        done = owed[loan.id] == 0
        record_event(
            uow,
            loan,
            actor,
            "write_off_approved",
            on,
            to=LoanStatus.WRITTEN_OFF if done else None,
            note=f"核销 {fmt(row.amount)} 元,批文 {document}"
            + (",已全部核销(账销案存)" if done else "")
            + (f";{note}" if note else ""),
            voucher=row.voucher,
        )
    return rows


def decide_write_off(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    write_off_id: int,
    *,
    approve: bool,
    note: str,
    on: date,
    document_no: str | None = None,
) -> WriteOff:
    """Approve (post it) or reject one write-off; an approval needs the document number."""
    fund = lookup.fund(uow.session, fund_code)
    ids = _id(write_off_id, "write_off_id")
    row = _decide_write_offs(
        uow, actor, fund, ids, approve=approve, note=note, on=on, document_no=document_no
    )[0]
    uow.session.flush()
    return row


def decide_many(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    ids: Sequence[int],
    *,
    approve: bool,
    note: str,
    on: date,
    document_no: str | None = None,
) -> list[WriteOff]:
    """Decide several write-offs under one document in one transaction (a disaster's batch).

    All or nothing: one refusal leaves every proposal undecided.
    """
    fund = lookup.fund(uow.session, fund_code)
    rows = _decide_write_offs(
        uow,
        actor,
        fund,
        _ids(ids, "ids"),
        approve=approve,
        note=note,
        on=on,
        document_no=document_no,
    )
    uow.session.flush()
    return rows


# --- extensions (展期) -----------------------------------------------------


def _schedule_items(schedule: object) -> list[tuple[object, object]]:
    if not isinstance(schedule, Sequence) or isinstance(schedule, str):
        raise InvalidField(
            "还款计划应为(到期日, 金额)列表",
            "schedule must be a list of (due_date, amount)",
            field="schedule",
        )
    items = []
    for index, item in enumerate(schedule):
        if not isinstance(item, Sequence) or isinstance(item, str) or len(item) != 2:
            raise InvalidField(
                "每期应为(到期日, 金额)",
                "each instalment must be (due_date, amount)",
                field=f"schedule[{index}]",
            )
        items.append((item[0], item[1]))
    return items


def schedule_json(dues: Iterable[Due]) -> list[dict[str, str]]:
    return [{"due_date": d.due_date.isoformat(), "amount": f"{d.amount:.2f}"} for d in dues]


def _stored_schedule(row: Extension) -> list[tuple[date, str]]:
    return [(date.fromisoformat(item["due_date"]), item["amount"]) for item in row.schedule]


def new_extension(
    uow: UnitOfWork,
    actor: Actor,
    fund_id: int,
    loan: Loan,
    *,
    dues: Sequence[Due],
    reason: str,
    disaster: Disaster | None,
    on: date,
) -> Extension:
    """Add a validated extension proposal and its history line (no checks, no commit)."""
    row = Extension(
        fund_id=fund_id,
        loan_id=loan.id,
        disaster_id=disaster.id if disaster else None,
        schedule=schedule_json(dues),
        status=ProposalStatus.PROPOSED,
        reason=reason,
        proposed_by=actor.username,
        proposed_on=on,
    )
    uow.session.add(row)
    total = sum((d.amount for d in dues), ZERO)
    record_event(
        uow,
        loan,
        actor,
        PROPOSED_ACTIONS[Extension],
        on,
        note=f"申请展期:{fmt(total)} 元分 {len(dues)} 期,最后到期 {dues[-1].due_date}",
    )
    return row


def propose_extension(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    *,
    loan: str,
    schedule: Sequence[tuple[date, object]],
    reason: str,
    disaster: str | None = None,
    on: date,
) -> Extension:
    """Propose a new schedule for the whole outstanding of a disbursed loan."""
    session = uow.session
    fund = lookup.fund(session, fund_code)
    permissions.check(actor, Action.PROPOSE_EXTENSION)
    the_loan = lookup.loan(session, fund.id, loan, actor, lock=True)
    reason = validate.text(reason, "reason", max_length=500)
    on = dated_after(uow, the_loan, on, "date", dates.PROPOSAL, "disbursed")
    items = _schedule_items(schedule)
    event = _disaster(session, fund.id, the_loan, disaster, on, required=False)
    permissions.check(actor, Action.PROPOSE_EXTENSION, the_loan)
    _no_pending(session, Extension, the_loan)
    limits = lookup.settings(session, fund.id)
    dues = check_schedule(
        items,
        principal=loan_figures(session, the_loan).outstanding,
        starts=on,
        starts_as=dates.PROPOSAL,
        max_term_months=limits.max_term_months,
    )
    row = new_extension(
        uow, actor, fund.id, the_loan, dues=dues, reason=reason, disaster=event, on=on
    )
    uow.session.flush()
    return row


def new_schedule_version(
    session: Session, loan: Loan, on: date, now: LoanFigures, dues: Sequence[Due]
) -> int:
    """Put `dues` in force from `on` for what `loan` owes `now`; returns the version number.

    The old versions stay: as-of reports before `on` still read them. The kept
    aging figures follow in the same transaction.
    """
    version = 1 + (
        session.scalar(
            select(func.max(ScheduleVersion.version)).where(ScheduleVersion.loan_id == loan.id)
        )
        or 0
    )
    session.add(
        ScheduleVersion(
            loan_id=loan.id,
            version=version,
            effective_on=on,
            principal=now.outstanding,
            settled_before=now.settled,
        )
    )
    session.add_all(
        Instalment(
            loan_id=loan.id, version=version, seq=d.seq, due_date=d.due_date, amount=d.amount
        )
        for d in dues
    )
    positions.record_schedules(session, loan.fund_id, {loan.id: version})
    return version


def open_decision(
    session: Session,
    actor: Actor,
    fund_code: str,
    action: Action,
    kind: type[P],
    proposal_id: object,
    field: str,
    *,
    approve: bool,
    note: str,
    on: date,
) -> tuple[P, Loan, bool, str, date]:
    """The opening of every decision on one loan's proposal: the decider's role, the
    decision's fields, the proposal and its loan locked, and not the proposer's own."""
    fund = lookup.fund(session, fund_code)
    permissions.check(actor, action)
    approve, note, on, _ = _decision(approve, note, on, None, needs_document=False)
    row = _lock_proposals(session, kind, fund.id, _id(proposal_id, field))[0]
    loan = _lock_loans(session, [row.loan_id])[row.loan_id]
    _check_decidable(actor, row, on)
    return row, loan, approve, note, on


def decide_extension(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    extension_id: int,
    *,
    approve: bool,
    note: str,
    on: date,
) -> Extension:
    """Approve (a new schedule version from `on`) or reject an extension."""
    session = uow.session
    row, loan, approve, note, on = open_decision(
        session,
        actor,
        fund_code,
        Action.DECIDE_EXTENSION,
        Extension,
        extension_id,
        "extension_id",
        approve=approve,
        note=note,
        on=on,
    )
    if not approve:
        _decide(row, actor, approve, note, on)
        record_event(uow, loan, actor, "extension_rejected", on, note=note)
        uow.session.flush()
        return row
    permissions.check(actor, Action.DECIDE_EXTENSION, loan)
    now = loan_figures(session, loan)
    limits = lookup.settings(session, loan.fund_id)
    try:
        dues = check_schedule(
            _stored_schedule(row),
            principal=now.outstanding,
            starts=on,
            starts_as=dates.DECISION,
            max_term_months=limits.max_term_months,
        )
    except ScheduleMismatch as error:
        raise ScheduleMismatch(
            f"审批时借款 {loan.registration_no} 尚欠 {fmt(now.outstanding)} 元:" + error.detail_zh,
            f"at the decision loan {loan.registration_no} owes {now.outstanding}: "
            + error.detail_en,
            field=error.field,
        ) from None
    version = new_schedule_version(session, loan, on, now, dues)
    _decide(row, actor, approve, note, on)
    record_event(
        uow,
        loan,
        actor,
        "extended",
        on,
        to=LoanStatus.DISBURSED,
        note=f"展期(第 {version} 版还款计划):{fmt(now.outstanding)} 元分 {len(dues)} 期,"
        f"最后到期 {dues[-1].due_date}" + (f";{note}" if note else ""),
    )
    uow.session.flush()
    return row


# --- project changes (项目变更) --------------------------------------------


def _within_standard(loan: Loan, kind: ProjectType) -> None:
    if loan.approved_amount is not None and kind.borrowing_standard < loan.approved_amount:
        raise OverLimit(
            f"项目类型 {kind.name} 的借款标准 {fmt(kind.borrowing_standard)} 元"
            f"低于借款 {loan.registration_no} 的审定金额 {fmt(loan.approved_amount)} 元",
            f"the borrowing standard of {kind.code} ({kind.borrowing_standard}) is below "
            f"the approved amount of loan {loan.registration_no} ({loan.approved_amount})",
            field="project_type",
        )


def propose_project_change(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    *,
    loan: str,
    project_type: str,
    project: str,
    reason: str,
    on: date,
) -> ProjectChange:
    """Propose another project (type and description) for a loan (须报县办公室审定)."""
    session = uow.session
    fund = lookup.fund(session, fund_code)
    permissions.check(actor, Action.PROPOSE_PROJECT_CHANGE)
    the_loan = lookup.loan(session, fund.id, loan, actor, lock=True)
    kind = lookup.by_code(session, ProjectType, fund.id, project_type, "project_type")
    project = validate.text(project, "project", max_length=200)
    reason = validate.text(reason, "reason", max_length=500)
    on = dated_after(uow, the_loan, on, "date", dates.PROPOSAL, "registered")
    permissions.check(actor, Action.PROPOSE_PROJECT_CHANGE, the_loan)
    if kind.id == the_loan.project_type_id and project == the_loan.project:
        raise InvalidField("项目没有变化", "the project is unchanged", field="project")
    _no_pending(session, ProjectChange, the_loan)
    _within_standard(the_loan, kind)
    row = ProjectChange(
        fund_id=fund.id,
        loan_id=the_loan.id,
        project_type_id=kind.id,
        project=project,
        status=ProposalStatus.PROPOSED,
        reason=reason,
        proposed_by=actor.username,
        proposed_on=on,
    )
    session.add(row)
    record_event(
        uow,
        the_loan,
        actor,
        PROPOSED_ACTIONS[ProjectChange],
        on,
        note=f"申请变更项目:{the_loan.project} → {kind.name} {project}",
    )
    uow.session.flush()
    return row


def decide_project_change(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    change_id: int,
    *,
    approve: bool,
    note: str,
    on: date,
) -> ProjectChange:
    """Approve (the loan takes the new project) or reject a project change."""
    session = uow.session
    row, loan, approve, note, on = open_decision(
        session,
        actor,
        fund_code,
        Action.DECIDE_PROJECT_CHANGE,
        ProjectChange,
        change_id,
        "change_id",
        approve=approve,
        note=note,
        on=on,
    )
    if approve:
        permissions.check(actor, Action.DECIDE_PROJECT_CHANGE, loan)
        kind = session.get_one(ProjectType, row.project_type_id)
        _within_standard(loan, kind)
        before = loan.project
        loan.project_type_id, loan.project = kind.id, row.project
        action, text = "project_changed", f"项目变更:{before} → {kind.name} {row.project}"
    else:
        action, text = "project_change_rejected", ""
    _decide(row, actor, approve, note, on)
    record_event(uow, loan, actor, action, on, note="; ".join(t for t in (text, note) if t))
    uow.session.flush()
    return row


# --- recoveries (核销收回) -------------------------------------------------


def recovered(session: Session, fund_id: int, loan_no: str) -> Decimal:
    """Recoveries posted so far for a written-off loan (4002/loan)."""
    return balance(session, fund_id, AccountRef(chart.RECOVERIES, loan_no)).balance


def record_recovery(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    loan_no: str,
    *,
    on: date,
    amount: object,
    idempotency_key: str | None = None,
) -> PostedJournal:
    """Money later collected on a written-off claim: 1011 township / 4002 loan.

    Only once nothing is owed on the loan any more (money towards an
    outstanding is a repayment), and never more than was written off less
    what was recovered before.
    """
    session = uow.session
    fund = lookup.fund(session, fund_code)
    permissions.check(actor, Action.RECOVER)
    loan = lookup.loan(session, fund.id, loan_no, actor, lock=True)
    on = dated_after(uow, loan, on, "date", dates.RECOVERY, "write_off_approved")
    value = validate.amount(amount, "amount")
    approved = session.scalar(
        select(func.count(WriteOff.id)).where(
            WriteOff.loan_id == loan.id, WriteOff.status == ProposalStatus.APPROVED
        )
    )
    if not approved:
        raise InvalidTransition(
            f"借款 {loan.registration_no} 没有已批准的核销,不能登记核销收回",
            f"loan {loan.registration_no} has no approved write-off to recover",
            field="loan",
        )
    now = loan_figures(session, loan)
    if now.outstanding > 0:
        raise InvalidTransition(
            f"借款 {loan.registration_no} 尚欠 {fmt(now.outstanding)} 元,收到的款项应登记为还款",
            f"loan {loan.registration_no} still owes {now.outstanding}; record a repayment",
            field="loan",
        )
    # Last, as the two refusals above say better what is wrong; this one refuses only a
    # loan whose rest may still be paid out.
    permissions.check(actor, Action.RECOVER, loan)
    before = recovered(session, fund.id, loan.registration_no)
    room = now.written_off - before
    if value > room:
        raise OverLimit(
            f"核销收回 {fmt(value)} 元超过可收回金额 {fmt(room)} 元"
            f"(已核销 {fmt(now.written_off)} 元,已收回 {fmt(before)} 元)",
            f"recovery {value} exceeds what is left to recover ({room}: written off "
            f"{now.written_off}, recovered {before})",
            field="amount",
        )
    town = session.get_one(Township, loan.township_id)
    posted = post(
        uow,
        fund.id,
        journal_templates.recovery(on, loan.registration_no, town.code, value),
        actor=actor.username,
        idempotency_key=idempotency_key,
    )
    record_event(
        uow, loan, actor, "recovered", on, note=f"核销收回 {fmt(value)} 元", voucher=posted.voucher
    )
    uow.session.flush()
    return posted
