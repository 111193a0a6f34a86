"""fund start date

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06

A fund has a start date (启用日): nothing is posted before it. A fund opened
without one starts on the date of its first journal (its first
appropriation), which is what existing funds are backfilled with.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("fund", sa.Column("opened_on", sa.Date(), nullable=True))
    op.execute(
        "UPDATE fund SET opened_on = "
        "(SELECT MIN(journal.posted_on) FROM journal WHERE journal.fund_id = fund.id)"
    )


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+): a batch copy of fund would trip the
    # foreign keys that every book table holds on it.
    op.drop_column("fund", "opened_on")
