"""liaisons' totals kept

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07

The liaisons' list summed every loan with principal outstanding, its latest
liaison assignment and, for an overdue one, its schedule, on each request:
in proportion to the loans. These tables keep, per liaison answering, the
open loans and their outstanding (`liaison_total`) and the unpaid principal
by due date (`liaison_due`), written by the posting path and by a change of
liaison. They are a function of the entries, like the other kept figures:
the upgrade empties the kept tables, and `flask --app wsgi init-db` (the
command that runs this upgrade) fills every fund's again from its entries
before the book takes writes (`ledger.positions.rebuild`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

KEPT = (
    "loan_position",
    "position_total",
    "position_day",
    "aging_day",
    "aging_now",
    "household_day",
)


def _keys(table: str) -> list[sa.ForeignKeyConstraint]:
    return [
        sa.ForeignKeyConstraint(
            [f"{parent}_id"], [f"{parent}.id"], name=op.f(f"fk_{table}_{parent}_id_{parent}")
        )
        for parent in ("fund", "liaison")
    ]


def upgrade() -> None:
    for table in KEPT:
        op.execute(sa.text(f"DELETE FROM {table}"))
    op.create_table(
        "liaison_total",
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("liaison_id", sa.Integer(), nullable=False),
        sa.Column("open_loans", sa.Integer(), nullable=False),
        sa.Column("outstanding", sa.BigInteger(), nullable=False),
        *_keys("liaison_total"),
        sa.PrimaryKeyConstraint("fund_id", "liaison_id", name=op.f("pk_liaison_total")),
    )
    op.create_table(
        "liaison_due",
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("liaison_id", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("unpaid", sa.BigInteger(), nullable=False),
        *_keys("liaison_due"),
        sa.PrimaryKeyConstraint(
            "fund_id", "liaison_id", "due_date", name=op.f("pk_liaison_due")
        ),
    )


def downgrade() -> None:
    op.drop_table("liaison_due")
    op.drop_table("liaison_total")
