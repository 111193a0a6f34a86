"""A society's figures, read from its accounts: what the county's side-by-side list and a
loan's page show (SPEC §13). Capital by source is each source's own account, never mixed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.actors import Actor
from ledger.errors import RecordNotFound
from ledger.models import Account, Entry, Fund, Journal, SubLedger
from ledger.posting import CREDIT, DEBIT, AccountRef
from ledger.programmes import MUTUAL_AID
from ledger.programmes.mutual_aid import chart
from ledger.programmes.mutual_aid.models import (
    LoanState,
    SocietyGroup,
    SocietyLoan,
    SocietyMember,
    SocietyRules,
)
from ledger.programmes.mutual_aid.services import allocated_by_member, society
from ledger.programmes.mutual_aid.yearend import CLOSED as YEAR_CLOSED
from ledger.programmes.mutual_aid.yearend import DISTRIBUTED
from ledger.read import access
from ledger.read.books import balance, fen_sum, subaccount_balances
from ledger.read.setup import funds

ZERO = Decimal("0.00")


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
    session: Session, fund_id: int, loans: Sequence[SocietyLoan]
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
class MemberFigures:
    """A member as the register lists them, with shares bought (3002) and allocated (配股)."""

    id: int
    name: str
    id_number: str
    poor: bool
    group: str | None
    joined_on: date
    left_on: date | None
    shares_bought: Decimal
    shares_allocated: Decimal


def member_figures(session: Session, fund_id: int, member: SocietyMember) -> MemberFigures:
    return members_figures(session, fund_id, [member])[0]


def members_figures(
    session: Session, fund_id: int, members: Sequence[SocietyMember]
) -> list[MemberFigures]:
    """The members with their groups and shares: a few queries for the whole page."""
    groups = dict(
        session.execute(
            select(SocietyGroup.id, SocietyGroup.code).where(SocietyGroup.fund_id == fund_id)
        ).all()
    )
    bought = _balances(session, fund_id, chart.MEMBER_SHARES)
    held = allocated_by_member(session, fund_id)
    return [
        MemberFigures(
            id=member.id,
            name=member.name,
            id_number=member.id_number,
            poor=member.poor,
            group=groups.get(member.group_id) if member.group_id else None,
            joined_on=member.joined_on,
            left_on=member.left_on,
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


def member_page(
    session: Session, fund_id: int, offset: int, limit: int
) -> tuple[int, list[MemberFigures]]:
    """The register in joining order: the count and one page."""
    where = SocietyMember.fund_id == fund_id
    total = session.scalar(select(func.count()).where(where))
    rows = session.scalars(
        select(SocietyMember).where(where).order_by(SocietyMember.id).offset(offset).limit(limit)
    )
    return total, members_figures(session, fund_id, list(rows))


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


def loan_row(session: Session, fund_id: int, loan: SocietyLoan) -> LoanRow:
    return loan_rows(session, fund_id, [loan])[0]


def loan_rows(session: Session, fund_id: int, loans: Sequence[SocietyLoan]) -> list[LoanRow]:
    return [
        _loan_row(loan, f)
        for loan, f in zip(loans, _loan_figures(session, fund_id, loans), strict=True)
    ]


def _loan_row(loan: SocietyLoan, figures: LoanFigures) -> LoanRow:
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


def loan_page(session: Session, fund_id: int, offset: int, limit: int) -> tuple[int, list[LoanRow]]:
    """The society's loans in order of application: the count and one page."""
    where = SocietyLoan.fund_id == fund_id
    total = session.scalar(select(func.count()).where(where))
    rows = session.scalars(
        select(SocietyLoan).where(where).order_by(SocietyLoan.id).offset(offset).limit(limit)
    )
    return total, loan_rows(session, fund_id, list(rows))


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


# --- what the society's pages show beside the figures above ------------------------------


def member_names(session: Session, fund_id: int) -> dict[int, str]:
    """Every member's name by id (those who left too): a page names people, not numbers."""
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
    found = session.scalars(
        select(SocietyMember)
        .where(SocietyMember.fund_id == fund_id, SocietyMember.left_on.is_(None))
        .order_by(SocietyMember.id)
    )
    return members_figures(session, fund_id, list(found))


@dataclass(frozen=True)
class ExpenseRow:
    """An approved expense paid (管理费用): its journal's date, voucher, purpose and amount."""

    on: date
    voucher: str
    purpose: str
    amount: Decimal


@dataclass(frozen=True)
class Expenses:
    rows: list[ExpenseRow]
    total: Decimal


def expenses(session: Session, fund_id: int) -> Expenses:
    """The expenses paid (the debits of 5001), in the order they were posted, and their sum."""
    rows = session.execute(
        select(Journal.posted_on, Journal.voucher_no, Journal.memo, fen_sum(Entry.amount))
        .join(Entry, Entry.journal_id == Journal.id)
        .join(Account, Account.id == Entry.account_id)
        .where(Journal.fund_id == fund_id, Account.code == chart.EXPENSES, Entry.side == DEBIT)
        .group_by(Journal.id, Journal.posted_on, Journal.voucher_no, Journal.memo)
        .order_by(Journal.posted_on, Journal.id)
    ).all()
    found = [ExpenseRow(*row) for row in rows]
    return Expenses(found, sum((row.amount for row in found), ZERO))


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


@dataclass(frozen=True)
class SocietyRow:
    """A society of the county beside the others: its name, county and figures."""

    code: str
    name: str
    county_name: str
    figures: SocietyFigures


@dataclass(frozen=True)
class CountySocieties:
    rows: list[SocietyRow]
    #: The rows summed, figure by figure (sources stay apart).
    totals: SocietyFigures


def county_societies(session: Session, actor: Actor, as_of: date) -> CountySocieties:
    """Every society the actor may see (their grant and region), each with its figures."""
    societies = funds(actor).where(Fund.kind == MUTUAL_AID).all(session)
    ids = dict(
        session.execute(
            select(Fund.code, Fund.id).where(Fund.code.in_([row.code for row in societies]))
        ).all()
    )
    rows = [
        SocietyRow(
            row.code, row.name, row.county_name, society_figures(session, ids[row.code], as_of)
        )
        for row in societies
    ]
    totals = {
        field.name: sum(
            (getattr(row.figures, field.name) for row in rows), 0 if field.type == "int" else ZERO
        )
        for field in fields(SocietyFigures)
    }
    return CountySocieties(rows, SocietyFigures(**totals))
