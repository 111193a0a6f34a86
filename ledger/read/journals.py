"""Journals and vouchers (记账凭证): what was posted, line by line, on screen and in print.

A journal is one business event's balanced entries under one voucher
number; a red-ink reversal (红字冲销) is a journal of its own that names
the one it reverses, so both are shown with a link to the other.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, aliased

from ledger.actors import Actor
from ledger.dates import month_of
from ledger.models import (
    Account,
    ChartAccount,
    Entry,
    Journal,
    JournalKindDay,
    VoucherCounter,
)
from ledger.posting import AccountRef
from ledger.read.access import FundHeader, county_wide, fund
from ledger.read.books import ZERO, account_names
from ledger.read.listing import Listing, Seek
from ledger.services.journals import draft_of, find_journal


@dataclass(frozen=True)
class JournalLine:
    """One line of a journal: the account, the side and the amount (also as debit/credit)."""

    account: str
    side: str
    amount: Decimal
    debit: Decimal
    credit: Decimal


@dataclass(frozen=True)
class JournalView:
    """A journal as shown and printed, with the red-ink reversal it is or has."""

    voucher: str
    posted_on: date
    kind: str
    memo: str
    recorded_by: str
    red: bool
    reverses: str | None
    reversed_by: str | None
    lines: tuple[JournalLine, ...]


def journal_view(session: Session, fund_id: int, voucher: str) -> JournalView:
    """One journal by voucher number: its lines, and what it reverses or is reversed by."""
    journal = find_journal(session, fund_id, voucher)
    draft = draft_of(session, journal)
    reversed_by = session.scalar(
        select(Journal.voucher_no).where(Journal.reverses_id == journal.id)
    )
    lines = tuple(
        JournalLine(
            str(ln.account),
            ln.side,
            ln.amount,
            ln.amount if ln.side == "D" else ZERO,
            ln.amount if ln.side == "C" else ZERO,
        )
        for ln in draft.lines
    )
    return JournalView(
        journal.voucher_no,
        journal.posted_on,
        journal.kind,
        journal.memo,
        journal.recorded_by,
        journal.red,
        draft.reverses,
        reversed_by,
        lines,
    )


def journal(session: Session, actor: Actor, fund_code: str, voucher: str) -> JournalView:
    return journal_view(session, fund(session, actor, fund_code).id, voucher)


@dataclass(frozen=True)
class _Numbered:
    """A journal's place in voucher order: what its list seeks by."""

    id: int
    period: str
    seq: int


def journals(
    session: Session,
    actor: Actor,
    fund_code: str,
    *,
    from_: date | None = None,
    to: date | None = None,
    kind: str | None = None,
    after: str | None = None,
    offset: int = 0,
    limit: int | None = 50,
) -> tuple[int, list[JournalView], str | None]:
    """(count, one page, the next page's cursor) of the fund's journals in voucher order,
    with their lines: those after the cursor `after` (or after `offset` ones), sought on
    the (fund, period, seq) key; every one when `limit` is None. The count is kept
    (`journal_count`): the voucher counters, and the journals counted per kind and day."""
    the_fund = fund(session, actor, fund_code)
    query = select(Journal.id, Journal.period, Journal.seq).where(Journal.fund_id == the_fund.id)
    if from_ is not None:
        query = query.where(Journal.posted_on >= from_)
    if to is not None:
        query = query.where(Journal.posted_on <= to)
    if kind is not None:
        query = query.where(Journal.kind == kind)
    listing = Listing(query.order_by(Journal.period, Journal.seq), _Numbered, ("period", "seq"))
    total = journal_count(session, the_fund.id, from_, to, kind)
    if limit is None:
        found = Seek(listing.all(session), None)
    else:
        found = listing.slice(session, after, offset, limit)
    ids = [j.id for j in found.items]
    by_id = {j.id: j for j in session.scalars(select(Journal).where(Journal.id.in_(ids)))}
    page = [by_id[i] for i in ids]
    ids = [j.id for j in page]
    lines: dict[int, list[JournalLine]] = defaultdict(list)
    for entry, code, subkey in session.execute(
        select(Entry, Account.code, Account.subkey)
        .join(Account, Account.id == Entry.account_id)
        .where(Entry.journal_id.in_(ids))
        .order_by(Entry.journal_id, Entry.line_no)
    ):
        lines[entry.journal_id].append(
            JournalLine(
                str(AccountRef(code, subkey)),
                entry.side,
                entry.amount,
                entry.amount if entry.side == "D" else ZERO,
                entry.amount if entry.side == "C" else ZERO,
            )
        )
    original = aliased(Journal)
    reverses = dict(
        session.execute(
            select(Journal.id, original.voucher_no)
            .join(original, original.id == Journal.reverses_id)
            .where(Journal.id.in_(ids))
        ).all()
    )
    reversed_by = dict(
        session.execute(
            select(Journal.reverses_id, Journal.voucher_no).where(Journal.reverses_id.in_(ids))
        ).all()
    )
    return (
        total,
        [
            JournalView(
                j.voucher_no,
                j.posted_on,
                j.kind,
                j.memo,
                j.recorded_by,
                j.red,
                reverses.get(j.id),
                reversed_by.get(j.id),
                tuple(lines[j.id]),
            )
            for j in page
        ],
        found.next,
    )


