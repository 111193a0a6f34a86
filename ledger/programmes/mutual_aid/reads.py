"""A society's figures, read from its accounts: what the county's side-by-side list and a
loan's page show (SPEC §13). Capital by source is each source's own account, never mixed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.actors import SYSTEM, Actor
from ledger.errors import RecordNotFound
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
from ledger.posting import CREDIT, AccountRef
from ledger.programmes import MUTUAL_AID
from ledger.programmes.mutual_aid import chart
from ledger.programmes.mutual_aid.models import (
    LoanState,
    SocietyExpense,
    SocietyGroup,
    SocietyLoan,
    SocietyMember,
    SocietyProfile,
    SocietyRules,
)
from ledger.programmes.mutual_aid.services import allocated_by_member, society
from ledger.programmes.mutual_aid.yearend import CLOSED as YEAR_CLOSED
from ledger.programmes.mutual_aid.yearend import DISTRIBUTED
from ledger.read import access
from ledger.read.books import balance, fen_sum, fund_balances, subaccount_balances
from ledger.read.listing import Listing, Seek

ZERO = Decimal("0.00")
R = TypeVar("R")
T = TypeVar("T")


@dataclass(frozen=True)
class SocietyFigures:
    fiscal_capital: Decimal
    member_shares: Decimal
    donations: Decimal
    #: 公积金 + 公益金 + 风险准备金.
    reserves: Decimal
    members: int
    poor_members: int
    loans_outstanding: Decimal
    #: Principal outstanding of loans past their due date on `as_of`.
    overdue: Decimal
    fee_income: Decimal
    bank: Decimal


#: The chart lines kept by sub-ledger (member, donor, loan).
BY_KEY = {line.code for line in chart.CHART if line.subledger is not SubLedger.NONE}


def _line(session: Session, fund_id: int, code: str) -> Decimal:
    """A chart line's balance: the plain account, or the sum of its sub-accounts."""
    if code in BY_KEY:
        return sum(
            (row.balance for row in subaccount_balances(session, fund_id, code).values()), ZERO
        )
    return balance(session, fund_id, AccountRef(code)).balance


def society_figures(session: Session, fund_id: int, as_of: date) -> SocietyFigures:
    """The society's figures now, its overdue loans judged on `as_of`."""
    members = session.execute(
        select(func.count(), func.count().filter(SocietyMember.poor)).where(
            SocietyMember.fund_id == fund_id, SocietyMember.left_on.is_(None)
        )
    ).one()
    overdue_loans = session.scalars(
        select(SocietyLoan.no).where(
            SocietyLoan.fund_id == fund_id,
            SocietyLoan.state == LoanState.LENT,
            SocietyLoan.due_on < as_of,
        )
    ).all()
    principal = subaccount_balances(session, fund_id, chart.LOANS)
    return SocietyFigures(
        fiscal_capital=_line(session, fund_id, chart.FISCAL_CAPITAL),
        member_shares=_line(session, fund_id, chart.MEMBER_SHARES),
        donations=_line(session, fund_id, chart.DONATIONS),
        reserves=sum(
            (
                _line(session, fund_id, c)
                for c in (chart.RESERVE, chart.WELFARE, chart.RISK_RESERVE)
            ),
            ZERO,
        ),
        members=members[0],
        poor_members=members[1],
        loans_outstanding=sum((row.balance for row in principal.values()), ZERO),
        overdue=sum((principal[no].balance for no in overdue_loans if no in principal), ZERO),
        fee_income=_line(session, fund_id, chart.FEE_INCOME),
        bank=_line(session, fund_id, chart.BANK),
    )


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


def _balances(session: Session, fund_id: int, code: str) -> dict[str, Decimal]:
    """Each sub-account of chart line `code` by key, one query (a page's rows share it)."""
    return {key: b.balance for key, b in subaccount_balances(session, fund_id, code).items()}


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
class SocietyRow:
    """One society of the county's side-by-side list, its figures as of a day."""

    society: ListedSociety
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
    #: Usage fees accrued from 1 January of the day's year to the day (year to date).
    fee_income: Decimal
    bank: Decimal


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
    """Each society's figures at the end of `as_of`, summed by fund in the database: a
    dozen queries for the whole page, whatever its societies."""
    ids = [s.fund_id for s in societies]
    lines = {
        code: fund_balances(session, ids, code, as_of)
        for code in (
            chart.FISCAL_CAPITAL,
            chart.MEMBER_SHARES,
            chart.DONATIONS,
            chart.RESERVE,
            chart.WELFARE,
            chart.RISK_RESERVE,
            chart.LOANS,
            chart.BANK,
        )
    }
    members = {
        fund_id: (everyone, poor)
        for fund_id, everyone, poor in session.execute(
            select(SocietyMember.fund_id, func.count(), func.count().filter(SocietyMember.poor))
            .where(
                SocietyMember.fund_id.in_(ids),
                SocietyMember.joined_on <= as_of,
                SocietyMember.left_on.is_(None) | (SocietyMember.left_on > as_of),
            )
            .group_by(SocietyMember.fund_id)
        )
    }
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

    return [
        SocietyRow(
            society=s,
            fiscal_capital=line(chart.FISCAL_CAPITAL, s.fund_id),
            member_shares=line(chart.MEMBER_SHARES, s.fund_id),
            donations=line(chart.DONATIONS, s.fund_id),
            reserves=sum(
                (line(c, s.fund_id) for c in (chart.RESERVE, chart.WELFARE, chart.RISK_RESERVE)),
                ZERO,
            ),
            members=members.get(s.fund_id, (0, 0))[0],
            poor_members=members.get(s.fund_id, (0, 0))[1],
            loans_outstanding=line(chart.LOANS, s.fund_id),
            overdue=overdue.get(s.fund_id, ZERO),
            fee_income=fees.get(s.fund_id, ZERO),
            bank=line(chart.BANK, s.fund_id),
        )
        for s in societies
    ]


