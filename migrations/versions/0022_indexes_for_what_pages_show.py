"""a township's loans by status; pending write-offs by status; loan events by action and day

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07

A township officer's to-do counted the fund's loans of a status and kept the
township's, reading every loan row of the status (25 ms at 100,000 loans):
`ix_loan_fund_id_status_township_id` serves the county's count and the
township's from the index. The pending write-offs beside the outstanding
read every write-off of the fund for the few still proposed:
`ix_write_off_fund_id_status` finds those only. The progress report's
registrations and approvals of a period walked every loan to probe its
events (100 ms a query at 100,000 loans): `ix_loan_event_action_on` finds
the period's.
"""

from __future__ import annotations

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_loan_fund_id_status_township_id", "loan", ["fund_id", "status", "township_id"]
    )
    op.drop_index("ix_loan_fund_id_status", table_name="loan")
    op.create_index("ix_write_off_fund_id_status", "write_off", ["fund_id", "status"])
    op.create_index("ix_loan_event_action_on", "loan_event", ["action", "on"])


def downgrade() -> None:
    op.drop_index("ix_loan_event_action_on", table_name="loan_event")
    op.drop_index("ix_write_off_fund_id_status", table_name="write_off")
    op.create_index("ix_loan_fund_id_status", "loan", ["fund_id", "status"])
    op.drop_index("ix_loan_fund_id_status_township_id", table_name="loan")
