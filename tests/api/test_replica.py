"""Reads on the replica (``DATABASE_REPLICA_URL``): only the chosen reads go there, never a write.

The app here has a replica engine on the same test database (so its
figures are the primary's), and that engine refuses any INSERT, UPDATE or
DELETE before it reaches the database: the module's programme, built over
HTTP (allocations, loans, disbursements, repayments, write-offs, their
journals), must not send one there. The leaders' dashboard, the region page,
the PDFs and the exports read on it and say so; the clerk's pages do not.
The real standby of a pg_auto_failover cluster is tests/ha/test_replica_reads.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from sqlalchemy import Engine, event, insert, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import sessionmaker

from ledger.db import Database, make_engine
from ledger.models import County as CountyRow
from ledger.money import fmt
from shell.app import create_app
from shell.downloads import DATA_AGE
from tests.api.conftest import PASSWORD
from tests.api.programme import County, World, build_world
from tests.api.roles import COUNTY_A
from tests.web.conftest import Browser

WRITES = ("INSERT", "UPDATE", "DELETE")


@dataclass
class Statements:
    """What one engine was sent, in order."""

    sent: list[str] = field(default_factory=list)

    def watch(self, engine: Engine, *, refuse_writes: bool = False) -> None:
        @event.listens_for(engine, "before_cursor_execute")
        def _seen(conn, cursor, statement, parameters, context, executemany):
            self.sent.append(statement)
            if refuse_writes and statement.lstrip().upper().startswith(WRITES):
                raise AssertionError(f"a write was sent to the replica: {statement[:200]}")

    def since(self, mark: int) -> list[str]:
        return self.sent[mark:]


@dataclass
class Engines:
    primary: Statements
    replica: Statements


@pytest.fixture(scope="module")
def engines() -> Engines:
    return Engines(Statements(), Statements())


@pytest.fixture(scope="module")
def api_app(programme_db: Database, engines: Engines):
    """The module's app, with a replica engine (same database) that refuses writes."""
    url = programme_db.engine.url.render_as_string(hide_password=False)
    app = create_app({"DATABASE_URL": url, "DATABASE_REPLICA_URL": url, "TESTING": True})
    db: Database = app.extensions["ledger_db"]
    assert db.replica_engine is not None
    engines.primary.watch(db.engine)
    engines.replica.watch(db.replica_engine, refuse_writes=True)
    yield app
    db.dispose()


@pytest.fixture(scope="module")
def built(county: County, engines: Engines) -> World:
    world = build_world(county)
    # Every write of the build went to the primary; none even read on the replica.
    assert any(s.lstrip().upper().startswith("INSERT") for s in engines.primary.sent)
    assert engines.replica.sent == []
    return world


def test_writes_and_a_clerks_reads_never_touch_the_replica(
    county: County, built: World, engines: Engines
):
    mark = len(engines.replica.sent)
    county.post(
        "clerk",
        f"{built.f}/loans/{built.loan_b}/repayments",
        {"date": "2008-03-21", "amount": "10.00"},
        key=uuid.uuid4().hex,
    )
    county.json("clerk", f"{built.f}/loans/{built.loan_b}")
    county.json("clerk", f"{built.f}/journals", per_page=5)
    county.json("clerk", f"{built.f}/summary")
    assert engines.replica.since(mark) == []


@pytest.mark.parametrize(
    "path",
    [
        "reports/fund-statement.pdf",
        "reports/trial-balance.pdf",
        "exports/loans.xlsx",
        "exports/journals.xlsx",
    ],
)
def test_statements_and_exports_are_read_on_the_replica_and_say_how_old(
    county: County, built: World, engines: Engines, path: str
):
    primary, replica = len(engines.primary.sent), len(engines.replica.sent)
    response = county.get("leader", f"{built.f}/{path}")
    # The same database, not in recovery: the replica is current.
    assert response.headers[DATA_AGE] == "0"
    assert engines.replica.since(replica)
    # The primary only checked who asks (the token), never gathered the figures.
    assert not any("journal" in s.lower() for s in engines.primary.since(primary))


