"""A region's counties side by side (SPEC §12): the province's and the city's overview.

A region is an administrative code: a province (2 digits), a city (4) or a
county (6); it holds the counties whose code starts with it. Each county is
one row, its figures summed over its funds (the funds the reader may see: a
user granted one fund sees that fund's), each as the county's own fund
statement prints it on the same date (`read.fund.fund_summary`):

- *appropriated* (基金总额) = the capital appropriated to date: the balance
  of 3001 周转金基金, the appropriations (拨入) less their red-ink reversals;
- *disbursed* (累计发放), *recovered* (累计回收: repaid + guarantee calls),
  *outstanding* (借款余额) and *written_off* (累计核销) = the kept totals;
- *overdue* (逾期金额) = principal past due and unpaid, from the kept aging;
- *recovery_rate* and *turnover* = `rates.recovery_rate` and `rates.turnover`
  of the summed figures, for a county as for the total: never an average.

The figures come from the kept reads summed in the database by fund (a
handful of queries whatever the counties), so the cost grows with the funds,
townships and batches (and, for a past date, the days), never with the loans:
today's overdue amount reads the aging kept for now, not the days.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger import chart, dates, permissions
from ledger.actors import Actor, in_region
from ledger.errors import RegionNotFound
from ledger.models import County, Fund
from ledger.permissions import Action
from ledger.programmes import REVOLVING
from ledger.read import positions as kept_reads
from ledger.read import rates
from ledger.read.books import fund_balances
from ledger.services.counties import check_region_code

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Figures:
    """The money of one county's funds (or of the whole region) on a date."""

    appropriated: Decimal = ZERO
    disbursed: Decimal = ZERO
    recovered: Decimal = ZERO
    outstanding: Decimal = ZERO
    overdue: Decimal = ZERO
    written_off: Decimal = ZERO

    def __add__(self, other: Figures) -> Figures:
        return Figures(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(Figures)))

    @property
    def recovery_rate(self) -> Decimal | None:
        return rates.recovery_rate(self.recovered, self.overdue)

    @property
    def turnover(self) -> Decimal | None:
        return rates.turnover(self.disbursed, self.appropriated)


@dataclass(frozen=True)
class CountyFigures(Figures):
    """One county's row: its code and name, and its funds' figures summed."""

    county: str = ""
    name: str = ""
    funds: int = 0


@dataclass(frozen=True)
class RegionOverview:
    """The counties of `region` side by side on `as_of`; `totals` is the sum of the rows."""

    as_of: date
    region: str
    counties: tuple[CountyFigures, ...]
    totals: Figures


def region_code(session: Session, actor: Actor, code: object) -> str:
    """`code` if it is a region inside the actor's that holds a county; RegionNotFound else.

    A county's user may ask for their county, a city's or province's for any
    region inside theirs (`actors.in_region`, the rule every fund's gate
    applies); a region above or beside theirs reads as one that does not exist.
    """
    region = check_region_code(code)
    found = in_region(region, actor.region) and session.scalar(
        select(County.code).where(County.code.startswith(region)).limit(1)
    )
    if not found:
        raise RegionNotFound(
            f"辖区 {region} 不存在", f"region {region} does not exist", field="region"
        )
    return region


def overview(
    session: Session, actor: Actor, code: str, as_of: date | None = None
) -> RegionOverview:
    """The counties of region `code` side by side, as of the end of `as_of` (today if None)."""
    permissions.check(actor, Action.READ_FUND)
    region = region_code(session, actor, code)
    day = as_of or dates.today()
    counties = session.execute(
        select(County.code, County.name).where(County.code.startswith(region)).order_by(County.code)
    ).all()
    funds: dict[str, list[int]] = defaultdict(list)
    for fund_id, fund_code, county in session.execute(
        select(Fund.id, Fund.code, Fund.county_code).where(
            Fund.county_code.startswith(region), Fund.kind == REVOLVING
        )
    ):
        if actor.sees_fund(fund_code):
            funds[county].append(fund_id)
    by_fund = _fund_figures(session, [i for ids in funds.values() for i in ids], day)
    rows = [
        CountyFigures(
            **vars(_sum(by_fund[i] for i in funds[county])),
            county=county,
            name=name,
            funds=len(funds[county]),
        )
        for county, name in counties
    ]
    return RegionOverview(day, region, tuple(rows), _sum(rows))


def _fund_figures(session: Session, fund_ids: list[int], day: date) -> dict[int, Figures]:
    """Fund id -> its figures at the end of `day`, read as `fund_summary` reads them."""
    now_or_then = kept_reads.past(day)  # the running totals when `day` is today
    capital = fund_balances(session, fund_ids, chart.CAPITAL, now_or_then)
    kept = kept_reads.fund_totals(session, fund_ids, as_of=now_or_then)
    overdue = kept_reads.fund_overdue(session, fund_ids, as_of=day)
    out = {}
    for fund_id in fund_ids:
        totals = kept.get(fund_id, kept_reads.KeptTotals())
        out[fund_id] = Figures(
            appropriated=capital.get(fund_id, ZERO),
            disbursed=totals.disbursed,
            recovered=totals.repaid + totals.guarantee_called,
            outstanding=totals.outstanding,
            overdue=overdue.get(fund_id, ZERO),
            written_off=totals.written_off,
        )
    return out


def _sum(figures: Iterable[Figures]) -> Figures:
    total = Figures()
    for one in figures:
        total += one
    return total
