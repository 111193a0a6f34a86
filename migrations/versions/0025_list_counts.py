"""the loans by status and the households kept counted, for the paged lists' totals

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07

The loan list's total and the to-do's counts by status were a COUNT over
the loan table, and the households list's a COUNT over the households:
they grew with the book. `loan_count` keeps the loans per township, batch
and status, `household_count` the households per township
(`ledger.models.positions.LoanCount`, `HouseholdCount`), written in the
transaction that adds a loan or household or moves a loan's status. The
upgrade creates them empty and empties the other kept tables, and
`flask --app wsgi init-db` (the command that runs this upgrade) fills every
fund's again before the book takes writes (`ledger.positions.rebuild`). The
downgrade drops the two tables.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

KEPT = (
    "activity_day",
    "aging_day",
    "aging_now",
    "disbursement_corrected",
    "due_day",
    "household_day",
    "liaison_due",
    "liaison_total",
    "position_day",
    "position_total",
    "recovered_of_due_year",
    "loan_position",
)
STATUSES = (
    "applied",
    "verified",
    "rejected",
    "approved",
    "contracted",
    "disbursed",
    "closed",
    "written_off",
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
        "loan_count",
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("township_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(*STATUSES, name="loan_status", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("loans", sa.Integer(), nullable=False),
        *_keys("loan_count", "fund_id", "township_id", "batch_id"),
        sa.PrimaryKeyConstraint(
            "fund_id", "township_id", "batch_id", "status", name=op.f("pk_loan_count")
        ),
    )
    op.create_table(
        "household_count",
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("township_id", sa.Integer(), nullable=False),
        sa.Column("households", sa.Integer(), nullable=False),
        *_keys("household_count", "fund_id", "township_id"),
        sa.PrimaryKeyConstraint("fund_id", "township_id", name=op.f("pk_household_count")),
    )


def downgrade() -> None:
    op.drop_table("household_count")
    op.drop_table("loan_count")
