"""Alembic environment: migrate the connection we are handed, or DATABASE_URL."""

from __future__ import annotations

from alembic import context

import ledger.models  # noqa: F401 - registers every table on Base.metadata
from ledger.config import database_url
from ledger.db import Base, make_engine

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or database_url())
    with engine.connect() as connection:
        _run(connection)
        connection.commit()
    engine.dispose()


def _described(name, type_, parent_names) -> bool:
    """Whether `alembic check` compares the object: not the loan search index of
    migration 0016 (an FTS5 table and its shadow tables, or trigram indexes), which the
    models do not describe."""
    if type_ == "table":
        return not name.startswith("loan_search")
    if type_ == "index":
        return not (name or "").startswith("ix_search_")
    return True


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=_described,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
run_migrations_online()
