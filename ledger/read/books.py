"""The books: balances, account statements, the trial balance and sub-ledgers, as of any date.

Reads never scan the journal: a current balance is the account's running
totals, a balance as of a date sums the account's daily totals up to that
date, and the trial balance sums the chart's daily totals. Their cost grows
with the number of active days, not with the number of entries (see
docs/PERFORMANCE.md).

Balances are signed on the account's normal side: debit minus credit for
assets and expenses, credit minus debit for net assets and income. The
functions taking a fund id are the building blocks services use too; those
taking the actor and a fund code are what the shells call, through the one
gate in `ledger.read.access`.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select, type_coerce
from sqlalchemy.orm import Session, aliased

from ledger import dates
from ledger.actors import Actor
from ledger.db import Fen
from ledger.errors import (
    InvalidField,
    UnknownAccount,
)
from ledger.models import (
    Account,
    AccountDailyTotal,
    AccountKind,
    ChartAccount,
    ChartDailyTotal,
    Disaster,
    Entry,
    Fund,
    Household,
    Journal,
    Liaison,
    Loan,
    Period,
    SubLedger,
    Township,
)
from ledger.posting import AccountRef
from ledger.read.access import FundHeader, county_wide, fund
from ledger.read.listing import Listing

ZERO = Decimal("0.00")


MAX_PAGE = 500


def month_end(period: str) -> date:
    year, month = int(period[:4]), int(period[5:7])
    return date(year, month, calendar.monthrange(year, month)[1])


def signed(kind: AccountKind, debit: Decimal, credit: Decimal) -> Decimal:
    """The balance on the account's normal side."""
    return debit - credit if kind.debit_normal else credit - debit


@dataclass(frozen=True)
class Balance:
    """An account's turnover and balance (signed on its normal side)."""

    account: str
    debit: Decimal
    credit: Decimal
    balance: Decimal


def _account(session: Session, fund_id: int, ref: AccountRef) -> tuple[Account | None, AccountKind]:
    """The account and its kind; None for a sub-account not opened yet (balance zero)."""
    chart = session.scalar(
        select(ChartAccount).where(ChartAccount.fund_id == fund_id, ChartAccount.code == ref.code)
    )
    if chart is None or (chart.subledger is SubLedger.NONE) == bool(ref.key):
        raise UnknownAccount(f"科目 {ref} 不存在", f"account {ref} does not exist", field="account")
    account = session.scalar(
        select(Account).where(Account.chart_id == chart.id, Account.subkey == ref.key)
    )
    return account, chart.kind


def fen_sum(expr: ColumnElement[Any]) -> ColumnElement[Decimal]:
    """SUM of a fen column as an exact `Decimal` (0.00 over no rows)."""
    return type_coerce(func.coalesce(func.sum(expr), 0), Fen())


def side_sum(entry_side: ColumnElement[str], amount: ColumnElement[Any], side: str):
    """SUM of the amounts on one side (``D`` or ``C``)."""
    return fen_sum(case((entry_side == side, amount), else_=0))


def balance(session: Session, fund_id: int, ref: AccountRef, as_of: date | None = None) -> Balance:
    """Turnover and balance of one account, now or at the end of `as_of`."""
    account, kind = _account(session, fund_id, ref)
    if account is None:
        return Balance(str(ref), ZERO, ZERO, ZERO)
    if as_of is None:
        debit, credit = account.debit_total, account.credit_total
    else:
        debit, credit = _daily_sums(session, account.id, as_of)
    return Balance(str(ref), debit, credit, signed(kind, debit, credit))


def _daily_sums(session: Session, account_id: int, as_of: date) -> tuple[Decimal, Decimal]:
    days = AccountDailyTotal.__table__.c
    debit, credit = session.execute(
        select(fen_sum(days.debit), fen_sum(days.credit)).where(
            days.account_id == account_id, days.day <= as_of
        )
    ).one()
    return debit, credit


def check_dates(from_: date | None, to: date | None) -> None:
    """Refuse a period that ends before it starts."""
    if from_ is not None and to is not None and from_ > to:
        raise InvalidField("起始日期晚于截止日期", "from is after the end date", field="from")


