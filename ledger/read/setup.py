"""A fund's set-up records: the fund and its limits, townships, project types, batches,
liaisons and households.

The lists are SELECTs of plain columns that a caller counts and pages in
the database (rows dump like objects and survive the read session); the
``..._row`` functions show a record a service just created the way the list
shows it. A township officer's lists are pinned to their own township.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ledger.actors import SYSTEM, Actor, township_filter
from ledger.models import (
    Batch,
    Fund,
    FundSettings,
    Household,
    Liaison,
    ProjectType,
    Township,
)
from ledger.read.access import fund
from ledger.services import lookup


def funds(actor: Actor) -> Select[Any]:
    """Every fund the actor is granted, by code."""
    query = select(Fund.code, Fund.name, Fund.opened_on, Fund.created_by, Fund.created_at).order_by(
        Fund.code
    )
    if actor.fund_code is not None:
        query = query.where(Fund.code == actor.fund_code)
    return query


def fund_row(session: Session, created: Fund) -> Any:
    """A fund a service just opened, as the API lists it."""
    return session.execute(funds(SYSTEM).where(Fund.id == created.id)).one()


@dataclass(frozen=True)
class Limits:
    """A fund's limits (SPEC §10); rates as fractions (0.2 = 20 %)."""

    max_loan: Decimal
    max_term_months: int
    deduction_cap: Decimal
    fee_rate: Decimal


def limits_of(row: FundSettings) -> Limits:
    return Limits(row.max_loan, row.max_term_months, row.deduction_cap, row.fee_rate)


def limits(session: Session, actor: Actor, fund_code: str) -> Limits:
    return limits_of(lookup.settings(session, fund(session, actor, fund_code).id))


def townships(
    session: Session, actor: Actor, fund_code: str, township: str | None = None
) -> Select[Any]:
    """The fund's townships (a township officer's own only)."""
    the_fund = fund(session, actor, fund_code)
    code = township_filter(actor, township)
    query = (
        select(Township.code, Township.name)
        .where(Township.fund_id == the_fund.id)
        .order_by(Township.code)
    )
    return query if code is None else query.where(Township.code == code)


def project_types(session: Session, actor: Actor, fund_code: str) -> Select[Any]:
    the_fund = fund(session, actor, fund_code)
    return (
        select(ProjectType.code, ProjectType.name, ProjectType.borrowing_standard)
        .where(ProjectType.fund_id == the_fund.id)
        .order_by(ProjectType.code)
    )


def batches(session: Session, actor: Actor, fund_code: str) -> Select[Any]:
    the_fund = fund(session, actor, fund_code)
    return (
        select(Batch.code, Batch.name, Batch.budget)
        .where(Batch.fund_id == the_fund.id)
        .order_by(Batch.code)
    )


def _liaisons(fund_id: int) -> Select[Any]:
    return (
        select(
            Liaison.id,
            Liaison.name,
            Township.code.label("township"),
            Liaison.monthly_salary,
            Liaison.phone,
        )
        .join(Township, Township.id == Liaison.township_id)
        .where(Liaison.fund_id == fund_id)
        .order_by(Township.code, Liaison.id)
    )


def liaisons(
    session: Session, actor: Actor, fund_code: str, township: str | None = None
) -> Select[Any]:
    """The fund's liaisons with their township (a township officer's own only)."""
    the_fund = fund(session, actor, fund_code)
    code = township_filter(actor, township)
    query = _liaisons(the_fund.id)
    return query if code is None else query.where(Township.code == code)


def liaison_row(session: Session, liaison: Liaison) -> Any:
    """A liaison as the API lists it (with the township code)."""
    return session.execute(_liaisons(liaison.fund_id).where(Liaison.id == liaison.id)).one()


def _households(fund_id: int) -> Select[Any]:
    return (
        select(
            Household.id,
            Household.name,
            Household.id_number,
            Township.code.label("township"),
            Household.village,
            Household.party_member,
            Household.phone,
        )
        .join(Township, Township.id == Household.township_id)
        .where(Household.fund_id == fund_id)
        .order_by(Township.code, Household.id)
    )


def households(
    session: Session,
    actor: Actor,
    fund_code: str,
    township: str | None = None,
    id_number: str | None = None,
) -> Select[Any]:
    """The fund's households (a township officer's own only), optionally by ID number."""
    the_fund = fund(session, actor, fund_code)
    code = township_filter(actor, township)
    query = _households(the_fund.id)
    if code is not None:
        query = query.where(Township.code == code)
    if id_number is not None:
        query = query.where(Household.id_number == id_number.strip().upper())
    return query


def household_row(session: Session, household: Household) -> Any:
    return session.execute(_households(household.fund_id).where(Household.id == household.id)).one()


def household(session: Session, actor: Actor, fund_code: str, household_id: int) -> Any:
    """One household, hidden from other townships' officers."""
    the_fund = fund(session, actor, fund_code)
    found = lookup.by_id(session, Household, the_fund.id, household_id, actor, "household")
    return household_row(session, found)
