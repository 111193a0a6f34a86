"""the journals of one kind found in voucher order by an index

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07

The journals list filtered by a kind sought its page on the (fund, period,
seq) key and skipped the other kinds' journals, so a page of a rare kind
(the allocations at a book's start) read every journal of the fund: 12.7 ms
at 10,000 loans, 44.9 ms at 100,000. `ix_journal_fund_kind` (fund, kind,
period, seq) finds them directly; one more index entry a journal.
"""

from __future__ import annotations

from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_journal_fund_kind", "journal", ["fund_id", "kind", "period", "seq"])


def downgrade() -> None:
    op.drop_index("ix_journal_fund_kind", table_name="journal")
