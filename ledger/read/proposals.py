"""Proposals awaiting or given a decision: write-offs, extensions, project changes, reversals.

Each is proposed by one person and decided by another (四眼原则); the lists
show the proposal with its decision, oldest first. They are SELECTs of
plain columns that the API counts and pages in the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ledger.actors import Actor
from ledger.models import (
    Disaster,
    Extension,
    Journal,
    Loan,
    ProjectChange,
    ProjectType,
    ProposalStatus,
    Reversal,
    Township,
    WriteOff,
)
from ledger.read.access import fund

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
