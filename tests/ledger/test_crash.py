"""kill -9 at any moment loses no acknowledged journal and leaves no half-written one.

SPEC §11 defines this on SQLite (WAL, ``synchronous=FULL``): a child process
posts journals and prints each voucher after its commit returned; it is killed
with SIGKILL at random moments, again and again, on one growing file. After
every kill the file passes ``PRAGMA integrity_check`` and the book is whole
(see `book_problems` in ``crash_child.py``, shared with ``bench/crash_soak.py``,
which runs the same thing for hundreds of kills).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import insert, select
from sqlalchemy.engine import make_url

from ledger.models import Account, Entry, Journal
from tests.factories import appropriate, make_fund
from tests.ledger.crash_child import book_problems, soak

pytestmark = pytest.mark.slow

KILLS = 20
SEED = 20070401


@pytest.fixture
def sqlite_only(database_url: str) -> None:
    if make_url(database_url).get_backend_name() != "sqlite":
        pytest.skip(
            "the crash test is defined on SQLite (SPEC §11: synchronous=FULL); "
            "PostgreSQL durability is the server's own"
        )


@pytest.mark.usefixtures("sqlite_only")
def test_kill_9_loses_no_acknowledged_journal(tmp_path: Path):
    result = soak(tmp_path / "crash.db", kills=KILLS, seed=SEED)

    assert result.problems == [], (
        f"after kill {result.failed_round} of {KILLS} (seed {SEED}, "
        f"delays {[round(d, 3) for d in result.delays]}):\n" + "\n".join(result.problems)
    )
    assert result.rounds == KILLS
    # Not vacuous: the children really posted, and the book kept all of it.
    assert len(result.acknowledged) >= KILLS
    assert len(set(result.acknowledged)) == len(result.acknowledged)
    assert result.journals >= len(result.acknowledged)


def test_the_checks_notice_a_broken_book(db):
    """The checks are not vacuous: a journal written behind the ledger's back is caught."""
    fund = make_fund(db)
    appropriate(db, fund, "100.00")  # 记-2007-04-0001
    with db.uow() as uow:  # never committed; the test's outer transaction is rolled back
        session = uow.session
        special = session.scalar(
            select(Account.id).where(Account.fund_id == fund.id, Account.code == "1001")
        )
        # Voucher 0003 after 0001, with a single debit line and no running totals.
        journal_id = session.execute(
            insert(Journal).returning(Journal.id),
            [
                {
                    "fund_id": fund.id,
                    "voucher_no": "记-2007-04-0003",
                    "period": "2007-04",
                    "seq": 3,
                    "posted_on": date(2007, 4, 2),
                    "kind": "forged",
                    "memo": "",
                    "recorded_by": "nobody",
                    "recorded_at": datetime.now(UTC),
                    "red": False,
                }
            ],
        ).scalar_one()
        session.execute(
            insert(Entry),
            [
                {
                    "journal_id": journal_id,
                    "line_no": 1,
                    "account_id": special,
                    "side": "D",
                    "amount": Decimal("5.00"),
                    "red": False,
                    "posted_on": date(2007, 4, 2),
                }
            ],
        )
        problems = "\n".join(
            book_problems(session, fund.id, ["记-2007-04-0001", "记-2007-04-0009"])
        )
    for expected in (
        "journal 记-2007-04-0003 has 1 entries",
        "running totals differ from entries",
        "daily totals",
        "2007-04: vouchers are not 1..N (missing [2]",
        "2007-04: counter says 1, the book has 2 vouchers",
        "1 acknowledged vouchers are missing: ['记-2007-04-0009']",
    ):
        assert expected in problems
