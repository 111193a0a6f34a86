"""the loans by status, the households and the journals by kind and day kept counted,
for the paged lists' totals

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
fund's again before the book takes writes (`ledger.positions.rebuild`).
The journals list counted a kind's journals, and a month cut by its dates,
over the journals: `journal_kind_day` keeps them per fund, kind and day
(`ledger.models.accounts.JournalKindDay`), written by every posting; the
upgrade fills it from the journals, as migration 0018 filled the kept days
by kind. The downgrade drops the three tables.
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


_FILL_JOURNALS = """
INSERT INTO journal_kind_day (fund_id, kind, day, journals)
SELECT fund_id, kind, posted_on, COUNT(*)
FROM journal
GROUP BY fund_id, kind, posted_on
"""


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
    op.create_table(
        "journal_kind_day",
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("journals", sa.Integer(), nullable=False),
        *_keys("journal_kind_day", "fund_id"),
        sa.PrimaryKeyConstraint("fund_id", "kind", "day", name=op.f("pk_journal_kind_day")),
    )
    op.execute(sa.text(_FILL_JOURNALS))


def downgrade() -> None:
    op.drop_table("journal_kind_day")
    op.drop_table("household_count")
    op.drop_table("loan_count")
