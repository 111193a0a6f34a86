"""Losing the primary mid-load under pg_auto_failover loses no acknowledged repayment.

Issue 19's proof: a monitor, a primary and a synchronous standby are built
from scratch (``cluster.py``); gunicorn serves the ledger on the multi-host
URL (``target_session_attrs=read-write``); 4 clerks post repayments with
``Idempotency-Key`` through the HTTP API and resend a request that got no
answer or a 5xx with the same key. Five times, while they write, the
primary's machine dies (SIGKILL to its pg_autoctl and postgres); a probe
clerk posting from the moment of the kill measures how long writes are
refused, which must be under 30 s; then the dead node rejoins as the
standby, so the next kill falls on the other node. Afterwards, on the last
primary: every acknowledged voucher is in the book exactly once, every
journal balances and every month's vouchers run without a gap
(``book_report``), and the audit chain verifies.

It runs in the PostgreSQL run of ``make test``, and alone with ``pytest -m
failover`` (``selection.py``). A missing pg_autoctl fails it.
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.audit import verify_all
from ledger.db import Database
from tests.ha.cluster import Cluster, running_cluster
from tests.ha.selection import skip_unless_postgresql_run
from tests.server.harness import Clerk, Crowd, Server, book_report, log_in, prepare_book

pytestmark = [pytest.mark.failover, pytest.mark.slow]

KILLS = 5
RESUME_WITHIN_S = 30.0
SEED = 20190419


class PatientClerk(Clerk):
    """A clerk who keeps resending through a failover (a minute), not just 20 times."""

    def repay(self, *, retries: int = 100_000, retry_for: float = 60.0) -> None:
        super().repay(retries=retries, retry_for=retry_for)


@pytest.fixture(scope="module")
def cluster(request: pytest.FixtureRequest) -> Iterator[Cluster]:
    skip_unless_postgresql_run(request, "failover")
    with running_cluster() as built:
        yield built


def test_the_cluster_replicates_synchronously(cluster: Cluster):
    primary = cluster.wait_stable(within=60)
    standby = cluster.standby_of(primary)
    # deploy/: pg_auto_failover names the standby; a commit waits for its flush.
    assert cluster.synchronous_standby_names(primary).startswith("ANY 1 (pgautofailover_standby_")
    assert cluster.settings(primary)["synchronous_commit"] == "on"
    assert cluster.states()[standby.name] == ("secondary", "secondary")
    assert cluster.writable_port() == primary.port


def test_killing_the_primary_mid_load_loses_no_acknowledged_repayment(
    cluster: Cluster, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    rng = random.Random(SEED)
    book = prepare_book(cluster.app_url)
    server = Server(cluster.app_url, tmp_path / "gunicorn.log", workers=2)
    killed: list[str] = []
    downtimes: list[float] = []
    with server.running():
        crowd = Crowd(server.port, book, seed=SEED)
        crowd.clerks = [PatientClerk(c.client, c.book, c.rng) for c in crowd.clerks]
        probe = PatientClerk(log_in(server.port, book.clerks[0]), book, rng)
        probe.read_loan()  # the token's first use is recorded now, not during a failover
        crowd.start(requests=1_000_000, seconds=900, writes=0.8)
        try:
            for _ in range(KILLS):
                primary = cluster.wait_stable(within=90)
                standby = cluster.standby_of(primary)
                cluster.wait_standby_caught_up(primary, within=30)
                # Each kill lands among writes: one more was acknowledged since the last.
                crowd.wait_acknowledged(crowd.acknowledged(), within=60)
                time.sleep(rng.uniform(0.05, 0.3))
                killed_at = time.monotonic()
                cluster.kill(primary)
                answered = len(probe.tally.acknowledged)
                probe.repay()  # sent from the kill on, resent until a 201
                downtimes.append(time.monotonic() - killed_at)
                assert len(probe.tally.acknowledged) == answered + 1, server.log_tail()
                killed.append(primary.name)
                # The URL's read-write node is the former standby, promoted.
                assert cluster.writable_port() == standby.port
                cluster.rejoin(primary)
            cluster.wait_stable(within=90)
            crowd.wait_acknowledged(crowd.acknowledged(), within=60)  # writes go on after it all
        finally:
            crowd.stop.set()
        tally, elapsed = crowd.join()

    with capsys.disabled():  # the figures docs/PERFORMANCE.md records
        print(
            f"\nfailover: {KILLS} kills in {elapsed:.0f} s, write downtime "
            + ", ".join(f"{d:.1f}" for d in downtimes)
            + f" s (max {max(downtimes):.1f} s); {len(tally.acknowledged)} repayments "
            f"acknowledged, {tally.no_answer} requests unanswered, "
            f"{len(tally.server_errors)} answered 5xx"
        )
    assert max(downtimes) < RESUME_WITHIN_S, downtimes
    # Alternating: each kill fell on the node the previous failover had promoted.
    assert all(a != b for a, b in itertools.pairwise(killed)), killed
    assert tally.problems == [], server.log_tail()
    assert tally.unresolved == 0, tally
    # Not vacuous: kills cut requests in flight, and writes went on throughout.
    assert tally.server_errors, tally
    # Each refusal in a failover said "retry" (503), none was an unexpected 500.
    assert set(tally.statuses) <= {200, 201, 503}, tally.statuses
    assert len(tally.acknowledged) >= 2 * KILLS, tally
    acknowledged = tally.acknowledged + probe.tally.acknowledged
    assert len(set(acknowledged)) == len(acknowledged)

    report = book_report(book, acknowledged)
    assert report.problems == []
    # Exactly once: each repayment journal is the answer stored for one key.
    assert report.repayments == report.stored_answers == len(acknowledged)
    database = Database.connect(cluster.app_url)
    try:
        with database.read() as session:
            chains = verify_all(session)
    finally:
        database.engine.dispose()
    assert all(chain.ok for chain in chains), chains
    assert sum(chain.records for chain in chains) >= len(acknowledged)
