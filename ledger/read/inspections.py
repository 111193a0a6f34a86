"""Inspections read: the findings still open (未销号), oldest first, the inspections
and each one's findings.

A finding's age counts from the inspection that found it; it is overdue
(逾期未整改) once its date to correct by has passed. A finding closed after
the as-of date was still open then, so a past date reads as it stood.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from ledger import dates
from ledger.actors import Actor
from ledger.errors import RecordNotFound
from ledger.models import (
    Finding,
    FindingKind,
    Inspection,
    InspectionLoan,
    Loan,
    ProposalStatus,
    Recall,
    Township,
)
from ledger.read.access import fund_id
from ledger.services import lookup


@dataclass(frozen=True)
class OpenFinding:
    """One finding open on the as-of date."""

    #: The finding's id (closing names it).
    id: int
    inspection_id: int
    #: The day of the inspection that found it.
    found_on: date
    township: str
    township_name: str
    #: A `ledger.models.FindingKind` value.
    kind: str
    #: The household's loan, or None for a finding about the township's books.
    loan: str | None
    description: str
    responsible: str
    correct_by: date
    #: Days since the inspection, as of the read's date.
    age_days: int
    #: True once `correct_by` has passed unremedied.
    overdue: bool
    #: A diverted-money finding about a loan with no recall pending or approved on it:
    #: the ground a recall (提前收回) may be proposed on.
    recallable: bool


def open_findings(
    session: Session,
    actor: Actor,
    fund_code: str,
    *,
    as_of: date | None = None,
    township: str | None = None,
) -> tuple[OpenFinding, ...]:
    """The findings open on `as_of` (today when None), oldest first; a township officer's own."""
    fund = fund_id(session, actor, fund_code)
    day = as_of or dates.today()
    if actor.is_township:
        township = actor.township_code
    visited = aliased(Loan)
    query = (
        select(
            Finding, Inspection.inspected_on, Township.code, Township.name, visited.registration_no
        )
        .join(Inspection, Inspection.id == Finding.inspection_id)
        .join(Township, Township.id == Inspection.township_id)
        .outerjoin(visited, visited.id == Finding.loan_id)
        .where(
            Inspection.fund_id == fund,
            Inspection.inspected_on <= day,
            or_(Finding.closed_on.is_(None), Finding.closed_on > day),
        )
        .order_by(Inspection.inspected_on, Finding.id)
    )
    if township is not None:
        query = query.where(
            Township.id == lookup.township(session, fund, township, actor, "township").id
        )
    rows = session.execute(query).all()
    recalled = set(
        session.scalars(
            select(Recall.finding_id).where(
                Recall.finding_id.in_([row[0].id for row in rows]),
                Recall.status.in_((ProposalStatus.PROPOSED, ProposalStatus.APPROVED)),
            )
        )
    )
    return tuple(
        OpenFinding(
            id=finding.id,
            inspection_id=finding.inspection_id,
            found_on=found_on,
            township=code,
            township_name=name,
            kind=finding.kind.value,
            loan=loan_no,
            description=finding.description,
            responsible=finding.responsible,
            correct_by=finding.correct_by,
            age_days=(day - found_on).days,
            overdue=finding.correct_by < day,
            recallable=finding.kind is FindingKind.DIVERTED
            and finding.loan_id is not None
            and finding.id not in recalled,
        )
        for finding, found_on, code, name, loan_no in rows
    )


@dataclass(frozen=True)
class InspectionRow:
    """An inspection recorded, for choosing the one a finding belongs to."""

    id: int
    inspected_on: date
    township: str
    township_name: str
    kind: str
    inspectors: str
    notes: str
    #: The households' loans the inspection visited, by registration number.
    loans: tuple[str, ...]