@dataclass(frozen=True)
class TrialBalanceRow:
    """One chart line of the trial balance."""

    code: str
    name: str
    kind: AccountKind
    #: Balance before `from_` (zero when the trial balance starts at the beginning).
    opening: Decimal
    debit: Decimal
    credit: Decimal
    balance: Decimal


@dataclass(frozen=True)
class TrialBalanceTotals:
    """The trial balance's sums: it balances when each side equals the other."""

    debit: Decimal
    credit: Decimal
    #: Σ balances of debit-normal accounts and of credit-normal accounts.
    debit_balances: Decimal
    credit_balances: Decimal

    @property
    def balanced(self) -> bool:
        return self.debit == self.credit and self.debit_balances == self.credit_balances


@dataclass(frozen=True)
class TrialBalance:
    """The trial balance (试算平衡表): opening, turnover and closing balance per chart line."""

    fund: FundHeader
    #: The last day counted; None for now (the running totals).
    as_of: date | None
    #: The first day of the turnover; None from the beginning.
    from_: date | None
    rows: tuple[TrialBalanceRow, ...]
    totals: TrialBalanceTotals


def trial_balance(
    session: Session, fund_id: int, *, as_of: date | None = None, from_: date | None = None
) -> TrialBalance:
    """Turnover from `from_` to `as_of` (inclusive) and closing balance per chart line."""
    check_dates(from_, as_of)
    daily = ChartDailyTotal.__table__.c
    turnover = _chart_sums(
        session,
        fund_id,
        *(
            ([] if from_ is None else [daily.day >= from_])
            + ([] if as_of is None else [daily.day <= as_of])
        ),
    )
    opening = {} if from_ is None else _chart_sums(session, fund_id, daily.day < from_)
    charts = session.execute(
        select(ChartAccount.id, ChartAccount.code, ChartAccount.name_zh, ChartAccount.kind)
        .where(ChartAccount.fund_id == fund_id)
        .order_by(ChartAccount.code)
    ).all()
    out = []
    for chart_id, code, name, kind in charts:
        debit, credit = turnover.get(chart_id, (ZERO, ZERO))
        start = signed(kind, *opening.get(chart_id, (ZERO, ZERO)))
        out.append(
            TrialBalanceRow(
                code, name, kind, start, debit, credit, start + signed(kind, debit, credit)
            )
        )
    totals = TrialBalanceTotals(
        debit=sum((r.debit for r in out), ZERO),
        credit=sum((r.credit for r in out), ZERO),
        debit_balances=sum((r.balance for r in out if r.kind.debit_normal), ZERO),
        credit_balances=sum((r.balance for r in out if not r.kind.debit_normal), ZERO),
    )
    found = session.get_one(Fund, fund_id)
    header = FundHeader(found.id, found.code, found.name)
    return TrialBalance(header, as_of, from_, tuple(out), totals)


def trial_balance_of(
    session: Session,
    actor: Actor,
    fund_code: str,
    *,
    as_of: date | None = None,
    from_: date | None = None,
) -> TrialBalance:
    """The fund's trial balance as the API, the page, the XLSX and the PDF show it."""
    county_wide(actor, "试算平衡表", "trial balance")
    return trial_balance(session, fund(session, actor, fund_code).id, as_of=as_of, from_=from_)


def _chart_sums(
    session: Session, fund_id: int, *conditions: ColumnElement[bool]
) -> dict[int, tuple[Decimal, Decimal]]:
    daily = ChartDailyTotal.__table__.c
    rows = session.execute(
        select(daily.chart_id, fen_sum(daily.debit), fen_sum(daily.credit))
        .join(ChartAccount, ChartAccount.id == daily.chart_id)
        .where(ChartAccount.fund_id == fund_id, *conditions)
        .group_by(daily.chart_id)
    ).all()
    return {chart_id: (debit, credit) for chart_id, debit, credit in rows}


