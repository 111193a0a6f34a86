"""The kill -9 crash test: a child that posts until killed, and the parent's checks.

SPEC §11: "a crash (kill -9) at any moment loses no acknowledged journal and
leaves no half-written one". Run as a script, this module is the child::

    python tests/ledger/crash_child.py sqlite:///book.db FUND_ID SEED

It waits for ``go`` on stdin (so the parent can start it, and pay for the
imports, while it is still checking the previous round), connects, prints
``ready`` and then posts journals for ever: single postings, small batches
through `post_many`, multi-line journals, and transfers between guarded asset
accounts, some of which are refused for want of money. Each voucher is printed
(and flushed) only after its commit returned, which is what "acknowledged"
means here.

Imported, it is the parent side shared by ``tests/ledger/test_crash.py`` and
``bench/crash_soak.py``: `prepare_book`, `Child`, `soak`, and the checks
`sqlite_problems` and `book_problems` (the latter also used by
``tests/ledger/test_concurrency.py``). The child imports only what posting
needs; the test helpers (pytest, Alembic) are imported by the parent alone,
inside `prepare_book`.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, case, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from ledger.actors import Actor
from ledger.db import Database, UnitOfWork, make_engine, run_in_transaction
from ledger.errors import InsufficientBalance
from ledger.models import (
    Account,
    AccountDailyTotal,
    ChartDailyTotal,
    Entry,
    Journal,
    VoucherCounter,
)
from ledger.posting import AccountRef, JournalDraft, credit, debit, journal
from ledger.read.books import balance_mismatches, trial_balance
from ledger.services.journals import post_many, voucher_number
from tests.factories import committing

ROOT = Path(__file__).resolve().parents[2]
ACTOR = "crash-child"
SPECIAL = AccountRef("1001")
CAPITAL = AccountRef("3001", "county")
GUARDED = (SPECIAL, AccountRef("1011", "A"), AccountRef("1011", "B"), AccountRef("1011", "C"))
#: The child dates its journals across these months, so several voucher series grow.
MONTHS = ((2007, 4), (2007, 5), (2007, 6))
VOUCHER = re.compile(r"记-\d{4}-\d{2}-\d{4,}")
ZERO = Decimal("0.00")


# --- the child ------------------------------------------------------------


def _amount(rng: random.Random, low_fen: int, high_fen: int) -> str:
    fen = rng.randint(low_fen, high_fen)
    return f"{fen // 100}.{fen % 100:02d}"


def _day(rng: random.Random) -> date:
    year, month = rng.choice(MONTHS)
    return date(year, month, rng.randint(1, 28))


def random_draft(rng: random.Random) -> JournalDraft:
    """An appropriation, a transfer between guarded accounts, or a split allocation."""
    on = _day(rng)
    roll = rng.random()
    if roll < 0.25:
        amount = _amount(rng, 10_000, 500_000)
        return journal(
            on, "appropriation", f"拨入 {amount}", [debit(SPECIAL, amount), credit(CAPITAL, amount)]
        )
    if roll < 0.85:
        # Up to 3000 yuan: now and then more than the source holds, and refused.
        source, target = rng.sample(GUARDED, 2)
        amount = _amount(rng, 1, 300_000)
        return journal(
            on,
            "transfer",
            f"{source} -> {target} {amount}",
            [debit(target, amount), credit(source, amount)],
        )
    # Three or four lines: one credit split over several townships.
    targets = rng.sample(GUARDED[1:], rng.randint(2, 3))
    amounts = [_amount(rng, 1, 20_000) for _ in targets]
    total = sum((Decimal(a) for a in amounts), ZERO)
    return journal(
        on,
        "allocation",
        f"拨付乡镇 {total}",
        [
            *(debit(t, a) for t, a in zip(targets, amounts, strict=True)),
            credit(SPECIAL, str(total)),
        ],
    )


def _post_and_commit(fund_id: int, drafts: Sequence[JournalDraft], uow: UnitOfWork) -> list[str]:
    posted = post_many(uow, fund_id, drafts, actor=ACTOR)
    uow.commit()
    return [p.voucher for p in posted]


def child_main(argv: Sequence[str]) -> int:
    """Post journals into `argv[0]` for fund `argv[1]` (seed `argv[2]`) until killed."""
    url, fund_id, seed = argv[0], int(argv[1]), int(argv[2])
    rng = random.Random(seed)
    if sys.stdin.readline().strip() != "go":
        return 2
    db = Database.connect(url)
    with db.read() as session:
        # Open a connection now (SQLite recovers the WAL here) so posting starts at once.
        session.execute(text("SELECT 1")).all()
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    while True:
        # Mostly single postings; every third one a batch of 2-5 in one transaction.
        count = 1 if rng.random() < 0.67 else rng.randint(2, 5)
        drafts = [random_draft(rng) for _ in range(count)]
        try:
            vouchers = run_in_transaction(db, partial(_post_and_commit, fund_id, drafts))
        except InsufficientBalance:
            continue
        # Only now, after commit() returned, is the journal acknowledged.
        sys.stdout.write("".join(f"{v}\n" for v in vouchers))
        sys.stdout.flush()


# --- checks ---------------------------------------------------------------


def _side_sums(amount: object) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    """SUM of the debit and of the credit amounts of `Entry` rows (Decimal, 0 over none)."""
    debits, credits = (
        func.coalesce(func.sum(case((Entry.side == side, amount), else_=0)), 0)
        for side in ("D", "C")
    )
    return debits, credits


def book_problems(session: Session, fund_id: int, acknowledged: Iterable[str] = ()) -> list[str]:
    """Everything wrong with one fund's book, as sentences (an empty list: all is well).

    Each journal has two or more entries, a debit and a credit, and balances;
    running and daily totals equal the entries; the trial balance balances; no
    guarded account is below zero; each month's vouchers are 1..N without gap
    or repeat, N is the month's counter; and every acknowledged voucher is there.
    """
    problems: list[str] = []
    debits, credits = _side_sums(Entry.amount)
    debit_lines, credit_lines = _side_sums(1)
    bad_journals = session.execute(
        select(Journal.voucher_no, func.count(Entry.id), debits, credits)
        .outerjoin(Entry, Entry.journal_id == Journal.id)
        .where(Journal.fund_id == fund_id)
        .group_by(Journal.id, Journal.voucher_no)
        .having(
            (func.count(Entry.id) < 2)
            | (debits != credits)
            | (debit_lines == 0)
            | (credit_lines == 0)
        )
    ).all()
    problems.extend(
        f"journal {voucher} has {lines} entries, debits {d}, credits {c}"
        for voucher, lines, d, c in bad_journals
    )

    problems.extend(
        f"running totals differ from entries: {m}" for m in balance_mismatches(session, fund_id)
    )
    problems.extend(_daily_total_problems(session, fund_id))

    totals = trial_balance(session, fund_id).totals
    if not totals.balanced or totals.debit != totals.credit:
        problems.append(f"trial balance does not balance: {totals}")

    negative = session.execute(
        select(Account.code, Account.subkey, Account.debit_total, Account.credit_total).where(
            Account.fund_id == fund_id,
            Account.guard_nonnegative.is_(True),
            Account.debit_total < Account.credit_total,
        )
    ).all()
    problems.extend(
        f"guarded account {AccountRef(code, key)} is below zero: {d} - {c}"
        for code, key, d, c in negative
    )

    problems.extend(voucher_problems(session, fund_id))

    present = set(session.scalars(select(Journal.voucher_no).where(Journal.fund_id == fund_id)))
    missing = sorted(set(acknowledged) - present)
    if missing:
        problems.append(f"{len(missing)} acknowledged vouchers are missing: {missing[:10]}")
    return problems


def _daily_total_problems(session: Session, fund_id: int) -> list[str]:
    """Per-account and per-chart daily totals (what as-of reads sum) must equal the entries."""
    debits, credits = _side_sums(Entry.amount)
    from_entries = session.execute(
        select(Entry.account_id, Account.chart_id, debits, credits)
        .join(Account, Account.id == Entry.account_id)
        .where(Account.fund_id == fund_id)
        .group_by(Entry.account_id, Account.chart_id)
    ).all()
    want_account = {account_id: (d, c) for account_id, _, d, c in from_entries}
    want_chart: dict[int, tuple[Decimal, Decimal]] = {}
    for _, chart_id, d, c in from_entries:
        old_d, old_c = want_chart.get(chart_id, (ZERO, ZERO))
        want_chart[chart_id] = (old_d + d, old_c + c)

    fund_charts = select(Account.chart_id).where(Account.fund_id == fund_id)
    problems = []
    for what, model, key, want in (
        ("account", AccountDailyTotal, "account_id", want_account),
        ("chart", ChartDailyTotal, "chart_id", want_chart),
    ):
        days = model.__table__.c
        scope = (
            days.account_id.in_(select(Account.id).where(Account.fund_id == fund_id))
            if key == "account_id"
            else days.chart_id.in_(fund_charts)
        )
        got = {
            row[0]: (row[1], row[2])
            for row in session.execute(
                select(days[key], func.sum(days.debit), func.sum(days.credit))
                .where(scope)
                .group_by(days[key])
            )
        }
        for ident in want.keys() | got.keys():
            expected, found = want.get(ident, (ZERO, ZERO)), got.get(ident, (ZERO, ZERO))
            if expected != found:
                problems.append(f"{what} #{ident}: daily totals {found} != entries {expected}")
    return problems


def voucher_seqs(session: Session, fund_id: int) -> dict[str, list[int]]:
    """Each month's voucher sequence numbers, in order."""
    seqs: dict[str, list[int]] = defaultdict(list)
    for period, seq in session.execute(
        select(Journal.period, Journal.seq)
        .where(Journal.fund_id == fund_id)
        .order_by(Journal.period, Journal.seq)
    ):
        seqs[period].append(seq)
    return dict(seqs)


