"""kill -9 of gunicorn's workers in the middle of HTTP writes loses no acknowledged repayment.

SPEC §11 at the HTTP level: 4 clerks post repayments (each with an
``Idempotency-Key``) at 2 workers; after each newly acknowledged write,
within 0.05-0.3 s, a worker process gets SIGKILL (and on PostgreSQL the
server's own connections are cut with ``pg_terminate_backend`` as well). A
clerk that got no answer (or a 500) sends the same request again with the
same key, which is how a client learns whether it was done: at once, as a
killed request leaves no claim behind (never a 409). Afterwards every
acknowledged voucher is in the book exactly once, every posted repayment was
acknowledged, no journal is half-written, and the respawned workers answer
again.
"""

from __future__ import annotations

import os
import random
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import isolated_url
from tests.server.harness import (
    Book,
    Clerk,
    Client,
    Crowd,
    Server,
    book_report,
    cut_connections,
    is_postgresql,
    log_in,
    named_connections,
    prepare_book,
)

pytestmark = pytest.mark.slow

KILLS = 10
WORKERS = 2
SEED = 20071213


@pytest.fixture
def book(tmp_path: Path) -> Iterator[Book]:
    with isolated_url(tmp_path) as url:
        yield prepare_book(url)


def test_kill_9_of_workers_mid_write_loses_no_acknowledged_repayment(book: Book, tmp_path: Path):
    rng = random.Random(SEED)
    postgres = is_postgresql(book.url)
    name = f"ledger-kill-{uuid.uuid4().hex[:8]}"
    server = Server(
        named_connections(book.url, name) if postgres else book.url,
        tmp_path / "gunicorn.log",
        workers=WORKERS,
    )
    killed: list[int] = []
    cut = 0
    with server.running():
        crowd = Crowd(server.port, book, seed=SEED).start(requests=10_000, seconds=120, writes=0.8)
        try:
            pids = server.wait_workers(WORKERS)
            for _ in range(KILLS):
                # Each kill lands among writes: one more was acknowledged since the last.
                crowd.wait_acknowledged(crowd.acknowledged())
                time.sleep(rng.uniform(0.05, 0.3))
                victim = rng.choice(pids)
                os.kill(victim, signal.SIGKILL)
                killed.append(victim)
                if postgres:
                    cut += cut_connections(book.url, name)
                pids = server.wait_workers(WORKERS, gone=victim)
        finally:
            crowd.stop.set()
        tally, _ = crowd.join()

        # The respawned workers answer, and take a repayment.
        assert Client(server.port).call("GET", "/api/v1/health")[0] == 200
        after = Clerk(log_in(server.port, book.clerks[0]), book, rng)
        after.repay()
        assert after.tally.statuses[201] == 1, after.tally

    assert len(set(killed)) == KILLS
    # Not vacuous: kills cut requests in flight, and much was acknowledged all the same.
    assert tally.no_answer > 0, tally
    assert len(tally.acknowledged) >= KILLS, tally
    assert tally.problems == [], server.log_tail()
    if postgres:
        # A request whose connection was cut mid-query may answer 503 (a read is not
        # rerun): at most one per cut connection. Writes are resent with their key, as
        # above; one cut during its COMMIT is rerun under its key.
        assert cut > 0
        assert len(tally.server_errors) <= cut, tally.server_errors
    else:
        assert tally.server_errors == [], server.log_tail()
    # No 409: a killed worker's request left no claim behind, so its retry ran at once.
    # A cut connection answers 503 (database unavailable, retry).
    assert set(tally.statuses) <= {200, 201, 500, 503}, tally.statuses
    assert tally.unresolved == 0, tally
    assert len(set(tally.acknowledged)) == len(tally.acknowledged)

    report = book_report(book, tally.acknowledged + after.tally.acknowledged)
    assert report.problems == []
    # Exactly once: each repayment journal is the answer stored for one key, and
    # each key's outcome reached its clerk (answered, or replayed to its retry).
    assert report.repayments == report.stored_answers == len(tally.acknowledged) + 1
