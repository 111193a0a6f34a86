"""the period's registrations, approvals and disbursements kept per day

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07

The progress report and plan against actual counted a period's households
and money registered, approved and disbursed from every loan event and
every loan's disbursements in the period. `activity_day` keeps them per
kind, township, batch and day, each household-event keyed by the
household's previous one, so a period's distinct households are summed from
the rows (`ledger.models.positions.ActivityDay`); a household one of whose
disbursements was reversed is counted from its loans' days instead
(`disbursement_corrected`). The kept figures are a
function of the entries and the loans' events: the upgrade empties the
kept tables, and `flask --app wsgi init-db` (the command that runs this
upgrade) fills every fund's again before the book takes writes
(`ledger.positions.rebuild`). The downgrade drops the two tables.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

KEPT = (
    "aging_day",
    "aging_now",
    "due_day",
    "household_day",
    "liaison_due",
    "liaison_total",
    "position_day",
    "position_total",
    "recovered_of_due_year",
    "loan_position",
)


def _keys(table: str, *columns: str) -> list[sa.ForeignKeyConstraint]:
    return [
        sa.ForeignKeyConstraint(
            [column], [f"{column[:-3]}.id"], name=op.f(f"fk_{table}_{column}_{column[:-3]}")
        )
        for column in columns
    ]


def upgrade() -> None:
    for table in KEPT:
        op.execute(sa.text(f"DELETE FROM {table}"))
    op.create_table(
        "activity_day",
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("township_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("since_township", sa.Date(), nullable=False),
        sa.Column("since_batch", sa.Date(), nullable=False),
        sa.Column("households", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        *_keys("activity_day", "fund_id", "township_id", "batch_id"),
        sa.PrimaryKeyConstraint(
            "fund_id",
            "kind",
            "township_id",
            "batch_id",
            "day",
            "since_township",
            "since_batch",
            name=op.f("pk_activity_day"),
        ),
    )


    op.create_table(
        "disbursement_corrected",
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("township_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        *_keys("disbursement_corrected", "fund_id", "township_id", "batch_id", "household_id", "loan_id"),
        sa.PrimaryKeyConstraint(
            "fund_id",
            "township_id",
            "batch_id",
            "household_id",
            "loan_id",
            "day",
            name=op.f("pk_disbursement_corrected"),
        ),
    )


def downgrade() -> None:
    op.drop_table("disbursement_corrected")
    op.drop_table("activity_day")