def voucher_problems(session: Session, fund_id: int) -> list[str]:
    """Vouchers are 记-YYYY-MM-NNNN of their business month, 1..N per month, N = counter."""
    problems = []
    for voucher, period, seq, posted_on in session.execute(
        select(Journal.voucher_no, Journal.period, Journal.seq, Journal.posted_on).where(
            Journal.fund_id == fund_id
        )
    ):
        if period != f"{posted_on:%Y-%m}" or voucher != voucher_number(posted_on, seq):
            problems.append(f"voucher {voucher} (period {period}, seq {seq}) dated {posted_on}")
    counters = dict(
        session.execute(
            select(VoucherCounter.period, VoucherCounter.last_seq).where(
                VoucherCounter.fund_id == fund_id
            )
        ).all()
    )
    seqs = voucher_seqs(session, fund_id)
    for period in sorted(seqs.keys() | counters.keys()):
        numbers = seqs.get(period, [])
        if numbers != list(range(1, len(numbers) + 1)):
            gaps = sorted(set(range(1, max(numbers) + 1)) - set(numbers))
            repeats = sorted({n for n in numbers if numbers.count(n) > 1})
            problems.append(
                f"{period}: vouchers are not 1..N (missing {gaps[:10]}, repeated {repeats[:10]})"
            )
        if counters.get(period, 0) != len(numbers):
            problems.append(
                f"{period}: counter says {counters.get(period)}, "
                f"the book has {len(numbers)} vouchers"
            )
    return problems


