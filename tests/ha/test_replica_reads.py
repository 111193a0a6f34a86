"""Reads on a real standby: the leaders' pages and PDFs from the replica, writes on the primary.

A pg_auto_failover primary and its synchronous standby (``cluster.py``);
the app's ``DATABASE_URL`` is the cluster's multi-host URL and its
``DATABASE_REPLICA_URL`` the standby alone. Clerks post repayments through
the API (they can only succeed on the primary: the standby refuses every
write); the leader's dashboard and fund statement, read on the standby,
say they come from the replica and include every committed repayment. A
write sent down the replica's session is refused by the server.

``synchronous_commit = on`` (deploy/) returns a COMMIT once the standby has
*flushed* it, not replayed it, so the test waits (bounded) until the
standby has replayed what the primary wrote before it reads there.

It runs in the PostgreSQL run of ``make test``, and alone with ``pytest -m
replica`` (``selection.py``).
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from decimal import Decimal

import psycopg
import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import sessionmaker

from ledger.db import Database, make_engine
from ledger.models import County
from ledger.money import fmt
from ledger.services import users
from shell.downloads import DATA_AGE
from tests.factories import committing
from tests.ha.cluster import DATABASE, Cluster, Node, running_cluster
from tests.ha.selection import skip_unless_postgresql_run
from tests.reports.pdf import squeezed
from tests.server.harness import HOST, PASSWORD, REPAID_ON, prepare_book
from tests.web.conftest import Browser

pytestmark = [pytest.mark.replica, pytest.mark.slow]

REPAYMENTS = ("10.00", "0.37", "123.45")
LOAN = Decimal("5000.00")
REPLAYED_WITHIN_S = 30.0
LAG_S = 2


@pytest.fixture(scope="module")
def cluster(request: pytest.FixtureRequest) -> Iterator[Cluster]:
    skip_unless_postgresql_run(request, "replica")
    with running_cluster() as built:
        yield built


def node_url(node: Node) -> str:
    return f"postgresql+psycopg://postgres@{HOST}:{node.port}/{DATABASE}"


def wait_replayed(primary: Node, standby: Node, *, within: float) -> None:
    """Wait until the standby has replayed all the WAL the primary has written so far."""
    with psycopg.connect(host=HOST, port=primary.port, dbname=DATABASE, user="postgres") as conn:
        (target,) = conn.execute("SELECT pg_current_wal_lsn()").fetchone()  # type: ignore[misc]
    deadline = time.monotonic() + within
    with psycopg.connect(host=HOST, port=standby.port, dbname=DATABASE, user="postgres") as conn:
        conn.autocommit = True
        while not conn.execute(
            "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,)
        ).fetchone()[0]:  # type: ignore[index]
            if time.monotonic() > deadline:
                raise RuntimeError(f"the standby did not replay {target} within {within} s")
            time.sleep(0.05)


def on_standby(standby: Node, sql: str) -> None:
    with psycopg.connect(host=HOST, port=standby.port, dbname=DATABASE, user="postgres") as conn:
        conn.autocommit = True
        conn.execute(sql)


def add_leader(url: str, fund: str) -> str:
    engine = make_engine(url)
    try:
        db = Database(engine, sessionmaker(engine, expire_on_commit=False))
        name = f"leader-{uuid.uuid4().hex[:6]}"
        with committing(db) as uow:
            users.create_user(uow, username=name, password=PASSWORD, role="leader", fund_code=fund)
        return name
    finally:
        engine.dispose()


def test_the_leaders_read_the_standby_and_see_every_committed_repayment(cluster: Cluster, make_app):
    primary = cluster.wait_stable(within=60)
    standby = cluster.standby_of(primary)
    book = prepare_book(cluster.app_url, loans=2, clerks=1)
    leader = add_leader(cluster.app_url, book.fund)
    app = make_app(cluster.app_url, DATABASE_REPLICA_URL=node_url(standby))
    client = app.test_client()
    token = client.post(
        "/api/v1/auth/tokens", json={"username": book.clerks[0], "password": PASSWORD}
    ).get_json()["token"]
    for amount in REPAYMENTS:
        response = client.post(
            f"/api/v1/funds/{book.fund}/loans/{book.loans[0]}/repayments",
            json={"date": REPAID_ON, "amount": amount},
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex},
        )
        assert response.status_code == 201, response.get_json()
    outstanding = 2 * LOAN - sum(Decimal(a) for a in REPAYMENTS)
    wait_replayed(primary, standby, within=REPLAYED_WITHIN_S)

    browser = Browser(app, book.fund)
    assert browser.login(leader, PASSWORD).status_code == 303
    dashboard = browser.get(browser.f("dashboard")).get_data(as_text=True)
    assert "只读副本" in dashboard
    assert fmt(outstanding) in dashboard
    statement = browser.get(f"/api/v1/funds/{book.fund}/reports/fund-statement.pdf")
    assert statement.status_code == 200 and statement.mimetype == "application/pdf"
    assert int(statement.headers[DATA_AGE]) >= 0
    assert fmt(outstanding).replace(" ", "") in squeezed(statement.get_data())


def test_a_replica_read_runs_on_the_standby_and_refuses_a_write(cluster: Cluster):
    primary = cluster.wait_stable(within=60)
    standby = cluster.standby_of(primary)
    db = Database.connect(cluster.app_url, replica_url=node_url(standby))
    try:
        wait_replayed(primary, standby, within=REPLAYED_WITHIN_S)
        with db.replica_read() as read:
            assert read.session.execute(text("SELECT pg_is_in_recovery()")).scalar_one()
            # All it received is replayed: up to date, however long ago the last write.
            assert read.age == 0
        with db.replica_read() as read, pytest.raises(DBAPIError) as refused:
            read.session.execute(insert(County).values(code="999999", name="不该写入"))
        assert refused.value.orig.sqlstate == "25006"  # read_only_sql_transaction
        with db.read() as session:  # the primary's read, for contrast
            assert not session.execute(text("SELECT pg_is_in_recovery()")).scalar_one()
    finally:
        db.dispose()


def test_a_lagging_standby_reports_its_age_and_its_older_figures(cluster: Cluster, make_app):
    """Replay paused: a repayment committed on the primary (flushed on the standby, not
    replayed) is not yet on the replica's dashboard, which says how many seconds old it is."""
    primary = cluster.wait_stable(within=60)
    standby = cluster.standby_of(primary)
    book = prepare_book(cluster.app_url, loans=1, clerks=1)
    leader = add_leader(cluster.app_url, book.fund)
    app = make_app(cluster.app_url, DATABASE_REPLICA_URL=node_url(standby))
    client = app.test_client()
    token = client.post(
        "/api/v1/auth/tokens", json={"username": book.clerks[0], "password": PASSWORD}
    ).get_json()["token"]
    browser = Browser(app, book.fund)
    assert browser.login(leader, PASSWORD).status_code == 303
    wait_replayed(primary, standby, within=REPLAYED_WITHIN_S)
    on_standby(standby, "SELECT pg_wal_replay_pause()")
    try:
        response = client.post(
            f"/api/v1/funds/{book.fund}/loans/{book.loans[0]}/repayments",
            json={"date": REPAID_ON, "amount": "99.00"},
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex},
        )
        assert response.status_code == 201, response.get_json()
        time.sleep(LAG_S + 0.5)
        dashboard = browser.get(browser.f("dashboard")).get_data(as_text=True)
        statement = browser.get(f"/api/v1/funds/{book.fund}/reports/fund-statement.pdf")
    finally:
        on_standby(standby, "SELECT pg_wal_replay_resume()")
    assert int(statement.headers[DATA_AGE]) >= LAG_S
    shown = re.search(r"数据截至 (\d+) 秒前\(只读副本\)", dashboard)
    assert shown is not None and int(shown.group(1)) >= LAG_S
    assert fmt(LOAN) in dashboard and fmt(LOAN - Decimal("99.00")) not in dashboard
    wait_replayed(primary, standby, within=REPLAYED_WITHIN_S)
    caught_up = browser.get(browser.f("dashboard")).get_data(as_text=True)
    assert "已与主库同步" in caught_up and fmt(LOAN - Decimal("99.00")) in caught_up
