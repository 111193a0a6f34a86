"""The fund as a whole and by township: summary, aging, recovery table, statements, as of any date.

Definitions used throughout:

- *settled* principal of a loan = repaid by the household + called from the
  liaison's guarantee + written off; *outstanding* = disbursed − settled.
- *recovered* (回收) = repaid + called: what came back, or is owed by the
  liaison instead of the household.
- *turnover* (周转次数) = cumulative disbursed ÷ fund capital.
- *re-lending capacity* = special-account cash + cash held by townships.

A township officer sees their own township's figures only; the fund
statement is the county's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger import chart, dates
from ledger.actors import Actor, township_filter
from ledger.audit import chain_head
from ledger.models import (
    Batch,
    Journal,
    Liaison,
    Loan,
    Township,
)
from ledger.posting import AccountRef
from ledger.read import positions as kept_reads
from ledger.read import rates
from ledger.read.access import FundHeader, county_wide, fund
from ledger.read.books import (
    ZERO,
    StatementLine,
    check_dates,
    statement_lines,
    subaccount_balances,
)
from ledger.read.listing import Seek
from ledger.read.loans import LoanItem, LoanRow, listed_loans, loan_rows, overdue_page
from ledger.read.plans import PlanAgainstActual, plan_against_actual
from ledger.read.rates import percent
from ledger.read.setup import township_groups
from ledger.services import lookup
from ledger.services.proposals import pending_write_offs_by_group

#: The overdue loans of one aging bucket (1–30 days, ...), counted and summed.
AgingBucket = kept_reads.BucketTotals


@dataclass(frozen=True)
class Aging:
    """Overdue loans by aging bucket (账龄分析), fund-wide or for one township, on `as_of`."""

    fund: FundHeader
    as_of: date
    #: The township the figures are confined to (a township officer's own), None for the fund.
    township: str | None
    township_name: str | None
    #: The overdue loans, by township and registration number: all of them, or one page.
    loans: tuple[LoanRow, ...]
    buckets: tuple[AgingBucket, ...]
    #: Outstanding of every loan with money lent, overdue or not.
    outstanding: Decimal
    overdue_amount: Decimal
    #: Outstanding of the overdue loans.
    overdue_outstanding: Decimal
    #: Liaison names by id, for the overdue loans' liaisons.
    liaisons: dict[int, str]
    #: The cursor of the page of loans after `loans` (None: no more, or the whole list).
    next: str | None = None

    @property
    def overdue_loans(self) -> int:
        return sum(b.loans for b in self.buckets)

    @property
    def overdue_share(self) -> Decimal | None:
        """Outstanding of overdue loans as a percentage of all outstanding."""
        return percent(self.overdue_outstanding, self.outstanding)


def aging(
    session: Session,
    actor: Actor,
    fund_code: str,
    *,
    as_of: date | None = None,
    township: str | None = None,
    after: str | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> Aging:
    """Overdue loans by aging bucket (1–30, 31–90, 91–180, 181–365, 365+ days) on `as_of`,
    with every overdue loan listed, or (`limit`) one page of them after the cursor `after`
    (`read.loans.overdue_page`).

    A township officer gets their own township's, titled as such (another's
    is NotFound); a township that does not exist is NotFound too.
    """
    header = fund(session, actor, fund_code)
    town = None
    township = township_filter(actor, township)
    if township is not None:
        town = lookup.township(session, header.id, township, actor, "township")
    listing = listed_loans(session, header.id, actor, township=township)
    listing = replace(
        listing, groups=township_groups(session, header.id, Loan.township_id, township)
    )
    page = overdue_page(
        session, header.id, as_of or dates.today(), listing, after=after, offset=offset, limit=limit
    )
    return _aging(session, header, as_of or dates.today(), town, page)


def _aging(
    session: Session,
    header: FundHeader,
    as_of: date,
    town: Township | None = None,
    page: Seek[LoanItem] | None = None,
) -> Aging:
    """The aging of the fund (or of `town`) from the kept figures (`read.positions`),
    listing the overdue loans of `page` (none if None: the fund statement prints the
    buckets only).

    The buckets, the outstanding and the overdue loans' count cost in
    proportion to the townships, batches and due dates shown; the listed
    loans in proportion to the page.
    """
    town_id = None if town is None else town.id
    buckets = kept_reads.summed(
        kept_reads.aging(session, header.id, as_of=as_of, township_id=town_id).values()
    )
    totals = kept_reads.totals(
        session, header.id, as_of=kept_reads.past(as_of), township_id=town_id
    )
    overdue_rows = () if page is None else tuple(page.items)
    ids = {r.liaison_id for r in overdue_rows if r.liaison_id is not None}
    liaisons = (
        dict(session.execute(select(Liaison.id, Liaison.name).where(Liaison.id.in_(ids))).all())
        if ids
        else {}
    )
    return Aging(
        header,
        as_of,
        None if town is None else town.code,
        None if town is None else town.name,
        overdue_rows,
        buckets,
        sum((t.outstanding for t in totals.values()), ZERO),
        sum((b.overdue_amount for b in buckets), ZERO),
        sum((b.outstanding for b in buckets), ZERO),
        liaisons,
        None if page is None else page.next,
    )


@dataclass(frozen=True)
class RecoveryRow:
    """The 12 columns of the 财政支农周转金借用情况表 for one township (or the total)."""

    township: str
    name: str
    opening: Decimal  #: 1 年初余额
    lent: Decimal  #: 2 本年借出
    closing: Decimal  #: 3 年末余额 = 1 + 2 − 7 − 8
    lent_to_date: Decimal  #: 4 累计借出
    due_this_year: Decimal  #: 5 本年应收到期数
    due_to_date: Decimal  #: 6 累计应收到期数
    written_off: Decimal  #: 7 本年待处理(核销)数
    recovered: Decimal  #: 8 本年回收数
    recovered_of_due: Decimal  #: 9 其中收回本年到期数
    recovered_to_date: Decimal  #: 10 累计回收数

    @property
    def rate_this_year(self) -> Decimal | None:
        """11 本年回收率 = 9 ÷ 5 (%)."""
        return percent(self.recovered_of_due, self.due_this_year)

    @property
    def rate_to_date(self) -> Decimal | None:
        """12 累计回收率 = 10 ÷ 6 (%)."""
        return percent(self.recovered_to_date, self.due_to_date)


@dataclass(frozen=True)
class RecoveryTable:
    """The 周转金回收情况表 of a calendar year: a row per township and the total."""

    year: int
    rows: tuple[RecoveryRow, ...]
    total: RecoveryRow


RECOVERY_FIELDS = (
    "opening",
    "lent",
    "closing",
    "lent_to_date",
    "due_this_year",
    "due_to_date",
    "written_off",
    "recovered",
    "recovered_of_due",
    "recovered_to_date",
)


def recovery_table(session: Session, fund_id: int, actor: Actor, year: int) -> RecoveryTable:
    """The fund recovery table (周转金回收情况表) for a calendar year, by township and total.

    Column 8 counts household repayments and guarantee calls (the liaison
    then owes it); column 7 counts write-offs approved in the year. Column 9
    is the part of column 8 that settled instalments falling due in the year,
    applying recoveries to the oldest instalment first, under the schedule in
    force at the year's end (as columns 5 and 6 are).

    Every column is kept (`read.positions`): the money columns from the
    totals at both ends of the year, columns 5 and 6 from the dues summed up to
    its end, column 9 from the year's row.
    """
    start, end = date(year, 1, 1), date(year, 12, 31)
    before = start - timedelta(days=1)
    query = select(Township.id, Township.code, Township.name).where(
        Township.fund_id == fund_id,
        select(Loan.id).where(Loan.township_id == Township.id).exists(),
    )
    if actor.is_township:
        query = query.where(Township.code == actor.township_code)
    towns = session.execute(query.order_by(Township.code)).all()
    own = towns[0].id if actor.is_township and towns else None
    opening = kept_reads.township_totals(session, fund_id, as_of=before, township_id=own)
    closing = kept_reads.township_totals(session, fund_id, as_of=end, township_id=own)
    dues = kept_reads.dues(session, fund_id, start, end, own)
    of_due = kept_reads.recovered_of_due(session, fund_id, year, own)
    rows = []
    for town_id, code, name in towns:
        was = opening.get(town_id, kept_reads.KeptTotals())
        now = closing.get(town_id, kept_reads.KeptTotals())
        due_year, due_total = dues.get(town_id, (ZERO, ZERO))
        values = {
            "opening": was.outstanding,
            "lent": now.disbursed - was.disbursed,
            "lent_to_date": now.disbursed,
            "due_this_year": due_year,
            "due_to_date": due_total,
            "written_off": now.written_off - was.written_off,
            "recovered": now.repaid + now.guarantee_called - was.repaid - was.guarantee_called,
            "recovered_of_due": of_due.get(town_id, ZERO),
            "recovered_to_date": now.repaid + now.guarantee_called,
        }
        rows.append(_recovery_row(code, name, values))
    total = _recovery_row(
        "", "合计", {name: sum((getattr(r, name) for r in rows), ZERO) for name in RECOVERY_FIELDS}
    )
    return RecoveryTable(year, tuple(rows), total)


def _recovery_row(code: str, name: str, values: dict[str, Decimal]) -> RecoveryRow:
    closing = values["opening"] + values["lent"] - values["written_off"] - values["recovered"]
    return RecoveryRow(
        code, name, **{**{k: values.get(k, ZERO) for k in RECOVERY_FIELDS}, "closing": closing}
    )


@dataclass(frozen=True)
class TownshipPosition:
    """A township's account with the county (乡镇周转金), as of a date."""

    code: str
    name: str
    allocated: Decimal
    remitted: Decimal
    disbursed: Decimal
    repaid: Decimal
    fees: Decimal
    recoveries: Decimal
    cash: Decimal
    loans_outstanding: Decimal
    guarantee_called: Decimal
    written_off: Decimal
    pending_write_off: Decimal
    loans: int
    overdue_loans: int

    @property
    def balanced(self) -> bool:
        """The township check (SPEC §10): what it holds in cash and loans is what it was sent.

        allocated − remitted + fees + recoveries = cash + loans outstanding
        + guarantee calls (now owed by liaisons) + write-offs.
        """
        sent = self.allocated - self.remitted + self.fees + self.recoveries
        return sent == (
            self.cash + self.loans_outstanding + self.guarantee_called + self.written_off
        )


