"""A society's figures, read from its accounts: what the county's side-by-side list and a
loan's page show (SPEC §13). Capital by source is each source's own account, never mixed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger import dates, permissions
from ledger.actors import SYSTEM, Actor
from ledger.errors import DateInFuture, DateOutOfOrder, InvalidField, RecordNotFound
from ledger.models import (
    Account,
    AccountDailyTotal,
    ChartAccount,
    ChartDailyTotal,
    County,
    Entry,
    Fund,
    Journal,
    SubLedger,
)
from ledger.money import from_fen
from ledger.permissions import Action
from ledger.posting import CREDIT, DEBIT, AccountRef
from ledger.programmes import MUTUAL_AID
from ledger.programmes.mutual_aid import chart, templates, yearend
from ledger.programmes.mutual_aid.models import (
    LoanState,
    ShareAllocation,
    SocietyExpense,
    SocietyGroup,
    SocietyLoan,
    SocietyMember,
    SocietyProfile,
    SocietyRules,
    SocietyYearEnd,
)
from ledger.programmes.mutual_aid.programme import FIRST_RULES_FROM
from ledger.programmes.mutual_aid.services import allocated_by_member, rules_on, society
from ledger.programmes.mutual_aid.yearend import CLOSED as YEAR_CLOSED
from ledger.programmes.mutual_aid.yearend import DISTRIBUTED, Distribution
from ledger.read import access
from ledger.read.books import (
    balance,
    fen_sum,
    fund_balances,
    month_end,
    statement_lines,
    subaccount_balances,
)
from ledger.read.listing import Listing, Seek
from ledger.read.regions import region_code
from ledger.services.periods import PERIOD

ZERO = Decimal("0.00")
R = TypeVar("R")
T = TypeVar("T")


@dataclass(frozen=True)
class SocietyFigures:
    """A society's figures at the end of a day: capital by source, members, loans, fees."""

    fiscal_capital: Decimal
    member_shares: Decimal
    donations: Decimal
    #: 公积金 + 公益金 + 风险准备金.
    reserves: Decimal
    members: int
    poor_members: int
    loans_outstanding: Decimal
    #: Principal outstanding of loans due before the day.
    overdue: Decimal
    #: Usage fees accrued from 1 January of the day's year to the day (year to date): what
    #: the year end closes out of 4001 still counts.
    fee_income: Decimal
    bank: Decimal


#: The chart lines kept by sub-ledger (member, donor, loan).
BY_KEY = {line.code for line in chart.CHART if line.subledger is not SubLedger.NONE}


def _line(session: Session, fund_id: int, code: str, as_of: date | None = None) -> Decimal:
    """A chart line's balance (now, or at the end of `as_of`): the plain account, or the
    sum of its sub-accounts."""
    if code in BY_KEY:
        return sum(
            (row.balance for row in subaccount_balances(session, fund_id, code, as_of).values()),
            ZERO,
        )
    return balance(session, fund_id, AccountRef(code), as_of).balance


def society_figures(session: Session, fund_id: int, as_of: date) -> SocietyFigures:
    """The society's figures at the end of `as_of`, its loans overdue then: the county's
    list (`figures_by_fund`) read for one society."""
    return figures_by_fund(session, [fund_id], as_of)[fund_id]


#: The capital lines summed into `SocietyFigures.reserves`.
RESERVES = (chart.RESERVE, chart.WELFARE, chart.RISK_RESERVE)


def figures_by_fund(
    session: Session, fund_ids: Sequence[int], as_of: date
) -> dict[int, SocietyFigures]:
    """Each society's figures at the end of `as_of`, summed by fund in the database: a
    dozen queries however many societies."""
    ids = list(fund_ids)
    lines = {
        code: fund_balances(session, ids, code, as_of)
        for code in (
            chart.FISCAL_CAPITAL,
            chart.MEMBER_SHARES,
            chart.DONATIONS,
            *RESERVES,
            chart.LOANS,
            chart.BANK,
        )
    }
    members = _member_counts(session, ids, as_of)
    overdue = dict(
        session.execute(
            select(
                Account.fund_id,
                fen_sum(AccountDailyTotal.debit - AccountDailyTotal.credit),
            )
            .join(AccountDailyTotal, AccountDailyTotal.account_id == Account.id)
            .join(ChartAccount, ChartAccount.id == Account.chart_id)
            .join(
                SocietyLoan,
                (SocietyLoan.fund_id == Account.fund_id) & (SocietyLoan.no == Account.subkey),
            )
            .where(
                Account.fund_id.in_(ids),
                ChartAccount.code == chart.LOANS,
                SocietyLoan.due_on < as_of,
                AccountDailyTotal.day <= as_of,
            )
            .group_by(Account.fund_id)
        ).all()
    )
    fees = dict(
        session.execute(
            select(ChartAccount.fund_id, fen_sum(ChartDailyTotal.credit))
            .join(ChartDailyTotal, ChartDailyTotal.chart_id == ChartAccount.id)
            .where(
                ChartAccount.fund_id.in_(ids),
                ChartAccount.code == chart.FEE_INCOME,
                ChartDailyTotal.day >= date(as_of.year, 1, 1),
                ChartDailyTotal.day <= as_of,
            )
            .group_by(ChartAccount.fund_id)
        ).all()
    )

    def line(code: str, fund_id: int) -> Decimal:
        return lines[code].get(fund_id, ZERO)

    return {
        fund_id: SocietyFigures(
            fiscal_capital=line(chart.FISCAL_CAPITAL, fund_id),
            member_shares=line(chart.MEMBER_SHARES, fund_id),
            donations=line(chart.DONATIONS, fund_id),
            reserves=sum((line(c, fund_id) for c in RESERVES), ZERO),
            members=members.get(fund_id, (0, 0))[0],
            poor_members=members.get(fund_id, (0, 0))[1],
            loans_outstanding=line(chart.LOANS, fund_id),
            overdue=overdue.get(fund_id, ZERO),
            fee_income=fees.get(fund_id, ZERO),
            bank=line(chart.BANK, fund_id),
        )
        for fund_id in ids
    }


