"""aging by batch, households kept

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06

The kept aging rows (`aging_day`) were per township; the fund statement's
batch table shows each batch's overdue loans too, so they are now per
township and batch. The households served (扶持户数) are kept too, per
township and day (`household_day`). The kept figures are a function of the entries: the
upgrade empties the four kept tables, and `flask --app wsgi init-db` (the
command that runs this upgrade) fills every fund's again from its entries
before the book takes writes (`ledger.positions.rebuild`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

KEPT = ("loan_position", "position_total", "position_day")


def _aging_day(*keys: str) -> None:
    op.create_table(
        "aging_day",
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("township_id", sa.Integer(), nullable=False),
        *([sa.Column("batch_id", sa.Integer(), nullable=False)] if "batch_id" in keys else []),
        sa.Column("oldest_due", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("loans", sa.Integer(), nullable=False),
        sa.Column("outstanding", sa.BigInteger(), nullable=False),
        sa.Column("unpaid", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "due_date >= oldest_due", name=op.f("ck_aging_day_due_not_before_oldest")
        ),
        *(
            sa.ForeignKeyConstraint(
                [column], [f"{column[:-3]}.id"], name=op.f(f"fk_aging_day_{column}_{column[:-3]}")
            )
            for column in ("fund_id", "township_id", "batch_id")
            if column in keys
        ),
        sa.PrimaryKeyConstraint(*keys, name=op.f("pk_aging_day")),
    )


def _refill_later() -> None:
    for table in KEPT:
        op.execute(sa.text(f"DELETE FROM {table}"))


def upgrade() -> None:
    op.drop_table("aging_day")
    _refill_later()
    _aging_day("fund_id", "township_id", "batch_id", "oldest_due", "due_date", "day")
    op.create_table(
        "household_day",
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("township_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("households", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["fund_id"], ["fund.id"], name=op.f("fk_household_day_fund_id_fund")
        ),
        sa.ForeignKeyConstraint(
            ["township_id"], ["township.id"], name=op.f("fk_household_day_township_id_township")
        ),
        sa.PrimaryKeyConstraint("fund_id", "township_id", "day", name=op.f("pk_household_day")),
    )


def downgrade() -> None:
    op.drop_table("household_day")
    op.drop_table("aging_day")
    _refill_later()
    _aging_day("fund_id", "township_id", "oldest_due", "due_date", "day")
