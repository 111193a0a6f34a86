"""loss report date

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06

A loss report (损失核定) records the day the loss was assessed, which may not
precede its disaster. Reports recorded before keep it unknown (NULL): the
day was never written down.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("loss_report", sa.Column("assessed_on", sa.Date(), nullable=True))


def downgrade() -> None:
    op.drop_column("loss_report", "assessed_on")
