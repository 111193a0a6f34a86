"""Posting journals to the book, and red-ink reversal (红字冲销).

`post_many` is the one way journals reach the database. Within the caller's
transaction it:

1. reads the fund's start, kind and latest closed month under a share lock
   on the fund row (a month close takes it exclusively), holds the drafts to
   the rules of the fund's programme kind (`ledger.programmes`), refuses a date
   before the start, after today, or in or before the latest closed month:
   every month up to the latest closed one counts as closed, so a date
   slipped before the first closed month cannot change a closed balance;
   the first journal of a fund without a start date sets it;
2. locks the loans whose accounts it moves (by id) and the households
   those it lends to belong to, then the touched accounts in a fixed order
   (by id; ``FOR UPDATE`` on PostgreSQL, the ``BEGIN IMMEDIATE`` write
   lock on SQLite), opening missing sub-accounts on the way;
3. applies the drafts in order, refusing any that would take a guarded asset
   account below zero, even for a moment inside a batch, and, for a
   back-dated credit, at the end of any day from its date to today (a
   reversal dated last month cannot leave a township overdrawn on a day its
   money had already gone out);
4. builds every row it will write that needs no voucher number: running
   balances, daily totals, turnover by event kind and, for a posting dated
   on or after each moved loan's last movement and not a reversal, the
   loans' kept figures (`ledger.positions.posting_rows`);
5. only then takes the voucher counters of the months involved, the one row
   every writer of a fund-month queues on, so it is held from the last
   check to the commit and no longer, and writes the journals, their
   entries and the rows of 4: on SQLite a statement a table, which is what
   makes a batch of a thousand cheap; on PostgreSQL all of it, the counters
   too, as one statement (`_numbered_writes`, `ledger.row_writes`), so the
   counters are locked while the server runs it and not while the client
   builds it;
6. keeps the moved loans' figures that 4 could not build, from their
   entries read with the new journals' (`ledger.positions.record_posting`).

The lock order, the same for every posting and so free of deadlocks between
writers: the fund row (shared), the loans (by id), their households, the
accounts (by id), the voucher counters (by month), the journal's unique
keys, and last, taken by the caller after the posting, the fund's audit
chain head (`ledger.audit.append_audit`). A month close takes the fund row
exclusively, so it waits for postings in flight and they wait for it.

It only flushes; the request (or command) that opened the unit of work
commits, so an error anywhere leaves nothing behind, voucher numbers included.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Connection,
    Integer,
    Text,
    and_,
    bindparam,
    cast,
    column,
    func,
    insert,
    literal,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ledger import dates, kind_days, positions
from ledger.db import UnitOfWork, dialect_insert
from ledger.errors import (
    AlreadyReversed,
    CannotReverseReversal,
    InsufficientBalance,
    InvalidField,
    JournalNotFound,
    PeriodClosed,
    UnknownAccount,
)
from ledger.models import (
    Account,
    AccountDailyTotal,
    AccountKind,
    ChartAccount,
    ChartDailyTotal,
    Entry,
    Fund,
    Journal,
    Period,
    SubLedger,
    VoucherCounter,
)
from ledger.money import fmt
from ledger.posting import DEBIT, AccountRef, JournalDraft, Line, red_ink
from ledger.programmes import programme
from ledger.row_writes import Write, json_rows, typed, write_all

ZERO = Decimal("0.00")

ENTRIES = Write(
    "entries",
    Entry.__table__,
    tuple(c.name for c in Entry.__table__.columns if c.name != "id"),
)
# The rows are locked, so the version read is the version stored; should it
# not be (someone bypassed the lock), the NOT NULL version refuses the write.
BALANCES = Write(
    "balances", Account.__table__, ("debit_total", "credit_total", "version"), versioned=True
)
ACCOUNT_DAYS = Write.adding(
    "account_days", AccountDailyTotal.__table__, ("account_id", "day"), ("debit", "credit")
)
CHART_DAYS = Write.adding(
    "chart_days", ChartDailyTotal.__table__, ("chart_id", "day"), ("debit", "credit")
)


@dataclass(frozen=True)
class PostedJournal:
    id: int
    voucher: str
    posted_on: date
    kind: str
    reverses: str | None


@dataclass(frozen=True)
class _Statements:
    """The posting statements, built once per dialect: building SQL costs more than running it."""

    select_accounts: Any
    open_subaccount: Any
    open_subaccount_locked: Any
    reserve_vouchers: Any
    fund_dates: Any
    set_opened_on: Any
    insert_journals: Any
    insert_journals_plain: Any
    journal_ids: Any


@lru_cache(maxsize=4)
def _statements(dialect: str) -> _Statements:
    make_insert = dialect_insert(dialect)
    accounts = Account.__table__
    chart = ChartAccount.__table__
    counters = VoucherCounter.__table__
    reserve = make_insert(counters).values(
        fund_id=bindparam("fund_id"), period=bindparam("period"), last_seq=bindparam("count")
    )
    reserve = reserve.on_conflict_do_update(
        index_elements=["fund_id", "period"],
        set_={"last_seq": counters.c.last_seq + reserve.excluded.last_seq},
    )
    journals = Journal.__table__
    reserve = reserve.returning(counters.c.last_seq)
    locked_columns = (
        accounts.c.id,
        accounts.c.code,
        accounts.c.subkey,
        accounts.c.chart_id,
        accounts.c.guard_nonnegative,
        accounts.c.debit_total,
        accounts.c.credit_total,
        accounts.c.version,
    )
    # From its chart line, in one statement; a code with no sub-ledger inserts
    # nothing. A concurrent poster may open the same sub-account: both end up
    # using one row.
    open_subaccount = (
        make_insert(accounts)
        .from_select(
            [
                "fund_id",
                "chart_id",
                "code",
                "subkey",
                "guard_nonnegative",
                "debit_total",
                "credit_total",
                "version",
            ],
            select(
                chart.c.fund_id,
                chart.c.id,
                chart.c.code,
                bindparam("subkey", type_=accounts.c.subkey.type),
                and_(chart.c.kind == AccountKind.ASSET, chart.c.allow_negative.is_(False)),
                literal(ZERO, accounts.c.debit_total.type),
                literal(ZERO, accounts.c.credit_total.type),
                literal(0),
            ).where(
                chart.c.fund_id == bindparam("fund_id"),
                chart.c.code == bindparam("code"),
                chart.c.subledger != SubLedger.NONE,
            ),
        )
        .on_conflict_do_nothing(index_elements=["chart_id", "subkey"])
    )
    return _Statements(
        select_accounts=(
            select(*locked_columns)
            .where(
                accounts.c.fund_id == bindparam("fund_id"),
                tuple_(accounts.c.code, accounts.c.subkey).in_(bindparam("refs", expanding=True)),
            )
            .order_by(accounts.c.id)
            .with_for_update()
        ),
        open_subaccount=open_subaccount,
        # The row it inserts is its inserter's, locked, so it needs no SELECT.
        open_subaccount_locked=open_subaccount.returning(*locked_columns),
        reserve_vouchers=reserve,
        fund_dates=(
            select(
                Fund.opened_on,
                Fund.kind,
                select(func.max(Period.period))
                .where(Period.fund_id == Fund.id, Period.closed.is_(True))
                .scalar_subquery(),
            )
            .where(Fund.id == bindparam("fund_id"))
            .with_for_update(read=True, of=Fund)
        ),
        set_opened_on=(
            update(Fund)
            .where(Fund.id == bindparam("fund_id"), Fund.opened_on.is_(None))
            .values(opened_on=bindparam("opened_on"))
        ),
        insert_journals=insert(journals).returning(journals.c.id, sort_by_parameter_order=True),
        insert_journals_plain=insert(journals),
        journal_ids=(
            select(journals.c.id, journals.c.seq).where(
                journals.c.fund_id == bindparam("fund_id"),
                journals.c.period == bindparam("period"),
                journals.c.seq.between(bindparam("low"), bindparam("high")),
            )
        ),
    )


#: Where a journal stands, for `_numbered_writes`: its month, and its place ``i``
#: among the ``n`` journals of that month in the batch.
_PLACE = (column("period", Text()), column("i", Integer()), column("n", Integer()))


@lru_cache(maxsize=1)
def _numbered_writes() -> Any:
    """PostgreSQL: take the months' voucher numbers and write the journals and their
    entries, in one SELECT (its data-modifying CTEs), which answers each journal's id,
    month and number. The voucher counters are its first lock: held from there to the
    commit, and no earlier.

    A journal's number is its month's counter after the batch, less the batch's journals
    of that month, plus its place among them; its id comes from the journal's sequence as
    it goes in, in voucher order. Its entries find it by month and number.
    """
    counters, journals, entries = (
        VoucherCounter.__table__,
        Journal.__table__,
        Entry.__table__,
    )
    months = json_rows("months", [column("period", Text()), column("count", Integer())])
    reserve = pg_insert(counters).from_select(
        ["fund_id", "period", "last_seq"],
        select(bindparam("posting_fund", type_=Integer()), months.c.period, months.c.count),
    )
    counter = (
        reserve.on_conflict_do_update(
            index_elements=["fund_id", "period"],
            set_={"last_seq": counters.c.last_seq + reserve.excluded.last_seq},
        )
        .returning(counters.c.period, counters.c.last_seq)
        .cte("vc")
    )
    own = [c for c in journals.c if c.name not in ("id", "voucher_no", "period", "seq")]
    j = json_rows(
        "journals", [typed(c.name, c.type) for c in own] + [column("prefix", Text()), *_PLACE]
    )
    seq = counter.c.last_seq - j.c.n + j.c.i
    numbered = (
        pg_insert(journals)
        .from_select(
            ["voucher_no", "period", "seq", *(c.name for c in own)],
            select(
                j.c.prefix
                + func.lpad(cast(seq, Text), func.greatest(4, func.length(cast(seq, Text))), "0"),
                j.c.period,
                seq,
                *(j.c[c.name] for c in own),
            )
            .select_from(j)
            .join(counter, counter.c.period == j.c.period)
            .order_by(j.c.period, j.c.i),
        )
        .returning(journals.c.id, journals.c.period, journals.c.seq, journals.c.voucher_no)
        .cte("nj")
    )
    lines = [c for c in entries.c if c.name not in ("id", "journal_id")]
    e = json_rows("entries", [typed(c.name, c.type) for c in lines] + list(_PLACE))
    line_seq = counter.c.last_seq - e.c.n + e.c.i
    entries_in = insert(entries).from_select(
        ["journal_id", *(c.name for c in lines)],
        select(numbered.c.id, *(e.c[c.name] for c in lines))
        .select_from(e)
        .join(counter, counter.c.period == e.c.period)
        .join(numbered, and_(numbered.c.period == e.c.period, numbered.c.seq == line_seq)),
    )
    return select(numbered).add_cte(entries_in.cte("je"))


def voucher_prefix(posted_on: date) -> str:
    """``记-YYYY-MM-``: the series of the business month."""
    return f"记-{dates.month_of(posted_on)}-"


def voucher_number(posted_on: date, seq: int) -> str:
    """``记-YYYY-MM-NNNN``: its month's series and the number, four digits at least
    (`_numbered_writes` pads the same way in SQL)."""
    return f"{voucher_prefix(posted_on)}{seq:04d}"


def post(
    uow: UnitOfWork,
    fund_id: int,
    draft: JournalDraft,
    *,
    actor: str,
    idempotency_key: str | None = None,
) -> PostedJournal:
    """Post one draft (flushes; the caller of the service commits)."""
    return post_many(uow, fund_id, [draft], actor=actor, idempotency_keys=[idempotency_key])[0]


@dataclass
class _AccountState:
    id: int
    chart_id: int
    guard: bool
    debit_total: Decimal
    credit_total: Decimal
    version: int
    touched: bool = False


def post_many(
    uow: UnitOfWork,
    fund_id: int,
    drafts: Sequence[JournalDraft],
    *,
    actor: str,
    idempotency_keys: Sequence[str | None] | None = None,
) -> list[PostedJournal]:
    """Post drafts in order, numbering their vouchers consecutively (flushes only)."""
    if not drafts:
        return []
    keys = list(idempotency_keys) if idempotency_keys is not None else [None] * len(drafts)
    session = uow.session
    conn = session.connection()
    sql = _statements(conn.dialect.name)
    _check_dates(conn, sql, fund_id, drafts)
    loans = positions.lock_loans(conn, fund_id, drafts)
    refs = sorted({ref for draft in drafts for ref in draft.accounts()})
    accounts = _lock_accounts(session, sql, fund_id, refs)
    reversed_ids = _reversed_ids(session, fund_id, [d.reverses for d in drafts if d.reverses])
    for draft in drafts:
        _apply(draft, accounts)
    _keep_past_days_covered(conn, drafts, accounts)
    # What needs no voucher number is read and built before the counter's lock.
    originals = kind_days.reversed_kinds(conn, fund_id, drafts)
    ids_of = {ref: (state.id, state.chart_id) for ref, state in accounts.items()}
    loan_rows = positions.posting_rows(conn, fund_id, drafts, loans) if loans else None
    kept = [
        (BALANCES, _balance_rows(accounts)),
        *_daily_total_rows(drafts, accounts),
        *kind_days.rows(fund_id, drafts, ids_of, originals),
        *(loan_rows or ()),
    ]
    now = datetime.now(UTC)
    journal_rows = [
        {
            "fund_id": fund_id,
            "posted_on": draft.posted_on,
            "kind": draft.kind,
            "memo": draft.memo,
            "recorded_by": actor,
            "recorded_at": now,
            "idempotency_key": key,
            "reverses_id": reversed_ids.get(draft.reverses) if draft.reverses else None,
            "red": draft.red,
        }
        for draft, key in zip(drafts, keys, strict=True)
    ]
    # Every check has passed: only now the months' voucher counters, the lock
    # all writers of a fund-month queue on, held from there to the commit.
    batch = _Batch(fund_id, drafts, journal_rows, accounts, kept)
    if conn.dialect.name == "postgresql":
        ids, vouchers = _number_and_write(conn, batch)
    else:
        ids, vouchers = _number_then_write(conn, sql, batch)
    if loan_rows is not None:
        positions.drop_emptied(conn, loan_rows)
    elif loans is not None:
        positions.record_posting(conn, fund_id, drafts, ids, loans)
    return [
        PostedJournal(journal_id, voucher, draft.posted_on, draft.kind, draft.reverses)
        for journal_id, voucher, draft in zip(ids, vouchers, drafts, strict=True)
    ]


@dataclass(frozen=True)
class _Batch:
    """A posting's drafts and what they write, all but the journals' numbers and ids."""

    fund_id: int
    drafts: Sequence[JournalDraft]
    #: Each draft's journal row, to which its number (and on SQLite its id) is added.
    journals: list[dict[str, Any]]
    accounts: dict[AccountRef, _AccountState]
    #: What needs no number: balances, daily totals, turnover by kind, loans' kept figures.
    kept: list[tuple[Write, list[dict[str, Any]]]]


def _number_and_write(conn: Connection, batch: _Batch) -> tuple[list[int], list[str]]:
    """PostgreSQL: number, write and keep in one statement (`_numbered_writes`); the
    journals' ids and vouchers in the order of the drafts."""
    drafts = batch.drafts
    counts = Counter(d.period for d in drafts)
    ordinals: Counter[str] = Counter()
    entries = []
    for draft, row in zip(drafts, batch.journals, strict=True):
        ordinals[draft.period] += 1
        place = {
            "period": draft.period,
            "i": ordinals[draft.period],
            "n": counts[draft.period],
        }
        row.update(place, prefix=voucher_prefix(draft.posted_on))
        entries += [
            {**_entry_row(line_no, line, draft, batch.accounts), **place}
            for line_no, line in enumerate(draft.lines, start=1)
        ]
    months = [{"period": p, "count": counts[p]} for p in sorted(counts)]
    numbered = write_all(
        conn,
        batch.kept,
        reading=_numbered_writes(),
        params={
            "posting_fund": batch.fund_id,
            "months": months,
            "journals": batch.journals,
            "entries": entries,
        },
    )
    # Within a month the numbers rise in the drafts' order.
    by_month: dict[str, list[Any]] = defaultdict(list)
    for row in sorted(numbered, key=lambda r: r.seq):
        by_month[row.period].append(row)
    in_order = {period: iter(rows) for period, rows in by_month.items()}
    mine = [next(in_order[d.period]) for d in drafts]
    return [row.id for row in mine], [row.voucher_no for row in mine]


