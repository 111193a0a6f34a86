"""Outcomes read: the poverty lines, a township's incomes awaiting or given approval,
households' statuses by year, households out of poverty by township, and income
growth since registration.

Only approved incomes count (a second officer of the township has checked
them). Each income's status (贫困 / 脱贫 / 返贫) is judged by
`ledger.poverty.history` against the line in force on its date, in the
order of the household's incomes, so 返贫 follows from an earlier 脱贫.
A township officer reads their own township only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger import poverty
from ledger.actors import Actor
from ledger.models import (
    Household,
    IncomeKind,
    IncomeRecord,
    Loan,
    LoanEvent,
    PovertyLine,
    Township,
)
from ledger.read.access import fund_id
from ledger.read.rates import percent
from ledger.services import lookup
from ledger.services.outcomes import poverty_lines

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class IncomeStatus:
    """One approved income of a household and the status it gives."""

    household: int
    township: str
    #: ``registration`` (登记时) or ``year_end`` (年末).
    kind: str
    on: date
    year: int
    #: Net income per household member (人均纯收入).
    income: Decimal
    #: The poverty line in force on `on`.
    line: Decimal
    #: `ledger.poverty` POOR, OUT or BACK (贫困 / 脱贫 / 返贫).
    status: str
    #: 专业户: a specialised producer.
    specialised: bool


def _statuses(
    session: Session,
    actor: Actor,
    fund: int,
    *,
    township: str | None,
    household: int | None,
    as_of: date | None = None,
) -> list[IncomeStatus]:
    """Every approved income in scope with its status, household by household in date order.

    `as_of`: only incomes dated and approved by then, as the records stood that day.
    """
    if actor.is_township:
        township = actor.township_code
    query = (
        select(IncomeRecord, Township.code)
        .join(Household, Household.id == IncomeRecord.household_id)
        .join(Township, Township.id == Household.township_id)
        .where(IncomeRecord.fund_id == fund, IncomeRecord.approved_by.is_not(None))
        .order_by(IncomeRecord.household_id, IncomeRecord.on, IncomeRecord.id)
    )
    if township is not None:
        query = query.where(
            Township.id == lookup.township(session, fund, township, actor, "township").id
        )
    if household is not None:
        query = query.where(IncomeRecord.household_id == household)
    if as_of is not None:
        query = query.where(IncomeRecord.on <= as_of, IncomeRecord.approved_on <= as_of)
    by_household: dict[int, list[tuple[IncomeRecord, str]]] = defaultdict(list)
    for record, code in session.execute(query):
        by_household[record.household_id].append((record, code))
    lines = poverty_lines(session, fund)
    result = []
    for rows in by_household.values():
        judged = poverty.history([(r.on, r.income) for r, _ in rows], lines)
        for (record, code), verdict in zip(rows, judged, strict=True):
            if verdict is None:
                continue
            line, status = verdict
            result.append(
                IncomeStatus(
                    record.household_id,
                    code,
                    record.kind.value,
                    record.on,
                    record.year,
                    record.income,
                    line,
                    status,
                    record.specialised,
                )
            )
    return result


def household_outcomes(
    session: Session, actor: Actor, fund_code: str, household: int
) -> tuple[IncomeStatus, ...]:
    """A household's approved incomes and statuses, oldest first."""
    fund = fund_id(session, actor, fund_code)
    lookup.by_id(session, Household, fund, household, actor, "household")
    return tuple(_statuses(session, actor, fund, township=None, household=household))


@dataclass(frozen=True)
class TownshipOutcome:
    """How a township's households stood at one year end."""

    township: str
    name: str
    #: Households with an approved year-end income that year.
    households: int
    #: 脱贫: at or above the line.
    out: int
    #: 返贫: below it again after having been out.
    back: int
    #: 贫困: below it, never out before.
    poor: int
    #: 专业户 among the households.
    specialised: int


@dataclass(frozen=True)
class OutcomesByTownship:
    year: int
    #: Townships with any household counted, by code.
    rows: tuple[TownshipOutcome, ...]
    #: The sums of the rows (township ``""``, name 合计).
    total: TownshipOutcome