def _member_counts(
    session: Session, fund_ids: Sequence[int], as_of: date
) -> dict[int, tuple[int, int]]:
    """Fund id -> (members, poor members) in the society at the end of `as_of`."""
    return {
        fund_id: (everyone, poor)
        for fund_id, everyone, poor in session.execute(
            select(SocietyMember.fund_id, func.count(), func.count().filter(SocietyMember.poor))
            .where(
                SocietyMember.fund_id.in_(fund_ids),
                SocietyMember.joined_on <= as_of,
                SocietyMember.left_on.is_(None) | (SocietyMember.left_on > as_of),
            )
            .group_by(SocietyMember.fund_id)
        )
    }


@dataclass(frozen=True)
class LoanFigures:
    no: str
    state: str
    principal_outstanding: Decimal
    #: Accrued and not yet paid (1301).
    fee_accrued: Decimal
    #: Paid so far by repayments (whatever a year end closed or a write-off forgave).
    fee_paid: Decimal
    due_on: date | None


def _balances(
    session: Session, fund_id: int, code: str, as_of: date | None = None
) -> dict[str, Decimal]:
    """The non-zero sub-accounts of chart line `code` by key, now or at the end of `as_of`:
    one query (a page's rows share it)."""
    return {
        key: b.balance
        for key, b in subaccount_balances(session, fund_id, code, as_of).items()
        if b.balance
    }


def _fees_paid(session: Session, fund_id: int) -> dict[str, Decimal]:
    """Each loan's fee paid: the credits to its 1301 by repayments. Not its 4001 less 1301:
    the year end closes 4001, and a write-off credits 1301 with the fee it forgives."""
    return dict(
        session.execute(
            select(Entry.ref_loan, fen_sum(Entry.amount))
            .join(Journal, Journal.id == Entry.journal_id)
            .join(Account, Account.id == Entry.account_id)
            .where(
                Journal.fund_id == fund_id,
                Journal.kind == "repayment",
                Account.code == chart.FEE_RECEIVABLE,
                Entry.side == CREDIT,
            )
            .group_by(Entry.ref_loan)
        ).all()
    )


def loan_figures(session: Session, fund_id: int, loan: SocietyLoan) -> LoanFigures:
    return _loan_figures(session, fund_id, [loan])[0]


def _loan_figures(
    session: Session, fund_id: int, loans: Sequence[SocietyLoan | ListedLoan]
) -> list[LoanFigures]:
    principal, receivable = (
        _balances(session, fund_id, code) for code in (chart.LOANS, chart.FEE_RECEIVABLE)
    )
    paid = _fees_paid(session, fund_id)
    return [
        LoanFigures(
            no=loan.no,
            state=loan.state.value,
            principal_outstanding=principal.get(loan.no, ZERO),
            fee_accrued=receivable.get(loan.no, ZERO),
            fee_paid=paid.get(loan.no, ZERO),
            due_on=loan.due_on,
        )
        for loan in loans
    ]


@dataclass(frozen=True)
class ListedMember:
    """A member as the register's query gives them, before their shares are added."""

    id: int
    name: str
    id_number: str
    poor: bool
    #: The group's code, None for a member in no group.
    group: str | None
    joined_on: date
    left_on: date | None


@dataclass(frozen=True)
class MemberFigures(ListedMember):
    """A member as the register lists them, with shares bought (3002) and allocated (配股)."""

    shares_bought: Decimal
    shares_allocated: Decimal


def members_listing(fund_id: int) -> Listing[ListedMember]:
    """The register (who left included) in joining order, sought by member id."""
    query = (
        select(
            SocietyMember.id,
            SocietyMember.name,
            SocietyMember.id_number,
            SocietyMember.poor,
            SocietyGroup.code.label("group"),
            SocietyMember.joined_on,
            SocietyMember.left_on,
        )
        .outerjoin(SocietyGroup, SocietyGroup.id == SocietyMember.group_id)
        .where(SocietyMember.fund_id == fund_id)
        .order_by(SocietyMember.id)
    )
    return Listing(query, ListedMember, keys=("id",))


def member_figures(session: Session, fund_id: int, member: SocietyMember) -> MemberFigures:
    listed = members_listing(fund_id).where(SocietyMember.id == member.id).one(session)
    return members_figures(session, fund_id, [listed])[0]


