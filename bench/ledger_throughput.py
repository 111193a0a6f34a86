"""Ledger throughput and read latency, measured in one run (see docs/PERFORMANCE.md).

    .venv/bin/python bench/ledger_throughput.py            # full run (many minutes)
    .venv/bin/python bench/ledger_throughput.py --quick    # smoke run (about a minute)
    .venv/bin/python bench/ledger_throughput.py --no-pg    # SQLite only

What it measures, every figure from the same deterministic workload (transfers
between the county special account 1001, township funds 1011/<township> and
household loans 1101/<loan>, after an appropriation and allocations so that
every guarded balance stays >= 0):

a. the library on SQLite (temp file, WAL, synchronous=FULL), one journal per
   commit (`record_journal`);
b. the library on SQLite, 1,000 journals per commit (`post_many`);
c. a raw `sqlite3` floor writing the same rows by hand into the same migrated
   schema with the same PRAGMAs and BEGIN IMMEDIATE, per commit and batched
   (executemany);
d. the library on PostgreSQL, one journal per commit through
   `run_in_transaction`: 1 thread, 8 threads on one fund (gapless vouchers
   serialize posters per fund-month) and 8 threads on 8 funds;
e. `balance(as_of=...)` and `trial_balance(as_of=...)` median latency on a
   20 k-entry and a 2 M-entry SQLite book spanning the same 1,000 days (both
   built with `post_many`, batches of 1,000, synchronous=FULL unless
   --fast-build; the build time is reported), the raw queries behind them,
   and one-journal-per-commit posting into each book. Then the same again
   with "what-if" indexes added to the temporary files only (never to the
   project's migrations), to show what the suggested fixes would buy.

The machine may be shared, so the library and its floor run in alternating
rounds, and the two books' reads are sampled in alternating rounds: their
ratios hold even when background load moves the absolute figures. The exit
status is 1 when a target is missed.

PostgreSQL runs in a throwaway schema (``CREATE SCHEMA bench_<hex>``, dropped
at the end, even on failure), so the shared database keeps no rows. Results
are printed as a table and written as JSON to bench/out/ (gitignored).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402
from sqlalchemy import Engine, event, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from ledger.actors import Actor  # noqa: E402
from ledger.db import Database, make_engine, run_in_transaction  # noqa: E402
from ledger.money import from_fen  # noqa: E402
from ledger.posting import AccountRef, JournalDraft, credit, debit, journal  # noqa: E402
from ledger.read.books import balance, trial_balance  # noqa: E402
from ledger.services.funds import open_fund  # noqa: E402
from ledger.services.journals import post_many, record_journal  # noqa: E402

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ACTOR = "bench"
#: Opening a fund is an administrator's step.
OPENER = Actor(ACTOR, "admin")
BATCH = 1000
WARMUP = 17  #: the appropriation and the 16 allocations, posted untimed

SPECIAL, TOWNSHIP, LOAN, CAPITAL = "1001", "1011", "1101", "3001"
TOWNSHIPS = tuple(f"340123{i:03d}" for i in range(1, 17))
APPROPRIATION_FEN = 5_000_000_000_00  # 5e9 yuan: the guards never bite
ALLOCATION_FEN = 100_000_000_00  # 1e8 yuan per township

#: One planned journal: (day, kind, debit code, debit key, credit code, credit key, fen).
Tx = tuple[date, str, str, str, str, str, int]

BOOK_START = date(2024, 1, 1)
BOOK_DAYS = 1000  # ~2.7 years, the same span for the small and the large book


# --- the workload -----------------------------------------------------------


def plan(
    n: int,
    *,
    start: date,
    days: int,
    loans: int = 10_000,
    seed: int = 20261123,
    loan_prefix: str = "L",
    setup: bool = True,
    horizon: int | None = None,
) -> Iterator[Tx]:
    """`n` journals, deterministic for a seed, whose guarded balances stay >= 0.

    With `setup`, the first 17 are an appropriation (1001 / 3001) and one
    allocation per township (1011 / 1001). The rest mix disbursements
    (1101 / 1011), repayments (1011 / 1101), remittances (1001 / 1011),
    allocations and appropriations; 1001 is the busiest account. Dates rise
    evenly from `start` over `days` days. Without `setup` the plan assumes
    another plan's setup already ran (PostgreSQL threads). With `horizon`,
    the dates are spread as if the plan had `horizon` journals; the ones
    beyond it fall on the last day (journals to post into a finished book).
    """
    rng = random.Random(seed)
    day_list = [start + timedelta(days=d) for d in range(days)]
    keys = [f"{loan_prefix}{i:05d}" for i in range(loans)]
    loan_balance = [0] * loans
    town = dict.fromkeys(TOWNSHIPS, ALLOCATION_FEN)
    special = APPROPRIATION_FEN - len(TOWNSHIPS) * ALLOCATION_FEN
    i = 0
    spread = horizon or n

    def day() -> date:
        return day_list[min((i * days) // spread, days - 1)]

    if setup:
        yield (start, "appropriation", SPECIAL, "", CAPITAL, "county", APPROPRIATION_FEN)
        i += 1
        for township in TOWNSHIPS:
            if i >= n:
                return
            yield (start, "allocation", TOWNSHIP, township, SPECIAL, "", ALLOCATION_FEN)
            i += 1
    while i < n:
        r = rng.random()
        township = TOWNSHIPS[rng.randrange(len(TOWNSHIPS))]
        if r < 0.02:
            fen = rng.randint(10, 100) * 1_000_00
            special += fen
            tx = (day(), "appropriation", SPECIAL, "", CAPITAL, "county", fen)
        elif r < 0.07 and special > 10_000_000_00:
            fen = rng.randint(10, 100) * 1_000_00
            special -= fen
            town[township] += fen
            tx = (day(), "allocation", TOWNSHIP, township, SPECIAL, "", fen)
        elif r < 0.15 and town[township] > 10_000_000_00:
            fen = rng.randint(1, 100) * 1_000_00
            special += fen
            town[township] -= fen
            tx = (day(), "remittance", SPECIAL, "", TOWNSHIP, township, fen)
        else:
            k = rng.randrange(loans)
            township = TOWNSHIPS[k % len(TOWNSHIPS)]
            if r < 0.575 or loan_balance[k] == 0:
                fen = min(rng.randint(5, 50) * 100_00, town[township])
                loan_balance[k] += fen
                town[township] -= fen
                tx = (day(), "disbursement", LOAN, keys[k], TOWNSHIP, township, fen)
            else:
                fen = min(rng.randint(1, 20) * 100_00, loan_balance[k])
                loan_balance[k] -= fen
                town[township] += fen
                tx = (day(), "repayment", TOWNSHIP, township, LOAN, keys[k], fen)
        yield tx
        i += 1


def to_draft(tx: Tx, n: int) -> JournalDraft:
    day, kind, dcode, dkey, ccode, ckey, fen = tx
    amount = from_fen(fen)
    return journal(
        day,
        kind,
        f"{kind} #{n}",
        [debit(AccountRef(dcode, dkey), amount), credit(AccountRef(ccode, ckey), amount)],
    )


def chunks(items: Sequence[Tx], size: int) -> Iterator[Sequence[Tx]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- databases --------------------------------------------------------------


def migrate(engine: Engine) -> None:
    """Build the schema with the Alembic migrations (as tests/conftest.py does)."""
    config = Config(str(ROOT / "alembic.ini"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def new_sqlite_book(directory: Path, name: str) -> tuple[Database, int, Path]:
    """A migrated SQLite file with one fresh fund; returns (db, fund id, path)."""
    path = directory / f"{name}.db"
    db = Database.connect(f"sqlite:///{path}")
    migrate(db.engine)
    with db.uow() as uow:
        fund = open_fund(uow, actor=OPENER, code=name[:32], name=f"bench {name}")
        uow.commit()
    return db, fund.id, path


@contextmanager
def pg_schema(url: str) -> Iterator[str]:
    """A throwaway schema; yields a URL whose search_path is that schema."""
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = make_engine(url, connect_args={"connect_timeout": 5})
    try:
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        separator = "&" if "?" in url else "?"
        try:
            yield f"{url}{separator}options={quote(f'-csearch_path={schema}')}"
        finally:
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    finally:
        admin.dispose()


# --- a/b: the library on SQLite ---------------------------------------------


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    """Yields [wall seconds, CPU seconds of this process], filled in on exit."""
    times = [0.0, 0.0]
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield times
    finally:
        times[0], times[1] = time.perf_counter() - wall, time.process_time() - cpu


def library_per_commit(db: Database, fund_id: int, txs: Sequence[Tx], first_n: int = 0) -> None:
    """Post `txs` one journal per commit (the drafts are built inside the timing)."""
    for n, tx in enumerate(txs, start=first_n):
        with db.uow() as uow:
            record_journal(uow, fund_id, to_draft(tx, n), actor=ACTOR)
            uow.commit()


def library_batched(
    db: Database, fund_id: int, txs: Sequence[Tx], first_n: int = 0, size: int = BATCH
) -> None:
    n = first_n
    for chunk in chunks(txs, size):
        drafts = []
        for tx in chunk:
            drafts.append(to_draft(tx, n))
            n += 1
        with db.uow() as uow:
            post_many(uow, fund_id, drafts, actor=ACTOR)
            uow.commit()


# --- c: the raw sqlite3 floor -----------------------------------------------

SQL_COUNTER = (
    "INSERT INTO voucher_counter (fund_id, period, last_seq) VALUES (?, ?, ?) "
    "ON CONFLICT (fund_id, period) DO UPDATE SET last_seq = last_seq + excluded.last_seq "
    "RETURNING last_seq"
)
SQL_JOURNAL = (
    "INSERT INTO journal (id, fund_id, voucher_no, period, seq, posted_on, kind, memo, "
    "recorded_by, recorded_at, idempotency_key, reverses_id, red) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, 0)"
)
SQL_ENTRY = (
    "INSERT INTO entry (journal_id, line_no, account_id, side, amount, red, posted_on, "
    "ref_township, ref_loan, ref_liaison, ref_disaster) "
    "VALUES (?, ?, ?, ?, ?, 0, ?, NULL, NULL, NULL, NULL)"
)
SQL_ACCOUNT = (
    "UPDATE account SET debit_total = debit_total + ?, credit_total = credit_total + ?, "
    "version = version + 1 WHERE id = ?"
)
SQL_ACCOUNT_DAY = (
    "INSERT INTO account_daily_total (account_id, day, debit, credit) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (account_id, day) DO UPDATE SET debit = debit + excluded.debit, "
    "credit = credit + excluded.credit"
)
SQL_CHART_DAY = (
    "INSERT INTO chart_daily_total (chart_id, day, debit, credit) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (chart_id, day) DO UPDATE SET debit = debit + excluded.debit, "
    "credit = credit + excluded.credit"
)


class RawFloor:
    """The same rows as `post_many`, by hand: the fastest this schema allows in Python.

    Account ids are cached in memory and sub-accounts opened on first use; the
    non-negative guard is left to the schema's CHECK constraint (the plan is
    known to be valid), and no closed-period check is made. Everything else
    the library writes is written: counter, journal, entries, balances, daily
    totals, all under BEGIN IMMEDIATE with WAL + synchronous=FULL + foreign keys.
    """

    def __init__(self, path: Path, fund_id: int) -> None:
        self.fund_id = fund_id
        self.conn = sqlite3.connect(path, isolation_level=None, timeout=30)
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON"):
            self.conn.execute(f"PRAGMA {pragma}")
        self.accounts: dict[tuple[str, str], tuple[int, int]] = {}
        self.charts: dict[str, tuple[int, bool]] = {}
        for row in self.conn.execute(
            "SELECT code, id, kind FROM chart_account WHERE fund_id = ?", (fund_id,)
        ):
            self.charts[row[0]] = (row[1], row[2] == "asset")
        for code, key, account_id, chart_id in self.conn.execute(
            "SELECT code, subkey, id, chart_id FROM account WHERE fund_id = ?", (fund_id,)
        ):
            self.accounts[(code, key)] = (account_id, chart_id)
        self.now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")

    def close(self) -> None:
        self.conn.close()

    def _account(self, code: str, key: str) -> tuple[int, int]:
        found = self.accounts.get((code, key))
        if found is None:
            chart_id, guard = self.charts[code]
            cursor = self.conn.execute(
                "INSERT INTO account (fund_id, chart_id, code, subkey, guard_nonnegative, "
                "debit_total, credit_total, version) VALUES (?, ?, ?, ?, ?, 0, 0, 0)",
                (self.fund_id, chart_id, code, key, guard),
            )
            found = self.accounts[(code, key)] = (cursor.lastrowid, chart_id)  # type: ignore[assignment]
        return found  # type: ignore[return-value]

    def post_one(self, tx: Tx, n: int) -> None:
        day, kind, dcode, dkey, ccode, ckey, fen = tx
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            debit_id, debit_chart = self._account(dcode, dkey)
            credit_id, credit_chart = self._account(ccode, ckey)
            period = f"{day:%Y-%m}"
            seq = conn.execute(SQL_COUNTER, (self.fund_id, period, 1)).fetchone()[0]
            iso = day.isoformat()
            journal_id = conn.execute(
                SQL_JOURNAL,
                (
                    None,
                    self.fund_id,
                    f"记-{period}-{seq:04d}",
                    period,
                    seq,
                    iso,
                    kind,
                    f"{kind} #{n}",
                    ACTOR,
                    self.now,
                ),
            ).lastrowid
            conn.executemany(
                SQL_ENTRY,
                [
                    (journal_id, 1, debit_id, "D", fen, iso),
                    (journal_id, 2, credit_id, "C", fen, iso),
                ],
            )
            conn.executemany(SQL_ACCOUNT, [(fen, 0, debit_id), (0, fen, credit_id)])
            conn.executemany(SQL_ACCOUNT_DAY, [(debit_id, iso, fen, 0), (credit_id, iso, 0, fen)])
            conn.executemany(
                SQL_CHART_DAY, [(debit_chart, iso, fen, 0), (credit_chart, iso, 0, fen)]
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def post_batch(self, txs: Sequence[Tx], first_n: int) -> None:
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            periods = Counter(f"{tx[0]:%Y-%m}" for tx in txs)
            next_seq = {}
            for period in sorted(periods):
                last = conn.execute(SQL_COUNTER, (self.fund_id, period, periods[period]))
                next_seq[period] = last.fetchone()[0] - periods[period] + 1
            # Ids assigned by hand under the write lock: sqlite3 executemany has no RETURNING.
            next_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM journal").fetchone()[0]
            journals, entries = [], []
            totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
            account_days: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
            chart_days: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
            for offset, (day, kind, dcode, dkey, ccode, ckey, fen) in enumerate(txs):
                debit_id, debit_chart = self._account(dcode, dkey)
                credit_id, credit_chart = self._account(ccode, ckey)
                period = f"{day:%Y-%m}"
                seq = next_seq[period]
                next_seq[period] += 1
                iso = day.isoformat()
                journal_id = next_id + offset
                journals.append(
                    (
                        journal_id,
                        self.fund_id,
                        f"记-{period}-{seq:04d}",
                        period,
                        seq,
                        iso,
                        kind,
                        f"{kind} #{first_n + offset}",
                        ACTOR,
                        self.now,
                    )
                )
                entries.append((journal_id, 1, debit_id, "D", fen, iso))
                entries.append((journal_id, 2, credit_id, "C", fen, iso))
                totals[debit_id][0] += fen
                totals[credit_id][1] += fen
                account_days[(debit_id, iso)][0] += fen
                account_days[(credit_id, iso)][1] += fen
                chart_days[(debit_chart, iso)][0] += fen
                chart_days[(credit_chart, iso)][1] += fen
            conn.executemany(SQL_JOURNAL, journals)
            conn.executemany(SQL_ENTRY, entries)
            conn.executemany(SQL_ACCOUNT, [(d, c, a) for a, (d, c) in totals.items()])
            conn.executemany(
                SQL_ACCOUNT_DAY, [(a, iso, d, c) for (a, iso), (d, c) in account_days.items()]
            )
            conn.executemany(
                SQL_CHART_DAY, [(ch, iso, d, c) for (ch, iso), (d, c) in chart_days.items()]
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def floor_per_commit(floor: RawFloor, txs: Sequence[Tx], first_n: int = 0) -> None:
    for n, tx in enumerate(txs, start=first_n):
        floor.post_one(tx, n)


def floor_batched(floor: RawFloor, txs: Sequence[Tx], first_n: int = 0, size: int = BATCH) -> None:
    for index, chunk in enumerate(chunks(txs, size)):
        floor.post_batch(chunk, first_n + index * size)


Poster = Callable[[Sequence[Tx], int], None]


def race(
    library: Poster, floor: Poster, txs: Sequence[Tx], *, warmup: int, rounds: int
) -> dict[str, dict[str, Any]]:
    """Library and floor post the same journals in alternating rounds.

    The machine may be shared: alternating (library first in even rounds,
    floor first in odd ones) exposes both to the same background load, so
    their ratio stays meaningful even when the absolute figures wander. The
    first `warmup` journals (the appropriation and allocations) are posted
    untimed by both.
    """
    library(txs[:warmup], 0)
    floor(txs[:warmup], 0)
    timed = txs[warmup:]
    size = -(-len(timed) // rounds)
    totals = {"library": [0.0, 0.0], "floor": [0.0, 0.0]}
    for index, start in enumerate(range(0, len(timed), size)):
        part = timed[start : start + size]
        order = [("library", library), ("floor", floor)]
        for name, post in order if index % 2 == 0 else order[::-1]:
            with stopwatch() as spent:
                post(part, warmup + start)
            totals[name][0] += spent[0]
            totals[name][1] += spent[1]
    return {name: rate(len(timed), wall, cpu) for name, (wall, cpu) in totals.items()}


def check_same_book(paths: Iterable[Path]) -> None:
    """The library and the floor must have written the same book (else the race is unfair)."""
    summaries = set()
    for path in paths:
        conn = sqlite3.connect(path)
        try:
            summaries.add(
                conn.execute(
                    "SELECT (SELECT count(*) FROM journal), (SELECT count(*) FROM entry), "
                    "(SELECT group_concat(code || '/' || subkey || '=' || debit_total || ':' "
                    "|| credit_total || ':' || version, ',') FROM "
                    "(SELECT * FROM account ORDER BY code, subkey)), "
                    "(SELECT sum(debit) || ':' || sum(credit) || ':' || count(*) "
                    "FROM account_daily_total), "
                    "(SELECT sum(debit) || ':' || sum(credit) || ':' || count(*) "
                    "FROM chart_daily_total), "
                    "(SELECT group_concat(voucher_no, ',') FROM "
                    "(SELECT voucher_no FROM journal ORDER BY id))"
                ).fetchone()
            )
        finally:
            conn.close()
    if len(summaries) != 1:
        raise AssertionError("library and raw floor wrote different books")


# --- d: the library on PostgreSQL -------------------------------------------


def pg_threads(url: str, threads: int, per_thread: int, *, spread_funds: bool) -> dict[str, Any]:
    """Post `threads * per_thread` journals, one per commit, from `threads` threads."""
    db = Database.connect(url, pool_size=threads + 2, max_overflow=0)
    try:
        funds = []
        for f in range(threads if spread_funds else 1):
            code = f"B{uuid.uuid4().hex[:10]}"
            with db.uow() as uow:
                funds.append(open_fund(uow, actor=OPENER, code=code, name=f"bench {f}").id)
                uow.commit()
            setup = list(plan(17, start=BOOK_START, days=1))
            with db.uow() as uow:
                post_many(
                    uow, funds[-1], [to_draft(tx, n) for n, tx in enumerate(setup)], actor=ACTOR
                )
                uow.commit()
        work = [
            [
                to_draft(tx, n)
                for n, tx in enumerate(
                    plan(
                        per_thread,
                        start=BOOK_START + timedelta(days=1),
                        days=60,
                        seed=1000 + t,
                        loan_prefix=f"T{t}-",
                        loans=2_000,
                        setup=False,
                    )
                )
            ]
            for t in range(threads)
        ]
        attempts = Counter()
        lock = threading.Lock()
        barrier = threading.Barrier(threads + 1)
        errors: list[BaseException] = []

        def run(t: int) -> None:
            fund_id = funds[t % len(funds)]
            try:
                barrier.wait()
                for draft in work[t]:

                    def post(uow: Any, draft: JournalDraft = draft) -> None:
                        with lock:
                            attempts[t] += 1
                        record_journal(uow, fund_id, draft, actor=ACTOR)
                        uow.commit()

                    run_in_transaction(db, post)
            except BaseException as error:  # reported below
                errors.append(error)

        workers = [threading.Thread(target=run, args=(t,)) for t in range(threads)]
        for worker in workers:
            worker.start()
        barrier.wait()
        started, cpu = time.perf_counter(), time.process_time()
        for worker in workers:
            worker.join()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        if errors:
            raise errors[0]
        total = threads * per_thread
        return {
            "threads": threads,
            "funds": len(funds),
            "journals": total,
            "seconds": elapsed,
            "journals_per_s": round(total / elapsed, 1),
            "ms_per_journal": round(1000 * elapsed / total, 3),
            "client_cpu_ms_per_journal": round(1000 * cpu / total, 3),
            "retries": sum(attempts.values()) - total,
        }
    finally:
        db.engine.dispose()


def pg_version(url: str) -> str:
    engine = make_engine(url, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            return str(conn.execute(text("SHOW server_version")).scalar())
    finally:
        engine.dispose()


# --- e: reads at 20 k and 2 M entries ----------------------------------------


def build_book(
    directory: Path, name: str, journals: int, *, batch: int, fast_build: bool, extra: int
) -> tuple[dict[str, Any], list[Tx]]:
    """A SQLite book of `journals` 2-line journals posted through `post_many`.

    Also returns `extra` further journals that can be posted into the book.
    """
    db, fund_id, path = new_sqlite_book(directory, name)
    if fast_build:
        # Bulk load only: no fsync per commit (runs after the library's own
        # connect hook, which set FULL). The reads below reopen with FULL.
        db.engine.dispose()
        db = Database.connect(f"sqlite:///{path}")

        @event.listens_for(db.engine, "connect")
        def _no_sync(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute("PRAGMA synchronous=OFF")

    txs = list(plan(journals + extra, start=BOOK_START, days=BOOK_DAYS, horizon=journals))
    txs, tail = txs[:journals], txs[journals:]
    started = time.perf_counter()
    last_report = started
    n = 0
    for chunk in chunks(txs, batch):
        drafts = []
        for tx in chunk:
            drafts.append(to_draft(tx, n))
            n += 1
        with db.uow() as uow:
            post_many(uow, fund_id, drafts, actor=ACTOR)
            uow.commit()
        now = time.perf_counter()
        if now - last_report > 60:
            rate = n / (now - started)
            print(
                f"  .. {name}: {n:,} journals in {now - started:,.0f} s ({rate:,.0f}/s)", flush=True
            )
            last_report = now
    seconds = time.perf_counter() - started
    db.engine.dispose()
    first_loan = next(tx[3] for tx in txs if tx[2] == LOAN)
    return {
        "name": name,
        "path": path,
        "fund_id": fund_id,
        "journals": journals,
        "entries": 2 * journals,
        "build_seconds": seconds,
        "build_journals_per_s": journals / seconds,
        "batch": batch,
        "synchronous_off_for_build": fast_build,
        "last_day": txs[-1][0],
        "loan": first_loan,
        "file_mb": round(
            sum(p.stat().st_size for p in path.parent.glob(f"{path.name}*")) / 2**20, 1
        ),
    }, tail


#: What-if indexes, created on the temporary book files only, cumulatively, to
#: show what the read and write figures would be with them (docs/PERFORMANCE.md).
#: Each is skipped when the schema already has an index leading with its columns.
WHAT_IFS = (
    ("idx_account_key", "account", ("fund_id", "code", "subkey")),
    ("idx_daily_covering", "account_daily_total", ("account_id", "day", "debit", "credit")),
)


def has_index(path: Path, table: str, columns: Sequence[str]) -> bool:
    """True when `table` is clustered on, or has an index leading with, `columns`."""
    conn = sqlite3.connect(path)
    try:
        ddl = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
        if "WITHOUT ROWID" in ddl.upper():
            return True  # the primary key is the table: its rows are clustered
        for index in conn.execute(f"PRAGMA index_list({table})").fetchall():
            names = [row[2] for row in conn.execute(f"PRAGMA index_info({index[1]})")]
            if tuple(names[: len(columns)]) == tuple(columns):
                return True
        return False
    finally:
        conn.close()


def apply_what_if(path: Path, name: str, table: str, columns: Sequence[str]) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.execute(f"CREATE INDEX bench_{name} ON {table} ({', '.join(columns)})")
    finally:
        conn.close()


READ_METRICS = (
    "balance_1001_as_of_ms",
    "balance_loan_as_of_ms",
    "balance_1001_current_ms",
    "trial_balance_as_of_ms",
    "raw_lookup_fund_code_subkey_ms",
    "raw_lookup_chart_subkey_ms",
    "raw_daily_sums_1001_ms",
)


def post_into(book: dict[str, Any], txs: Sequence[Tx], first_n: int) -> dict[str, Any]:
    """Post `txs` one per commit into a finished book (FULL sync, as in production)."""
    db = Database.connect(f"sqlite:///{book['path']}")
    try:
        with stopwatch() as spent:
            library_per_commit(db, book["fund_id"], txs, first_n=first_n)
    finally:
        db.engine.dispose()
    return rate(len(txs), *spent)


def library_plans(engine: Engine, raw: sqlite3.Connection, call: Callable[[], object]) -> str:
    """SQLite's plan for every SELECT the library runs in `call` (what it really asks)."""
    seen: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, params))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    return " || ".join(
        " | ".join(row[-1] for row in raw.execute(f"EXPLAIN QUERY PLAN {sql}", params))
        for sql, params in seen
    )