def journal_count(
    session: Session,
    fund_id: int,
    from_: date | None,
    to: date | None,
    kind: str | None = None,
) -> int:
    """How many journals (of `kind`, if given) the fund posted from `from_` to `to` (either
    open), from kept counts: the cost is in proportion to the months or days, not the
    journals.

    Voucher numbers run without gaps per fund and month (a rolled-back posting
    gives its number back, a red-ink reversal takes the next one like any
    journal), so a month's count is its counter's last number: the months
    wholly inside the range are summed from `voucher_counter`. A month cut by
    `from_` or `to`, and a kind's journals, are summed from the journals kept
    counted per kind and day (`JournalKindDay`).
    """
    days = JournalKindDay
    in_range = [days.fund_id == fund_id]
    if from_ is not None:
        in_range.append(days.day >= from_)
    if to is not None:
        in_range.append(days.day <= to)

    def kept_days(*where: ColumnElement[bool]) -> int:
        query = select(func.coalesce(func.sum(days.journals), 0)).where(*in_range, *where)
        return int(session.scalar(query) or 0)

    if kind is not None:
        return kept_days(days.kind == kind)
    c = VoucherCounter
    whole = select(func.coalesce(func.sum(c.last_seq), 0)).where(c.fund_id == fund_id)
    if from_ is not None:
        whole = whole.where(c.period > month_of(from_))
    if to is not None:
        whole = whole.where(c.period < month_of(to))
    total = int(session.scalar(whole) or 0)
    for first in sorted({day.replace(day=1) for day in (from_, to) if day is not None}):
        after = (first + timedelta(days=31)).replace(day=1)
        total += kept_days(days.day >= first, days.day < after)
    return total


@dataclass(frozen=True)
class VoucherPrint:
    """One journal as its voucher prints: lines with account names, and what it reverses."""

    view: JournalView
    #: Per account as the lines name it (``1011/341525100``): the chart line's name
    #: and the sub-account's (township, household, liaison, disaster; "" if none).
    account_names: dict[str, tuple[str, str]]
    #: For a red-ink reversal: the original's business date and memo.
    original_posted_on: date | None
    original_memo: str | None


@dataclass(frozen=True)
class VoucherData:
    """Voucher prints of one fund, in voucher order."""

    fund: FundHeader
    vouchers: tuple[VoucherPrint, ...]


def voucher_prints(
    session: Session,
    actor: Actor,
    fund_code: str,
    *,
    vouchers: Sequence[str] | None = None,
    period: str | None = None,
) -> VoucherData:
    """Vouchers by number, or every voucher of a month (``YYYY-MM``), in number order."""
    county_wide(actor, "记账凭证", "vouchers")
    header = fund(session, actor, fund_code)
    fund_id = header.id
    numbers = list(vouchers or ())
    if period is not None:
        numbers += session.scalars(
            select(Journal.voucher_no)
            .where(Journal.fund_id == fund_id, Journal.period == period)
            .order_by(Journal.seq)
        ).all()
    charts = dict(
        session.execute(
            select(ChartAccount.code, ChartAccount.name_zh).where(ChartAccount.fund_id == fund_id)
        ).all()
    )
    names: dict[str, dict[str, str]] = {}
    out = []
    for number in numbers:
        view = journal_view(session, fund_id, number)
        printed = {}
        for line in view.lines:
            ref = AccountRef.parse(line.account)
            if ref.key and ref.code not in names:
                names[ref.code] = account_names(session, fund_id, ref.code)
            sub = names[ref.code].get(ref.key, "") if ref.key else ""
            printed[line.account] = (charts.get(ref.code, ""), sub)
        original = None
        if view.reverses is not None:
            original = session.execute(
                select(Journal.posted_on, Journal.memo).where(
                    Journal.fund_id == fund_id, Journal.voucher_no == view.reverses
                )
            ).one()
        out.append(
            VoucherPrint(
                view,
                printed,
                original.posted_on if original else None,
                original.memo if original else None,
            )
        )
    return VoucherData(header, tuple(out))