def township_positions(
    session: Session,
    fund_id: int,
    actor: Actor,
    as_of: date | None = None,
    *,
    township: Township | None = None,
) -> list[TownshipPosition]:
    """Every township the actor may see (or just `township`), with its movements and holdings.

    The loans' figures and the movements by event kind are the kept ones
    (`read.positions`): the township accounts' days by kind, only the one
    township's when one is asked for.
    """
    query = select(Township).where(Township.fund_id == fund_id).order_by(Township.code)
    if actor.is_township:
        query = query.where(Township.code == actor.township_code)
    if township is not None:
        query = query.where(Township.id == township.id)
    towns = session.scalars(query).all()
    one = [towns[0].code] if len(towns) == 1 else None
    turnover = kept_reads.turnover(session, fund_id, chart.TOWNSHIP_FUNDS, as_of=as_of, keys=one)
    cash = subaccount_balances(session, fund_id, chart.TOWNSHIP_FUNDS, as_of)
    loans = _kept_groups(session, fund_id, as_of, towns[0].id if one else None)
    out = []
    for town in towns:
        moved = turnover.get(town.code, {})
        kept = _sum_groups(g for (t, _), g in loans.items() if t == town.id)
        out.append(
            TownshipPosition(
                town.code,
                town.name,
                allocated=moved.get(("allocation", "D"), ZERO),
                remitted=moved.get(("remittance", "C"), ZERO),
                disbursed=moved.get(("disbursement", "C"), ZERO),
                repaid=moved.get(("repayment", "D"), ZERO),
                fees=moved.get(("fee", "D"), ZERO),
                recoveries=moved.get(("recovery", "D"), ZERO),
                cash=cash[town.code].balance if town.code in cash else ZERO,
                loans_outstanding=kept.outstanding,
                guarantee_called=kept.guarantee_called,
                written_off=kept.written_off,
                pending_write_off=kept.pending_write_off,
                loans=kept.loans,
                overdue_loans=kept.overdue_loans,
            )
        )
    return out


