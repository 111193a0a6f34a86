"""Disasters (灾害): the event, the townships it struck, the assessed loss of
each loan's project (损失核定), and one action proposing a write-off or an
extension for every affected loan at once.

The 7·8 hail (风雹灾) and the 8·13 flood (洪灾) hit 82 households and 85
projects: a project struck by both has a loss report in each disaster. A
disaster's code (e.g. ``0708``) keys its 5001 灾害核销 sub-account, so the
5001 balance of a disaster is what was written off because of it.

`propose_for_disaster` only proposes; an approver decides the proposals with
`ledger.services.proposals.decide_many` (write-offs, one document for the
lot) or `decide_extension`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger import dates, permissions, validate
from ledger.actors import Actor
from ledger.db import UnitOfWork
from ledger.errors import DateOutOfOrder, DuplicateKey, InvalidField, RecordNotFound
from ledger.models import (
    Disaster,
    DisasterTownship,
    Extension,
    Loan,
    LoanEvent,
    LoanStatus,
    LossReport,
    ProposalStatus,
    Township,
    WriteOff,
    WriteOffGround,
)
from ledger.money import fmt
from ledger.permissions import Action
from ledger.read.books import fen_sum
from ledger.read.figures import LoanFigures, figures
from ledger.schedule import add_months, check_schedule
from ledger.services import lookup
from ledger.services.proposals import ZERO, new_extension, new_write_off, struck

#: Like fund codes; also the 5001 sub-ledger key, so no ``/``.
DISASTER_CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
ACTIONS = ("write_off", "extension")
SHARES = ("full", "loss")


def record_disaster(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    *,
    code: str,
    name: str,
    occurred_on: date,
    kind: str,
    townships: list[str],
) -> Disaster:
    """Record a disaster and the townships it struck (at least one)."""
    session = uow.session
    fund = lookup.fund(session, fund_code)
    permissions.check(actor, Action.RECORD_DISASTER)
    if not isinstance(code, str) or not DISASTER_CODE.match(code):
        raise InvalidField(
            "灾害编号只能包含字母、数字、- 和 _,长度 1–32",
            "code must be 1-32 letters, digits, '-' or '_'",
            field="code",
        )
    name = validate.text(name, "name", max_length=100)
    occurred_on = dates.business_day(occurred_on, "occurred_on", dates.DISASTER)
    kind = validate.text(kind, "kind", max_length=32)
    if (
        not isinstance(townships, list | tuple)
        or not townships
        or not all(isinstance(t, str) for t in townships)
    ):
        raise InvalidField(
            "请列出受灾乡镇(至少一个)",
            "townships must list at least one township code",
            field="townships",
        )
    if len(set(townships)) != len(townships):
        raise InvalidField("受灾乡镇重复", "a township is listed twice", field="townships")
    found = {
        town.code: town
        for town in session.scalars(
            select(Township).where(Township.fund_id == fund.id, Township.code.in_(townships))
        )
    }
    missing = [t for t in townships if t not in found]
    if missing:
        raise RecordNotFound(
            f"乡镇 {', '.join(missing)} 不存在",
            f"township {', '.join(missing)} does not exist",
            field="townships",
        )
    if session.scalar(
        select(Disaster.id).where(Disaster.fund_id == fund.id, Disaster.code == code)
    ):
        raise DuplicateKey(
            f"灾害编号 {code} 已存在", f"disaster {code} already exists", field="code"
        )
    disaster = Disaster(
        fund_id=fund.id,
        code=code,
        name=name,
        occurred_on=occurred_on,
        kind=kind,
        recorded_by=actor.username,
    )
    session.add(disaster)
    session.flush()  # the township links need the disaster id
    session.add_all(
        DisasterTownship(disaster_id=disaster.id, township_id=found[t].id) for t in townships
    )
    uow.session.flush()
    return disaster


def record_loss(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    disaster_code: str,
    *,
    loan: str,
    assessed_loss: object,
    inspector: str,
    assessed_on: date | None = None,
) -> LossReport:
    """Record the assessed loss (损失核定) of one loan's project in a disaster.

    `assessed_on` (today when not given) may not precede the disaster.
    """
    session = uow.session
    fund = lookup.fund(session, fund_code)
    permissions.check(actor, Action.REPORT_LOSS)
    event = lookup.by_code(session, Disaster, fund.id, disaster_code, "disaster")
    the_loan = lookup.loan(session, fund.id, loan, actor)
    loss = validate.amount(assessed_loss, "assessed_loss", allow_zero=True)
    inspector = validate.text(inspector, "inspector", max_length=50)
    assessed_on = dates.not_before(
        dates.business_day(
            dates.today() if assessed_on is None else assessed_on, "assessed_on", dates.LOSS_REPORT
        ),
        event.occurred_on,
        "assessed_on",
        dates.LOSS_REPORT,
        dates.DISASTER,
    )
    permissions.check(actor, Action.REPORT_LOSS, the_loan)
    if not struck(session, event.id, the_loan.township_id):
        raise InvalidField(
            f"借款 {the_loan.registration_no} 所在乡镇不在 {event.name} 受灾乡镇之列",
            f"loan {the_loan.registration_no} is not in a township struck by {event.code}",
            field="loan",
        )
    if session.scalar(
        select(LossReport.id).where(
            LossReport.disaster_id == event.id, LossReport.loan_id == the_loan.id
        )
    ):
        raise DuplicateKey(
            f"借款 {the_loan.registration_no} 在 {event.name} 中已有损失核定",
            f"loan {the_loan.registration_no} already has a loss report for {event.code}",
            field="loan",
        )
    report = LossReport(
        disaster_id=event.id,
        loan_id=the_loan.id,
        assessed_loss=loss,
        inspector=inspector,
        recorded_by=actor.username,
        assessed_on=assessed_on,
    )
    session.add(report)
    uow.session.flush()
    return report


def _not_before_disbursement(session: Session, on: date, affected: Sequence[Any]) -> None:
    """Refuse a batch dated before any affected loan's disbursement, naming the loan.

    One loan's proposal is held to its own disbursement (`dated_after`); the
    batch is held to each of its loans' in one query.
    """
    disbursed = dict(
        session.execute(
            select(LoanEvent.loan_id, func.min(LoanEvent.on))
            .where(
                LoanEvent.loan_id.in_([loan.id for loan, _ in affected]),
                LoanEvent.action == "disbursed",
            )
            .group_by(LoanEvent.loan_id)
        ).all()
    )
    for loan, _ in affected:
        try:
            dates.not_before(on, disbursed.get(loan.id), "date", dates.PROPOSAL, dates.DISBURSEMENT)
        except DateOutOfOrder as refusal:
            raise DateOutOfOrder(
                f"借款 {loan.registration_no}:{refusal.detail_zh}",
                f"loan {loan.registration_no}: {refusal.detail_en}",
                field="date",
            ) from None


def propose_for_disaster(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    disaster_code: str,
    *,
    action: str,
    on: date,
    reason: str,
    write_off_share: str = "full",
    extension_months: int = 12,
) -> list[WriteOff] | list[Extension]:
    """Propose a write-off or an extension for every affected loan, in one transaction.

    Affected: a loss report in this disaster, disbursed, something
    outstanding and no write-off or extension already pending. A write-off
    is the whole outstanding (``full``) or the assessed loss, less what was
    already written off for this disaster, capped at the outstanding
    (``loss``; nothing left proposes nothing). An extension moves
    the whole outstanding to one instalment due `extension_months` after
    `on` (到期一次还清): a struck project earns nothing until it is rebuilt,
    so yearly instalments would fall due before it can pay; the clerk can
    still propose a finer schedule for one loan with `propose_extension`.
    Loans are read, locked and measured with a few set-wise queries, so 82
    households cost the same handful of round trips as one.
    """
    session = uow.session
    fund = lookup.fund(session, fund_code)
    permissions.check(actor, Action.PROPOSE_FOR_DISASTER)
    event = lookup.by_code(session, Disaster, fund.id, disaster_code, "disaster")
    if action not in ACTIONS:
        raise InvalidField(
            f"处理方式应为 {' 或 '.join(ACTIONS)}",
            f"action must be one of {', '.join(ACTIONS)}",
            field="action",
        )
    on = dates.not_before(
        dates.business_day(on, "date", dates.PROPOSAL),
        event.occurred_on,
        "date",
        dates.PROPOSAL,
        dates.DISASTER,
    )
    reason = validate.text(reason, "reason", max_length=500)
    limits = lookup.settings(session, fund.id)
    if action == "write_off" and write_off_share not in SHARES:
        raise InvalidField(
            f"核销额度应为 {' 或 '.join(SHARES)}",
            f"write_off_share must be one of {', '.join(SHARES)}",
            field="write_off_share",
        )
    if action == "extension" and (
        not isinstance(extension_months, int)
        or isinstance(extension_months, bool)
        or not 1 <= extension_months <= limits.max_term_months
    ):
        raise InvalidField(
            f"展期月数应在 1–{limits.max_term_months} 之间",
            f"extension_months must be 1-{limits.max_term_months}",
            field="extension_months",
        )

    affected = session.execute(
        select(Loan, LossReport)
        .join(LossReport, LossReport.loan_id == Loan.id)
        .where(
            LossReport.disaster_id == event.id,
            Loan.fund_id == fund.id,
            Loan.status == LoanStatus.DISBURSED,
        )
        .order_by(Loan.id)
        .with_for_update(of=Loan)
    ).all()
    loan_ids = [loan.id for loan, _ in affected]
    _not_before_disbursement(session, on, affected)
    busy: set[int] = set()
    for model in (WriteOff, Extension):
        busy.update(
            session.scalars(
                select(model.loan_id).where(
                    model.loan_id.in_(loan_ids), model.status == ProposalStatus.PROPOSED
                )
            )
        )
    now = figures(session, fund.id, loan_nos=[loan.registration_no for loan, _ in affected])
    # A second run after partial write-offs must not write the same loss off twice.
    done = dict(
        session.execute(
            select(WriteOff.loan_id, fen_sum(WriteOff.amount))
            .where(
                WriteOff.disaster_id == event.id,
                WriteOff.loan_id.in_(loan_ids),
                WriteOff.status == ProposalStatus.APPROVED,
            )
            .group_by(WriteOff.loan_id)
        ).all()
    )

    created: list = []
    for loan, report in affected:
        outstanding = now.get(loan.registration_no, LoanFigures()).outstanding
        if loan.id in busy or outstanding <= ZERO:
            continue
        if action == "write_off":
            amount = outstanding
            if write_off_share == "loss":
                left = report.assessed_loss - done.get(loan.id, ZERO)
                amount = min(max(left, ZERO), outstanding)
            if amount <= ZERO:
                continue
            created.append(
                new_write_off(
                    uow,
                    actor,
                    fund.id,
                    loan,
                    amount=amount,
                    ground=WriteOffGround.DISASTER,
                    reason=reason,
                    evidence=f"{event.name}损失核定 {fmt(report.assessed_loss)} 元,"
                    f"核定人 {report.inspector}",
                    disaster=event,
                    on=on,
                )
            )
        else:
            dues = check_schedule(
                [(add_months(on, extension_months), outstanding)],
                principal=outstanding,
                starts=on,
                starts_as=dates.PROPOSAL,
                max_term_months=limits.max_term_months,
            )
            created.append(
                new_extension(
                    uow, actor, fund.id, loan, dues=dues, reason=reason, disaster=event, on=on
                )
            )
    uow.session.flush()
    return created
