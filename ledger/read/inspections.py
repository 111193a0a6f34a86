"""Inspections read: the findings still open (未销号), oldest first, and the inspections.

A finding's age counts from the inspection that found it; it is overdue
(逾期未整改) once its date to correct by has passed. A finding closed after
the as-of date was still open then, so a past date reads as it stood.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from ledger import dates
from ledger.actors import Actor
from ledger.models import Finding, Inspection, InspectionLoan, Loan, Township
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
        )
        for finding, found_on, code, name, loan_no in session.execute(query)
    )


@dataclass(frozen=True)
class InspectionRow:
    """An inspection recorded, for choosing the one a finding belongs to."""

    id: int
    inspected_on: date
    township_name: str
    kind: str
    inspectors: str
    #: The households' loans the inspection visited, by registration number.
    loans: tuple[str, ...]


def inspections(session: Session, actor: Actor, fund_code: str) -> tuple[InspectionRow, ...]:
    """The fund's inspections, latest first; a township officer's own township's."""
    fund = fund_id(session, actor, fund_code)
    query = (
        select(Inspection, Township.name)
        .join(Township, Township.id == Inspection.township_id)
        .where(Inspection.fund_id == fund)
        .order_by(Inspection.inspected_on.desc(), Inspection.id.desc())
    )
    if actor.is_township:
        query = query.where(Township.code == actor.township_code)
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
            one.id, one.inspected_on, name, one.kind.value, one.inspectors, tuple(visited[one.id])
        )
        for one, name in found
    )