@dataclass(frozen=True)
class _Group:
    """The lent loans of a township and batch as the kept figures give them, on a date."""

    loans: int = 0
    disbursed: Decimal = ZERO
    repaid: Decimal = ZERO
    guarantee_called: Decimal = ZERO
    written_off: Decimal = ZERO
    outstanding: Decimal = ZERO
    overdue_amount: Decimal = ZERO
    overdue_outstanding: Decimal = ZERO
    overdue_loans: int = 0
    pending_write_off: Decimal = ZERO

    @property
    def recovered(self) -> Decimal:
        return self.repaid + self.guarantee_called


def _kept_groups(
    session: Session, fund_id: int, as_of: date | None, township_id: int | None
) -> dict[tuple[int, int], _Group]:
    """(township id, batch id) -> its lent loans' figures at the end of `as_of` (None: now).

    Totals and aging from the kept tables, pending write-offs from the
    proposals: a few rows per township and batch, whatever the loans.
    """
    day = as_of or dates.today()
    totals = kept_reads.totals(
        session, fund_id, as_of=kept_reads.past(as_of), township_id=township_id
    )
    aging = kept_reads.aging(session, fund_id, as_of=day, township_id=township_id)
    pending = pending_write_offs_by_group(session, fund_id, as_of, township_id)
    out = {}
    for key in totals.keys() | aging.keys() | pending.keys():
        kept = totals.get(key, kept_reads.KeptTotals())
        overdue = aging.get(key, ())
        out[key] = _Group(
            loans=kept.lent_loans,
            disbursed=kept.disbursed,
            repaid=kept.repaid,
            guarantee_called=kept.guarantee_called,
            written_off=kept.written_off,
            outstanding=kept.outstanding,
            overdue_amount=sum((b.overdue_amount for b in overdue), ZERO),
            overdue_outstanding=sum((b.outstanding for b in overdue), ZERO),
            overdue_loans=sum(b.loans for b in overdue),
            pending_write_off=pending.get(key, ZERO),
        )
    return out


