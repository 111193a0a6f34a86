"""Several gunicorn workers on one database: concurrent clerks never see a 500 or a lost write.

The real server (``gunicorn.conf.py``, 2 worker processes) on a database of
its own (a SQLite file by default, a throwaway schema under
LEDGER_TEST_DATABASE_URL); 4 clerks post repayments and read loans in
parallel threads over HTTP. Every write must be answered 201, and the book
afterwards must hold each acknowledged voucher once, balance, and show each
loan's outstanding reduced by exactly what was acknowledged.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import isolated_url
from tests.server.harness import Book, Server, book_report, log_in, prepare_book, run_clerks

pytestmark = pytest.mark.slow

CLERKS = 4
REQUESTS_EACH = 75
SECONDS = 60.0


@pytest.fixture
def book(tmp_path: Path) -> Iterator[Book]:
    with isolated_url(tmp_path) as url:
        yield prepare_book(url, clerks=CLERKS)


def test_four_writers_on_two_workers_lose_nothing(book: Book, tmp_path: Path):
    server = Server(book.url, tmp_path / "gunicorn.log", workers=2)
    with server.running():
        assert len(server.worker_pids()) == 2
        tally, _ = run_clerks(server.port, book, requests=REQUESTS_EACH, seconds=SECONDS)
        reader = log_in(server.port, book.clerks[0])
        outstanding = {
            no: Decimal(
                reader.call("GET", f"/api/v1/funds/{book.fund}/loans/{no}")[1]["outstanding"]
            )
            for no in book.loans
        }

    assert tally.problems == tally.server_errors == [], server.log_tail()
    assert set(tally.statuses) <= {200, 201}, tally.statuses
    assert tally.no_answer == tally.unresolved == 0
    # Not vacuous: the whole load ran (bounded by time only on a very slow machine),
    # and most of it was writes.
    assert tally.statuses.total() == CLERKS * REQUESTS_EACH
    assert len(tally.acknowledged) == tally.statuses[201] > CLERKS * REQUESTS_EACH // 2
    assert len(set(tally.acknowledged)) == len(tally.acknowledged)

    report = book_report(book, tally.acknowledged)
    assert report.problems == []
    assert report.repayments == report.stored_answers == len(tally.acknowledged)
    for no in book.loans:
        assert outstanding[no] == Decimal("5000.00") - tally.repaid[no], no
    assert "database is locked" not in server.log_tail(10_000)
