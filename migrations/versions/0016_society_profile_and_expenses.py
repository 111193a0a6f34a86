"""a society's place and bank account; its approved expenses

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07

A society opened through the API names its village, township and its one
bank account (专户): `society_profile`, one row per society fund. An expense
the committee approved keeps its approver beside its journal
(`society_expense`), so the list of expenses says who approved each, never
the one who paid it. Societies opened before this have no profile row; they
list with an empty village.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "society_profile",
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("village", sa.String(length=100), nullable=False),
        sa.Column("township", sa.String(length=100), nullable=False),
        sa.Column("bank", sa.String(length=100), nullable=False),
        sa.Column("bank_account", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["fund_id"], ["fund.id"], name=op.f("fk_society_profile_fund_id_fund")
        ),
        sa.PrimaryKeyConstraint("fund_id", name=op.f("pk_society_profile")),
    )
    op.create_table(
        "society_expense",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("journal_id", sa.Integer(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("purpose", sa.String(length=200), nullable=False),
        sa.Column("approved_by", sa.String(length=64), nullable=False),
        sa.Column("paid_by", sa.String(length=64), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_society_expense_amount_positive")),
        sa.ForeignKeyConstraint(
            ["fund_id"], ["fund.id"], name=op.f("fk_society_expense_fund_id_fund")
        ),
        sa.ForeignKeyConstraint(
            ["journal_id"], ["journal.id"], name=op.f("fk_society_expense_journal_id_journal")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_society_expense")),
        sa.UniqueConstraint(
            "fund_id", "journal_id", name=op.f("uq_society_expense_fund_id_journal_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("society_expense")
    op.drop_table("society_profile")