def _sum_groups(groups: Iterable[_Group]) -> _Group:
    total = _Group()
    for g in groups:
        total = _Group(*(getattr(total, f.name) + getattr(g, f.name) for f in fields(_Group)))
    return total


@dataclass(frozen=True)
class GroupFigures:
    """Loans of one township or batch summed."""

    key: str
    name: str
    loans: int
    disbursed: Decimal
    recovered: Decimal
    written_off: Decimal
    outstanding: Decimal
    overdue_amount: Decimal
    overdue_loans: int


@dataclass(frozen=True)
class FundSummary:
    """The leaders' figures of the fund on a date (None: now), summed over loans with money lent."""

    as_of: date | None
    capital_by_source: dict[str, Decimal]
    capital: Decimal
    special_cash: Decimal
    township_cash: Decimal
    outstanding: Decimal
    overdue_amount: Decimal
    overdue_outstanding: Decimal
    overdue_loans: int
    written_off: Decimal
    pending_write_off: Decimal
    recovered: Decimal
    liaison_receivable: Decimal
    fee_income: Decimal
    recoveries_income: Decimal
    disbursed_to_date: Decimal
    households_served: int
    loans: int
    by_township: tuple[GroupFigures, ...] = field(default=())
    by_batch: tuple[GroupFigures, ...] = field(default=())

    @property
    def turnover(self) -> Decimal | None:
        """周转次数: cumulative disbursed ÷ capital."""
        return rates.turnover(self.disbursed_to_date, self.capital)

    @property
    def relending_capacity(self) -> Decimal:
        return self.special_cash + self.township_cash

    @property
    def overdue_share(self) -> Decimal | None:
        return percent(self.overdue_outstanding, self.outstanding)

    @property
    def recovery_rate(self) -> Decimal | None:
        """回收率 (%): recovered ÷ (recovered + principal past due and unpaid)."""
        return rates.recovery_rate(self.recovered, self.overdue_amount)