def _number_then_write(
    conn: Connection, sql: _Statements, batch: _Batch
) -> tuple[list[int], list[str]]:
    """SQLite: take the months' numbers, insert the journals for their ids, then write
    the entries and what is kept, a statement a table; ids and vouchers as above."""
    drafts = batch.drafts
    next_seq = _reserve_vouchers(conn, sql, batch.fund_id, Counter(d.period for d in drafts))
    vouchers = []
    for draft, row in zip(drafts, batch.journals, strict=True):
        seq = next_seq[draft.period]
        next_seq[draft.period] += 1
        vouchers.append(voucher_number(draft.posted_on, seq))
        row.update(period=draft.period, seq=seq, voucher_no=vouchers[-1])
    ids = _insert_journals(conn, sql, batch.fund_id, batch.journals)
    entries = [
        {"journal_id": journal_id, **_entry_row(line_no, line, draft, batch.accounts)}
        for journal_id, draft in zip(ids, drafts, strict=True)
        for line_no, line in enumerate(draft.lines, start=1)
    ]
    write_all(conn, [(ENTRIES, entries), *batch.kept])
    return ids, vouchers


def _check_dates(
    conn: Connection, sql: _Statements, fund_id: int, drafts: Sequence[JournalDraft]
) -> None:
    """Refuse a draft dated in the future, before the fund's start or in a closed month,
    or one that its programme kind's rules refuse (a society's 封闭运行)."""
    opened_on, kind, latest_closed = conn.execute(sql.fund_dates, {"fund_id": fund_id}).one()
    programme(kind).check_drafts(drafts)
    for draft in drafts:
        dates.not_in_future(draft.posted_on, "date", dates.POSTING)
        if latest_closed is not None and draft.period <= latest_closed:
            raise PeriodClosed(
                f"会计期间 {draft.period} 已结账(已结账至 {latest_closed}),不能记账",
                f"period {draft.period} is closed (the books are closed up to {latest_closed})",
                field="posted_on",
            )
        dates.not_before(draft.posted_on, opened_on, "date", dates.POSTING, dates.FUND_START)
    if opened_on is None:
        first = min(draft.posted_on for draft in drafts)
        conn.execute(sql.set_opened_on, {"fund_id": fund_id, "opened_on": first})


