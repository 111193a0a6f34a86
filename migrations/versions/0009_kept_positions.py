"""kept positions

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06

Kept figures (docs/ARCHITECTURE.md, "Kept figures"): each loan's position,
the totals per township and batch, and their per-day changes (figures, and
unpaid instalments by oldest due date for aging), written by the posting
path. The tables start empty: an existing book fills them with
``flask --app wsgi rebuild-positions`` before it takes writes again. Money is
integer fen.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

OUTSTANDING_RULE = "outstanding = disbursed - repaid - guarantee_called - written_off"


def _figures() -> list[sa.Column]:
    return [
        sa.Column(name, sa.BigInteger(), nullable=False)
        for name in ("disbursed", "repaid", "guarantee_called", "written_off", "outstanding")
    ]


def _keys(table: str, *columns: tuple[str, str]) -> list[sa.ForeignKeyConstraint]:
    return [
        sa.ForeignKeyConstraint(
            [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
        )
        for column, target in columns
    ]


def upgrade() -> None:
    op.create_table(
        "loan_position",
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Integer(), nullable=False),
        sa.Column("township_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        *_figures(),
        sa.Column("oldest_unpaid_due", sa.Date(), nullable=True),
        sa.Column("last_moved_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            OUTSTANDING_RULE, name=op.f("ck_loan_position_outstanding_is_unsettled")
        ),
        sa.CheckConstraint(
            "disbursed >= 0 AND outstanding >= 0", name=op.f("ck_loan_position_not_negative")
        ),
        sa.CheckConstraint("version >= 0", name=op.f("ck_loan_position_version_not_negative")),
        *_keys(
            "loan_position",
            ("batch_id", "batch"),
            ("fund_id", "fund"),
            ("loan_id", "loan"),
            ("township_id", "township"),
        ),
        sa.PrimaryKeyConstraint("fund_id", "loan_id", name=op.f("pk_loan_position")),
    )
    op.create_table(
        "position_total",
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("township_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        *_figures(),
        sa.Column("lent_loans", sa.Integer(), nullable=False),
        sa.Column("open_loans", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            OUTSTANDING_RULE, name=op.f("ck_position_total_outstanding_is_unsettled")
        ),
        *_keys(
            "position_total",
            ("batch_id", "batch"),
            ("fund_id", "fund"),
            ("township_id", "township"),
        ),
        sa.PrimaryKeyConstraint(
            "fund_id", "township_id", "batch_id", name=op.f("pk_position_total")
        ),
    )
    op.create_table(
        "position_day",
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("township_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        *_figures(),
        sa.Column("lent_loans", sa.Integer(), nullable=False),
        sa.Column("open_loans", sa.Integer(), nullable=False),
        sa.CheckConstraint(OUTSTANDING_RULE, name=op.f("ck_position_day_outstanding_is_unsettled")),
        *_keys(
            "position_day",
            ("batch_id", "batch"),
            ("fund_id", "fund"),
            ("township_id", "township"),
        ),
        sa.PrimaryKeyConstraint(
            "fund_id", "township_id", "batch_id", "day", name=op.f("pk_position_day")
        ),
    )
    op.create_table(
        "aging_day",
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("township_id", sa.Integer(), nullable=False),
        sa.Column("oldest_due", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("loans", sa.Integer(), nullable=False),
        sa.Column("outstanding", sa.BigInteger(), nullable=False),
        sa.Column("unpaid", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "due_date >= oldest_due", name=op.f("ck_aging_day_due_not_before_oldest")
        ),
        *_keys("aging_day", ("fund_id", "fund"), ("township_id", "township")),
        sa.PrimaryKeyConstraint(
            "fund_id", "township_id", "oldest_due", "due_date", "day", name=op.f("pk_aging_day")
        ),
    )


def downgrade() -> None:
    for table in ("aging_day", "position_day", "position_total", "loan_position"):
        op.drop_table(table)