def fund_summary(
    session: Session, fund_id: int, actor: Actor, as_of: date | None = None
) -> FundSummary:
    """The leaders' figures: capital, cash, loans, risk, turnover, capacity.

    Account balances and the kept figures (`_kept_groups`, the households
    served), so the cost grows with the townships and batches, not the loans.
    """
    capital = {
        key: b.balance
        for key, b in subaccount_balances(session, fund_id, chart.CAPITAL, as_of).items()
    }
    total_capital = sum(capital.values(), ZERO)
    special = subaccount_balances(session, fund_id, chart.SPECIAL_ACCOUNT, as_of)
    towns = subaccount_balances(session, fund_id, chart.TOWNSHIP_FUNDS, as_of)
    liaisons = subaccount_balances(session, fund_id, chart.LIAISON_RECEIVABLE, as_of)
    fees = subaccount_balances(session, fund_id, chart.FEE_INCOME, as_of)
    recoveries = subaccount_balances(session, fund_id, chart.RECOVERIES, as_of)
    own = lookup.own_township_id(session, fund_id, actor)
    groups = {key: g for key, g in _kept_groups(session, fund_id, as_of, own).items() if g.loans}
    total = _sum_groups(groups.values())
    town_names = {
        town_id: (code, name)
        for town_id, code, name in session.execute(
            select(Township.id, Township.code, Township.name).where(Township.fund_id == fund_id)
        )
    }
    batch_codes = dict(
        session.execute(select(Batch.id, Batch.code).where(Batch.fund_id == fund_id)).all()
    )
    return FundSummary(
        as_of=as_of,
        capital_by_source=capital,
        capital=total_capital,
        special_cash=sum((b.balance for b in special.values()), ZERO),
        township_cash=sum((b.balance for b in towns.values()), ZERO),
        outstanding=total.outstanding,
        overdue_amount=total.overdue_amount,
        overdue_outstanding=total.overdue_outstanding,
        overdue_loans=total.overdue_loans,
        written_off=total.written_off,
        pending_write_off=total.pending_write_off,
        recovered=total.recovered,
        liaison_receivable=sum((b.balance for b in liaisons.values()), ZERO),
        fee_income=sum((b.balance for b in fees.values()), ZERO),
        recoveries_income=sum((b.balance for b in recoveries.values()), ZERO),
        disbursed_to_date=total.disbursed,
        households_served=kept_reads.households(
            session, fund_id, as_of=kept_reads.past(as_of), township_id=own
        ),
        loans=total.loans,
        by_township=_by(groups, lambda key: town_names[key[0]]),
        by_batch=_by(groups, lambda key: (batch_codes[key[1]],) * 2),
    )


def _by(
    groups: dict[tuple[int, int], _Group], name: Callable[[tuple[int, int]], tuple[str, str]]
) -> tuple[GroupFigures, ...]:
    """The groups summed by `name` (a township's, a batch's code and name), in code order."""
    merged: dict[tuple[str, str], list[_Group]] = defaultdict(list)
    for key, g in groups.items():
        merged[name(key)].append(g)
    out = []
    for (code, label), items in sorted(merged.items()):
        g = _sum_groups(items)
        out.append(
            GroupFigures(
                code,
                label,
                g.loans,
                g.disbursed,
                g.recovered,
                g.written_off,
                g.outstanding,
                g.overdue_amount,
                g.overdue_loans,
            )
        )
    return tuple(out)