def inspections(session: Session, actor: Actor, fund_code: str) -> tuple[InspectionRow, ...]:
    """The fund's inspections, latest first; a township officer's own township's."""
    fund = fund_id(session, actor, fund_code)
    query = (
        select(Inspection, Township.code, Township.name)
        .join(Township, Township.id == Inspection.township_id)
        .where(Inspection.fund_id == fund)
        .order_by(Inspection.inspected_on.desc(), Inspection.id.desc())
    )
    if actor.is_township:
        query = query.where(Township.code == actor.township_code)
    return _inspection_rows(session, query)


def _inspection_rows(session: Session, query: Any) -> tuple[InspectionRow, ...]:
    found = session.execute(query).all()
    visited: dict[int, list[str]] = {row[0].id: [] for row in found}
    for inspection_id, no in session.execute(
        select(InspectionLoan.inspection_id, Loan.registration_no)
        .join(Loan, Loan.id == InspectionLoan.loan_id)
        .where(InspectionLoan.inspection_id.in_(list(visited)))
        .order_by(Loan.registration_no)
    ):
        visited[inspection_id].append(no)
    return tuple(
        InspectionRow(
            one.id,
            one.inspected_on,
            code,
            name,
            one.kind.value,
            one.inspectors,
            one.notes,
            tuple(visited[one.id]),
        )
        for one, code, name in found
    )


def inspection_of(session: Session, inspection: Inspection) -> InspectionRow:
    """The row of an inspection just recorded."""
    query = (
        select(Inspection, Township.code, Township.name)
        .join(Township, Township.id == Inspection.township_id)
        .where(Inspection.id == inspection.id)
    )
    return _inspection_rows(session, query)[0]


@dataclass(frozen=True)
class FindingRow:
    """A finding of an inspection, open or closed (销号) with its evidence."""

    id: int
    inspection_id: int
    found_on: date
    township: str
    #: A `ledger.models.FindingKind` value.
    kind: str
    loan: str | None
    description: str
    responsible: str
    correct_by: date
    recorded_by: str
    closed_on: date | None
    closed_by: str | None
    evidence: str | None
    evidence_ref: str | None


def _finding_query() -> Any:
    return (
        select(
            Finding.id,
            Finding.inspection_id,
            Inspection.inspected_on.label("found_on"),
            Township.code.label("township"),
            Finding.kind,
            Loan.registration_no.label("loan"),
            Finding.description,
            Finding.responsible,
            Finding.correct_by,
            Finding.recorded_by,
            Finding.closed_on,
            Finding.closed_by,
            Finding.evidence,
            Finding.evidence_ref,
        )
        .join(Inspection, Inspection.id == Finding.inspection_id)
        .join(Township, Township.id == Inspection.township_id)
        .outerjoin(Loan, Loan.id == Finding.loan_id)
        .order_by(Finding.id)
    )


def _finding_rows(session: Session, query: Any) -> tuple[FindingRow, ...]:
    return tuple(
        FindingRow(**{**row._mapping, "kind": row.kind.value}) for row in session.execute(query)
    )


def findings(
    session: Session, actor: Actor, fund_code: str, inspection_id: int
) -> tuple[FindingRow, ...]:
    """An inspection's findings in the order recorded; another township's inspection is
    not found for a township officer."""
    fund = fund_id(session, actor, fund_code)
    found = session.execute(
        select(Inspection.id, Township.code)
        .join(Township, Township.id == Inspection.township_id)
        .where(Inspection.id == inspection_id, Inspection.fund_id == fund)
    ).first()
    if found is None or not actor.sees_township(found.code):
        raise RecordNotFound(
            f"督查 {inspection_id} 不存在",
            f"inspection {inspection_id} does not exist",
            field="inspection",
        )
    return _finding_rows(session, _finding_query().where(Finding.inspection_id == inspection_id))


def finding_of(session: Session, finding: Finding) -> FindingRow:
    """The row of a finding just recorded or closed."""
    return _finding_rows(session, _finding_query().where(Finding.id == finding.id))[0]
