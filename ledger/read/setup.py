"""A fund's set-up records: the fund and its limits, townships, project types, batches,
liaisons and households.

The lists are `Listing`s the API counts and pages in the database; the
``..._row`` functions show a record a service just created the way the list
shows it. A township officer's lists are pinned to their own township.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from ledger.actors import SYSTEM, Actor, township_filter
from ledger.models import (
    Batch,
    County,
    Fund,
    FundSettings,
    Household,
    HouseholdCount,
    Liaison,
    ProjectType,
    Township,
)
from ledger.read import positions as kept_reads
from ledger.read.access import fund
from ledger.read.listing import Listing
from ledger.services import lookup

R = TypeVar("R")


@dataclass(frozen=True)
class CountyRow:
    """A county as listed."""

    code: str
    name: str
    created_by: str
    created_at: datetime


def counties(actor: Actor) -> Listing[CountyRow]:
    """The counties in the actor's region (every county for a user without one), by code."""
    query = select(County.code, County.name, County.created_by, County.created_at).order_by(
        County.code
    )
    if actor.region is not None:
        query = query.where(County.code.startswith(actor.region))
    return Listing(query, CountyRow)


def county_row(session: Session, added: County) -> CountyRow:
    """A county a service just added, as the API lists it."""
    return counties(SYSTEM).where(County.code == added.code).one(session)


@dataclass(frozen=True)
class FundRow:
    """A fund as listed."""

    code: str
    name: str
    #: The county (区县) that owns it, and its name.
    county: str
    county_name: str
    #: Its programme kind (`ledger.programmes`): revolving, mutual_aid.
    kind: str
    #: The day the fund started: nothing is dated before it.
    opened_on: date | None
    created_by: str
    created_at: datetime


def funds(actor: Actor) -> Listing[FundRow]:
    """Every fund the actor is granted, in the actor's region, by code."""
    query = (
        select(
            Fund.code,
            Fund.name,
            Fund.county_code.label("county"),
            County.name.label("county_name"),
            Fund.kind,
            Fund.opened_on,
            Fund.created_by,
            Fund.created_at,
        )
        .join(County, County.code == Fund.county_code)
        .order_by(Fund.code)
    )
    if actor.fund_code is not None:
        query = query.where(Fund.code == actor.fund_code)
    if actor.region is not None:
        query = query.where(Fund.county_code.startswith(actor.region))
    return Listing(query, FundRow)


def fund_row(session: Session, created: Fund) -> FundRow:
    """A fund a service just opened, as the API lists it."""
    return funds(SYSTEM).where(Fund.id == created.id).one(session)


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


@dataclass(frozen=True)
class TownshipRow:
    """A township (乡镇) as listed."""

    #: The 9-digit township code (the 1011 sub-ledger key).
    code: str
    name: str


def _by_code(model: type[Township | ProjectType | Batch], row: type[R], fund_id: int) -> Listing[R]:
    """The fund's records of `model` by code, a column for each of `row`'s fields."""
    columns = [getattr(model, column.name) for column in fields(row)]
    return Listing(select(*columns).where(model.fund_id == fund_id).order_by(model.code), row)


def townships(
    session: Session, actor: Actor, fund_code: str, township: str | None = None
) -> Listing[TownshipRow]:
    """The fund's townships (a township officer's own only)."""
    the_fund = fund(session, actor, fund_code)
    code = township_filter(actor, township)
    listing = _by_code(Township, TownshipRow, the_fund.id)
    return listing if code is None else listing.where(Township.code == code)


@dataclass(frozen=True)
class ProjectTypeRow:
    """A project type (项目类型) as listed."""

    code: str
    name: str
    #: The most one household may borrow for this kind of project (借款标准).
    borrowing_standard: Decimal


def project_types(session: Session, actor: Actor, fund_code: str) -> Listing[ProjectTypeRow]:
    return _by_code(ProjectType, ProjectTypeRow, fund(session, actor, fund_code).id)


@dataclass(frozen=True)
class BatchRow:
    """A lending batch (批次) as listed."""

    code: str
    name: str
    #: What the batch may lend in all.
    budget: Decimal


def batches(session: Session, actor: Actor, fund_code: str) -> Listing[BatchRow]:
    return _by_code(Batch, BatchRow, fund(session, actor, fund_code).id)


