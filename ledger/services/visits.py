"""Visits (走访): recording a liaison's or a pairing cadre's visit to a household.

A liaison's visit names the loan and the liaison. It is refused if it is
dated before the loan's contract (there was no liaison yet) or after today,
or if the visitor was not the loan's liaison on that day: a liaison change
(联系人变更) hands the duty over from its effective date. What was seen is
required: how the project stands and whether the money is used as approved.

A pairing cadre's visit (联户干部入户) names the household and the cadre;
its length in days counts toward the cadre's yearly minimum.

Who may (SPEC §2): the clerk, or the township officer for their own
township's households only (another township's loan or household is "not
found"). A visit is a log line: appended, never edited, and the same
visitor's visit to the same household on the same day is recorded once.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ledger import dates, permissions, validate
from ledger.actors import Actor
from ledger.db import UnitOfWork
from ledger.errors import DuplicateKey, InvalidField, NotTheLiaison
from ledger.models import Household, Liaison, ProjectProgress, Visit, VisitorKind
from ledger.permissions import Action
from ledger.services import lookup
from ledger.services.guarantees import current_liaison
from ledger.services.loans import dated_after

#: The longest single visit a log line may record (a stay in the village).
MAX_VISIT_DAYS = 31


def _progress(value: object, field: str = "progress") -> ProjectProgress:
    try:
        return ProjectProgress(value)
    except ValueError:
        choices = ", ".join(p.value for p in ProjectProgress)
        raise InvalidField(
            f"{field} 项目进展应为 {choices} 之一",
            f"{field} must be one of {choices}",
            field=field,
        ) from None


def _days(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_VISIT_DAYS:
        raise InvalidField(
            f"days 走访天数应为 1–{MAX_VISIT_DAYS} 的整数",
            f"days must be a whole number from 1 to {MAX_VISIT_DAYS}",
            field="days",
        )
    return value


def _once(uow: UnitOfWork, query, visitor: str, on: date) -> None:
    """Refuse a second record of the same visit (a double submission, a copied log line)."""
    if uow.session.scalar(query.where(Visit.visited_on == on).limit(1)) is not None:
        raise DuplicateKey(
            f"{visitor} {on} 的走访已登记",
            f"{visitor}'s visit on {on} is already recorded",
            field="visited_on",
        )


def record_visit(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    registration_no: str,
    *,
    liaison: int,
    visited_on: date,
    progress: str,
    funds_as_approved: bool,
    notes: str = "",
    days: int = 1,
) -> Visit:
    """Record the liaison's visit to the household of a loan (联系人到户)."""
    session = uow.session
    fund = lookup.fund(session, fund_code)
    permissions.check(actor, Action.VISIT)
    loan = lookup.loan(session, fund.id, registration_no, actor)
    person = lookup.by_id(session, Liaison, fund.id, liaison, actor, "liaison")
    permissions.check(actor, Action.VISIT, loan)
    visited_on = dated_after(uow, loan, visited_on, "visited_on", dates.VISIT, "contracted")
    seen = _progress(progress)
    as_approved = validate.flag(funds_as_approved, "funds_as_approved")
    notes = validate.text(notes, "notes", max_length=500, required=False)
    days = _days(days)
    on_duty = current_liaison(uow, loan, visited_on)
    if on_duty is None or on_duty.liaison_id != person.id:
        who = session.get_one(Liaison, on_duty.liaison_id).name if on_duty else "无"
        raise NotTheLiaison(
            f"{visited_on} 借款 {loan.registration_no} 的行政联系人是 {who},不是 {person.name}",
            f"on {visited_on} the liaison of loan {loan.registration_no} was {who}, "
            f"not {person.name}",
            field="liaison",
        )
    _once(
        uow,
        select(Visit.id).where(Visit.loan_id == loan.id, Visit.liaison_id == person.id),
        person.name,
        visited_on,
    )
    visit = Visit(
        fund_id=fund.id,
        household_id=loan.household_id,
        loan_id=loan.id,
        visitor_kind=VisitorKind.LIAISON,
        liaison_id=person.id,
        visitor=person.name,
        visited_on=visited_on,
        days=days,
        progress=seen,
        funds_as_approved=as_approved,
        notes=notes,
        recorded_by=actor.username,
    )
    session.add(visit)
    uow.session.flush()
    return visit


def record_cadre_visit(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    *,
    household: int,
    visitor: str,
    visited_on: date,
    days: int,
    progress: str | None = None,
    notes: str = "",
) -> Visit:
    """Record a pairing cadre's visit to the household they are paired with (联户干部入户)."""
    session = uow.session
    fund = lookup.fund(session, fund_code)
    permissions.check(actor, Action.VISIT)
    home = lookup.by_id(session, Household, fund.id, household, actor, "household")
    visitor = validate.text(visitor, "visitor", max_length=50)
    visited_on = dates.business_day(visited_on, "visited_on", dates.VISIT)
    days = _days(days)
    seen = None if progress is None else _progress(progress)
    notes = validate.text(notes, "notes", max_length=500, required=False)
    _once(
        uow,
        select(Visit.id).where(
            Visit.household_id == home.id,
            Visit.visitor_kind == VisitorKind.CADRE,
            Visit.visitor == visitor,
        ),
        visitor,
        visited_on,
    )
    visit = Visit(
        fund_id=fund.id,
        household_id=home.id,
        visitor_kind=VisitorKind.CADRE,
        visitor=visitor,
        visited_on=visited_on,
        days=days,
        progress=seen,
        notes=notes,
        recorded_by=actor.username,
    )
    session.add(visit)
    uow.session.flush()
    return visit
