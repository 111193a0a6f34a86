"""loan search index

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07

The loan list's search finds loans whose registration number, household
name or ID number contains the words typed (LIKE '%…%'), which no B-tree
index serves: it read every loan (213 ms at 100,000 loans,
docs/PERFORMANCE.md). A trigram index serves a substring of three or more
characters (`ledger.read.loans.search_candidates`):

- SQLite: an FTS5 table `loan_search` with the trigram tokenizer (SQLite
  3.34 or later), one row per loan (rowid = loan id) holding its number and
  its household's name and ID number, kept in step with the loan and
  household rows by triggers.
- PostgreSQL: the pg_trgm extension and GIN trigram indexes on the three
  columns, which the database keeps in step itself.

`migrations/env.py` leaves these objects out of `alembic check`: the
models do not describe them.
"""

from __future__ import annotations

import sqlite3

from alembic import op
from sqlalchemy import text

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

#: (index, table, column) of the PostgreSQL trigram indexes.
TRIGRAM_INDEXES = (
    ("ix_search_loan_registration_no", "loan", "registration_no"),
    ("ix_search_household_name", "household", "name"),
    ("ix_search_household_id_number", "household", "id_number"),
)

#: The FTS row of loan NEW (or of each loan of household NEW).
_ROW_OF_LOAN = """
    INSERT INTO loan_search (rowid, registration_no, name, id_number)
    SELECT NEW.id, NEW.registration_no, h.name, h.id_number
    FROM household AS h WHERE h.id = NEW.household_id;
"""

SQLITE_TRIGGERS = {
    "loan_search_insert": f"AFTER INSERT ON loan BEGIN {_ROW_OF_LOAN} END",
    "loan_search_update": (
        "AFTER UPDATE OF registration_no, household_id ON loan BEGIN "
        f"DELETE FROM loan_search WHERE rowid = OLD.id; {_ROW_OF_LOAN} END"
    ),
    "loan_search_delete": "AFTER DELETE ON loan BEGIN "
    "DELETE FROM loan_search WHERE rowid = OLD.id; END",
    "loan_search_household": (
        "AFTER UPDATE OF name, id_number ON household BEGIN "
        "UPDATE loan_search SET name = NEW.name, id_number = NEW.id_number "
        "WHERE rowid IN (SELECT id FROM loan WHERE household_id = NEW.id); END"
    ),
}


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        if sqlite3.sqlite_version_info < (3, 34):
            raise RuntimeError(
                f"SQLite {sqlite3.sqlite_version} lacks FTS5's trigram tokenizer (3.34 or later)"
            )
        op.execute(
            "CREATE VIRTUAL TABLE loan_search "
            "USING fts5(registration_no, name, id_number, tokenize='trigram')"
        )
        op.execute(
            "INSERT INTO loan_search (rowid, registration_no, name, id_number) "
            "SELECT loan.id, loan.registration_no, household.name, household.id_number "
            "FROM loan JOIN household ON household.id = loan.household_id"
        )
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
        return
    # The extension is the database's, not the schema's: in public, so that dropping the
    # schema the book lives in (a test run's) does not drop it under another schema's
    # indexes. If it was installed elsewhere before, name its operator class there.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
    schema = bind.scalar(
        text(
            "SELECT n.nspname FROM pg_extension e "
            "JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'"
        )
    )
    for name, table, column in TRIGRAM_INDEXES:
        op.execute(
            f'CREATE INDEX {name} ON {table} USING gin ({column} "{schema}".gin_trgm_ops)'
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
        op.execute("DROP TABLE loan_search")
        return
    # The extension stays: other schemas of the database may use it.
    for name, _, _ in TRIGRAM_INDEXES:
        op.execute(f"DROP INDEX {name}")