def out_of_poverty(
    session: Session,
    actor: Actor,
    fund_code: str,
    year: int,
    *,
    township: str | None = None,
    as_of: date | None = None,
) -> OutcomesByTownship:
    """Per township at `year`'s end: households out of poverty, poor, back, and 专业户.

    `as_of`: counting only incomes dated and approved by then (all when None).
    """
    fund = fund_id(session, actor, fund_code)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in _statuses(session, actor, fund, township=township, household=None, as_of=as_of):
        if row.kind != IncomeKind.YEAR_END.value or row.year != year:
            continue
        tally = counts[row.township]
        tally["households"] += 1
        tally[row.status] += 1
        tally["specialised"] += row.specialised
    names = _names(session, fund)
    rows = tuple(
        TownshipOutcome(
            code,
            names[code],
            tally["households"],
            tally[poverty.OUT],
            tally[poverty.BACK],
            tally[poverty.POOR],
            tally["specialised"],
        )
        for code, tally in sorted(counts.items())
    )
    total = TownshipOutcome(
        "",
        "合计",
        *(
            sum(getattr(r, f) for r in rows)
            for f in ("households", "out", "back", "poor", "specialised")
        ),
    )
    return OutcomesByTownship(year, rows, total)


@dataclass(frozen=True)
class TownshipGrowth:
    """Income growth of a township's households from registration to one year end."""

    township: str
    name: str
    #: Households with both an approved registration and an approved year-end income.
    households: int
    #: Σ income at registration of those households.
    at_registration: Decimal
    #: Σ income at the year end.
    at_year_end: Decimal
    #: at_year_end − at_registration.
    growth: Decimal
    #: growth as a percentage of at_registration (None when that is zero).
    growth_percent: Decimal | None


@dataclass(frozen=True)
class IncomeGrowth:
    year: int
    rows: tuple[TownshipGrowth, ...]
    total: TownshipGrowth


def _growth(code: str, name: str, pairs: list[tuple[Decimal, Decimal]]) -> TownshipGrowth:
    before = sum((b for b, _ in pairs), ZERO)
    after = sum((a for _, a in pairs), ZERO)
    return TownshipGrowth(
        code, name, len(pairs), before, after, after - before, percent(after - before, before)
    )


def income_growth(
    session: Session,
    actor: Actor,
    fund_code: str,
    year: int,
    *,
    township: str | None = None,
    as_of: date | None = None,
) -> IncomeGrowth:
    """Per township, the households' income at registration against `year`'s year end.

    `as_of`: counting only incomes dated and approved by then (all when None).
    """
    fund = fund_id(session, actor, fund_code)
    registration: dict[int, Decimal] = {}
    year_end: dict[int, tuple[str, Decimal]] = {}
    for row in _statuses(session, actor, fund, township=township, household=None, as_of=as_of):
        if row.kind == IncomeKind.REGISTRATION.value:
            registration[row.household] = row.income
        elif row.year == year:
            year_end[row.household] = (row.township, row.income)
    pairs: dict[str, list[tuple[Decimal, Decimal]]] = defaultdict(list)
    for household, (code, income) in year_end.items():
        if household in registration:
            pairs[code].append((registration[household], income))
    names = _names(session, fund)
    rows = tuple(_growth(code, names[code], pairs[code]) for code in sorted(pairs))
    return IncomeGrowth(year, rows, _growth("", "合计", [p for code in pairs for p in pairs[code]]))


def _names(session: Session, fund: int) -> dict[str, str]:
    return dict(
        session.execute(select(Township.code, Township.name).where(Township.fund_id == fund)).all()
    )


@dataclass(frozen=True)
class PovertyLineRow:
    """A poverty line (贫困线) and the day it takes effect."""

    effective_from: date
    amount: Decimal
    recorded_by: str


def lines(session: Session, actor: Actor, fund_code: str) -> tuple[PovertyLineRow, ...]:
    """The fund's poverty lines by effective date, the latest first."""
    fund = fund_id(session, actor, fund_code)
    return tuple(
        line_of(row)
        for row in session.scalars(
            select(PovertyLine)
            .where(PovertyLine.fund_id == fund)
            .order_by(PovertyLine.effective_from.desc())
        )
    )