def sqlite_problems(session: Session) -> list[str]:
    """`PRAGMA integrity_check`, which answers ``ok`` for a sound file."""
    result = session.execute(text("PRAGMA integrity_check")).scalars().all()
    return [] if result == ["ok"] else [f"integrity_check: {result[:10]}"]


def check_book_file(url: str, fund_id: int, acknowledged: Iterable[str]) -> tuple[list[str], int]:
    """Open the file afresh, as a restarted server would, and run every check.

    Returns the problems found and the number of journals in the book.
    """
    engine = make_engine(url)
    try:
        db = Database(engine, sessionmaker(engine, expire_on_commit=False))
        with db.read() as session:
            problems = sqlite_problems(session) + book_problems(session, fund_id, acknowledged)
            journals = session.scalar(
                select(func.count()).select_from(Journal).where(Journal.fund_id == fund_id)
            )
            return problems, journals or 0
    finally:
        engine.dispose()


# --- the parent -----------------------------------------------------------


def prepare_book(path: Path) -> tuple[str, int]:
    """Migrate a new SQLite file and open a fund in it; returns (url, fund id)."""
    # Imported here, not at the top, so the child never pays for pytest and Alembic.
    from ledger.services.funds import open_fund
    from tests.conftest import migrate

    url = f"sqlite:///{path}"
    engine = make_engine(url)
    try:
        migrate(engine)
        db = Database(engine, sessionmaker(engine, expire_on_commit=False))
        with committing(db) as uow:
            fund = open_fund(
                uow,
                actor=Actor(ACTOR, "admin"),
                code="CRASH",
                name="崩溃测试周转金",
                opened_on=date(2007, 1, 1),
            )
        return url, fund.id
    finally:
        engine.dispose()