def _insert_journals(
    conn: Connection, sql: _Statements, fund_id: int, rows: list[dict[str, Any]]
) -> list[int]:
    """Insert the journals (SQLite; PostgreSQL reserves their ids with their
    vouchers); their ids in the order of `rows`.

    SQLite cannot return ids from one multi-row statement in a guaranteed
    order, so SQLAlchemy would fall back to a statement per row; instead the
    rows of a batch go in with one executemany and the ids come back by
    voucher series, which the (fund, period, seq) key answers. One row
    returns its id as it goes in.
    """
    if len(rows) == 1:
        return list(conn.execute(sql.insert_journals, rows).scalars())
    conn.execute(sql.insert_journals_plain, rows)
    by_seq: dict[tuple[str, int], int] = {}
    for period in {row["period"] for row in rows}:
        seqs = [row["seq"] for row in rows if row["period"] == period]
        found = conn.execute(
            sql.journal_ids,
            {"fund_id": fund_id, "period": period, "low": min(seqs), "high": max(seqs)},
        )
        by_seq.update({(period, seq): journal_id for journal_id, seq in found})
    return [by_seq[(row["period"], row["seq"])] for row in rows]


def _lock_accounts(
    session: Session, sql: _Statements, fund_id: int, refs: list[AccountRef]
) -> dict[AccountRef, _AccountState]:
    """Select the accounts FOR UPDATE in id order, opening missing sub-accounts.

    A sub-account opens on first use when its code has a sub-ledger in the
    fund's chart; any other account still missing does not exist. One new
    sub-account (a loan's first journal) comes back from its INSERT, locked;
    a batch's come back from a second SELECT, as does one that a concurrent
    poster opened first (the INSERT then returns nothing).
    """
    conn = session.connection()
    found = _account_states(conn.execute(sql.select_accounts, _refs_params(fund_id, refs)))
    missing = [ref for ref in refs if ref not in found]
    if not missing:
        return found
    rows = [{"fund_id": fund_id, "code": ref.code, "subkey": ref.key} for ref in missing if ref.key]
    if len(rows) == 1:
        found.update(_account_states(conn.execute(sql.open_subaccount_locked, rows[0])))
    elif rows:
        conn.execute(sql.open_subaccount, rows)
    if rows and any(ref not in found for ref in refs):
        found = _account_states(conn.execute(sql.select_accounts, _refs_params(fund_id, refs)))
    for ref in refs:
        if ref not in found:
            raise UnknownAccount(
                f"科目 {ref} 不存在", f"account {ref} does not exist in this fund", field="account"
            )
    return found


