"""A restore to a point in time brings back the book exactly as it stood then.

Issue 19's backup proof, with the operator's procedure of ``deploy/``
(``archive.py``): a scratch primary archives its WAL with pgBackRest; the
schema is migrated and loans are disbursed through the services
(``prepare_book``); gunicorn serves the ledger and a clerk posts repayments
through the API (each a journal and an audit record); the nightly backup
(``deploy/backup.sh``) is taken between them, so that some of the book is
only in the WAL archive; the moment T is noted with the book as it stands
(trial balance, vouchers, audit chain heads); more repayments are posted
after T. The primary is then stopped and the backup restored into a new
data directory up to T (``recovery_target_time``, promote), and the restored
book must be the book at T: the same trial balance, the same vouchers (none
posted after T), every audit chain verifying with the heads it had at T,
and every voucher sequence gapless (``book_problems``); and the check the
operator runs (``audit-verify``, ``trial-balance``) prints what it printed
at T.

It runs in the PostgreSQL run of ``make test``, and alone with ``pytest -m
pitr`` (``selection.py``). A missing pgbackrest fails it.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from ledger.audit import verify_all
from ledger.db import Database
from ledger.models import Journal
from ledger.read.books import TrialBalance, trial_balance
from tests.ha.archive import Archive, Postgres, archived_primary
from tests.ha.selection import skip_unless_postgresql_run
from tests.ledger.crash_child import book_problems
from tests.server.harness import ROOT, Clerk, Server, log_in, prepare_book

pytestmark = [pytest.mark.pitr, pytest.mark.slow]

SEED = 20190419


@dataclass(frozen=True)
class Book:
    """What must come back from a restore: the fund's figures and vouchers, the audit heads."""

    trial_balance: TrialBalance
    vouchers: frozenset[str]
    audit_heads: dict[str, tuple[int, str]]


def book_of(url: str, fund_id: int) -> Book:
    """The book on the server at `url`; every audit chain must verify."""
    database = Database.connect(url)
    try:
        with database.read() as session:
            chains = verify_all(session)
            assert all(chain.ok for chain in chains), chains
            vouchers = session.scalars(select(Journal.voucher_no).where(Journal.fund_id == fund_id))
            return Book(
                trial_balance(session, fund_id),
                frozenset(vouchers),
                {chain.chain: (chain.head_seq, chain.head_hash) for chain in chains},
            )
    finally:
        database.engine.dispose()


@pytest.fixture
def archive(request: pytest.FixtureRequest) -> Iterator[Archive]:
    skip_unless_postgresql_run(request, "pitr")
    with archived_primary() as built:
        yield built


def test_a_restore_to_a_moment_brings_back_the_book_as_it_stood(archive: Archive, tmp_path: Path):
    primary = archive.primary
    book = prepare_book(primary.url, loans=2, clerks=1)
    server = Server(primary.url, tmp_path / "gunicorn.log", workers=1)
    with server.running():
        clerk = Clerk(log_in(server.port, book.clerks[0]), book, random.Random(SEED))

        def repay(times: int) -> list[str]:
            """Post repayments through the API (journal, audit record, stored answer each)."""
            for _ in range(times):
                clerk.repay()
            assert clerk.tally.problems == [] and clerk.tally.unresolved == 0, clerk.tally
            return clerk.tally.acknowledged[-times:]

        before_backup = repay(3)
        report = archive.backup()
        assert "status: ok" in report, report  # `pgbackrest info` after the backup
        # A restore takes the newest backup that stopped before its target, and
        # pgBackRest records the stop time in whole seconds: T must be a second on.
        time.sleep(1.0)
        only_in_wal = repay(3)
        at_t = book_of(primary.url, book.fund_id)
        checked_at_t = operator_check(primary.url)
        moment = server_clock(primary)
        after_t = repay(3)
    latest = book_of(primary.url, book.fund_id)
    # Not vacuous: the book moved on after T, and its audit chains with it.
    assert latest.vouchers - at_t.vouchers == set(after_t)
    assert latest.trial_balance != at_t.trial_balance
    assert latest.audit_heads != at_t.audit_heads
    archive.archive_written_wal()
    archive.stop(primary)  # the book after T is lost; T is what is wanted back

    restored = archive.restore(moment)

    back = book_of(restored.url, book.fund_id)  # every audit chain verifies
    assert back.trial_balance == at_t.trial_balance
    assert back.vouchers == at_t.vouchers
    assert back.vouchers >= {*before_backup, *only_in_wal}
    assert not back.vouchers & set(after_t)
    assert back.audit_heads == at_t.audit_heads
    # deploy/README.md's commands print the same chains, heads and totals as at T.
    assert operator_check(restored.url) == checked_at_t
    database = Database.connect(restored.url)
    try:
        with database.read() as session:
            # Balanced journals, totals equal to entries, each month's vouchers 1..N.
            assert book_problems(session, book.fund_id, at_t.vouchers) == []
    finally:
        database.engine.dispose()


def operator_check(url: str) -> str:
    """What `flask --app wsgi audit-verify` and `trial-balance` print; both must exit 0."""
    printed = []
    for command in ("audit-verify", "trial-balance"):
        done = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", command],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": url},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        printed.append(done.stdout)
    return "".join(printed)


def server_clock(server: Postgres) -> str:
    """The server's time now, as recovery_target_time takes it; commits after it come later."""
    with server.connect() as conn:
        (now,) = conn.execute("SELECT clock_timestamp()::text").fetchone()  # type: ignore[misc]
    return str(now)
