"""the years a society has closed and distributed

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07

A society closes a year once. Its closing journal used to be the only
record of that, and a year with neither income nor expenses posts none, so
it stayed open and could be distributed again. `society_year_end` holds one
row per year closed, journal or not; its primary key refuses a second. The
years closed before this are those with a closing journal (``year_end_close``,
dated 31 December).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    year_end = op.create_table(
        "society_year_end",
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.CheckConstraint(
            "year BETWEEN 1901 AND 9999", name=op.f("ck_society_year_end_year_range")
        ),
        sa.ForeignKeyConstraint(
            ["fund_id"], ["fund.id"], name=op.f("fk_society_year_end_fund_id_fund")
        ),
        sa.PrimaryKeyConstraint("fund_id", "year", name=op.f("pk_society_year_end")),
    )
    journal = sa.table(
        "journal",
        sa.column("fund_id", sa.Integer()),
        sa.column("kind", sa.String()),
        sa.column("posted_on", sa.Date()),
    )
    closed = op.get_bind().execute(
        sa.select(journal.c.fund_id, journal.c.posted_on)
        .where(journal.c.kind == "year_end_close")
        .distinct()
    )
    rows = [{"fund_id": fund_id, "year": day.year} for fund_id, day in closed]
    if rows:
        op.bulk_insert(year_end, rows)


def downgrade() -> None:
    op.drop_table("society_year_end")