@dataclass(frozen=True)
class StatementLine:
    """One entry of an account statement, with the balance after it."""

    entry_id: int
    posted_on: date
    voucher: str
    kind: str
    memo: str
    debit: Decimal
    credit: Decimal
    #: Balance after this line, on the account's normal side.
    balance: Decimal
    red: bool


@dataclass(frozen=True)
class StatementPage:
    """One page of an account statement (keyset-paged by date and entry id)."""

    account: str
    #: Balance before the first line of this page.
    opening: Decimal
    lines: tuple[StatementLine, ...]
    #: Pass back as `after` for the next page; None on the last page.
    next_cursor: tuple[date, int] | None


def account_statement(
    session: Session,
    fund_id: int,
    ref: AccountRef,
    *,
    after: tuple[date, int] | None = None,
    from_: date | None = None,
    to: date | None = None,
    limit: int = 100,
) -> StatementPage:
    """One page of an account's movements in business-date order (keyset pagination).

    The cursor is the (date, entry id) of the last line seen, so page N costs
    the same as page 1 and entries posted meanwhile never shift the pages.
    """
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidField(
            f"每页条数应在 1–{MAX_PAGE} 之间", f"limit must be 1-{MAX_PAGE}", field="limit"
        )
    account, kind = _account(session, fund_id, ref)
    if account is None:
        return StatementPage(str(ref), ZERO, (), None)
    query = (
        select(
            Entry.id,
            Entry.posted_on,
            Entry.side,
            Entry.amount,
            Entry.red,
            Journal.voucher_no,
            Journal.kind,
            Journal.memo,
        )
        .join(Journal, Journal.id == Entry.journal_id)
        .where(Entry.account_id == account.id)
    )
    start = after
    if after is not None:
        query = query.where(
            or_(Entry.posted_on > after[0], and_(Entry.posted_on == after[0], Entry.id > after[1]))
        )
    if from_ is not None:
        query = query.where(Entry.posted_on >= from_)
        if after is None:
            start = (from_, 0)
    if to is not None:
        query = query.where(Entry.posted_on <= to)
    rows = session.execute(query.order_by(Entry.posted_on, Entry.id).limit(limit + 1)).all()
    opening = _balance_before(session, account.id, kind, start)
    running = opening
    lines = []
    for row in rows[:limit]:
        debit = row.amount if row.side == "D" else ZERO
        credit = row.amount if row.side == "C" else ZERO
        running += signed(kind, debit, credit)
        lines.append(
            StatementLine(
                row.id,
                row.posted_on,
                row.voucher_no,
                row.kind,
                row.memo,
                debit,
                credit,
                running,
                row.red,
            )
        )
    cursor = (lines[-1].posted_on, lines[-1].entry_id) if len(rows) > limit else None
    return StatementPage(str(ref), opening, tuple(lines), cursor)


def _balance_before(
    session: Session, account_id: int, kind: AccountKind, cursor: tuple[date, int] | None
) -> Decimal:
    """Balance after every entry before the cursor: whole days, then that day's earlier ids."""
    if cursor is None:
        return ZERO
    day, entry_id = cursor
    days = AccountDailyTotal.__table__.c
    debit, credit = session.execute(
        select(fen_sum(days.debit), fen_sum(days.credit)).where(
            days.account_id == account_id, days.day < day
        )
    ).one()
    day_debit, day_credit = session.execute(
        select(
            side_sum(Entry.side, Entry.amount, "D"), side_sum(Entry.side, Entry.amount, "C")
        ).where(Entry.account_id == account_id, Entry.posted_on == day, Entry.id <= entry_id)
    ).one()
    return signed(kind, debit + day_debit, credit + day_credit)


def statement_lines(
    session: Session,
    fund_id: int,
    ref: AccountRef,
    from_: date | None,
    to: date | None,
) -> tuple[Decimal, tuple[StatementLine, ...]]:
    """(opening balance, every line) of an account between the dates, page by page."""
    lines: list[StatementLine] = []
    page = account_statement(session, fund_id, ref, from_=from_, to=to, limit=MAX_PAGE)
    opening = page.opening
    lines += page.lines
    while page.next_cursor is not None:
        page = account_statement(
            session, fund_id, ref, after=page.next_cursor, from_=from_, to=to, limit=MAX_PAGE
        )
        lines += page.lines
    return opening, tuple(lines)


