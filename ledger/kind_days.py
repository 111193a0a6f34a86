"""Daily turnover by business event kind (发生额按业务类型), kept by the posting path.

"What was allocated to a township, remitted, disbursed, repaid ... between
two dates" is a sum over the period's entries grouped by the kind of the
journal they belong to. A red-ink reversal counts under the kind of the
journal it reverses, with its negative amounts, so a reversed disbursement
nets out of the disbursements (`read.books.by_event_kind`).

`AccountKindDay` and `ChartKindDay` keep those sums per account (and per
chart line) per kind per day, added to in the posting transaction, so such
a read sums kept days: its cost grows with days × kinds, not with entries.
`JournalKindDay` counts the journals per (their own) kind and day the same
way: the journals list's total for a kind or part of a month.
Like the daily totals per account, rows are only ever added to, and two
postings on one account's day wait for each other at the upsert only.
`rebuild` replaces a fund's rows by the sums of its entries; `check` names
each row that differs from them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select
from sqlalchemy.orm import aliased

from ledger.models import (
    Account,
    AccountKindDay,
    ChartAccount,
    ChartKindDay,
    Entry,
    Journal,
    JournalKindDay,
)
from ledger.posting import DEBIT, AccountRef, JournalDraft
from ledger.read.books import side_sum
from ledger.row_writes import Write

ZERO = Decimal("0.00")
#: (account id, chart id) of each account a posting touches.
AccountIds = Mapping[AccountRef, tuple[int, int]]


ACCOUNT_KINDS = Write.adding(
    "account_kinds",
    AccountKindDay.__table__,
    ("account_id", "kind", "day"),
    ("debit", "credit"),
    also=("chart_id",),
)
CHART_KINDS = Write.adding(
    "chart_kinds", ChartKindDay.__table__, ("chart_id", "kind", "day"), ("debit", "credit")
)
JOURNAL_KINDS = Write.adding(
    "journal_kinds", JournalKindDay.__table__, ("fund_id", "kind", "day"), ("journals",)
)


def reversed_kinds(
    conn: Connection, fund_id: int, drafts: Sequence[JournalDraft]
) -> dict[str, str]:
    """The kind of each journal the drafts reverse, by voucher: a red-ink reversal counts
    under its original's kind. Read before the posting's pipeline, which fetches nothing."""
    reversed_vouchers = [d.reverses for d in drafts if d.reverses]
    if not reversed_vouchers:
        return {}
    return dict(
        conn.execute(
            select(Journal.voucher_no, Journal.kind).where(
                Journal.fund_id == fund_id, Journal.voucher_no.in_(reversed_vouchers)
            )
        ).all()
    )


def rows(
    fund_id: int,
    drafts: Sequence[JournalDraft],
    accounts: AccountIds,
    originals: dict[str, str],
) -> list[tuple[Write, list[dict[str, Any]]]]:
    """What the drafts add to the kept days of their accounts and chart lines, by event
    kind (`originals`: `reversed_kinds`), and to the fund's journals counted by their own
    kind and day: rows for `ledger.row_writes.write_all`, a row a key."""
    per_account: dict[tuple[int, str, date], list[Any]] = {}
    per_chart: dict[tuple[int, str, date], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for draft in drafts:
        kind = originals[draft.reverses] if draft.reverses else draft.kind
        for line in draft.lines:
            account_id, chart_id = accounts[line.account]
            column = 0 if line.side == DEBIT else 1
            key = (account_id, kind, draft.posted_on)
            row = per_account.setdefault(key, [ZERO, ZERO, chart_id])
            row[column] += line.amount
            per_chart[(chart_id, kind, draft.posted_on)][column] += line.amount
    journals = Counter((draft.kind, draft.posted_on) for draft in drafts)
    return [
        (
            JOURNAL_KINDS,
            [
                {"fund_id": fund_id, "kind": k, "day": d, "journals": n}
                for (k, d), n in sorted(journals.items())
            ],
        ),
        (
            ACCOUNT_KINDS,
            [
                {"account_id": a, "kind": k, "day": d, "chart_id": c, "debit": dr, "credit": cr}
                for (a, k, d), (dr, cr, c) in per_account.items()
            ],
        ),
        (
            CHART_KINDS,
            [
                {"chart_id": c, "kind": k, "day": d, "debit": dr, "credit": cr}
                for (c, k, d), (dr, cr) in per_chart.items()
            ],
        ),
    ]


def _from_entries(fund_id: int) -> Any:
    """SELECT account id, event kind, day, chart id, Σ debit, Σ credit of the fund's entries."""
    original = aliased(Journal)
    kind = func.coalesce(original.kind, Journal.kind)
    return (
        select(
            Entry.account_id,
            kind,
            Entry.posted_on,
            Account.chart_id,
            side_sum(Entry.side, Entry.amount, DEBIT),
            side_sum(Entry.side, Entry.amount, "C"),
        )
        .join(Journal, Journal.id == Entry.journal_id)
        .outerjoin(original, original.id == Journal.reverses_id)
        .join(Account, Account.id == Entry.account_id)
        .where(Account.fund_id == fund_id)
        .group_by(Entry.account_id, kind, Entry.posted_on, Account.chart_id)
    )


