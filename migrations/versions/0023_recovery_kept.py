"""the recovery table's dues and column 9 kept

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07

The recovery table (周转金回收情况表) summed every instalment of every loan
for its columns 5 and 6 and settled each repaying loan's schedule for its
column 9. `due_day` keeps the dues under the schedules in force per day and
`recovered_of_due_year` column 9 per year, written by the posting path like
the other kept figures; `loan_position.recovered_before_year` lets a posting
rewrite column 9 without reading the loan's entries. The kept figures are a
function of the entries: the upgrade empties the kept tables, and `flask
--app wsgi init-db` (the command that runs this upgrade) fills every fund's
again from its entries before the book takes writes
(`ledger.positions.rebuild`). The downgrade leaves the older kept tables as
they are: they do not depend on what it drops.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

KEPT = (
    "aging_day",
    "aging_now",
    "household_day",
    "liaison_due",
    "liaison_total",
    "position_day",
    "position_total",
    "loan_position",
)


def _refill_later() -> None:
    for table in KEPT:
        op.execute(sa.text(f"DELETE FROM {table}"))


def _keys(table: str, *columns: str) -> list[sa.ForeignKeyConstraint]:
    return [
        sa.ForeignKeyConstraint(
            [column], [f"{column[:-3]}.id"], name=op.f(f"fk_{table}_{column}_{column[:-3]}")
        )
        for column in columns
    ]


def upgrade() -> None:
    _refill_later()
    with op.batch_alter_table("loan_position") as batch:
        batch.add_column(
            sa.Column(
                "recovered_before_year", sa.BigInteger(), nullable=False, server_default="0"
            )
        )
    with op.batch_alter_table("loan_position") as batch:
        batch.alter_column("recovered_before_year", server_default=None)
    op.create_table(
        "due_day",
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("township_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("due", sa.BigInteger(), nullable=False),
        sa.Column("settled_before", sa.BigInteger(), nullable=False),
        *_keys("due_day", "fund_id", "township_id", "batch_id"),
        sa.PrimaryKeyConstraint(
            "fund_id", "township_id", "batch_id", "due_date", "day", name=op.f("pk_due_day")
        ),
    )
    op.create_table(
        "recovered_of_due_year",
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("township_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("recovered", sa.BigInteger(), nullable=False),
        *_keys("recovered_of_due_year", "fund_id", "township_id", "batch_id"),
        sa.PrimaryKeyConstraint(
            "fund_id", "township_id", "batch_id", "year", name=op.f("pk_recovered_of_due_year")
        ),
    )


def downgrade() -> None:
    op.drop_table("recovered_of_due_year")
    op.drop_table("due_day")
    with op.batch_alter_table("loan_position") as batch:
        batch.drop_column("recovered_before_year")