@dataclass(frozen=True)
class BalanceMismatch:
    """An account whose stored running totals differ from its entries."""

    account: str
    stored_debit: Decimal
    stored_credit: Decimal
    entries_debit: Decimal
    entries_credit: Decimal


def balance_mismatches(session: Session, fund_id: int) -> list[BalanceMismatch]:
    """Accounts whose running totals differ from the sum of their entries (should be none)."""
    sums = (
        select(
            Entry.account_id,
            side_sum(Entry.side, Entry.amount, "D").label("d"),
            side_sum(Entry.side, Entry.amount, "C").label("c"),
        )
        .group_by(Entry.account_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Account.code,
            Account.subkey,
            Account.debit_total,
            Account.credit_total,
            sums.c.d,
            sums.c.c,
        )
        .outerjoin(sums, sums.c.account_id == Account.id)
        .where(Account.fund_id == fund_id)
    ).all()
    out = []
    for code, subkey, debit, credit, entries_d, entries_c in rows:
        entries_debit, entries_credit = entries_d or ZERO, entries_c or ZERO
        if (debit, credit) != (entries_debit, entries_credit):
            out.append(
                BalanceMismatch(
                    str(AccountRef(code, subkey)), debit, credit, entries_debit, entries_credit
                )
            )
    return out


def subaccount_balances(
    session: Session, fund_id: int, code: str, as_of: date | None = None
) -> dict[str, Balance]:
    """Every sub-account of one chart line (by key), now or at the end of `as_of`."""
    chart = session.scalar(
        select(ChartAccount).where(ChartAccount.fund_id == fund_id, ChartAccount.code == code)
    )
    if chart is None:
        raise UnknownAccount(
            f"科目 {code} 不存在", f"account {code} does not exist", field="account"
        )
    if as_of is None:
        rows = session.execute(
            select(Account.subkey, Account.debit_total, Account.credit_total).where(
                Account.chart_id == chart.id
            )
        ).all()
    else:
        daily = AccountDailyTotal.__table__
        days = daily.c
        rows = session.execute(
            select(Account.subkey, fen_sum(days.debit), fen_sum(days.credit))
            .join(daily, days.account_id == Account.id)
            .where(Account.chart_id == chart.id, days.day <= as_of)
            .group_by(Account.subkey)
        ).all()
    return {
        key: Balance(str(AccountRef(code, key)), debit, credit, signed(chart.kind, debit, credit))
        for key, debit, credit in rows
    }


def fund_balances(
    session: Session, fund_ids: Iterable[int], code: str, as_of: date | None = None
) -> dict[int, Decimal]:
    """Fund id -> the balance of chart line `code` (its sub-accounts summed), now or at the
    end of `as_of`: what `subaccount_balances` gives each fund, for many funds in one query."""
    if as_of is None:
        debit, credit = fen_sum(Account.debit_total), fen_sum(Account.credit_total)
        query = select(Account.fund_id, ChartAccount.kind, debit, credit)
    else:
        days = AccountDailyTotal.__table__.c
        query = (
            select(Account.fund_id, ChartAccount.kind, fen_sum(days.debit), fen_sum(days.credit))
            .join(AccountDailyTotal, days.account_id == Account.id)
            .where(days.day <= as_of)
        )
    query = (
        query.join(ChartAccount, ChartAccount.id == Account.chart_id)
        .where(Account.fund_id.in_(list(fund_ids)), ChartAccount.code == code)
        .group_by(Account.fund_id, ChartAccount.kind)
    )
    return {
        fund_id: signed(kind, debit, credit)
        for fund_id, kind, debit, credit in session.execute(query)
    }