def summary(
    session: Session, actor: Actor, fund_code: str, as_of: date | None = None
) -> FundSummary:
    return fund_summary(session, fund(session, actor, fund_code).id, actor, as_of)


def recovery(session: Session, actor: Actor, fund_code: str, year: int) -> RecoveryTable:
    return recovery_table(session, fund(session, actor, fund_code).id, actor, year)


def township_position(
    session: Session, actor: Actor, fund_code: str, code: str, as_of: date | None = None
) -> TownshipPosition:
    """One township's account with the county (another township's: 404)."""
    the_fund = fund(session, actor, fund_code)
    town = lookup.township(session, the_fund.id, code, actor, "township")
    [position] = township_positions(session, the_fund.id, actor, as_of, township=town)
    return position


@dataclass(frozen=True)
class PeriodFlows:
    """The fund's money movements between two dates, by business event (本期发生)."""

    appropriated: Decimal  #: 拨入 (3001 credit)
    allocated: Decimal  #: 拨付乡镇 (1011 debit)
    disbursed: Decimal  #: 发放 (1101 debit)
    repaid: Decimal  #: 农户还款 (1101 credit, repayment)
    called: Decimal  #: 担保代偿 (1101 credit, guarantee call)
    written_off: Decimal  #: 核销 (1101 credit, write-off)
    deducted: Decimal  #: 工资代扣到账 (1102 credit)
    remitted: Decimal  #: 乡镇上缴 (1011 credit, remittance)
    recoveries: Decimal  #: 核销收回 (4002 credit)
    fees: Decimal  #: 资金占用费 (4001 credit)


#: (field, chart code, journal kind, side) for each figure of `PeriodFlows`.
_FLOWS = (
    ("appropriated", chart.CAPITAL, "appropriation", "C"),
    ("allocated", chart.TOWNSHIP_FUNDS, "allocation", "D"),
    ("disbursed", chart.LOANS, "disbursement", "D"),
    ("repaid", chart.LOANS, "repayment", "C"),
    ("called", chart.LOANS, "guarantee_call", "C"),
    ("written_off", chart.LOANS, "write_off", "C"),
    ("deducted", chart.LIAISON_RECEIVABLE, "salary_deduction", "C"),
    ("remitted", chart.TOWNSHIP_FUNDS, "remittance", "C"),
    ("recoveries", chart.RECOVERIES, "recovery", "C"),
    ("fees", chart.FEE_INCOME, "fee", "C"),
)


def period_flows(
    session: Session, fund_id: int, from_: date | None, to: date | None
) -> PeriodFlows:
    """Σ movements per (chart line, event kind, side) within the dates, as `PeriodFlows`.

    One aggregate over the chart lines' kept days by kind (`read.positions.chart_turnover`).
    """
    sums = kept_reads.chart_turnover(session, fund_id, from_, to)
    return PeriodFlows(**{name: sums.get((code, k, side), ZERO) for name, code, k, side in _FLOWS})


@dataclass(frozen=True)
class TownshipCash:
    """A township and the money its finance office holds (its 1011 balance)."""

    code: str
    name: str
    cash: Decimal


@dataclass(frozen=True)
class FundStatementData:
    """The leaders' fund statement: the fund as of `to`, and what moved since `from_`."""

    fund: FundHeader
    from_: date | None
    #: The as-of date (today when the statement was asked for "now").
    to: date
    summary: FundSummary
    #: Every township the reader may see, with or without loans.
    townships: tuple[TownshipCash, ...]
    flows: PeriodFlows
    aging: Aging
    recovery: RecoveryTable
    #: Plan against actual for each year of the period (the year of `to` alone when
    #: the statement runs from the beginning), as of `to`.
    plans: tuple[PlanAgainstActual, ...]
    #: The fund's audit chain head (seq, SHA-256) when the statement was gathered.
    audit_seq: int
    audit_hash: str


