"""Inspections (督查) of a township by the county office, their findings, and
recalls (提前收回) of loans whose money was diverted.

The county office inspects on a schedule (定期检查) or unannounced (不定期督查)
and checks at the households (到户查验) that the money reached them and is
used on the approved project. Each finding names a person responsible and a
date to correct it by (never before the inspection); it is closed (销号)
once, with evidence: a text saying what was done, a document reference, or
both. Only the county (clerks and approvers) inspects: a township officer
is the one inspected.

A finding of diverted money (挪用) grounds a recall: a clerk proposes it, an
approver who is not the proposer decides it (the proposal machinery of
`ledger.services.proposals`). Approved, the loan falls due on the decision
day: a new schedule version from that day keeps the unpaid part of each
instalment already past due on its own date, so its age is not reset, and
puts everything else on the recall day. Aging and overdue reads then count
from those dates, as for any schedule version.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger import dates, permissions, validate
from ledger.actors import Actor
from ledger.db import UnitOfWork
from ledger.errors import (
    EvidenceMissing,
    FindingClosed,
    InvalidField,
    InvalidTransition,
    NoDivertedFinding,
    RecordNotFound,
)
from ledger.models import (
    Finding,
    FindingKind,
    Inspection,
    InspectionKind,
    InspectionLoan,
    Loan,
    ProposalStatus,
    Recall,
)
from ledger.money import fmt
from ledger.permissions import Action
from ledger.read.figures import loan_figures, schedules
from ledger.schedule import Instalment as Due
from ledger.schedule import settle
from ledger.services import lookup
from ledger.services.loans import dated_after, record_event
from ledger.services.proposals import (
    ZERO,
    _decide,
    _no_pending,
    new_schedule_version,
    open_decision,
)

INSPECTION = dates.Step("督查日", "inspection date")
CORRECT_BY = dates.Step("整改期限", "correction deadline")
CLOSING = dates.Step("销号日", "closing date")

#: Findings about one household name its loan, which must be one the inspection visited.
HOUSEHOLD_KINDS = frozenset(
    {FindingKind.NOT_REACHED, FindingKind.DIVERTED, FindingKind.PROJECT_CHANGED}
)


def _loan_nos(value: object) -> list[str]:
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise InvalidField("请列出查验的农户借款", "loans must be a list", field="loans")
    seen: list[str] = []
    for index, no in enumerate(value):
        if not isinstance(no, str) or not no:
            raise InvalidField(
                "借款编号无效", "a loan must be a registration number", field=f"loans[{index}]"
            )
        if no in seen:
            raise InvalidField(
                f"借款 {no} 重复", f"loan {no} is listed twice", field=f"loans[{index}]"
            )
        seen.append(no)
    return seen


def record_inspection(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    *,
    township: str,
    on: date,
    kind: str,
    inspectors: str,
    loans: Sequence[str] = (),
    notes: str = "",
) -> Inspection:
    """Record an inspection of a township and the households (loans) it visited.

    Each loan visited is the township's and was disbursed by `on`.
    """
    session = uow.session
    fund = lookup.fund(session, fund_code)
    permissions.check(actor, Action.INSPECT)
    town = lookup.township(session, fund.id, township, actor, "township")
    on = dates.not_before(
        dates.business_day(on, "date", INSPECTION),
        fund.opened_on,
        "date",
        INSPECTION,
        dates.FUND_START,
    )
    the_kind = validate.choice(InspectionKind, kind, "kind")
    inspectors = validate.text(inspectors, "inspectors", max_length=200)
    notes = validate.text(notes, "notes", max_length=2000, required=False)
    visited: list[Loan] = []
    for index, no in enumerate(_loan_nos(loans)):
        field = f"loans[{index}]"
        loan = lookup.loan(session, fund.id, no, actor, field=field)
        if loan.township_id != town.id:
            raise InvalidField(
                f"借款 {no} 不属于 {town.name}",
                f"loan {no} is not in township {town.code}",
                field=field,
            )
        permissions.check(actor, Action.INSPECT, loan)
        dated_after(uow, loan, on, "date", INSPECTION, "disbursed")
        visited.append(loan)
    inspection = Inspection(
        fund_id=fund.id,
        township_id=town.id,
        inspected_on=on,
        kind=the_kind,
        inspectors=inspectors,
        notes=notes,
        recorded_by=actor.username,
    )
    session.add(inspection)
    session.flush()  # the visited households need the inspection id
    session.add_all(
        InspectionLoan(inspection_id=inspection.id, loan_id=loan.id) for loan in visited
    )
    uow.session.flush()
    return inspection


def _inspection(session: Session, fund_id: int, key: object) -> Inspection:
    found = (
        session.get(Inspection, key) if isinstance(key, int) and not isinstance(key, bool) else None
    )
    if found is None or found.fund_id != fund_id:
        raise RecordNotFound(
            f"督查 {key} 不存在", f"inspection {key} does not exist", field="inspection"
        )
    return found


def record_finding(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    inspection_id: int,
    *,
    kind: str,
    description: str,
    responsible: str,
    correct_by: date,
    loan: str | None = None,
) -> Finding:
    """Record what an inspection found, who must correct it and by when.

    A finding about a household (money not reached, diverted, project
    changed) names the loan of a household the inspection visited.
    """
    session = uow.session
    fund = lookup.fund(session, fund_code)
    permissions.check(actor, Action.INSPECT)
    inspection = _inspection(session, fund.id, inspection_id)
    the_kind = validate.choice(FindingKind, kind, "kind")
    description = validate.text(description, "description", max_length=2000)
    responsible = validate.text(responsible, "responsible", max_length=50)
    correct_by = dates.not_before(
        validate.day(correct_by, "correct_by"),
        inspection.inspected_on,
        "correct_by",
        CORRECT_BY,
        INSPECTION,
    )
    loan_id = None
    if loan is None or loan == "":
        if the_kind in HOUSEHOLD_KINDS:
            raise InvalidField(
                "该类问题须注明农户借款",
                f"a {the_kind.value} finding must name the loan",
                field="loan",
            )
    else:
        the_loan = lookup.loan(session, fund.id, loan, actor)
        if session.get(InspectionLoan, (inspection.id, the_loan.id)) is None:
            raise InvalidField(
                f"借款 {loan} 不在本次督查查验的农户之列",
                f"loan {loan} was not visited in inspection {inspection.id}",
                field="loan",
            )
        loan_id = the_loan.id
    finding = Finding(
        inspection_id=inspection.id,
        kind=the_kind,
        loan_id=loan_id,
        description=description,
        responsible=responsible,
        correct_by=correct_by,
        recorded_by=actor.username,
    )
    session.add(finding)
    uow.session.flush()
    return finding


def close_finding(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    finding_id: int,
    *,
    on: date,
    evidence: str | None = None,
    evidence_ref: str | None = None,
) -> Finding:
    """Close (销号) an open finding with evidence of the correction, once."""
    session = uow.session
    fund = lookup.fund(session, fund_code)
    permissions.check(actor, Action.CLOSE_FINDING)
    finding = _finding(session, fund.id, finding_id, lock=True)
    if finding.closed_on is not None:
        raise FindingClosed(
            f"问题 {finding.id} 已于 {finding.closed_on} 由 {finding.closed_by} 销号",
            f"finding {finding.id} was closed by {finding.closed_by} on {finding.closed_on}",
            field="finding",
        )
    evidence = validate.text(evidence, "evidence", max_length=2000, required=False)
    evidence_ref = validate.text(evidence_ref, "evidence_ref", max_length=100, required=False)
    if not evidence and not evidence_ref:
        raise EvidenceMissing(
            "销号须写明整改情况或注明整改材料编号",
            "closing needs evidence: what was done, or a reference to the document showing it",
            field="evidence",
        )
    inspected_on = session.get_one(Inspection, finding.inspection_id).inspected_on
    on = dates.not_before(
        dates.business_day(on, "date", CLOSING), inspected_on, "date", CLOSING, INSPECTION
    )
    finding.closed_on, finding.closed_by = on, actor.username
    finding.evidence, finding.evidence_ref = evidence or None, evidence_ref or None
    uow.session.flush()
    return finding


def _finding(session: Session, fund_id: int, key: object, *, lock: bool = False) -> Finding:
    """A finding of the fund by id; `lock` takes its row lock so it is closed only once."""
    query = (
        select(Finding)
        .join(Inspection, Inspection.id == Finding.inspection_id)
        .where(Finding.id == key, Inspection.fund_id == fund_id)
    )
    if lock:
        query = query.with_for_update(of=Finding).execution_options(populate_existing=True)
    found = session.scalar(query) if isinstance(key, int) and not isinstance(key, bool) else None
    if found is None:
        raise RecordNotFound(
            f"督查问题 {key} 不存在", f"finding {key} does not exist", field="finding"
        )
    return found


# --- recalls (提前收回) ------------------------------------------------------


def propose_recall(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    *,
    loan: str,
    finding: int,
    reason: str,
    on: date,
) -> Recall:
    """Propose recalling a disbursed loan on the ground of a diverted-money finding about it."""
    session = uow.session
    fund = lookup.fund(session, fund_code)
    permissions.check(actor, Action.PROPOSE_RECALL)
    the_loan = lookup.loan(session, fund.id, loan, actor, lock=True)
    reason = validate.text(reason, "reason", max_length=500)
    ground = (
        session.scalar(
            select(Finding)
            .join(Inspection, Inspection.id == Finding.inspection_id)
            .where(
                Inspection.fund_id == fund.id,
                Finding.id == finding,
                Finding.loan_id == the_loan.id,
                Finding.kind == FindingKind.DIVERTED,
            )
        )
        if isinstance(finding, int) and not isinstance(finding, bool)
        else None
    )
    if ground is None:
        raise NoDivertedFinding(
            f"督查问题 {finding} 不是借款 {the_loan.registration_no} 的挪用资金问题,不能提前收回",
            f"finding {finding} is not a finding of diverted money on loan "
            f"{the_loan.registration_no}; a recall needs one",
            field="finding",
        )
    inspected_on = session.get_one(Inspection, ground.inspection_id).inspected_on
    on = dates.not_before(
        dates.business_day(on, "date", dates.PROPOSAL),
        inspected_on,
        "date",
        dates.PROPOSAL,
        INSPECTION,
    )
    _owing(session, actor, Action.PROPOSE_RECALL, the_loan)
    _no_pending(session, Recall, the_loan)
    row = Recall(
        fund_id=fund.id,
        loan_id=the_loan.id,
        finding_id=ground.id,
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
        "recall_proposed",
        on,
        note=f"督查发现挪用资金(问题 {ground.id}),申请提前收回",
    )
    uow.session.flush()
    return row


def _owing(session: Session, actor: Actor, action: Action, loan: Loan) -> Decimal:
    """What a disbursed loan owes now; a settled loan has nothing to recall."""
    permissions.check(actor, action, loan)
    outstanding = loan_figures(session, loan).outstanding
    if outstanding <= ZERO:
        raise InvalidTransition(
            f"借款 {loan.registration_no} 已无欠款,无需提前收回",
            f"loan {loan.registration_no} owes nothing; there is nothing to recall",
            field="loan",
        )
    return outstanding


def recall_schedule(
    instalments: Sequence[Due], settled: Decimal, outstanding: Decimal, on: date
) -> tuple[Due, ...]:
    """The schedule of a loan recalled on `on`, owing `outstanding`.

    The unpaid part of each instalment past due before `on` keeps its date
    (its overdue days go on counting); the rest is due on `on`.
    """
    dues: list[tuple[date, Decimal]] = []
    left = outstanding
    for state in settle(instalments, settled):
        if state.due_date < on and not state.settled and left > ZERO:
            part = min(state.unpaid, left)
            dues.append((state.due_date, part))
            left -= part
    if left > ZERO:
        dues.append((on, left))
    return tuple(Due(seq, due, amount) for seq, (due, amount) in enumerate(dues, start=1))


def decide_recall(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    recall_id: int,
    *,
    approve: bool,
    note: str,
    on: date,
) -> Recall:
    """Approve (the loan falls due on `on`) or reject a recall; never the proposer's own."""
    session = uow.session
    row, loan, approve, note, on = open_decision(
        session,
        actor,
        fund_code,
        Action.DECIDE_RECALL,
        Recall,
        recall_id,
        "recall_id",
        approve=approve,
        note=note,
        on=on,
    )
    if not approve:
        _decide(row, actor, approve, note, on)
        record_event(uow, loan, actor, "recall_rejected", on, note=note)
        uow.session.flush()
        return row
    outstanding = _owing(session, actor, Action.DECIDE_RECALL, loan)
    now = loan_figures(session, loan)
    plan = schedules(session, [loan.id])[loan.id]
    dues = recall_schedule(plan.instalments, now.settled - plan.settled_before, outstanding, on)
    version = new_schedule_version(session, loan, on, now, dues)
    _decide(row, actor, approve, note, on)
    record_event(
        uow,
        loan,
        actor,
        "recalled",
        on,
        note=f"提前收回(第 {version} 版还款计划):尚欠 {fmt(outstanding)} 元至 {on} 全部到期"
        + (f";{note}" if note else ""),
    )
    uow.session.flush()
    return row
