"""Test databases: SQLite by default, or LEDGER_TEST_DATABASE_URL (PostgreSQL).

The schema is built by the Alembic migrations, never by create_all. On
PostgreSQL each run gets its own throwaway schema, so the shared database
stays clean even though the book's rows cannot be deleted. Each test runs in
an outer transaction that is rolled back; a unit of work's commit (a test's
commit point, `tests.factories.committing`) releases a savepoint.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from ledger.db import Database, make_engine
from ledger.schema import upgrade as migrate


@contextmanager
def isolated_url(directory: Path, server: str | None = None) -> Iterator[str]:
    """A database URL of its own: a new SQLite file, or a new PostgreSQL schema (dropped after).

    ``server`` is the database to make the schema in (default LEDGER_TEST_DATABASE_URL).
    """
    url = server or os.environ.get("LEDGER_TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{directory / f'{uuid.uuid4().hex[:8]}.db'}"
        return
    if make_url(url).get_backend_name() != "postgresql":
        yield url
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(url)  # fails loudly (not skips) when PostgreSQL is unreachable
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in url else "?"
    try:
        yield f"{url}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with isolated_url(tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    migrate(engine)
    yield engine
    engine.dispose()


@contextmanager
def rolled_back(engine: Engine) -> Iterator[Database]:
    """A Database whose units of work are savepoints of one outer, rolled-back transaction."""
    connection = engine.connect()
    outer = connection.begin()
    sessions = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    try:
        yield Database(engine, sessions)
    finally:
        outer.rollback()
        connection.close()


@pytest.fixture(scope="session")
def loaded_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """The demo (`ledger.demo.load_demo`: the revolving fund and 舟曲县's 61 societies) in a
    database of its own, loaded once for the run: the demo's, the societies' and the reports'
    tests share it and only read it (the web's demo, which its tests write to, is its own)."""
    from ledger.demo import load_demo

    with isolated_url(tmp_path_factory.mktemp("demo")) as url:
        db = Database.connect(url)
        migrate(db.engine)
        load_demo(db)
        yield db
        db.engine.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Database]:
    with rolled_back(engine) as database:
        yield database


@pytest.fixture
def committed_db(engine: Engine) -> Database:
    """A Database that really commits (concurrency tests); use a fresh fund code."""
    return Database(engine, sessionmaker(engine, expire_on_commit=False))


@pytest.fixture
def make_app(database_url: str) -> Iterator:
    """Build Flask apps on the test database (or another URL); dispose their engines after."""
    from shell.app import create_app

    apps = []

    def factory(url: str | None = None, **config: object):
        app = create_app({"DATABASE_URL": url or database_url, "TESTING": True, **config})
        apps.append(app)
        return app

    yield factory
    for app in apps:
        app.extensions["ledger_db"].dispose()


RUN_DAY = pytest.StashKey[date]()


def pytest_configure(config: pytest.Config) -> None:
    """Pin the service's today for the whole run, before any test module is imported.

    Test modules compute dates such as "today" and "tomorrow" when collected, and the
    in-process servers read the clock when a request comes; a run that crosses midnight
    in China would otherwise hold two todays (tests then see a date "in the future").
    """
    from ledger import dates

    dates.set_today(dates.today())
    config.stash[RUN_DAY] = dates.today()


@pytest.fixture
def set_today(pytestconfig: pytest.Config) -> Iterator[Callable[[date | None], None]]:
    """Fix the service's today (`ledger.dates.today`) for one test; the run's day again after."""
    from ledger import dates

    yield dates.set_today
    dates.set_today(pytestconfig.stash[RUN_DAY])