def recovery_year(session: Session, fund_id: int, to: date) -> int:
    """The calendar year whose 周转金回收情况表 a statement as of `to` can print.

    The table covers whole years (`recovery_table`); the year of
    `to` is used when nothing was posted after `to` in that year (so the
    table shows the book as of `to`), otherwise the last complete year.
    """
    later = session.scalar(
        select(Journal.id)
        .where(
            Journal.fund_id == fund_id,
            Journal.posted_on > to,
            Journal.posted_on <= date(to.year, 12, 31),
        )
        .limit(1)
    )
    return to.year if later is None else to.year - 1


def fund_statement(
    session: Session,
    actor: Actor,
    fund_code: str,
    *,
    from_: date | None = None,
    to: date | None = None,
) -> FundStatementData:
    """Everything the leaders' statement prints, as of `to` (now when None)."""
    county_wide(actor, "周转金运行情况报告", "fund statement")
    check_dates(from_, to)
    header = fund(session, actor, fund_code)
    fund_id = header.id
    day = to or dates.today()
    seq, digest = chain_head(session, fund_code)
    towns = select(Township.code, Township.name).where(Township.fund_id == fund_id)
    # "Now" is the end of today, as the heading prints it, for every figure.
    cash = subaccount_balances(session, fund_id, chart.TOWNSHIP_FUNDS, day)
    return FundStatementData(
        fund=header,
        from_=from_,
        to=day,
        summary=fund_summary(session, fund_id, actor, as_of=day),
        townships=tuple(
            TownshipCash(code, name, cash[code].balance if code in cash else ZERO)
            for code, name in session.execute(towns.order_by(Township.code)).all()
        ),
        flows=period_flows(session, fund_id, from_, day),
        aging=_aging(session, header, day),
        recovery=recovery_table(session, fund_id, actor, recovery_year(session, fund_id, day)),
        plans=tuple(
            plan_against_actual(session, actor, fund_code, year, as_of=day)
            for year in range((from_ or day).year, day.year + 1)
        ),
        audit_seq=seq,
        audit_hash=digest,
    )


@dataclass(frozen=True)
class TownshipStatementData:
    """The county's book of one township's account (1011/<township>) for a period."""

    fund: FundHeader
    township: str
    name: str
    from_: date | None
    to: date
    #: Balance before `from_` (zero from the beginning).
    opening: Decimal
    lines: tuple[StatementLine, ...]
    debit: Decimal
    credit: Decimal
    closing: Decimal
    #: The township check (SPEC §10) as of `to`.
    position: TownshipPosition
    #: The township's loans with money lent, as of `to`.
    loans: tuple[LoanRow, ...]


def township_statement(
    session: Session,
    actor: Actor,
    fund_code: str,
    township: str,
    *,
    from_: date | None = None,
    to: date | None = None,
) -> TownshipStatementData:
    """The reconciliation statement of `township`; another township's officer gets NotFound."""
    check_dates(from_, to)
    header = fund(session, actor, fund_code)
    fund_id = header.id
    town = lookup.township(session, fund_id, township, actor, "township")
    opening, lines = statement_lines(
        session, fund_id, AccountRef(chart.TOWNSHIP_FUNDS, town.code), from_, to
    )
    debit = sum((line.debit for line in lines), ZERO)
    credit = sum((line.credit for line in lines), ZERO)
    [position] = township_positions(session, fund_id, actor, as_of=to, township=town)
    loans = tuple(
        r
        for r in loan_rows(session, fund_id, actor, as_of=to, township=town.code)
        if r.figures.disbursed > 0
    )
    return TownshipStatementData(
        header,
        town.code,
        town.name,
        from_,
        to or dates.today(),
        opening,
        lines,
        debit,
        credit,
        opening + debit - credit,
        position,
        loans,
    )