def line_of(row: PovertyLine) -> PovertyLineRow:
    """A line as listed (the one just set, say)."""
    return PovertyLineRow(row.effective_from, row.amount, row.recorded_by)


@dataclass(frozen=True)
class IncomeEntry:
    """An income as recorded, approved or still waiting for a second officer."""

    id: int
    household: int
    #: ``registration`` (登记时) or ``year_end`` (年末).
    kind: str
    on: date
    year: int
    income: Decimal
    specialised: bool
    liaison: int | None
    recorded_by: str
    approved_by: str | None
    approved_on: date | None
    #: `ledger.poverty` POOR, OUT or BACK once approved; None while it waits.
    status: str | None


def _entries(
    session: Session, actor: Actor, fund: int, records: list[IncomeRecord], township: str | None
) -> list[IncomeEntry]:
    """The records as entries, each approved one with the status `_statuses` judges."""
    judged = {
        (row.household, row.kind, row.on): row.status
        for row in _statuses(session, actor, fund, township=township, household=None)
    }
    return [
        IncomeEntry(
            r.id,
            r.household_id,
            r.kind.value,
            r.on,
            r.year,
            r.income,
            r.specialised,
            r.liaison_id,
            r.recorded_by,
            r.approved_by,
            r.approved_on,
            judged.get((r.household_id, r.kind.value, r.on)) if r.approved_by else None,
        )
        for r in records
    ]


def income_of(session: Session, actor: Actor, fund_code: str, record: IncomeRecord) -> IncomeEntry:
    """An income just recorded or approved, as the API answers it."""
    fund = fund_id(session, actor, fund_code)
    town = session.get_one(Township, session.get_one(Household, record.household_id).township_id)
    return _entries(session, actor, fund, [record], town.code)[0]


@dataclass(frozen=True)
class HouseholdIncomes:
    """A household of the township, its income at registration and at the year's end."""

    household: int
    name: str
    village: str
    at_registration: IncomeEntry | None
    year_end: IncomeEntry | None


@dataclass(frozen=True)
class TownshipIncomes:
    township: str
    name: str
    year: int
    #: The line in force at the year's end (None before any line is set).
    line: Decimal | None
    #: The township's households with a registered loan, by village and name.
    rows: tuple[HouseholdIncomes, ...]


def township_incomes(
    session: Session, actor: Actor, fund_code: str, township: str, year: int
) -> TownshipIncomes:
    """Each household of `township` ever registered for a loan, with its income at
    registration and at `year`'s end, approved or waiting; a township officer's own."""
    fund = fund_id(session, actor, fund_code)
    town = lookup.township(session, fund, township, actor, "township")
    registered = (
        select(Loan.household_id)
        .join(LoanEvent, LoanEvent.loan_id == Loan.id)
        .where(Loan.township_id == town.id, LoanEvent.action == "registered")
    )
    homes = session.execute(
        select(Household.id, Household.name, Household.village)
        .where(Household.id.in_(registered))
        .order_by(Household.village, Household.name, Household.id)
    ).all()
    records = list(
        session.scalars(
            select(IncomeRecord)
            .join(Household, Household.id == IncomeRecord.household_id)
            .where(
                Household.township_id == town.id,
                (IncomeRecord.kind == IncomeKind.REGISTRATION) | (IncomeRecord.year == year),
            )
        )
    )
    by_key = {
        (entry.household, entry.kind): entry
        for entry in _entries(session, actor, fund, records, town.code)
    }
    return TownshipIncomes(
        town.code,
        town.name,
        year,
        poverty.line_on(poverty_lines(session, fund), date(year, 12, 31)),
        tuple(
            HouseholdIncomes(
                home_id,
                name,
                village,
                by_key.get((home_id, IncomeKind.REGISTRATION.value)),
                by_key.get((home_id, IncomeKind.YEAR_END.value)),
            )
            for home_id, name, village in homes
        ),
    )
