"""daily totals by business event kind, per account and per chart line

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07

What was allocated, remitted, disbursed, repaid ... between two dates was
summed from the period's entries (`books.by_event_kind`). These tables keep
those sums per day, written by the posting path like the daily totals, so
a township's turnover, the fund statement's period flows and a period's
disbursements cost in proportion to days and kinds, not entries. The
upgrade fills them from the entries already in the book.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

#: The event kind: a red-ink reversal counts under the kind of its original.
_FILL_ACCOUNTS = """
INSERT INTO account_kind_day (account_id, kind, day, chart_id, debit, credit)
SELECT e.account_id, COALESCE(o.kind, j.kind), e.posted_on, a.chart_id,
       SUM(CASE WHEN e.side = 'D' THEN e.amount ELSE 0 END),
       SUM(CASE WHEN e.side = 'C' THEN e.amount ELSE 0 END)
FROM entry e
JOIN journal j ON j.id = e.journal_id
LEFT JOIN journal o ON o.id = j.reverses_id
JOIN account a ON a.id = e.account_id
GROUP BY e.account_id, COALESCE(o.kind, j.kind), e.posted_on, a.chart_id
"""
_FILL_CHARTS = """
INSERT INTO chart_kind_day (chart_id, kind, day, debit, credit)
SELECT chart_id, kind, day, SUM(debit), SUM(credit)
FROM account_kind_day
GROUP BY chart_id, kind, day
"""


def upgrade() -> None:
    op.create_table(
        "account_kind_day",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("chart_id", sa.Integer(), nullable=False),
        sa.Column("debit", sa.BigInteger(), nullable=False),
        sa.Column("credit", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_account_kind_day_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["chart_id"],
            ["chart_account.id"],
            name=op.f("fk_account_kind_day_chart_id_chart_account"),
        ),
        sa.PrimaryKeyConstraint("account_id", "kind", "day", name=op.f("pk_account_kind_day")),
    )
    op.create_index(
        "ix_account_kind_day_chart_covering",
        "account_kind_day",
        ["chart_id", "day", "kind", "account_id", "debit", "credit"],
    )
    op.create_table(
        "chart_kind_day",
        sa.Column("chart_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("debit", sa.BigInteger(), nullable=False),
        sa.Column("credit", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["chart_id"],
            ["chart_account.id"],
            name=op.f("fk_chart_kind_day_chart_id_chart_account"),
        ),
        sa.PrimaryKeyConstraint("chart_id", "kind", "day", name=op.f("pk_chart_kind_day")),
    )
    op.execute(_FILL_ACCOUNTS)
    op.execute(_FILL_CHARTS)


def downgrade() -> None:
    op.drop_table("chart_kind_day")
    op.drop_index("ix_account_kind_day_chart_covering", table_name="account_kind_day")
    op.drop_table("account_kind_day")