class ReadProbe:
    """The library's reads on one book, plus the raw queries behind them.

    Library calls run in one read session, as an API request would; each
    sample is one call. The raw sqlite3 queries isolate the two lookups a
    balance makes: the account row and the sum of its daily totals.
    """

    def __init__(self, book: dict[str, Any]) -> None:
        self.db = Database.connect(f"sqlite:///{book['path']}")
        self.uow = self.db.uow(readonly=True)
        session = self.uow.__enter__().session
        self.raw = sqlite3.connect(book["path"])
        fund_id, as_of = book["fund_id"], book["last_day"]
        special, loan = AccountRef(SPECIAL), AccountRef(LOAN, book["loan"])
        tb = trial_balance(session, fund_id, as_of=as_of)
        assert tb.totals.balanced, "trial balance does not balance"
        raw = self.raw
        special_id, loan_chart = raw.execute(
            "SELECT a.id, (SELECT id FROM chart_account WHERE fund_id = ? AND code = ?) "
            "FROM account a WHERE a.fund_id = ? AND a.code = ? AND a.subkey = ''",
            (fund_id, LOAN, fund_id, SPECIAL),
        ).fetchone()
        day = as_of.isoformat()
        by_fund = "SELECT id FROM account WHERE fund_id = ? AND code = ? AND subkey = ?"
        by_key = "SELECT id FROM account WHERE chart_id = ? AND subkey = ?"
        sums = (
            "SELECT coalesce(sum(debit), 0), coalesce(sum(credit), 0) FROM account_daily_total "
            "WHERE account_id = ? AND day <= ?"
        )
        self.calls: dict[str, Callable[[], object]] = {
            "balance_1001_as_of_ms": lambda: balance(session, fund_id, special, as_of=as_of),
            "balance_loan_as_of_ms": lambda: balance(session, fund_id, loan, as_of=as_of),
            "balance_1001_current_ms": lambda: balance(session, fund_id, special),
            "trial_balance_as_of_ms": lambda: trial_balance(session, fund_id, as_of=as_of),
            "raw_lookup_fund_code_subkey_ms": lambda: raw.execute(
                by_fund, (fund_id, LOAN, book["loan"])
            ).fetchall(),
            "raw_lookup_chart_subkey_ms": lambda: raw.execute(
                by_key, (loan_chart, book["loan"])
            ).fetchall(),
            "raw_daily_sums_1001_ms": lambda: raw.execute(sums, (special_id, day)).fetchall(),
        }
        self.samples: dict[str, list[float]] = {name: [] for name in self.calls}
        self.plan = library_plans(
            self.db.engine, raw, lambda: balance(session, fund_id, loan, as_of=as_of)
        )
        for call in self.calls.values():  # warm the caches
            for _ in range(3):
                call()

    def sample(self, reps: int) -> None:
        for name, call in self.calls.items():
            for _ in range(reps):
                started = time.perf_counter()
                call()
                self.samples[name].append(time.perf_counter() - started)

    def medians(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            name: round(statistics.median(times) * 1000, 4) for name, times in self.samples.items()
        }
        out["plans"] = self.plan
        return out

    def close(self) -> None:
        self.uow.__exit__(None, None, None)
        self.db.engine.dispose()
        self.raw.close()


