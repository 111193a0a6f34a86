"""reversal proposals

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24

A red-ink reversal is a proposal decided by a second person (SPEC §2,
maker-checker), like write-offs, extensions and project changes: the
proposal records who asked and why; approval posts the reversal journal and
records its voucher.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reversal_proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("journal_id", sa.Integer(), nullable=False),
        sa.Column("voucher", sa.String(length=20), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "proposed",
                "approved",
                "rejected",
                name="proposal_status",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("proposed_by", sa.String(length=64), nullable=False),
        sa.Column("proposed_on", sa.Date(), nullable=False),
        sa.Column(
            "proposed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["fund_id"], ["fund.id"], name=op.f("fk_reversal_proposal_fund_id_fund")
        ),
        sa.ForeignKeyConstraint(
            ["journal_id"], ["journal.id"], name=op.f("fk_reversal_proposal_journal_id_journal")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reversal_proposal")),
    )
    with op.batch_alter_table("reversal_proposal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reversal_proposal_fund_id"), ["fund_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_reversal_proposal_journal_id"), ["journal_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("reversal_proposal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reversal_proposal_journal_id"))
        batch_op.drop_index(batch_op.f("ix_reversal_proposal_fund_id"))
    op.drop_table("reversal_proposal")
