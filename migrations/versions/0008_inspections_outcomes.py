"""inspections and outcomes

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

The county office's inspections (督查) of a township, the households it
visited and what it found, each finding open until closed with evidence;
recalls (提前收回) of loans whose money was diverted, decided by a second
person like every proposal. Outcomes: the county's poverty line by effective
date, and each household's income at registration and at year ends, with
the 专业户 flag and the township's approval. Money is integer fen.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "poverty_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_poverty_line_amount_positive")),
        sa.ForeignKeyConstraint(
            ["fund_id"], ["fund.id"], name=op.f("fk_poverty_line_fund_id_fund")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_poverty_line")),
        sa.UniqueConstraint(
            "fund_id", "effective_from", name=op.f("uq_poverty_line_fund_id_effective_from")
        ),
    )
    op.create_table(
        "inspection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("township_id", sa.Integer(), nullable=False),
        sa.Column("inspected_on", sa.Date(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "scheduled", "unscheduled", name="inspection_kind", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("inspectors", sa.String(length=200), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column(
            "recorded_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["fund_id"], ["fund.id"], name=op.f("fk_inspection_fund_id_fund")),
        sa.ForeignKeyConstraint(
            ["township_id"], ["township.id"], name=op.f("fk_inspection_township_id_township")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection")),
    )
    with op.batch_alter_table("inspection", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inspection_fund_id"), ["fund_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_inspection_township_id"), ["township_id"], unique=False
        )

    op.create_table(
        "income_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("registration", "year_end", name="income_kind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("income", sa.BigInteger(), nullable=False),
        sa.Column("specialised", sa.Boolean(), nullable=False),
        sa.Column("liaison_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column(
            "recorded_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("approved_by", sa.String(length=64), nullable=True),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.CheckConstraint("income >= 0", name=op.f("ck_income_record_income_not_negative")),
        sa.ForeignKeyConstraint(
            ["fund_id"], ["fund.id"], name=op.f("fk_income_record_fund_id_fund")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["household.id"], name=op.f("fk_income_record_household_id_household")
        ),
        sa.ForeignKeyConstraint(
            ["liaison_id"], ["liaison.id"], name=op.f("fk_income_record_liaison_id_liaison")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_income_record")),
        sa.UniqueConstraint(
            "household_id", "kind", "year", name=op.f("uq_income_record_household_id_kind_year")
        ),
    )
    with op.batch_alter_table("income_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_income_record_fund_id"), ["fund_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_income_record_household_id"), ["household_id"], unique=False
        )

    op.create_table(
        "finding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "not_reached",
                "diverted",
                "project_changed",
                "records_mismatch",
                name="finding_kind",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("loan_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("responsible", sa.String(length=50), nullable=False),
        sa.Column("correct_by", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("evidence_ref", sa.String(length=100), nullable=True),
        sa.CheckConstraint(
            "(closed_on IS NULL) = (closed_by IS NULL)",
            name=op.f("ck_finding_closed_on_and_by_together"),
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"], ["inspection.id"], name=op.f("fk_finding_inspection_id_inspection")
        ),
        sa.ForeignKeyConstraint(["loan_id"], ["loan.id"], name=op.f("fk_finding_loan_id_loan")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding")),
    )
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_finding_inspection_id"), ["inspection_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_finding_loan_id"), ["loan_id"], unique=False)

    op.create_table(
        "inspection_loan",
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspection.id"],
            name=op.f("fk_inspection_loan_inspection_id_inspection"),
        ),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loan.id"], name=op.f("fk_inspection_loan_loan_id_loan")
        ),
        sa.PrimaryKeyConstraint("inspection_id", "loan_id", name=op.f("pk_inspection_loan")),
    )
    with op.batch_alter_table("inspection_loan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inspection_loan_loan_id"), ["loan_id"], unique=False)

    op.create_table(
        "recall",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=False),
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
            ["finding_id"], ["finding.id"], name=op.f("fk_recall_finding_id_finding")
        ),
        sa.ForeignKeyConstraint(["fund_id"], ["fund.id"], name=op.f("fk_recall_fund_id_fund")),
        sa.ForeignKeyConstraint(["loan_id"], ["loan.id"], name=op.f("fk_recall_loan_id_loan")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recall")),
    )
    with op.batch_alter_table("recall", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recall_finding_id"), ["finding_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_recall_fund_id"), ["fund_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_recall_loan_id"), ["loan_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("recall", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recall_loan_id"))
        batch_op.drop_index(batch_op.f("ix_recall_fund_id"))
        batch_op.drop_index(batch_op.f("ix_recall_finding_id"))

    op.drop_table("recall")
    with op.batch_alter_table("inspection_loan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_loan_loan_id"))

    op.drop_table("inspection_loan")
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_finding_loan_id"))
        batch_op.drop_index(batch_op.f("ix_finding_inspection_id"))

    op.drop_table("finding")
    with op.batch_alter_table("income_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_income_record_household_id"))
        batch_op.drop_index(batch_op.f("ix_income_record_fund_id"))

    op.drop_table("income_record")
    with op.batch_alter_table("inspection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_township_id"))
        batch_op.drop_index(batch_op.f("ix_inspection_fund_id"))

    op.drop_table("inspection")
    op.drop_table("poverty_line")