def by_event_kind(
    fund_id: int,
    group: ColumnElement[str],
    *,
    as_of: date | None = None,
    from_: date | None = None,
) -> Select[tuple[str, str, str, Decimal]]:
    """SELECT `group`, business event kind, side, Σ amount of the fund's entries within the dates.

    A red-ink reversal counts under the kind of the journal it reverses, with
    its negative amount, so a reversed disbursement nets out of "disbursed".
    """
    original = aliased(Journal)
    kind = func.coalesce(original.kind, Journal.kind)
    query = (
        select(group, kind, Entry.side, fen_sum(Entry.amount))
        .join(Entry, Entry.account_id == Account.id)
        .join(Journal, Journal.id == Entry.journal_id)
        .outerjoin(original, original.id == Journal.reverses_id)
        .where(Account.fund_id == fund_id)
        .group_by(group, kind, Entry.side)
    )
    if as_of is not None:
        query = query.where(Entry.posted_on <= as_of)
    if from_ is not None:
        # The journals' (fund, period) key finds a period's entries without
        # visiting every account's.
        query = query.where(
            Entry.posted_on >= from_,
            Journal.fund_id == fund_id,
            Journal.period >= dates.month_of(from_),
        )
    return query


def turnover_by_kind(
    session: Session,
    fund_id: int,
    code: str,
    *,
    as_of: date | None = None,
    from_: date | None = None,
    keys: Iterable[str] | None = None,
) -> dict[str, dict[tuple[str, str], Decimal]]:
    """Per sub-account key of chart line `code`: turnover by (event kind, side) within the dates."""
    query = by_event_kind(fund_id, Account.subkey, as_of=as_of, from_=from_).where(
        Account.code == code
    )
    if keys is not None:
        query = query.where(Account.subkey.in_(list(keys)))
    out: dict[str, dict[tuple[str, str], Decimal]] = {}
    for key, journal_kind, side, amount in session.execute(query):
        out.setdefault(key, {})[(journal_kind, side)] = amount
    return out


@dataclass(frozen=True)
class SubAccountRow:
    """One sub-account (明细账户) of a chart line with its turnover and balance."""

    account: str
    key: str
    debit: Decimal
    credit: Decimal
    balance: Decimal


@dataclass(frozen=True)
class ChartRow:
    """A line of the chart of accounts with its turnover and balance."""

    code: str
    name: str
    name_en: str
    kind: str
    subledger: str
    debit: Decimal
    credit: Decimal
    balance: Decimal
    subaccounts: tuple[SubAccountRow, ...]


def accounts(
    session: Session, actor: Actor, fund_code: str, as_of: date | None = None
) -> list[ChartRow]:
    """The chart of accounts with balances, each line with its sub-accounts (明细账)."""
    the_fund = fund(session, actor, fund_code)
    totals = {row.code: row for row in trial_balance(session, the_fund.id, as_of=as_of).rows}
    out = []
    for line in session.scalars(
        select(ChartAccount).where(ChartAccount.fund_id == the_fund.id).order_by(ChartAccount.code)
    ):
        subs: tuple[SubAccountRow, ...] = ()
        if line.subledger is not SubLedger.NONE:
            subs = tuple(
                SubAccountRow(b.account, key, b.debit, b.credit, b.balance)
                for key, b in sorted(
                    subaccount_balances(session, the_fund.id, line.code, as_of).items()
                )
            )
        total = totals[line.code]
        out.append(
            ChartRow(
                line.code,
                line.name_zh,
                line.name_en,
                line.kind.value,
                line.subledger.value,
                total.debit,
                total.credit,
                total.balance,
                subs,
            )
        )
    return out


@dataclass(frozen=True)
class SubledgerRow:
    """One sub-account of the sub-ledger listing: its period and balances, with its name."""

    key: str
    name: str
    opening: Decimal
    debit: Decimal
    credit: Decimal
    closing: Decimal


@dataclass(frozen=True)
class SubledgerData:
    """Every sub-account of one chart line with its period turnover and balances."""

    fund: FundHeader
    code: str
    name: str
    #: Which side balances sit on: True for assets and expenses (借), False otherwise (贷).
    debit_normal: bool
    subledger: str
    from_: date | None
    to: date
    rows: tuple[SubledgerRow, ...]
    opening: Decimal
    debit: Decimal
    credit: Decimal
    closing: Decimal