def test_a_download_read_on_the_primary_carries_no_age(make_app, county: County, built: World):
    url = county.client.application.config["DATABASE_URL"]
    alone = County(make_app(url).test_client(), county.tokens)
    response = alone.get("leader", f"{built.f}/reports/fund-statement.pdf")
    assert DATA_AGE not in response.headers


def test_the_dashboard_and_region_pages_say_they_come_from_the_replica(
    api_app, county: County, built: World, engines: Engines
):
    county.post(
        "clerk",
        f"{built.f}/loans/{built.loan_a}/repayments",
        {"date": "2008-03-22", "amount": "1.23"},
        key=uuid.uuid4().hex,
    )
    summary = county.json("leader", f"{built.f}/summary")
    leader = Browser(api_app, built.code)
    assert leader.login(county.name("leader"), PASSWORD).status_code == 303
    mark = len(engines.replica.sent)
    dashboard = leader.get(leader.f("dashboard")).get_data(as_text=True)
    assert "数据来自只读副本" in dashboard
    assert fmt(summary["outstanding"]) in dashboard  # the repayment just made is in
    region = leader.get(f"/regions/{COUNTY_A}").get_data(as_text=True)
    assert "数据来自只读副本" in region
    assert engines.replica.since(mark)
    # The clerk's overview is checked right after a write: it reads the primary.
    mark = len(engines.replica.sent)
    overview = leader.get(leader.f()).get_data(as_text=True)
    assert "只读副本" not in overview and engines.replica.since(mark) == []


@pytest.fixture
def two_engines(engine: Engine, database_url: str) -> Iterator[tuple[Database, Engines]]:
    """A Database whose replica is a second engine on the (migrated) test database, both watched."""
    primary, replica = make_engine(database_url), make_engine(database_url)
    seen = Engines(Statements(), Statements())
    seen.primary.watch(primary)
    seen.replica.watch(replica)
    db = Database(
        primary,
        sessionmaker(primary, expire_on_commit=False),
        sessionmaker(replica, expire_on_commit=False),
    )
    yield db, seen
    db.dispose()


def test_units_of_work_go_to_the_primary_and_only_replica_reads_to_the_replica(two_engines):
    db, seen = two_engines
    with db.uow() as uow:
        uow.session.execute(text("SELECT 1"))
    with db.read() as session:
        session.execute(text("SELECT 2"))
    assert seen.replica.sent == [] and seen.primary.since(0)[-1] == "SELECT 2"
    mark = len(seen.primary.sent)
    with db.replica_read() as read:
        read.session.execute(text("SELECT 3"))
        assert read.age == 0
    assert seen.primary.since(mark) == [] and "SELECT 3" in seen.replica.sent


def test_without_a_replica_a_replica_read_is_the_primarys_with_no_age(database_url: str):
    db = Database.connect(database_url)
    try:
        with db.replica_read() as read:
            assert read.session.execute(text("SELECT 1")).scalar_one() == 1
            assert read.age is None
            assert read.session.get_bind() is db.engine
    finally:
        db.dispose()


def test_the_replica_refuses_a_write_at_the_database(two_engines):
    """PostgreSQL runs the replica's transaction READ ONLY: a stray write fails, loudly."""
    db, _ = two_engines
    if db.engine.dialect.name != "postgresql":
        pytest.skip("only PostgreSQL replicates; a SQLite book has no replica")
    with db.replica_read() as read, pytest.raises(DBAPIError) as refused:
        read.session.execute(insert(CountyRow).values(code="999999", name="不该写入"))
    assert refused.value.orig.sqlstate == "25006"  # read_only_sql_transaction
    with db.read() as session:
        assert session.scalar(select(CountyRow).where(CountyRow.code == "999999")) is None