def society_row(session: Session, fund: Fund, as_of: date) -> SocietyRow:
    """A society just opened, as the county's list shows it."""
    listed = societies_listing(SYSTEM).where(Fund.id == fund.id).one(session)
    return society_rows(session, [listed], as_of)[0]


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
    rows: list[SocietyRow]
    #: The rows summed, column by column (sources stay apart).
    totals: dict[str, Decimal | int]


def county_societies(session: Session, actor: Actor, as_of: date) -> CountySocieties:
    """Every society the actor may see, with its figures, and their totals: the county's
    page shows them all on one sheet (a county keeps tens of societies, not thousands)."""
    rows = society_rows(session, societies_listing(actor).all(session), as_of)
    columns = [f for f in fields(SocietyRow) if f.name != "society"]
    totals = {
        f.name: sum((getattr(row, f.name) for row in rows), 0 if f.type == "int" else ZERO)
        for f in columns
    }
    return CountySocieties(rows, totals)


@dataclass(frozen=True)
class Expenses:
    rows: list[ExpenseRow]
    total: Decimal


def expenses(session: Session, fund_id: int) -> Expenses:
    """Every expense paid, in order, and their sum: the society's page shows the year's few."""
    rows = expenses_listing(fund_id).all(session)
    return Expenses(rows, sum((row.amount for row in rows), ZERO))


@dataclass(frozen=True)
class DistributionRow:
    """A year closed and distributed (收益分配表), read back from its two journals."""

    year: int
    income: Decimal
    expenses: Decimal
    result: Decimal
    reserve: Decimal
    welfare: Decimal
    risk: Decimal
    staff: Decimal
    dividends: Decimal
    vouchers: tuple[str, ...]


@dataclass(frozen=True)
class YearEnd:
    """The years distributed, and the past years not yet closed (the 理事会 may close them)."""

    distributed: list[DistributionRow]
    open_years: list[int]


#: Where each part of a distribution is credited (`yearend.distribute`).
PARTS = {
    chart.RESERVE: "reserve",
    chart.WELFARE: "welfare",
    chart.RISK_RESERVE: "risk",
    chart.SUBSIDIES_PAYABLE: "staff",
    chart.DIVIDENDS_PAYABLE: "dividends",
}


def year_end(session: Session, fund_id: int, today: date) -> YearEnd:
    """Each year's closing and distribution journals summed by account and side."""
    sums = session.execute(
        select(
            Journal.posted_on,
            Journal.kind,
            Journal.voucher_no,
            Account.code,
            Entry.side,
            fen_sum(Entry.amount),
        )
        .join(Entry, Entry.journal_id == Journal.id)
        .join(Account, Account.id == Entry.account_id)
        .where(Journal.fund_id == fund_id, Journal.kind.in_((YEAR_CLOSED, DISTRIBUTED)))
        .group_by(Journal.posted_on, Journal.kind, Journal.voucher_no, Account.code, Entry.side)
    ).all()
    years: dict[int, dict[str, Decimal]] = {}
    vouchers: dict[int, set[str]] = {}
    for posted_on, kind, voucher, code, side, amount in sums:
        parts = years.setdefault(posted_on.year, {})
        vouchers.setdefault(posted_on.year, set()).add(voucher)
        if kind == YEAR_CLOSED and code in (chart.FEE_INCOME, chart.BANK_INTEREST):
            parts["income"] = parts.get("income", ZERO) + amount
        elif kind == YEAR_CLOSED and code == chart.EXPENSES:
            parts["expenses"] = parts.get("expenses", ZERO) + amount
        elif kind == DISTRIBUTED and side == CREDIT and code in PARTS:
            parts[PARTS[code]] = parts.get(PARTS[code], ZERO) + amount
    distributed = [
        DistributionRow(
            year=year,
            income=parts.get("income", ZERO),
            expenses=parts.get("expenses", ZERO),
            result=parts.get("income", ZERO) - parts.get("expenses", ZERO),
            **{part: parts.get(part, ZERO) for part in PARTS.values()},
            vouchers=tuple(sorted(vouchers[year])),
        )
        for year, parts in sorted(years.items())
    ]
    opened = session.scalar(select(Fund.opened_on).where(Fund.id == fund_id))
    assert opened is not None  # the society exists: its gate was passed
    open_years = [y for y in range(opened.year, today.year) if y not in years]
    return YearEnd(distributed, open_years)
