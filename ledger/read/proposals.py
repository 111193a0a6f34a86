"""Proposals awaiting or given a decision: write-offs, extensions, project changes,
recalls, reversals.

Each is proposed by one person and decided by another (四眼原则); the lists
show the proposal with its decision, oldest first, as `Listing`s the API
counts and pages in the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import and_, select, type_coerce
from sqlalchemy.orm import Session

from ledger.actors import Actor
from ledger.chart import LOANS
from ledger.db import Fen
from ledger.models import (
    Account,
    Disaster,
    Extension,
    Finding,
    Inspection,
    Journal,
    Loan,
    ProjectChange,
    ProjectType,
    ProposalStatus,
    Recall,
    Reversal,
    Township,
    WriteOff,
    WriteOffGround,
)
from ledger.read.access import fund
from ledger.read.listing import Listing


@dataclass(frozen=True)
class Decided:
    """What every proposal shows: its state, why, and who proposed and decided it, when."""

    id: int
    status: ProposalStatus
    reason: str
    proposed_by: str
    proposed_on: date
    decided_by: str | None
    decided_on: date | None
    decision_note: str | None


@dataclass(frozen=True)
class LoanProposal(Decided):
    """A proposal about one loan."""

    #: The loan's registration number.
    loan: str
    township: str


@dataclass(frozen=True)
class WriteOffRow(LoanProposal):
    """A write-off proposal (核销)."""

    amount: Decimal
    ground: WriteOffGround
    evidence: str
    #: The disaster it is written off under, if any.
    disaster: str | None
    #: The approval document's number, once approved.
    document_no: str | None
    #: The write-off journal, once approved.
    voucher: str | None


@dataclass(frozen=True)
class ExtensionRow(LoanProposal):
    """An extension proposal (展期): the new schedule."""

    #: The proposed instalments: ``{"due_date": "YYYY-MM-DD", "amount": "..."}``.
    schedule: list[dict[str, str]]
    disaster: str | None


@dataclass(frozen=True)
class ProjectChangeRow(LoanProposal):
    """A project-change proposal (项目变更)."""

    project_type: str
    project: str


@dataclass(frozen=True)
class ReversalRow(Decided):
    """A reversal proposal (冲销申请) of a journal."""

    #: The voucher of the journal to reverse.
    journal: str
    #: The red-ink journal, once approved.
    voucher: str | None


P = TypeVar("P", bound=LoanProposal)

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
    model: type[WriteOff] | type[Extension] | type[ProjectChange] | type[Recall],
    row: type[P],
    fund_id: int,
    extra: Sequence[Any],
    *,
    status: str | None,
    loan_no: str | None,
) -> Listing[P]:
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
    return Listing(query, row)


def _write_offs(
    fund_id: int,
    *,
    status: str | None = None,
    loan_no: str | None = None,
    disaster_code: str | None = None,
) -> Listing[WriteOffRow]:
    listing = _proposals(
        WriteOff,
        WriteOffRow,
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
    )
    query = listing.query.outerjoin(Disaster, Disaster.id == WriteOff.disaster_id)
    if disaster_code is not None:
        query = query.where(Disaster.code == disaster_code)
    return Listing(query, WriteOffRow)


def write_offs(
    session: Session,
    actor: Actor,
    fund_code: str,
    *,
    status: str | None = None,
    loan: str | None = None,
    disaster: str | None = None,
) -> Listing[WriteOffRow]:
    """Write-off proposals (核销), oldest first, with their decisions."""
    the_fund = fund(session, actor, fund_code)
    return _write_offs(the_fund.id, status=status, loan_no=loan, disaster_code=disaster)


def write_off(session: Session, row: WriteOff) -> WriteOffRow:
    return _write_offs(row.fund_id).where(WriteOff.id == row.id).one(session)


def write_off_list(session: Session, rows: Sequence[WriteOff]) -> list[WriteOffRow]:
    if not rows:
        return []
    return _write_offs(rows[0].fund_id).where(WriteOff.id.in_([r.id for r in rows])).all(session)


def _extensions(
    fund_id: int, *, status: str | None = None, loan_no: str | None = None
) -> Listing[ExtensionRow]:
    listing = _proposals(
        Extension,
        ExtensionRow,
        fund_id,
        (Extension.schedule, Disaster.code.label("disaster")),
        status=status,
        loan_no=loan_no,
    )
    query = listing.query.outerjoin(Disaster, Disaster.id == Extension.disaster_id)
    return Listing(query, ExtensionRow)


def extensions(
    session: Session,
    actor: Actor,
    fund_code: str,
    *,
    status: str | None = None,
    loan: str | None = None,
) -> Listing[ExtensionRow]:
    """Extension proposals (展期), oldest first, with their decisions."""
    the_fund = fund(session, actor, fund_code)
    return _extensions(the_fund.id, status=status, loan_no=loan)


def extension(session: Session, row: Extension) -> ExtensionRow:
    return _extensions(row.fund_id).where(Extension.id == row.id).one(session)


def extension_list(session: Session, rows: Sequence[Extension]) -> list[ExtensionRow]:
    if not rows:
        return []
    return _extensions(rows[0].fund_id).where(Extension.id.in_([r.id for r in rows])).all(session)


def _project_changes(
    fund_id: int, *, status: str | None = None, loan_no: str | None = None
) -> Listing[ProjectChangeRow]:
    listing = _proposals(
        ProjectChange,
        ProjectChangeRow,
        fund_id,
        (ProjectType.code.label("project_type"), ProjectChange.project),
        status=status,
        loan_no=loan_no,
    )
    query = listing.query.join(ProjectType, ProjectType.id == ProjectChange.project_type_id)
    return Listing(query, ProjectChangeRow)


def project_changes(
    session: Session,
    actor: Actor,
    fund_code: str,
    *,
    status: str | None = None,
    loan: str | None = None,
) -> Listing[ProjectChangeRow]:
    """Project-change proposals (项目变更), oldest first, with their decisions."""
    the_fund = fund(session, actor, fund_code)
    return _project_changes(the_fund.id, status=status, loan_no=loan)


def project_change(session: Session, row: ProjectChange) -> ProjectChangeRow:
    return _project_changes(row.fund_id).where(ProjectChange.id == row.id).one(session)


@dataclass(frozen=True)
class RecallRow(LoanProposal):
    """A recall proposal (提前收回) and the diverted-money finding that grounds it."""

    finding: int
    finding_description: str
    #: The day of the inspection that found the money diverted.
    found_on: date
    #: What the loan owes now: approved, all of it falls due on the decision day.
    amount: Decimal


def _recalls(
    fund_id: int, *, status: str | None = None, loan_no: str | None = None
) -> Listing[RecallRow]:
    listing = _proposals(
        Recall,
        RecallRow,
        fund_id,
        (
            Finding.id.label("finding"),
            Finding.description.label("finding_description"),
            Inspection.inspected_on.label("found_on"),
            type_coerce(Account.debit_total - Account.credit_total, Fen()).label("amount"),
        ),
        status=status,
        loan_no=loan_no,
    )
    query = (
        listing.query.join(Finding, Finding.id == Recall.finding_id)
        .join(Inspection, Inspection.id == Finding.inspection_id)
        .join(
            Account,
            and_(
                Account.fund_id == Recall.fund_id,
                Account.code == LOANS,
                Account.subkey == Loan.registration_no,
            ),
        )
    )
    return Listing(query, RecallRow)


def recalls(
    session: Session,
    actor: Actor,
    fund_code: str,
    *,
    status: str | None = None,
    loan: str | None = None,
) -> Listing[RecallRow]:
    """Recall proposals (提前收回), oldest first, with their decisions."""
    the_fund = fund(session, actor, fund_code)
    return _recalls(the_fund.id, status=status, loan_no=loan)


def recall(session: Session, row: Recall) -> RecallRow:
    return _recalls(row.fund_id).where(Recall.id == row.id).one(session)


def _reversals(fund_id: int, *, status: str | None = None) -> Listing[ReversalRow]:
    query = (
        select(
            Reversal.id,
            Journal.voucher_no.label("journal"),
            Reversal.voucher,
            *(getattr(Reversal, name) for name in _DECIDED),
        )
        .join(Journal, Journal.id == Reversal.journal_id)
        .where(Reversal.fund_id == fund_id)
        .order_by(Reversal.id)
    )
    if status is not None:
        query = query.where(Reversal.status == ProposalStatus(status))
    return Listing(query, ReversalRow)


def reversals(
    session: Session, actor: Actor, fund_code: str, *, status: str | None = None
) -> Listing[ReversalRow]:
    """Reversal proposals (冲销申请), oldest first, with their decisions."""
    return _reversals(fund(session, actor, fund_code).id, status=status)


def reversal(session: Session, row: Reversal) -> ReversalRow:
    return _reversals(row.fund_id).where(Reversal.id == row.id).one(session)