def members_figures(
    session: Session, fund_id: int, members: Sequence[ListedMember]
) -> list[MemberFigures]:
    """The members with their shares: two queries for the whole page."""
    bought = _balances(session, fund_id, chart.MEMBER_SHARES)
    held = allocated_by_member(session, fund_id)
    return [
        MemberFigures(
            **{f.name: getattr(member, f.name) for f in fields(ListedMember)},
            shares_bought=bought.get(str(member.id), ZERO),
            shares_allocated=held.get(member.id, ZERO),
        )
        for member in members
    ]


def member(session: Session, fund_id: int, member_id: int) -> MemberFigures:
    """One member of the society (one who left included); RecordNotFound otherwise."""
    found = session.get(SocietyMember, member_id)
    if found is None or found.fund_id != fund_id:
        raise RecordNotFound(
            f"社员 {member_id} 不存在", f"member {member_id} does not exist", field="member"
        )
    return member_figures(session, fund_id, found)


def counted_page(
    session: Session,
    listing: Listing[R],
    complete: Callable[[list[R]], list[T]],
    *,
    after: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[int, Seek[T]]:
    """How many rows `listing` holds, and the page after the cursor `after` (or, for old
    clients, after `offset` rows), its rows completed by `complete` (their figures)."""
    page = listing.slice(session, after, offset, limit)
    return listing.count(session), Seek(complete(page.items), page.next)


def member_page(session: Session, fund_id: int, **page: Any) -> tuple[int, Seek[MemberFigures]]:
    """The register in joining order, a page (`counted_page`'s) at a time."""
    return counted_page(
        session,
        members_listing(fund_id),
        lambda rows: members_figures(session, fund_id, rows),
        **page,
    )


@dataclass(frozen=True)
class LoanRow:
    """A loan's terms and dates with its figures (`LoanFigures`)."""

    no: str
    member: int
    amount: Decimal
    term_months: int
    purpose: str
    applied_on: date
    noticed_on: date | None
    approved_on: date | None
    lent_on: date | None
    figures: LoanFigures


@dataclass(frozen=True)
class ListedLoan:
    """A loan's row as the list's query gives it, before its figures are added."""

    id: int
    no: str
    member_id: int
    amount: Decimal
    term_months: int
    purpose: str
    applied_on: date
    noticed_on: date | None
    approved_on: date | None
    lent_on: date | None
    state: LoanState
    due_on: date | None


def loans_listing(fund_id: int) -> Listing[ListedLoan]:
    """The society's loans in order of application, sought by id."""
    query = (
        select(*(getattr(SocietyLoan, f.name) for f in fields(ListedLoan)))
        .where(SocietyLoan.fund_id == fund_id)
        .order_by(SocietyLoan.id)
    )
    return Listing(query, ListedLoan, keys=("id",))


def loan_row(session: Session, fund_id: int, loan: SocietyLoan | ListedLoan) -> LoanRow:
    return loan_rows(session, fund_id, [loan])[0]


def loan_rows(
    session: Session, fund_id: int, loans: Sequence[SocietyLoan | ListedLoan]
) -> list[LoanRow]:
    return [
        _loan_row(loan, f)
        for loan, f in zip(loans, _loan_figures(session, fund_id, loans), strict=True)
    ]


def _loan_row(loan: SocietyLoan | ListedLoan, figures: LoanFigures) -> LoanRow:
    return LoanRow(
        no=loan.no,
        member=loan.member_id,
        amount=loan.amount,
        term_months=loan.term_months,
        purpose=loan.purpose,
        applied_on=loan.applied_on,
        noticed_on=loan.noticed_on,
        approved_on=loan.approved_on,
        lent_on=loan.lent_on,
        figures=figures,
    )


def loan(session: Session, fund_id: int, no: str) -> LoanRow:
    """One loan by its number; RecordNotFound otherwise."""
    found = session.scalar(
        select(SocietyLoan).where(SocietyLoan.fund_id == fund_id, SocietyLoan.no == no)
    )
    if found is None:
        raise RecordNotFound(f"借款 {no} 不存在", f"loan {no} does not exist", field="loan")
    return loan_row(session, fund_id, found)


def loan_page(session: Session, fund_id: int, **page: Any) -> tuple[int, Seek[LoanRow]]:
    """The society's loans in order of application, a page (`counted_page`'s) at a time."""
    return counted_page(
        session, loans_listing(fund_id), lambda rows: loan_rows(session, fund_id, rows), **page
    )


@dataclass(frozen=True)
class RulesVersion:
    """One version of the 章程, rates and shares as fractions."""

    effective_on: date
    share_size: Decimal
    loan_cap: Decimal
    loan_share_multiple: int
    max_term_months: int
    fee_rate_monthly: Decimal
    overdue_fee_rate_monthly: Decimal
    notice_days: int
    group_min: int
    group_max: int
    distribution: dict[str, Decimal]
    recorded_by: str


def rules_version(rules: SocietyRules) -> RulesVersion:
    return RulesVersion(
        effective_on=rules.effective_on,
        share_size=rules.share_size,
        loan_cap=rules.loan_cap,
        loan_share_multiple=rules.loan_share_multiple,
        max_term_months=rules.max_term_months,
        fee_rate_monthly=rules.fee_rate,
        overdue_fee_rate_monthly=rules.overdue_fee_rate,
        notice_days=rules.notice_days,
        group_min=rules.group_min,
        group_max=rules.group_max,
        distribution=rules.distribution,
        recorded_by=rules.recorded_by,
    )


def rule_versions(session: Session, fund_id: int) -> list[RulesVersion]:
    """Every version of the 章程, the oldest first."""
    found = session.scalars(
        select(SocietyRules)
        .where(SocietyRules.fund_id == fund_id)
        .order_by(SocietyRules.effective_on)
    )
    return [rules_version(rules) for rules in found]


@dataclass(frozen=True)
class GroupMembers:
    """A mutual-guarantee group and the ids of its present members."""

    code: str
    members: list[int]


def groups(session: Session, fund_id: int) -> list[GroupMembers]:
    """Each group with its present members, by code."""
    found = session.scalars(
        select(SocietyGroup).where(SocietyGroup.fund_id == fund_id).order_by(SocietyGroup.code)
    ).all()
    present = session.execute(
        select(SocietyMember.group_id, SocietyMember.id)
        .where(SocietyMember.fund_id == fund_id, SocietyMember.left_on.is_(None))
        .order_by(SocietyMember.id)
    ).all()
    return [GroupMembers(g.code, [m for gid, m in present if gid == g.id]) for g in found]


def visible(session: Session, actor: Actor, code: str) -> Fund:
    """The society `code` if `actor` may see it: the gate every fund passes (grant and
    county, `access.fund`), then the kind; a revolving fund is no society (FundNotFound)."""
    access.fund(session, actor, code)
    return society(session, code)


# --- the county's societies side by side ---------------------------------------------


@dataclass(frozen=True)
class ListedSociety:
    """A society as the county's list finds it, before its figures are added."""

    fund: str
    name: str
    county: str
    county_name: str
    #: None for a society opened before its place was recorded.
    village: str | None
    township: str | None
    opened_on: date | None
    fund_id: int


@dataclass(frozen=True)
class SocietyRow(SocietyFigures):
    """One society of the county's side-by-side list, its figures as of a day."""

    society: ListedSociety


def societies_listing(actor: Actor, region: str | None = None) -> Listing[ListedSociety]:
    """The societies the actor may see (their grant, their region), narrowed to `region`
    if asked (a region outside the actor's lists nothing), by code."""
    query = (
        select(
            Fund.code.label("fund"),
            Fund.name,
            Fund.county_code.label("county"),
            County.name.label("county_name"),
            SocietyProfile.village,
            SocietyProfile.township,
            Fund.opened_on,
            Fund.id.label("fund_id"),
        )
        .join(County, County.code == Fund.county_code)
        .outerjoin(SocietyProfile, SocietyProfile.fund_id == Fund.id)
        .where(Fund.kind == MUTUAL_AID)
        .order_by(Fund.code)
    )
    if actor.fund_code is not None:
        query = query.where(Fund.code == actor.fund_code)
    for narrower in (actor.region, region):
        if narrower is not None:
            query = query.where(Fund.county_code.startswith(narrower))
    return Listing(query, ListedSociety, keys=("fund",))


def society_page(
    session: Session, actor: Actor, *, as_of: date, region: str | None = None, **page: Any
) -> tuple[int, Seek[SocietyRow]]:
    """The societies the actor may see, in `region`, with their figures as of `as_of`, a
    page (`counted_page`'s) at a time."""
    return counted_page(
        session,
        societies_listing(actor, region),
        lambda rows: society_rows(session, rows, as_of),
        **page,
    )


def society_rows(
    session: Session, societies: Sequence[ListedSociety], as_of: date
) -> list[SocietyRow]:
    """The societies with their figures at the end of `as_of` (`figures_by_fund`)."""
    figures = figures_by_fund(session, [s.fund_id for s in societies], as_of)
    return [SocietyRow(society=s, **vars(figures[s.fund_id])) for s in societies]


def society_list(
    session: Session, actor: Actor, as_of: date, region: str | None = None
) -> list[SocietyRow]:
    """Every society the actor may see, in `region` if asked, with its figures as of `as_of`:
    the whole list at once (a county keeps tens of societies, not thousands)."""
    return society_rows(session, societies_listing(actor, region).all(session), as_of)


def listed_society(session: Session, fund: Fund) -> ListedSociety:
    """The society as the county's list names it, and a printed report's heading."""
    return societies_listing(SYSTEM).where(Fund.id == fund.id).one(session)


def society_row(session: Session, fund: Fund, as_of: date) -> SocietyRow:
    """A society just opened, as the county's list shows it."""
    return society_rows(session, [listed_society(session, fund)], as_of)[0]


# --- approved expenses -------------------------------------------------------------


@dataclass(frozen=True)
class ExpenseRow:
    """An approved expense paid (管理费用), with its voucher."""

    id: int
    paid_on: date
    amount: Decimal
    purpose: str
    approved_by: str
    paid_by: str
    voucher: str


def expenses_listing(fund_id: int) -> Listing[ExpenseRow]:
    """The society's expenses in the order they were paid, sought by id."""
    query = (
        select(
            SocietyExpense.id,
            SocietyExpense.paid_on,
            SocietyExpense.amount,
            SocietyExpense.purpose,
            SocietyExpense.approved_by,
            SocietyExpense.paid_by,
            Journal.voucher_no.label("voucher"),
        )
        .join(Journal, Journal.id == SocietyExpense.journal_id)
        .where(SocietyExpense.fund_id == fund_id)
        .order_by(SocietyExpense.id)
    )
    return Listing(query, ExpenseRow, keys=("id",))


def expense_page(session: Session, fund_id: int, **page: Any) -> tuple[int, Seek[ExpenseRow]]:
    """The society's expenses in the order they were paid, a page at a time."""
    return counted_page(session, expenses_listing(fund_id), list, **page)


def member_names(session: Session, fund_id: int) -> dict[int, str]:
    """Member id → name, for lists that name a member (loans, groups)."""
    return dict(
        session.execute(
            select(SocietyMember.id, SocietyMember.name).where(SocietyMember.fund_id == fund_id)
        ).all()
    )


def current_rules(session: Session, fund_id: int, on: date) -> RulesVersion | None:
    """The 章程 version in force on `on`, or None before the first took effect."""
    found = session.scalar(
        select(SocietyRules)
        .where(SocietyRules.fund_id == fund_id, SocietyRules.effective_on <= on)
        .order_by(SocietyRules.effective_on.desc())
        .limit(1)
    )
    return None if found is None else rules_version(found)


def present_members(session: Session, fund_id: int) -> list[MemberFigures]:
    """The members who have not left, in joining order (whom a loan may be for)."""
    present = members_listing(fund_id).where(SocietyMember.left_on.is_(None))
    return members_figures(session, fund_id, present.all(session))


@dataclass(frozen=True)
class CountySocieties:
    """互助社汇总: the societies of a region the caller may see side by side, and their total."""

    #: The region asked for, None for all the caller's.
    region: str | None
    as_of: date
    rows: list[SocietyRow]
    #: The rows summed, column by column (sources stay apart).
    totals: SocietyFigures


def county_societies(
    session: Session, actor: Actor, as_of: date | None = None, region: str | None = None
) -> CountySocieties:
    """Every society the actor may see (in `region`, a county or a city or province above
    it, if asked: RegionNotFound outside theirs) with its figures at the end of `as_of`
    (today if None), and their totals: the county's page and its roll-up PDF."""
    permissions.check(actor, Action.READ_FUND)
    code = None if region is None else region_code(session, actor, region)
    day = as_of or dates.today()
    rows = society_list(session, actor, day, code)
    totals = SocietyFigures(
        **{
            f.name: sum((getattr(row, f.name) for row in rows), 0 if f.type == "int" else ZERO)
            for f in fields(SocietyFigures)
        }
    )
    return CountySocieties(code, day, rows, totals)


def expense_total(session: Session, fund_id: int) -> Decimal:
    """Every expense ever paid, summed in the database (the register's pages show 50)."""
    return session.scalar(
        select(fen_sum(SocietyExpense.amount)).where(SocietyExpense.fund_id == fund_id)
    )  # type: ignore[return-value]


def subsidies_owed(session: Session, fund_id: int) -> Decimal:
    """应付管理人员补贴: the staff subsidies declared by distributions and not yet paid."""
    return _line(session, fund_id, chart.SUBSIDIES_PAYABLE)


def distributions(
    session: Session, fund_id: int, year: int | None = None
) -> dict[int, Distribution]:
    """Each year closed (`SocietyYearEnd`; or the one `year`), oldest first, read back from
    its closing and distribution journals: the income and expenses closed, and where the
    result went."""
    closed_years = select(SocietyYearEnd.year).where(SocietyYearEnd.fund_id == fund_id)
    query = (
        select(Journal.posted_on, Journal.kind, Journal.voucher_no, Account.code, Account.subkey)
        .add_columns(Entry.side, Entry.amount)
        .join(Entry, Entry.journal_id == Journal.id)
        .join(Account, Account.id == Entry.account_id)
        .where(Journal.fund_id == fund_id, Journal.kind.in_((YEAR_CLOSED, DISTRIBUTED)))
        .order_by(Journal.posted_on, Journal.id, Entry.line_no)
    )
    if year is not None:
        query = query.where(Journal.posted_on == yearend.year_end(year))
        closed_years = closed_years.where(SocietyYearEnd.year == year)
    #: Year -> chart line -> debits less credits; year -> member -> dividend; year -> the
    #: voucher of each kind of journal (closing, distribution).
    lines: dict[int, dict[str, Decimal]] = {}
    dividends: dict[int, dict[int, Decimal]] = {}
    vouchers: dict[int, dict[str, str]] = {}
    for posted_on, kind, voucher, code, subkey, side, amount in session.execute(query):
        closed = posted_on.year
        vouchers.setdefault(closed, {})[kind] = voucher
        if code == chart.DIVIDENDS_PAYABLE:
            dividends.setdefault(closed, {})[int(subkey)] = amount
        else:
            by_line = lines.setdefault(closed, {})
            by_line[code] = by_line.get(code, ZERO) + (amount if side == DEBIT else -amount)
    # A year closed with neither income nor expenses has no journal: its table is zeros.
    return {
        closed: _distribution(
            closed, lines.get(closed, {}), dividends.get(closed, {}), vouchers.get(closed, {})
        )
        for closed in session.scalars(closed_years.order_by(SocietyYearEnd.year))
    }


def _distribution(
    year: int, lines: dict[str, Decimal], dividends: dict[int, Decimal], vouchers: dict[str, str]
) -> Distribution:
    """A year's distribution from its lines' debits less credits (a part is credited)."""

    def credited(code: str) -> Decimal:
        return -lines.get(code, ZERO)

    income = lines.get(chart.FEE_INCOME, ZERO) + lines.get(chart.BANK_INTEREST, ZERO)
    expenses = credited(chart.EXPENSES)
    return Distribution(
        year=year,
        income=income,
        expenses=expenses,
        result=income - expenses,
        reserve=credited(chart.RESERVE),
        welfare=credited(chart.WELFARE),
        risk=credited(chart.RISK_RESERVE),
        staff=credited(chart.SUBSIDIES_PAYABLE),
        dividends=dividends,
        closing_voucher=vouchers.get(YEAR_CLOSED),
        voucher=vouchers.get(DISTRIBUTED),
    )


@dataclass(frozen=True)
class YearEnd:
    """The years distributed, and the past years not yet closed (the 理事会 may close them)."""

    distributed: list[Distribution]
    open_years: list[int]


def year_end(session: Session, fund_id: int, today: date) -> YearEnd:
    """The society's distributions, and the years since it opened before `today`'s not
    yet closed."""
    done = distributions(session, fund_id)
    opened = session.scalar(select(Fund.opened_on).where(Fund.id == fund_id))
    assert opened is not None  # the society exists: its gate was passed
    open_years = [y for y in range(opened.year, today.year) if y not in done]
    return YearEnd(list(done.values()), open_years)


# --- the printed reports (reports/society_*.py) ----------------------------------------


@dataclass(frozen=True)
class NoticeRow:
    """A loan on the public notice: who asks for what, and from when it may be approved."""

    no: str
    member: str
    group: str | None
    poor: bool
    amount: Decimal
    term_months: int
    purpose: str
    applied_on: date
    noticed_on: date
    #: The first day the committee may approve it: the notice date plus the 章程's notice_days.
    approvable_on: date
    notice_days: int
    fee_rate_monthly: Decimal


@dataclass(frozen=True)
class LoanNotice:
    """借款公示表: the loans on notice on `as_of`, to post in the village."""

    society: ListedSociety
    as_of: date
    rows: tuple[NoticeRow, ...]


def loan_notice(session: Session, actor: Actor, code: str, as_of: date | None = None) -> LoanNotice:
    """The loans published and not yet approved on `as_of` (today if None), by notice date:
    the notice as it hung in the village that day."""
    fund = visible(session, actor, code)
    day = as_of or dates.today()
    found = session.execute(
        select(SocietyLoan, SocietyMember, SocietyRules, SocietyGroup.code)
        .join(SocietyMember, SocietyMember.id == SocietyLoan.member_id)
        .join(SocietyRules, SocietyRules.id == SocietyLoan.rules_id)
        .outerjoin(SocietyGroup, SocietyGroup.id == SocietyMember.group_id)
        .where(
            SocietyLoan.fund_id == fund.id,
            SocietyLoan.noticed_on <= day,
            SocietyLoan.approved_on.is_(None) | (SocietyLoan.approved_on > day),
        )
        .order_by(SocietyLoan.noticed_on, SocietyLoan.no)
    ).all()
    rows = tuple(
        NoticeRow(
            no=loan.no,
            member=member.name,
            group=group,
            poor=member.poor,
            amount=loan.amount,
            term_months=loan.term_months,
            purpose=loan.purpose,
            applied_on=loan.applied_on,
            noticed_on=loan.noticed_on,
            approvable_on=loan.noticed_on + timedelta(days=rules.notice_days),
            notice_days=rules.notice_days,
            fee_rate_monthly=rules.fee_rate,
        )
        for loan, member, rules, group in found
        if loan.noticed_on is not None
    )
    return LoanNotice(listed_society(session, fund), day, rows)


@dataclass(frozen=True)
class ShareLine:
    """A movement of a member's shares: bought (入股), refunded (退股) or allocated (配股)."""

    on: date
    kind: str
    amount: Decimal
    voucher: str | None


@dataclass(frozen=True)
class LoanMovement:
    """Money of one of the member's loans: paid out, repaid (fee, then principal), written off."""

    on: date
    voucher: str
    loan: str
    kind: str
    principal: Decimal
    fee: Decimal


@dataclass(frozen=True)
class MemberStatement:
    """社员对账单: a member's shares, loans, fees, repayments and dividends."""

    society: ListedSociety
    as_of: date
    member: MemberFigures
    shares: tuple[ShareLine, ...]
    loans: tuple[LoanRow, ...]
    movements: tuple[LoanMovement, ...]
    dividends_declared: Decimal
    dividends_unpaid: Decimal


def member_statement(
    session: Session, actor: Actor, code: str, member_id: int, as_of: date | None = None
) -> MemberStatement:
    """Everything the society holds of one member, up to `as_of` (today if None)."""
    fund = visible(session, actor, code)
    day = as_of or dates.today()
    figures = member(session, fund.id, member_id)
    _, bought = statement_lines(session, fund.id, templates.member_shares(member_id), None, day)
    allocations = session.scalars(
        select(ShareAllocation)
        .where(ShareAllocation.member_id == member_id, ShareAllocation.allocated_on <= day)
        .order_by(ShareAllocation.allocated_on, ShareAllocation.id)
    ).all()
    shares = sorted(
        [
            ShareLine(
                line.posted_on,
                "退股" if line.debit else "入股",
                line.credit - line.debit,
                line.voucher,
            )
            for line in bought
        ]
        + [ShareLine(a.allocated_on, "配股", a.amount, None) for a in allocations],
        key=lambda line: line.on,
    )
    loans = session.scalars(
        select(SocietyLoan)
        .where(SocietyLoan.member_id == member_id, SocietyLoan.applied_on <= day)
        .order_by(SocietyLoan.applied_on, SocietyLoan.id)
    ).all()
    _, dividends = statement_lines(
        session, fund.id, AccountRef(chart.DIVIDENDS_PAYABLE, str(member_id)), None, day
    )
    return MemberStatement(
        society=listed_society(session, fund),
        as_of=day,
        member=figures,
        shares=tuple(shares),
        loans=tuple(loan_rows(session, fund.id, loans)),
        movements=_loan_movements(session, fund.id, [loan.no for loan in loans], day),
        dividends_declared=sum((line.credit for line in dividends), ZERO),
        dividends_unpaid=dividends[-1].balance if dividends else ZERO,
    )


LOAN_MONEY = {"loan_payout": "放款", "repayment": "还款", "write_off": "核销"}


def _loan_movements(
    session: Session, fund_id: int, nos: Sequence[str], as_of: date
) -> tuple[LoanMovement, ...]:
    """The payouts, repayments and write-offs of the loans `nos`, one row per voucher."""
    if not nos:
        return ()
    found = session.execute(
        select(Journal.voucher_no, Journal.posted_on, Journal.kind, Entry.ref_loan, Account.code)
        .add_columns(Entry.amount)
        .join(Entry, Entry.journal_id == Journal.id)
        .join(Account, Account.id == Entry.account_id)
        .where(
            Journal.fund_id == fund_id,
            Journal.kind.in_(LOAN_MONEY),
            Journal.posted_on <= as_of,
            Entry.ref_loan.in_(nos),
            Account.code.in_((chart.LOANS, chart.FEE_RECEIVABLE)),
        )
        .order_by(Journal.posted_on, Journal.id, Entry.line_no)
    ).all()
    rows: dict[str, dict[str, Any]] = {}
    for voucher, on, kind, no, account, amount in found:
        row = rows.setdefault(
            voucher, {"on": on, "voucher": voucher, "loan": no, "kind": LOAN_MONEY[kind]}
        )
        part = "principal" if account == chart.LOANS else "fee"
        row[part] = row.get(part, ZERO) + amount
    return tuple(
        LoanMovement(principal=row.pop("principal", ZERO), fee=row.pop("fee", ZERO), **row)
        for row in rows.values()
    )


@dataclass(frozen=True)
class SheetLine:
    """A line of the balance sheet: its chart code, name and balance at the month's end."""

    code: str
    name: str
    amount: Decimal


@dataclass(frozen=True)
class IncomeLine:
    """An income or expense line: its turnover in the month and in the year to the month's end."""

    code: str
    name: str
    month: Decimal
    year: Decimal


@dataclass(frozen=True)
class AgeBand:
    """Loans outstanding at the month's end by days past their due date."""

    label: str
    loans: int
    principal: Decimal


@dataclass(frozen=True)
class MonthlyReport:
    """互助社月报: the balance sheet by capital source, fee income and loans by age."""

    society: ListedSociety
    period: str
    start: date
    end: date
    assets: tuple[SheetLine, ...]
    liabilities: tuple[SheetLine, ...]
    #: Capital by source (3001, 3002, 3003), reserves (3101-3103) and the result not yet
    #: distributed (3201 plus this year's income less expenses).
    capital: tuple[SheetLine, ...]
    income: tuple[IncomeLine, ...]
    ages: tuple[AgeBand, ...]
    members: int
    poor_members: int


ASSET_LINES = (chart.BANK, chart.LOANS, chart.FEE_RECEIVABLE)


LIABILITY_LINES = (chart.DIVIDENDS_PAYABLE, chart.SUBSIDIES_PAYABLE)


CAPITAL_LINES = (
    chart.FISCAL_CAPITAL,
    chart.MEMBER_SHARES,
    chart.DONATIONS,
    chart.RESERVE,
    chart.WELFARE,
    chart.RISK_RESERVE,
)


INCOME_LINES = (chart.FEE_INCOME, chart.BANK_INTEREST, chart.EXPENSES)


AGE_BANDS: tuple[tuple[str, int | None], ...] = (
    ("未到期", 0),
    ("逾期 1–30 天", 30),
    ("逾期 31–90 天", 90),
    ("逾期 91–180 天", 180),
    ("逾期 180 天以上", None),
)


CHART_NAMES = {line.code: line.name_zh for line in chart.CHART}


def _turnover(session: Session, fund_id: int, code: str, after: date, through: date) -> Decimal:
    """What was earned (an income line's credits) or spent (an expense's debits) after
    `after` up to `through`: the year-end close that empties the line is not counted."""
    expense = code == chart.EXPENSES

    def side(as_of: date) -> Decimal:
        if code in BY_KEY:
            rows = subaccount_balances(session, fund_id, code, as_of).values()
        else:
            rows = [balance(session, fund_id, AccountRef(code), as_of)]
        return sum(((row.debit if expense else row.credit) for row in rows), ZERO)

    return side(through) - side(after)


def report_month(fund: Fund, month: object) -> str:
    """`month` (YYYY-MM) if the society has lived in it: from the month it opened to this
    one (so far). A month to come or before the society has no figures to report, and
    saying so beats a page of zeros."""
    if not isinstance(month, str) or not PERIOD.fullmatch(month):
        raise InvalidField(
            f"月份 {month!r} 格式应为 YYYY-MM", f"month {month!r} must be YYYY-MM", field="month"
        )
    this = dates.month_of(dates.today())
    if month > this:
        raise DateInFuture(
            f"月份 {month} 晚于本月 {this}",
            f"month {month} is after this month {this}",
            field="month",
        )
    first = dates.month_of(fund.opened_on or FIRST_RULES_FROM)
    if month < first:
        raise DateOutOfOrder(
            f"月份 {month} 早于互助社成立的 {first}",
            f"month {month} is before {first}, the month the society opened",
            field="month",
        )
    return month


def monthly_report(session: Session, actor: Actor, code: str, month: str) -> MonthlyReport:
    """The society's `month` (YYYY-MM, `report_month`) as its month-end report shows it."""
    fund = visible(session, actor, code)
    period = report_month(fund, month)
    end = month_end(period)
    start = end.replace(day=1)
    year_before = yearend.year_end(end.year - 1)

    def sheet(codes: Sequence[str]) -> tuple[SheetLine, ...]:
        return tuple(SheetLine(c, CHART_NAMES[c], _line(session, fund.id, c, end)) for c in codes)

    # Income and expenses not yet closed into 3201 belong to the year's result.
    open_result = (
        _line(session, fund.id, chart.FEE_INCOME, end)
        + _line(session, fund.id, chart.BANK_INTEREST, end)
        - _line(session, fund.id, chart.EXPENSES, end)
    )
    result = SheetLine(
        chart.YEAR_RESULT,
        "本年收益(未分配)",
        _line(session, fund.id, chart.YEAR_RESULT, end) + open_result,
    )
    income = tuple(
        IncomeLine(
            c,
            CHART_NAMES[c],
            _turnover(session, fund.id, c, start - timedelta(days=1), end),
            _turnover(session, fund.id, c, year_before, end),
        )
        for c in INCOME_LINES
    )
    members = _member_counts(session, [fund.id], end).get(fund.id, (0, 0))
    return MonthlyReport(
        society=listed_society(session, fund),
        period=period,
        start=start,
        end=end,
        assets=sheet(ASSET_LINES),
        liabilities=sheet(LIABILITY_LINES),
        capital=(*sheet(CAPITAL_LINES), result),
        income=income,
        ages=_ages(session, fund.id, end),
        members=members[0],
        poor_members=members[1],
    )


def _ages(session: Session, fund_id: int, end: date) -> tuple[AgeBand, ...]:
    """The loans with principal outstanding at the end of `end`, by days past due then."""
    principal = _balances(session, fund_id, chart.LOANS, end)
    due = dict(
        session.execute(
            select(SocietyLoan.no, SocietyLoan.due_on).where(
                SocietyLoan.fund_id == fund_id, SocietyLoan.no.in_(principal)
            )
        ).all()
    )
    counts = [0] * len(AGE_BANDS)
    sums = [ZERO] * len(AGE_BANDS)
    for no, amount in principal.items():
        late = (end - due[no]).days
        band = next(i for i, (_, most) in enumerate(AGE_BANDS) if most is None or late <= most)
        counts[band] += 1
        sums[band] += amount
    return tuple(
        AgeBand(label, n, total)
        for (label, _), n, total in zip(AGE_BANDS, counts, sums, strict=True)
    )


@dataclass(frozen=True)
class DividendRow:
    member: int
    name: str
    #: Shares (bought plus allocated) the dividend was reckoned on.
    shares: Decimal
    dividend: Decimal


@dataclass(frozen=True)
class DistributionTable:
    """收益分配表: a year's income, expenses and result, and where the result went."""

    society: ListedSociety
    distribution: Distribution
    #: 公积金, 公益金, 风险准备金, 管理人员补贴, 分红 as the 章程 of 31 December set them.
    percentages: dict[str, Decimal]
    #: The members' dividends by member id, with the shares they were reckoned on.
    dividends: tuple[DividendRow, ...]


def distribution_table(session: Session, actor: Actor, code: str, year: int) -> DistributionTable:
    """The distribution of `year` (`distributions`) with the 章程's percentages and each
    member's name and shares; RecordNotFound for a year not yet closed."""
    fund = visible(session, actor, code)
    found = distributions(session, fund.id, year).get(year)
    if found is None:
        raise RecordNotFound(
            f"{year} 年度尚未结转分配",
            f"{year} has not been closed and distributed",
            field="year",
        )
    day = yearend.year_end(year)
    shares = yearend.shares_on(session, fund, day)
    names = member_names(session, fund.id)
    return DistributionTable(
        society=listed_society(session, fund),
        distribution=found,
        percentages=rules_on(session, fund.id, day).distribution,
        dividends=tuple(
            DividendRow(m, names[m], from_fen(shares.get(m, 0)), amount)
            for m, amount in sorted(found.dividends.items())
        ),
    )
