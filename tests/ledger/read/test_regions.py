"""A region's overview: each county's row is its own fund statements' figures summed, as of
any date; the totals are the rows summed; nobody sees a region outside their own."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from ledger.actors import Actor
from ledger.errors import InvalidField, RegionNotFound, RoleNotAllowed
from ledger.programmes import MUTUAL_AID
from ledger.programmes.mutual_aid import services as society
from ledger.read import rates
from ledger.read.fund import fund_statement
from ledger.read.regions import Figures, overview
from ledger.services.funds import open_fund
from tests.factories import ADMIN, CLERK_ACTOR, committing
from tests.ledger.region_world import EAST, LEDU, NAMES, TONG, build_province
from tests.mutual_aid.society import CASHIER

D = Decimal
PAST = date(2008, 7, 1)


@pytest.fixture
def province(db):
    return build_province(db)


def statement_figures(session, progs, day) -> Figures:
    """The county's figures from each fund's own statement, summed."""
    total = Figures()
    for prog in progs:
        printed = fund_statement(session, CLERK_ACTOR, prog.code, to=day)
        s = printed.summary
        assert s.capital == printed.flows.appropriated  # 基金总额 is what was 拨入
        total += Figures(
            appropriated=s.capital,
            disbursed=s.disbursed_to_date,
            recovered=s.recovered,
            outstanding=s.outstanding,
            overdue=s.overdue_amount,
            written_off=s.written_off,
        )
    return total


LEADER = Actor("province-leader", "leader", region="63")


@pytest.mark.parametrize("day", [PAST, date(2009, 5, 1), None])
def test_each_county_is_its_fund_statements_summed(db, province, day):
    with db.read() as session:
        seen = overview(session, LEADER, "63", day)
        want = {
            county: statement_figures(session, progs, seen.as_of)
            for county, progs in province.items()
        }
    assert seen.region == "63" and seen.as_of == (day or seen.as_of)
    got = {row.county: row for row in seen.counties if row.county in NAMES}
    assert set(got) == set(NAMES)
    for county, row in got.items():
        assert (
            Figures(**{f.name: getattr(row, f.name) for f in dataclasses.fields(Figures)})
            == (want[county])
        ), county
        assert (row.name, row.funds) == (NAMES[county], len(province[county]))
        assert row.recovery_rate == rates.recovery_rate(row.recovered, row.overdue)
        assert row.turnover == rates.turnover(row.disbursed, row.appropriated)


def test_the_numbers_of_a_past_date(db, province):
    with db.read() as session:
        rows = {r.county: r for r in overview(session, LEADER, "63", PAST).counties}
    east = rows[EAST]
    assert east.appropriated == D("150000.00")
    assert east.disbursed == D("3000.00") + D("2000.00") + D("3000.00")
    assert east.recovered == D("1400.00")
    assert east.outstanding == D("8000.00") - D("1400.00")
    # 1 July 2008: the second loan owes 1,000 − 400 and the third 1,000, both due 1 April.
    assert east.overdue == D("600.00") + D("1000.00")
    assert east.recovery_rate == D("46.67")  # 1,400 ÷ (1,400 + 1,600)
    assert east.turnover == D("0.05")
    tong = rows[TONG]
    assert (tong.appropriated, tong.recovered, tong.overdue) == (D("80000.00"), 0, D("2000.00"))
    ledu = rows[LEDU]
    assert (ledu.appropriated, ledu.disbursed, ledu.recovery_rate) == (D("60000.00"), 0, None)


def test_the_totals_are_the_rows_summed_and_the_rates_recomputed(db, province):
    with db.read() as session:
        seen = overview(session, LEADER, "6301", PAST)
    assert [r.county for r in seen.counties] == [EAST, TONG]
    totals = seen.totals
    for field in dataclasses.fields(Figures):
        assert getattr(totals, field.name) == sum(
            (getattr(r, field.name) for r in seen.counties), D(0)
        )
    assert totals.recovery_rate == rates.recovery_rate(totals.recovered, totals.overdue)
    assert totals.turnover == rates.turnover(totals.disbursed, totals.appropriated)
    # Recomputed, not averaged: the mean of the counties' rates differs.
    mean = sum(r.recovery_rate or 0 for r in seen.counties) / 2
    assert totals.recovery_rate != mean


@pytest.mark.parametrize(
    ("region", "asked", "sees"),
    [
        ("6301", "6301", [EAST, TONG]),
        ("6301", EAST, [EAST]),
        (TONG, TONG, [TONG]),
        (None, "6302", [LEDU]),
    ],
)
def test_a_reader_sees_regions_inside_their_own(db, province, region, asked, sees):
    reader = Actor("reader", "auditor", region=region)
    with db.read() as session:
        assert [r.county for r in overview(session, reader, asked).counties] == sees


@pytest.mark.parametrize(
    ("region", "asked"),
    [
        (TONG, EAST),  # another county
        (TONG, "6301"),  # the city above the county
        (TONG, "63"),
        ("6302", "6301"),  # another city
        ("6302", "63"),  # the province above the city
        ("63", "6309"),  # a city with no county
        (None, "99"),
    ],
)
def test_a_region_outside_the_readers_reads_as_missing(db, province, region, asked):
    reader = Actor("reader", "leader", region=region)
    with db.read() as session, pytest.raises(RegionNotFound) as refused:
        overview(session, reader, asked)
    assert refused.value.field == "region"


def test_a_malformed_region_names_the_field(db, province):
    with db.read() as session, pytest.raises(InvalidField) as refused:
        overview(session, LEADER, "631")
    assert refused.value.field == "region" and "2 位" in refused.value.detail_zh


@pytest.mark.parametrize("role", ["township", "admin"])
def test_a_township_officer_or_an_administrator_is_refused(db, province, role):
    with db.read() as session, pytest.raises(RoleNotAllowed):
        overview(session, Actor("someone", role, region=EAST), EAST)


def test_a_user_granted_one_fund_sees_that_funds_figures(db, province):
    _, east_2 = province[EAST]
    clerk = Actor("clerk", "clerk", region=EAST, fund_code=east_2.code)
    with db.read() as session:
        (row,) = overview(session, clerk, EAST, PAST).counties
        assert row.funds == 1
        assert row.appropriated == D("50000.00") and row.disbursed == D("3000.00")


def test_a_village_society_is_not_a_countys_revolving_fund(db, province):
    """互助资金 is another programme (SPEC §13): its fiscal capital is no county's 周转金."""
    with db.read() as session:
        before = overview(session, LEADER, "63")
    with committing(db) as uow:
        open_fund(
            uow,
            actor=ADMIN,
            code="SOC-EAST",
            name="某村扶贫互助社",
            opened_on=date(2007, 1, 1),
            county=EAST,
            kind=MUTUAL_AID,
        )
        society.receive_fiscal_capital(
            uow, CASHIER, "SOC-EAST", on=date(2007, 1, 2), amount="10000.00"
        )
    with db.read() as session:
        assert overview(session, LEADER, "63") == before