def _refs_params(fund_id: int, refs: list[AccountRef]) -> dict[str, Any]:
    return {"fund_id": fund_id, "refs": [(r.code, r.key) for r in refs]}


def _account_states(rows: Any) -> dict[AccountRef, _AccountState]:
    return {
        AccountRef(row.code, row.subkey): _AccountState(
            row.id,
            row.chart_id,
            row.guard_nonnegative,
            row.debit_total,
            row.credit_total,
            row.version,
        )
        for row in rows
    }


def _reserve_vouchers(
    conn: Connection, sql: _Statements, fund_id: int, counts: Counter[str]
) -> dict[str, int]:
    """Take `counts[period]` voucher numbers per month (in month order); the first of each."""
    first = {}
    for period in sorted(counts):
        last = conn.execute(
            sql.reserve_vouchers, {"fund_id": fund_id, "period": period, "count": counts[period]}
        ).scalar_one()
        first[period] = last - counts[period] + 1
    return first


def _reversed_ids(session: Session, fund_id: int, vouchers: list[str]) -> dict[str, int]:
    if not vouchers:
        return {}
    rows = session.execute(
        select(Journal.voucher_no, Journal.id).where(
            Journal.fund_id == fund_id, Journal.voucher_no.in_(vouchers)
        )
    ).all()
    found = {row.voucher_no: row.id for row in rows}
    for voucher in vouchers:
        if voucher not in found:
            raise JournalNotFound(
                f"凭证 {voucher} 不存在", f"voucher {voucher} not found", field="reverses"
            )
    return found


