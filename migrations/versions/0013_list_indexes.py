"""indexes the paged loan list seeks in

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06

The loan list is paged by seeking (ledger/read/listing.py): within a
township, the loans after the last one shown in registration number order,
which `ix_loan_township_registration_no` gives without reading the loans
before it. Its "overdue today" filter and count read the kept positions
whose oldest unpaid instalment fell due before today, which
`ix_loan_position_overdue` finds without reading the others.
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_loan_township_registration_no", "loan", ["township_id", "registration_no"])
    op.create_index("ix_loan_position_overdue", "loan_position", ["fund_id", "oldest_unpaid_due"])


def downgrade() -> None:
    op.drop_index("ix_loan_position_overdue", table_name="loan_position")
    op.drop_index("ix_loan_township_registration_no", table_name="loan")
