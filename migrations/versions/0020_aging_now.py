"""aging now: the unpaid instalments of today, kept beside the per-day changes

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07

Today's aging and overdue amount (the province dashboard's overdue column,
the fund's aging page) summed every `aging_day` row up to today, a read that
grows with the book's history. `aging_now` keeps that sum per township,
batch, oldest due and due date, written by the posting path with the days;
the upgrade fills it from the days already kept.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

_FILL = """
INSERT INTO aging_now (fund_id, township_id, batch_id, oldest_due, due_date,
                       loans, outstanding, unpaid)
SELECT fund_id, township_id, batch_id, oldest_due, due_date,
       SUM(loans), SUM(outstanding), SUM(unpaid)
FROM aging_day
GROUP BY fund_id, township_id, batch_id, oldest_due, due_date
HAVING SUM(loans) <> 0 OR SUM(outstanding) <> 0 OR SUM(unpaid) <> 0
"""


def upgrade() -> None:
    op.create_table(
        "aging_now",
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("township_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("oldest_due", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("loans", sa.Integer(), nullable=False),
        sa.Column("outstanding", sa.BigInteger(), nullable=False),
        sa.Column("unpaid", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "due_date >= oldest_due", name=op.f("ck_aging_now_due_not_before_oldest")
        ),
        *(
            sa.ForeignKeyConstraint(
                [column], [f"{column[:-3]}.id"], name=op.f(f"fk_aging_now_{column}_{column[:-3]}")
            )
            for column in ("fund_id", "township_id", "batch_id")
        ),
        sa.PrimaryKeyConstraint(
            "fund_id", "township_id", "batch_id", "oldest_due", "due_date", name=op.f("pk_aging_now")
        ),
    )
    op.execute(_FILL)


def downgrade() -> None:
    op.drop_table("aging_now")