def interleaved_reads(
    books: dict[str, dict[str, Any]], reps: int, rounds: int = 6
) -> dict[str, dict[str, Any]]:
    """Medians per book, sampled in alternating rounds so background load hits both alike."""
    probes = {label: ReadProbe(book) for label, book in books.items()}
    try:
        labels = list(probes)
        for index in range(rounds):
            for label in labels if index % 2 == 0 else labels[::-1]:
                probes[label].sample(max(1, reps // rounds))
        return {label: probe.medians() for label, probe in probes.items()}
    finally:
        for probe in probes.values():
            probe.close()


def book_counts(book: dict[str, Any]) -> dict[str, int]:
    conn = sqlite3.connect(book["path"])
    try:
        row = conn.execute(
            "SELECT (SELECT count(*) FROM account WHERE fund_id = ?), "
            "(SELECT count(*) FROM account_daily_total WHERE account_id = "
            " (SELECT id FROM account WHERE fund_id = ? AND code = ?)), "
            "(SELECT count(*) FROM account_daily_total), (SELECT count(*) FROM chart_daily_total)",
            (book["fund_id"], book["fund_id"], SPECIAL),
        ).fetchone()
    finally:
        conn.close()
    return dict(
        zip(("accounts", "days_1001", "account_day_rows", "chart_day_rows"), row, strict=True)
    )


def source_version() -> str:
    """The commit measured, marked dirty when ledger/ or migrations/ have local changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "ledger", "migrations"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head}{' + local changes' if dirty else ''}"


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
    }
    try:
        cpu = Path("/proc/cpuinfo").read_text()
        info["cpu"] = next(
            line.split(":", 1)[1].strip()
            for line in cpu.splitlines()
            if line.startswith("model name")
        )
        mem = Path("/proc/meminfo").read_text().split("\n", 1)[0]
        info["memory_gib"] = round(int(mem.split()[1]) / 2**20, 1)
    except (OSError, StopIteration):
        pass
    return info


def rate(journals: int, seconds: float, cpu_seconds: float | None = None) -> dict[str, Any]:
    out = {
        "journals": journals,
        "seconds": round(seconds, 3),
        "journals_per_s": round(journals / seconds, 1),
        "ms_per_journal": round(1000 * seconds / journals, 3),
    }
    if cpu_seconds is not None:
        out["cpu_ms_per_journal"] = round(1000 * cpu_seconds / journals, 3)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument("--pg", default=DEFAULT_PG, help="PostgreSQL URL (default: %(default)s)")
    parser.add_argument("--no-pg", action="store_true", help="skip the PostgreSQL figures")
    parser.add_argument(
        "--big",
        type=int,
        default=None,
        help="journals in the large book (default 1,000,000; --quick 100,000)",
    )
    parser.add_argument(
        "--build-batch",
        type=int,
        default=BATCH,
        help="post_many batch size for building the large book",
    )
    parser.add_argument(
        "--fast-build",
        action="store_true",
        help="build the large book with synchronous=OFF (default: FULL, as in production)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--tmp", type=Path, default=None, help="directory for the SQLite files")
    args = parser.parse_args(argv)

    quick = args.quick
    per_commit_n = 300 if quick else 2_000
    batched_n = 10 * BATCH if quick else 50 * BATCH
    pg_n = 200 if quick else 1_000
    small_n = 10_000  # 20 k entries
    big_n = args.big or (100_000 if quick else 1_000_000)
    reps = 51 if quick else 201
    into_book_n = 100 if quick else 500

    results: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": quick,
        "machine": machine(),
        "source": source_version(),
    }
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ledger-bench-", dir=args.tmp) as tmp:
        directory = Path(tmp)
        print(f"SQLite files in {directory}", flush=True)

        # a + c (per commit), b + c (batched): fresh files, identical plans.
        results["load_average_before"] = os.getloadavg()
        for key, n, rounds, lib_post, floor_post in (
            ("per_commit", per_commit_n, 4, library_per_commit, floor_per_commit),
            ("batched", batched_n, 5, library_batched, floor_batched),
        ):
            txs = list(plan(n + WARMUP, start=date(2026, 1, 1), days=90))
            db, lib_fund, lib_path = new_sqlite_book(directory, f"lib_{key}")
            raw_db, raw_fund, raw_path = new_sqlite_book(directory, f"raw_{key}")
            raw_db.engine.dispose()
            floor = RawFloor(raw_path, raw_fund)
            try:
                raced = race(
                    lambda part, first, post=lib_post, db=db, fund=lib_fund: post(
                        db, fund, part, first
                    ),
                    lambda part, first, post=floor_post, floor=floor: post(floor, part, first),
                    txs,
                    warmup=WARMUP,
                    rounds=rounds,
                )
            finally:
                floor.close()
                db.engine.dispose()
            check_same_book([lib_path, raw_path])
            results[f"sqlite_library_{key}"] = raced["library"]
            results[f"sqlite_raw_{key}"] = raced["floor"]
            print(
                f"a/b/c {key}: library {raced['library']['journals_per_s']:,.0f} journals/s, "
                f"raw floor {raced['floor']['journals_per_s']:,.0f} journals/s",
                flush=True,
            )
        results["books_identical"] = True

        # d. PostgreSQL.
        if args.no_pg:
            results["postgresql"] = {"skipped": "--no-pg"}
        else:
            try:
                version = pg_version(args.pg)
            except Exception as error:  # any failure to connect means "unreachable"
                results["postgresql"] = {
                    "skipped": f"unreachable: {type(error).__name__}: "
                    f"{str(error).splitlines()[0][:200]}"
                }
                print(f"d. PostgreSQL skipped: {results['postgresql']['skipped']}", flush=True)
            else:
                results["machine"]["postgresql"] = version
                pg: dict[str, Any] = {"url": make_url(args.pg).render_as_string()}
                with pg_schema(args.pg) as url:
                    engine = make_engine(url)
                    migrate(engine)
                    engine.dispose()
                    for key, threads, spread in (
                        ("1_thread", 1, False),
                        ("8_threads_1_fund", 8, False),
                        ("8_threads_8_funds", 8, True),
                    ):
                        pg[key] = pg_threads(url, threads, pg_n // threads, spread_funds=spread)
                        print(
                            f"d. PostgreSQL {key}: {pg[key]['journals_per_s']:10,.0f} "
                            f"journals/s ({pg[key]['retries']} retries)",
                            flush=True,
                        )
                results["postgresql"] = pg

        # e. Reads at 20 k and at 2 M entries, then writes into those books.
        books: dict[str, dict[str, Any]] = {}
        tails: dict[str, list[Tx]] = {}
        for label, n, fast in (("small", small_n, False), ("big", big_n, args.fast_build)):
            print(f"e. building the {label} book: {n:,} journals ({2 * n:,} entries)", flush=True)
            books[label], tails[label] = build_book(
                directory,
                f"book_{label}",
                n,
                batch=args.build_batch,
                fast_build=fast,
                extra=(len(WHAT_IFS) + 1) * into_book_n,
            )
            books[label].update(book_counts(books[label]))
            print(
                f"   built in {books[label]['build_seconds']:,.1f} s "
                f"({books[label]['build_journals_per_s']:,.0f} journals/s, "
                f"{books[label]['file_mb']} MiB)",
                flush=True,
            )
        steps = ["base"]
        for name, table, columns in WHAT_IFS:
            if all(has_index(book["path"], table, columns) for book in books.values()):
                results.setdefault("what_ifs_already_in_schema", []).append(name)
            else:
                steps.append(name)
        for step, name in enumerate(steps):
            if name != "base":  # temporary files only: never the project's schema
                _, table, columns = next(w for w in WHAT_IFS if w[0] == name)
                for book in books.values():
                    apply_what_if(book["path"], name, table, columns)
            for label, medians in interleaved_reads(books, reps).items():
                books[label].setdefault("reads", {})[name] = medians
            for label, book in books.items():
                part = tails[label][step * into_book_n : (step + 1) * into_book_n]
                first = book["journals"] + step * into_book_n
                book.setdefault("library_per_commit_into_book", {})[name] = post_into(
                    book, part, first
                )
            print(
                f"   reads ({name}): balance(1001, as_of) "
                + ", ".join(
                    f"{lb} {b['reads'][name]['balance_1001_as_of_ms']:.3f} ms"
                    for lb, b in books.items()
                )
                + "; trial balance "
                + ", ".join(
                    f"{lb} {b['reads'][name]['trial_balance_as_of_ms']:.3f} ms"
                    for lb, b in books.items()
                ),
                flush=True,
            )
        results["what_if_steps"] = steps
        for book in books.values():
            book["path"] = str(book["path"])
            book["last_day"] = book["last_day"].isoformat()
        results["reads"] = books

    results["load_average_after"] = os.getloadavg()
    results["total_seconds"] = round(time.perf_counter() - started, 1)
    results["targets"] = targets(results)
    report(results)
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = args.out / f"ledger_throughput-{'quick-' if quick else ''}{stamp}.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n")
    print(f"\nJSON: {out}")
    return 0 if all(t["pass"] for t in results["targets"]) else 1


def targets(r: dict[str, Any]) -> list[dict[str, Any]]:
    def per_s(key: str) -> float:
        return r[key]["journals_per_s"]

    small, big = r["reads"]["small"]["reads"]["base"], r["reads"]["big"]["reads"]["base"]
    size = f"{r['reads']['big']['entries'] / 1e6:g} M"
    rows = [
        (
            "library / raw floor, 1 journal per commit",
            ">= 0.50",
            per_s("sqlite_library_per_commit") / per_s("sqlite_raw_per_commit"),
            0.5,
            True,
        ),
        (
            f"library / raw floor, {BATCH} per commit",
            ">= 0.30",
            per_s("sqlite_library_batched") / per_s("sqlite_raw_batched"),
            0.3,
            True,
        ),
        (
            f"balance(1001, as_of): {size} / 20 k entries",
            "<= 1.50",
            big["balance_1001_as_of_ms"] / small["balance_1001_as_of_ms"],
            1.5,
            False,
        ),
        (
            f"balance(loan, as_of): {size} / 20 k entries",
            "<= 1.50",
            big["balance_loan_as_of_ms"] / small["balance_loan_as_of_ms"],
            1.5,
            False,
        ),
        (
            f"trial_balance(as_of) at {size} entries, ms",
            "<= 50",
            big["trial_balance_as_of_ms"],
            50.0,
            False,
        ),
    ]
    return [
        {
            "target": name,
            "want": want,
            "got": round(got, 3),
            "pass": got >= limit if at_least else got <= limit,
        }
        for name, want, got, limit, at_least in rows
    ]


def report(r: dict[str, Any]) -> None:
    m = r["machine"]
    print(f"\n== ledger throughput ({'quick' if r['quick'] else 'full'} run, {r['date']}) ==")
    print(
        f"machine: {m.get('nproc')} CPU {m.get('cpu', '?')}, {m.get('memory_gib', '?')} GiB; "
        f"Python {m['python']}, SQLite {m['sqlite']}, PostgreSQL {m.get('postgresql', '-')}"
    )
    print(f"source: {r['source']}")
    print(
        "load average before / after: "
        + " / ".join(
            ", ".join(f"{x:.2f}" for x in r[k])
            for k in ("load_average_before", "load_average_after")
        )
    )
    head = f"{'journals':>9} {'seconds':>8} {'journals/s':>11} {'ms/journal':>11} {'cpu ms':>8}"
    print(f"\n{'writes (2-line journals)':56} {head}")

    def line(label: str, row: dict[str, Any], extra: str = "") -> None:
        cpu = row.get("cpu_ms_per_journal", row.get("client_cpu_ms_per_journal"))
        print(
            f"{label:56} {row['journals']:9,} {row['seconds']:8.2f} "
            f"{row['journals_per_s']:11,.0f} {row['ms_per_journal']:11.3f} "
            f"{cpu if cpu is not None else '-':>8}{extra}"
        )

    for label, key in (
        ("SQLite library, 1 per commit", "sqlite_library_per_commit"),
        ("SQLite raw floor, 1 per commit", "sqlite_raw_per_commit"),
        (f"SQLite library, {BATCH} per commit (post_many)", "sqlite_library_batched"),
        (f"SQLite raw floor, {BATCH} per commit (executemany)", "sqlite_raw_batched"),
    ):
        line(label, r[key])
    books = r["reads"]
    for book in books.values():
        into = book["library_per_commit_into_book"]
        line(
            f"SQLite library, 1 per commit, into {book['entries']:,}-entry book",
            into["base"],
            f"  ({book['accounts']:,} accounts)",
        )
        for name in r["what_if_steps"][1:]:
            line(f"  same, what-if + {name}", into[name])
    pg = r["postgresql"]
    if "skipped" in pg:
        print(f"{'PostgreSQL':56} skipped: {pg['skipped']}")
    else:
        for key, label in (
            ("1_thread", "PostgreSQL library, 1 thread"),
            ("8_threads_1_fund", "PostgreSQL library, 8 threads, 1 fund"),
            ("8_threads_8_funds", "PostgreSQL library, 8 threads, 8 funds"),
        ):
            line(label, pg[key], f"  retries {pg[key]['retries']}")

    small, big = books["small"], books["big"]
    print(
        f"\n{'reads (median ms, SQLite)':56} {small['entries']:>11,} {big['entries']:>11,} "
        f"{'ratio':>7}"
    )
    for name in r["what_if_steps"]:
        if name != "base":
            print(f"what-if + {name} (temporary files only, cumulative):")
        for key in READ_METRICS:
            a, b = small["reads"][name][key], big["reads"][name][key]
            label = key.removesuffix("_ms").replace("_", " ")
            print(f"  {label:54} {a:11.3f} {b:11.3f} {b / a:7.2f}")
    for label, key in (
        ("accounts in the fund", "accounts"),
        ("daily-total rows of 1001", "days_1001"),
        ("account daily-total rows", "account_day_rows"),
        ("chart daily-total rows", "chart_day_rows"),
    ):
        print(f"{label:56} {small[key]:11,} {big[key]:11,}")
    print(
        f"big book built in {big['build_seconds']:,.1f} s ({big['build_journals_per_s']:,.0f} "
        f"journals/s, post_many batch {big['batch']}, synchronous="
        f"{'OFF' if big['synchronous_off_for_build'] else 'FULL'} during the build), "
        f"{big['file_mb']:,} MiB"
    )
    for name in r["what_if_steps"]:
        print(f"plans of balance(loan, as_of) ({name}): {big['reads'][name]['plans']}")
    if r.get("what_ifs_already_in_schema"):
        print(f"what-ifs already in the schema: {', '.join(r['what_ifs_already_in_schema'])}")
    print(f"\n{'target':56} {'want':>8} {'got':>9}")
    for t in r["targets"]:
        print(f"{t['target']:56} {t['want']:>8} {t['got']:9.3f}  {'PASS' if t['pass'] else 'MISS'}")
    print(f"\ntotal {r['total_seconds']:,.0f} s")


if __name__ == "__main__":
    sys.exit(main())