def account_names(session: Session, fund_id: int, code: str) -> dict[str, str]:
    """The printed name of each sub-account key of a chart line (township, household ...)."""
    line = session.scalar(
        select(ChartAccount).where(ChartAccount.fund_id == fund_id, ChartAccount.code == code)
    )
    if line is None:
        raise UnknownAccount(f"科目 {code} 不存在", f"account {code} does not exist", field="code")
    kind = line.subledger
    if kind is SubLedger.TOWNSHIP:
        query = select(Township.code, Township.name).where(Township.fund_id == fund_id)
    elif kind is SubLedger.LOAN:
        query = (
            select(Loan.registration_no, Household.name)
            .join(Household, Household.id == Loan.household_id)
            .where(Loan.fund_id == fund_id)
        )
    elif kind is SubLedger.LIAISON:
        query = select(Liaison.id, Liaison.name).where(Liaison.fund_id == fund_id)
    elif kind is SubLedger.DISASTER:
        query = select(Disaster.code, Disaster.name).where(Disaster.fund_id == fund_id)
    else:
        return {}
    return {str(key): name for key, name in session.execute(query)}


def subledger_listing(
    session: Session,
    actor: Actor,
    fund_code: str,
    code: str,
    *,
    from_: date | None = None,
    to: date | None = None,
) -> SubledgerData:
    """The sub-ledger (明细账) of chart line `code`: each sub-account's period and balances."""
    county_wide(actor, "明细账", "sub-ledger")
    check_dates(from_, to)
    header = fund(session, actor, fund_code)
    fund_id = header.id
    line = session.scalar(
        select(ChartAccount).where(ChartAccount.fund_id == fund_id, ChartAccount.code == code)
    )
    if line is None:
        raise UnknownAccount(f"科目 {code} 不存在", f"account {code} does not exist", field="code")
    closing = subaccount_balances(session, fund_id, code, to)
    opening = (
        subaccount_balances(session, fund_id, code, from_ - timedelta(days=1)) if from_ else {}
    )
    names = account_names(session, fund_id, code)
    rows = []
    for key in sorted(set(closing) | set(opening)):
        end, start = closing.get(key), opening.get(key)
        debit_end, credit_end = (end.debit, end.credit) if end else (ZERO, ZERO)
        debit_start, credit_start = (start.debit, start.credit) if start else (ZERO, ZERO)
        rows.append(
            SubledgerRow(
                key,
                names.get(key, ""),
                start.balance if start else ZERO,
                debit_end - debit_start,
                credit_end - credit_start,
                end.balance if end else ZERO,
            )
        )
    return SubledgerData(
        header,
        line.code,
        line.name_zh,
        line.kind.debit_normal,
        line.subledger.value,
        from_,
        to or dates.today(),
        tuple(rows),
        sum((r.opening for r in rows), ZERO),
        sum((r.debit for r in rows), ZERO),
        sum((r.credit for r in rows), ZERO),
        sum((r.closing for r in rows), ZERO),
    )


@dataclass(frozen=True)
class PeriodRow:
    """A month that was ever closed (月结), with who closed and reopened it."""

    #: ``YYYY-MM``.
    period: str
    closed: bool
    closed_by: str | None
    closed_at: datetime | None
    reopened_by: str | None
    reopened_at: datetime | None
    reopen_reason: str | None


def periods(session: Session, actor: Actor, fund_code: str) -> Listing[PeriodRow]:
    """Months that were ever closed, with who closed and reopened them."""
    the_fund = fund(session, actor, fund_code)
    query = (
        select(
            Period.period,
            Period.closed,
            Period.closed_by,
            Period.closed_at,
            Period.reopened_by,
            Period.reopened_at,
            Period.reopen_reason,
        )
        .where(Period.fund_id == the_fund.id)
        .order_by(Period.period)
    )
    return Listing(query, PeriodRow)
