"""Disasters (灾害) and what they struck: the losses assessed and the write-offs proposed.

A disaster names the townships it struck; each struck loan may get a loss
report (核定损失), then write-off (核销) or extension (展期) proposals that
an approver decides. The approval form prints all of it per loan.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.actors import Actor
from ledger.models import (
    Disaster,
    DisasterTownship,
    Extension,
    Loan,
    LossReport,
    ProposalStatus,
    Township,
    WriteOff,
)
from ledger.read.access import FundHeader, county_wide, fund
from ledger.read.books import ZERO, fen_sum
from ledger.read.loans import loan_rows
from ledger.services import lookup


@dataclass(frozen=True)
class DisasterRow:
    """A disaster as listed: the townships it struck and the losses reported."""

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
    """A loss report (核定损失) on one loan, as recorded."""

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


@dataclass(frozen=True)
class DisasterLoanLine:
    """One loan struck by the disaster: its loss, and what was proposed and decided."""

    registration_no: str
    household: str
    township: str
    village: str
    project: str
    disbursed: Decimal
    outstanding: Decimal
    assessed_loss: Decimal
    inspector: str
    #: Σ write-offs proposed for this loan in this disaster (every status).
    proposed: Decimal
    approved: Decimal
    rejected: Decimal
    pending: Decimal
    #: Last due date of an approved extension (展期), if any.
    extended_to: date | None
    extension_status: str | None


@dataclass(frozen=True)
class WriteOffLine:
    """One write-off proposal of the disaster, with its ground and evidence."""

    registration_no: str
    household: str
    amount: Decimal
    ground: str
    evidence: str
    reason: str
    proposed_by: str
    proposed_on: date
    status: str


@dataclass(frozen=True)
class Decision:
    """Proposals decided together (or still pending): who proposed, who decided, under what."""

    kind: str  #: ``write_off`` or ``extension``
    proposed_by: str
    proposed_on: date
    status: str
    decided_by: str | None
    decided_on: date | None
    document_no: str | None
    note: str | None
    count: int
    #: Σ write-off amounts (zero for extensions).
    amount: Decimal


@dataclass(frozen=True)
class DisasterFormData:
    """The write-off approval form (灾害核销审批表) of one disaster."""

    fund: FundHeader
    code: str
    name: str
    occurred_on: date
    kind: str
    townships: tuple[str, ...]
    lines: tuple[DisasterLoanLine, ...]
    write_offs: tuple[WriteOffLine, ...]
    decisions: tuple[Decision, ...]
    assessed_loss: Decimal
    proposed: Decimal
    approved: Decimal


def disaster_form(
    session: Session, actor: Actor, fund_code: str, disaster_code: str
) -> DisasterFormData:
    """The write-off approval form of a disaster: losses, proposals and decisions per loan."""
    county_wide(actor, "灾害核销审批表", "disaster write-off form")
    header = fund(session, actor, fund_code)
    fund_id = header.id
    event = lookup.by_code(session, Disaster, fund_id, disaster_code, "disaster")
    towns = session.scalars(
        select(Township.name)
        .join(DisasterTownship, DisasterTownship.township_id == Township.id)
        .where(DisasterTownship.disaster_id == event.id)
        .order_by(Township.code)
    ).all()
    losses = session.execute(
        select(LossReport.loan_id, LossReport.assessed_loss, LossReport.inspector).where(
            LossReport.disaster_id == event.id
        )
    ).all()
    write_offs = session.scalars(
        select(WriteOff).where(WriteOff.disaster_id == event.id).order_by(WriteOff.id)
    ).all()
    extensions = session.scalars(
        select(Extension).where(Extension.disaster_id == event.id).order_by(Extension.id)
    ).all()
    loan_ids = {loan_id for loan_id, _, _ in losses}
    loan_ids |= {w.loan_id for w in write_offs} | {e.loan_id for e in extensions}
    numbers = dict(
        session.execute(select(Loan.id, Loan.registration_no).where(Loan.id.in_(loan_ids))).all()
    )
    rows = {
        r.loan_id: r
        for r in loan_rows(session, fund_id, actor, registration_nos=list(numbers.values()))
    }
    amounts: dict[int, dict[ProposalStatus, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for w in write_offs:
        amounts[w.loan_id][w.status] += w.amount
    extended: dict[int, tuple[date | None, str]] = {}
    for e in extensions:
        last = max((date.fromisoformat(i["due_date"]) for i in e.schedule), default=None)
        extended[e.loan_id] = (last, e.status.value)
    loss_by_loan = {loan_id: (loss, inspector) for loan_id, loss, inspector in losses}
    lines = []
    for loan_id in sorted(loan_ids, key=lambda i: numbers[i]):
        row = rows[loan_id]
        loss, inspector = loss_by_loan.get(loan_id, (ZERO, ""))
        by_status = amounts[loan_id]
        until, ext_status = extended.get(loan_id, (None, None))
        lines.append(
            DisasterLoanLine(
                row.registration_no,
                row.household,
                row.township_name,
                row.village,
                row.project,
                row.figures.disbursed,
                row.outstanding,
                loss,
                inspector,
                sum(by_status.values(), ZERO),
                by_status.get(ProposalStatus.APPROVED, ZERO),
                by_status.get(ProposalStatus.REJECTED, ZERO),
                by_status.get(ProposalStatus.PROPOSED, ZERO),
                until,
                ext_status,
            )
        )
    groups: dict[tuple, list[Decimal]] = defaultdict(list)
    for kind, proposal, amount in [
        *(("write_off", w, w.amount) for w in write_offs),
        *(("extension", e, ZERO) for e in extensions),
    ]:
        key = (
            kind,
            proposal.proposed_by,
            proposal.proposed_on,
            proposal.status.value,
            proposal.decided_by,
            proposal.decided_on,
            getattr(proposal, "document_no", None),
            proposal.decision_note,
        )
        groups[key].append(amount)
    decisions = tuple(
        Decision(*key, count=len(values), amount=sum(values, ZERO))
        for key, values in groups.items()
    )
    proposals = tuple(
        WriteOffLine(
            numbers[w.loan_id],
            rows[w.loan_id].household,
            w.amount,
            w.ground.value,
            w.evidence or "",
            w.reason,
            w.proposed_by,
            w.proposed_on,
            w.status.value,
        )
        for w in write_offs
    )
    return DisasterFormData(
        header,
        event.code,
        event.name,
        event.occurred_on,
        event.kind,
        tuple(towns),
        tuple(lines),
        proposals,
        decisions,
        sum((line.assessed_loss for line in lines), ZERO),
        sum((line.proposed for line in lines), ZERO),
        sum((line.approved for line in lines), ZERO),
    )