def _charts(fund_id: int) -> Any:
    return select(ChartAccount.id).where(ChartAccount.fund_id == fund_id)


def _journals(fund_id: int) -> Any:
    """SELECT fund id, kind, day, journals: the fund's journals counted."""
    return (
        select(Journal.fund_id, Journal.kind, Journal.posted_on, func.count())
        .where(Journal.fund_id == fund_id)
        .group_by(Journal.fund_id, Journal.kind, Journal.posted_on)
    )


def rebuild(conn: Connection, fund_id: int) -> None:
    """Replace the fund's kept days by the sums of its entries and the count of its journals
    (the caller holds the fund lock)."""
    for model in (AccountKindDay, ChartKindDay):
        conn.execute(delete(model).where(model.chart_id.in_(_charts(fund_id))))
    conn.execute(delete(JournalKindDay).where(JournalKindDay.fund_id == fund_id))
    conn.execute(
        insert(JournalKindDay).from_select(
            ["fund_id", "kind", "day", "journals"], _journals(fund_id)
        )
    )
    a = AccountKindDay.__table__.c
    conn.execute(
        insert(AccountKindDay).from_select(
            ["account_id", "kind", "day", "chart_id", "debit", "credit"], _from_entries(fund_id)
        )
    )
    conn.execute(
        insert(ChartKindDay).from_select(
            ["chart_id", "kind", "day", "debit", "credit"],
            select(a.chart_id, a.kind, a.day, func.sum(a.debit), func.sum(a.credit))
            .where(a.chart_id.in_(_charts(fund_id)))
            .group_by(a.chart_id, a.kind, a.day),
        )
    )


#: A kept row's key and its (debit, credit).
Rows = dict[tuple[Any, str, date], tuple[Decimal, Decimal]]


def differences(conn: Connection, fund_id: int) -> list[tuple[str, str, object, object]]:
    """(subject, figure, kept, computed) of every kept day that is not what the entries say."""
    names = {
        account_id: f"{code}/{key}" if key else code
        for account_id, code, key in conn.execute(
            select(Account.id, Account.code, Account.subkey).where(Account.fund_id == fund_id)
        )
    }
    codes = dict(
        conn.execute(
            select(ChartAccount.id, ChartAccount.code).where(ChartAccount.fund_id == fund_id)
        ).all()
    )
    want_accounts: Rows = {}
    want_charts: dict[tuple[Any, str, date], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for account_id, kind, day, chart_id, debit, credit in conn.execute(_from_entries(fund_id)):
        want_accounts[(account_id, kind, day)] = (debit, credit)
        totals = want_charts[(chart_id, kind, day)]
        totals[0] += debit
        totals[1] += credit
    a, c = AccountKindDay, ChartKindDay
    kept_accounts: Rows = {
        (row[0], row[1], row[2]): (row[3], row[4])
        for row in conn.execute(
            select(a.account_id, a.kind, a.day, a.debit, a.credit).where(
                a.chart_id.in_(_charts(fund_id))
            )
        )
    }
    kept_charts: Rows = {
        (row[0], row[1], row[2]): (row[3], row[4])
        for row in conn.execute(
            select(c.chart_id, c.kind, c.day, c.debit, c.credit).where(
                c.chart_id.in_(_charts(fund_id))
            )
        )
    }
    out = []
    for label, names_of, kept, want in (
        ("account", names, kept_accounts, want_accounts),
        ("chart", codes, kept_charts, {k: (v[0], v[1]) for k, v in want_charts.items()}),
    ):
        for key in sorted(kept.keys() | want.keys()):
            subject = f"{label} {names_of.get(key[0], key[0])} kind {key[1]} day {key[2]}"
            mine, right = kept.get(key, (ZERO, ZERO)), want.get(key, (ZERO, ZERO))
            out.extend(
                (subject, figure, x, y)
                for figure, x, y in zip(("debit", "credit"), mine, right, strict=True)
                if x != y
            )
    j = JournalKindDay
    kept_journals = {
        (kind, day): n
        for kind, day, n in conn.execute(
            select(j.kind, j.day, j.journals).where(j.fund_id == fund_id, j.journals != 0)
        )
    }
    want_journals = {(kind, day): n for _, kind, day, n in conn.execute(_journals(fund_id))}
    for kind, day in sorted(kept_journals.keys() | want_journals.keys()):
        mine, right = kept_journals.get((kind, day), 0), want_journals.get((kind, day), 0)
        if mine != right:
            out.append((f"journals kind {kind} day {day}", "journals", mine, right))
    return out