class ChildDied(RuntimeError):
    """The child exited on its own instead of being killed: its stderr says why."""


class Child:
    """One child process: started (it imports, then waits), told to go, killed with SIGKILL."""

    def __init__(self, url: str, fund_id: int, seed: int) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        env["PYTHONIOENCODING"] = "utf-8"
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), url, str(fund_id), str(seed)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            encoding="utf-8",
        )
        self.stderr = ""
        self.ready_at = 0.0
        self.closed = False

    def go(self) -> None:
        """Tell it to start and wait until it is connected and about to post."""
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()
        if self.proc.stdout.readline() != "ready\n":
            self._died()
        self.ready_at = time.monotonic()

    def kill_after(self, delay: float) -> list[str]:
        """kill -9 it `delay` seconds after it was ready; the vouchers it acknowledged."""
        assert self.proc.stdout
        time.sleep(max(0.0, self.ready_at + delay - time.monotonic()))
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        if self.proc.returncode != -signal.SIGKILL:
            self._died()
        # The child is gone, so this read ends. A last line cut short (it cannot
        # be: each flush is one small pipe write) would fail the pattern and count
        # as unacknowledged, which is what it would be.
        out = self.proc.stdout.read()
        return [line for line in out.split("\n") if VOUCHER.fullmatch(line)]

    def _died(self) -> None:
        self.close()
        raise ChildDied(f"child exited with {self.proc.returncode}:\n{self.stderr}")

    def close(self) -> None:
        """Kill it if still running, reap it and close its pipes (keeping stderr)."""
        if self.closed:
            return
        self.closed = True
        if self.proc.poll() is None:
            self.proc.kill()
        self.stderr = self.proc.stderr.read() if self.proc.stderr else ""
        with self.proc:  # Popen.__exit__ closes the pipes and waits.
            pass


@dataclass
class SoakResult:
    rounds: int = 0
    acknowledged: list[str] = field(default_factory=list)
    journals: int = 0
    #: The first round whose checks failed, and what they found.
    failed_round: int | None = None
    problems: list[str] = field(default_factory=list)
    delays: list[float] = field(default_factory=list)
    elapsed: float = 0.0


def soak(
    path: Path,
    *,
    kills: int,
    seed: int,
    min_delay: float = 0.05,
    max_delay: float = 0.6,
    progress: Callable[[int, int, int], None] | None = None,
) -> SoakResult:
    """Kill a posting child `kills` times on one growing SQLite file, checking after each.

    Stops at the first round whose checks fail. Each child is started a round
    early and waits for ``go``, so its imports overlap the previous round.
    `progress(round, acknowledged_this_round, journals_in_book)` is called per round.
    """
    started = time.perf_counter()
    url, fund_id = prepare_book(path)
    rng = random.Random(seed)
    result = SoakResult()
    # While one child posts, the next is already paying for its imports.
    child, spare = None, Child(url, fund_id, rng.randrange(2**32))
    try:
        for round_no in range(1, kills + 1):
            child, spare = spare, None
            child.go()
            if round_no < kills:
                spare = Child(url, fund_id, rng.randrange(2**32))
            delay = rng.uniform(min_delay, max_delay)
            vouchers = child.kill_after(delay)
            child.close()
            result.rounds = round_no
            result.delays.append(delay)
            result.acknowledged.extend(vouchers)
            problems, result.journals = check_book_file(url, fund_id, result.acknowledged)
            if progress is not None:
                progress(round_no, len(vouchers), result.journals)
            if problems:
                result.failed_round, result.problems = round_no, problems
                break
    finally:
        for leftover in (child, spare):
            if leftover is not None:
                leftover.close()
        result.elapsed = time.perf_counter() - started
    return result


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1:]))