def _apply(draft: JournalDraft, accounts: dict[AccountRef, _AccountState]) -> None:
    """Add the draft to the running totals; refuse a guarded account going negative."""
    for line in draft.lines:
        state = accounts[line.account]
        state.touched = True
        if line.side == DEBIT:
            state.debit_total += line.amount
        else:
            state.credit_total += line.amount
    for index, line in enumerate(draft.lines):
        state = accounts[line.account]
        balance = state.debit_total - state.credit_total
        if state.guard and balance < 0:
            raise InsufficientBalance(
                f"科目 {line.account} 余额不足:记账后将为 {balance}",
                f"account {line.account} would go below zero ({balance})",
                field=f"lines[{index}].amount",
            )


def _keep_past_days_covered(
    conn: Connection, drafts: Sequence[JournalDraft], accounts: dict[AccountRef, _AccountState]
) -> None:
    """Refuse drafts that leave a guarded account below zero at the end of any past day.

    `_apply` checks the balance now. A credit dated D also lowers the end of
    every day from D to today, which may have been covered only by money that
    arrived later. Nothing is dated after today, so a batch credited today
    costs no query; a back-dated one reads the account's daily totals from
    its date on.
    """
    moves: dict[AccountRef, dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for draft in drafts:
        for line in draft.lines:
            if accounts[line.account].guard:
                signed = line.amount if line.side == DEBIT else -line.amount
                moves[line.account][draft.posted_on] += signed
    today = dates.today()
    since = {
        ref: min(day for day, amount in by_day.items() if amount < 0)
        for ref, by_day in moves.items()
        if any(day < today and amount < 0 for day, amount in by_day.items())
    }
    if not since:
        return
    # One read for the whole batch (a batch write-off credits 82 loans at once).
    days = AccountDailyTotal.__table__.c
    later: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    for account_id, day, debit_sum, credit_sum in conn.execute(
        select(days.account_id, days.day, days.debit, days.credit).where(
            days.account_id.in_([accounts[ref].id for ref in since]),
            days.day >= min(since.values()),
        )
    ):
        later[account_id].append((day, debit_sum - credit_sum))
    for ref, first in since.items():
        state = accounts[ref]
        # The end of every day from `first` on is today's balance less what came after it.
        after: dict[date, Decimal] = defaultdict(Decimal, moves[ref])
        for day, change in later[state.id]:
            after[day] += change
        running = state.debit_total - state.credit_total
        for day in sorted(after, reverse=True):
            if day < first:
                break
            if running < 0:
                raise InsufficientBalance(
                    f"{dates.POSTING.zh} {first}:科目 {ref} 在 {day} 日终余额将为 "
                    f"{fmt(running)} 元,不能为负(之后才到的资金不能用于更早的日期)",
                    f"{dates.POSTING.en} {first}: account {ref} would end {day} at {running}, "
                    "below zero (money that arrived later cannot cover an earlier day)",
                    field="date",
                )
            running -= after[day]


def _entry_row(
    line_no: int, line: Line, draft: JournalDraft, accounts: dict[AccountRef, _AccountState]
) -> dict[str, object]:
    """An entry's columns, but its journal's id."""
    return {
        "line_no": line_no,
        "account_id": accounts[line.account].id,
        "side": line.side,
        "amount": line.amount,
        "red": draft.red,
        "posted_on": draft.posted_on,
        "ref_township": line.township,
        "ref_loan": line.loan,
        "ref_liaison": line.liaison,
        "ref_disaster": line.disaster,
    }


def _balance_rows(accounts: dict[AccountRef, _AccountState]) -> list[dict[str, Any]]:
    return [
        {
            "b_id": s.id,
            "b_version": s.version,
            "debit_total": s.debit_total,
            "credit_total": s.credit_total,
            "version": s.version + 1,
        }
        for s in accounts.values()
        if s.touched
    ]


def _daily_total_rows(
    drafts: Sequence[JournalDraft], accounts: dict[AccountRef, _AccountState]
) -> list[tuple[Write, list[dict[str, Any]]]]:
    """What the drafts add to their accounts' and chart lines' daily totals, a row a day."""
    per_account: dict[tuple[int, date], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    per_chart: dict[tuple[int, date], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for draft in drafts:
        for line in draft.lines:
            state = accounts[line.account]
            column = 0 if line.side == DEBIT else 1
            per_account[(state.id, draft.posted_on)][column] += line.amount
            per_chart[(state.chart_id, draft.posted_on)][column] += line.amount
    return [
        (
            write,
            [
                {key_column: key, "day": day, "debit": debit_sum, "credit": credit_sum}
                for (key, day), (debit_sum, credit_sum) in totals.items()
            ],
        )
        for write, key_column, totals in (
            (ACCOUNT_DAYS, "account_id", per_account),
            (CHART_DAYS, "chart_id", per_chart),
        )
    ]


def draft_of(session: Session, journal: Journal) -> JournalDraft:
    """Rebuild the draft a stored journal was posted from."""
    rows = session.execute(
        select(Entry, Account.code, Account.subkey)
        .join(Account, Account.id == Entry.account_id)
        .where(Entry.journal_id == journal.id)
        .order_by(Entry.line_no)
    ).all()
    lines = tuple(
        Line(
            AccountRef(code, subkey),
            entry.side,
            entry.amount,
            entry.ref_township,  # type: ignore[arg-type]
            entry.ref_loan,
            entry.ref_liaison,
            entry.ref_disaster,
        )
        for entry, code, subkey in rows
    )
    reverses = None
    if journal.reverses_id is not None:
        reverses = session.scalar(
            select(Journal.voucher_no).where(Journal.id == journal.reverses_id)
        )
    return JournalDraft(
        journal.posted_on, journal.kind, journal.memo, lines, reverses=reverses, red=journal.red
    )


def find_journal(session: Session, fund_id: int, voucher: str, *, lock: bool = False) -> Journal:
    """The journal by voucher; `lock` takes its row lock (a share of nothing: no UPDATE)."""
    query = select(Journal).where(Journal.fund_id == fund_id, Journal.voucher_no == voucher)
    journal = session.scalar(query.with_for_update() if lock else query)
    if journal is None:
        raise JournalNotFound(
            f"凭证 {voucher} 不存在", f"voucher {voucher} not found", field="voucher"
        )
    return journal


def reversible(session: Session, fund_id: int, voucher: str) -> Journal:
    """The journal `voucher`, row-locked, if it may be reversed: not red, not reversed yet.

    The lock makes a second clerk reversing it at the same moment wait, then
    see the first reversal and be told so (not some later balance refusal).
    """
    original = find_journal(session, fund_id, voucher, lock=True)
    if original.red:
        raise CannotReverseReversal(
            f"凭证 {voucher} 是红字凭证,不能再冲销", f"voucher {voucher} is itself a reversal"
        )
    already = session.scalar(select(Journal.voucher_no).where(Journal.reverses_id == original.id))
    if already is not None:
        raise AlreadyReversed(
            f"凭证 {voucher} 已被 {already} 冲销",
            f"voucher {voucher} was already reversed by {already}",
            field="voucher",
        )
    return original


def post_reversal(
    uow: UnitOfWork,
    fund_id: int,
    voucher: str,
    *,
    actor: str,
    reason: str,
    posted_on: date,
) -> PostedJournal:
    """Post the red-ink reversal of `voucher`, dated `posted_on`, in the caller's transaction.

    The original stays in the book untouched; the reversal references it, and
    the database's unique key on that reference refuses a second reversal even
    when two clerks press the button at once.
    """
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidField(
            "请填写冲销原因", "a reason for the reversal is required", field="reason"
        )
    session = uow.session
    original = reversible(session, fund_id, voucher)
    dates.not_before(posted_on, original.posted_on, "date", dates.REVERSAL, dates.ORIGINAL)
    draft = red_ink(
        draft_of(session, original), voucher, posted_on, memo=f"冲销 {voucher}:{reason.strip()}"
    )
    try:
        posted = post(uow, fund_id, draft, actor=actor)
    except IntegrityError as error:
        if "uq_journal_reverses_id" in str(error.orig) or "journal.reverses_id" in str(error.orig):
            raise AlreadyReversed(
                f"凭证 {voucher} 已被冲销",
                f"voucher {voucher} was already reversed",
                field="voucher",
            ) from None
        raise
    return posted


def record_journal(
    uow: UnitOfWork,
    fund_id: int,
    draft: JournalDraft,
    *,
    actor: str,
    idempotency_key: str | None = None,
) -> PostedJournal:
    """Post one manual journal."""
    posted = post(uow, fund_id, draft, actor=actor, idempotency_key=idempotency_key)
    uow.session.flush()
    return posted