def township_groups(
    session: Session, fund_id: int, column: Any, township: str | None = None
) -> tuple[tuple[str, ColumnElement[bool]], ...]:
    """The fund's townships (or the one named) by code, each with the condition that its
    id is `column`'s: the groups a list by township seeks in (`Listing.groups`)."""
    query = select(Township.id, Township.code).where(Township.fund_id == fund_id)
    if township is not None:
        query = query.where(Township.code == township)
    return tuple(
        (code, column == town_id)
        for town_id, code in session.execute(query.order_by(Township.code))
    )


def coded(
    column: ColumnElement[Any], model: type[Township | Batch], fund_id: int, code: str
) -> ColumnElement[bool]:
    """`column` holds the id of the fund's `model` (township, batch) with `code`.

    The id is a subquery that correlates with nothing, so the condition is on
    the row holding `column` alone: a loan's, or a kept count's (no such code,
    no row).
    """
    return (
        column
        == select(model.id)
        .where(model.fund_id == fund_id, model.code == code)
        .correlate(None)
        .scalar_subquery()
    )


def _by_township(
    model: type[Liaison | Household], row: type[R], fund_id: int, township: str | None = None
) -> Listing[R]:
    """The fund's records of `model` (of one township, if named), by township then id; a
    column for each of `row`'s fields, ``township`` being the township's code."""
    columns = [
        Township.code.label("township")
        if column.name == "township"
        else getattr(model, column.name)
        for column in fields(row)
    ]
    query = (
        select(*columns)
        .join(Township, Township.id == model.township_id)
        .where(model.fund_id == fund_id)
        .order_by(Township.code, model.id)
    )
    if township is not None:
        query = query.where(Township.code == township)
    return Listing(query, row, keys=("township", "id"))


@dataclass(frozen=True)
class LiaisonRow:
    """A liaison (联系人) as listed, with their township's code."""

    id: int
    name: str
    township: str
    #: The salary a deduction is capped against.
    monthly_salary: Decimal
    phone: str | None


def liaisons(
    session: Session, actor: Actor, fund_code: str, township: str | None = None
) -> Listing[LiaisonRow]:
    """The fund's liaisons with their township (a township officer's own only)."""
    the_fund = fund(session, actor, fund_code)
    return _by_township(Liaison, LiaisonRow, the_fund.id, township_filter(actor, township))


def liaison_row(session: Session, liaison: Liaison) -> LiaisonRow:
    """A liaison as the API lists it (with the township code)."""
    return (
        _by_township(Liaison, LiaisonRow, liaison.fund_id)
        .where(Liaison.id == liaison.id)
        .one(session)
    )


@dataclass(frozen=True)
class HouseholdRow:
    """A household (农户) as listed, with its township's code."""

    id: int
    name: str
    #: The 18-character resident ID number (身份证号).
    id_number: str
    township: str
    village: str
    party_member: bool
    phone: str | None


def households(
    session: Session,
    actor: Actor,
    fund_code: str,
    township: str | None = None,
    id_number: str | None = None,
) -> Listing[HouseholdRow]:
    """The fund's households (a township officer's own only), optionally by ID number.

    Its total is the kept count of the households registered, per township
    (`read.positions.registered_households`); one ID number's (a household or
    none) is counted on its unique index.
    """
    the_fund = fund(session, actor, fund_code)
    town = township_filter(actor, township)
    listing = _by_township(Household, HouseholdRow, the_fund.id, town)
    kept = [] if town is None else [coded(HouseholdCount.township_id, Township, the_fund.id, town)]
    listing = replace(
        listing,
        groups=township_groups(session, the_fund.id, Household.township_id, town),
        total=kept_reads.registered_households(the_fund.id, *kept),
    )
    if id_number is not None:
        listing = listing.where(Household.id_number == id_number.strip().upper())
    return listing


def household_row(session: Session, household: Household) -> HouseholdRow:
    listing = _by_township(Household, HouseholdRow, household.fund_id)
    return listing.where(Household.id == household.id).one(session)


def household(session: Session, actor: Actor, fund_code: str, household_id: int) -> HouseholdRow:
    """One household, hidden from other townships' officers."""
    the_fund = fund(session, actor, fund_code)
    found = lookup.by_id(session, Household, the_fund.id, household_id, actor, "household")
    return household_row(session, found)
