"""fund programme

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

The programme: fund settings, townships, project types, batches, liaisons,
households, loans with schedules, liaison assignments and history,
guarantee calls and salary deductions, disasters and loss reports, and the
proposals decided by a second person (write-offs, extensions, project
changes). Amounts are BIGINT fen.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("budget", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("budget >= 0", name=op.f("ck_batch_budget_not_negative")),
        sa.ForeignKeyConstraint(["fund_id"], ["fund.id"], name=op.f("fk_batch_fund_id_fund")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batch")),
        sa.UniqueConstraint("fund_id", "code", name=op.f("uq_batch_fund_id_code")),
    )
    op.create_table(
        "disaster",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["fund_id"], ["fund.id"], name=op.f("fk_disaster_fund_id_fund")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disaster")),
        sa.UniqueConstraint("fund_id", "code", name=op.f("uq_disaster_fund_id_code")),
    )
    op.create_table(
        "fund_settings",
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("max_loan", sa.BigInteger(), nullable=False),
        sa.Column("max_term_months", sa.Integer(), nullable=False),
        sa.Column("deduction_cap_bp", sa.Integer(), nullable=False),
        sa.Column("fee_rate_bp", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "deduction_cap_bp BETWEEN 1 AND 10000",
            name=op.f("ck_fund_settings_deduction_cap_range"),
        ),
        sa.CheckConstraint(
            "fee_rate_bp BETWEEN 0 AND 9999", name=op.f("ck_fund_settings_fee_rate_range")
        ),
        sa.CheckConstraint("max_loan > 0", name=op.f("ck_fund_settings_max_loan_positive")),
        sa.CheckConstraint(
            "max_term_months BETWEEN 1 AND 600", name=op.f("ck_fund_settings_max_term_range")
        ),
        sa.ForeignKeyConstraint(
            ["fund_id"], ["fund.id"], name=op.f("fk_fund_settings_fund_id_fund")
        ),
        sa.PrimaryKeyConstraint("fund_id", name=op.f("pk_fund_settings")),
    )
    op.create_table(
        "project_type",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("borrowing_standard", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "borrowing_standard > 0", name=op.f("ck_project_type_standard_positive")
        ),
        sa.ForeignKeyConstraint(
            ["fund_id"], ["fund.id"], name=op.f("fk_project_type_fund_id_fund")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_type")),
        sa.UniqueConstraint("fund_id", "code", name=op.f("uq_project_type_fund_id_code")),
    )
    op.create_table(
        "township",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=9), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["fund_id"], ["fund.id"], name=op.f("fk_township_fund_id_fund")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_township")),
        sa.UniqueConstraint("fund_id", "code", name=op.f("uq_township_fund_id_code")),
    )
    op.create_table(
        "disaster_township",
        sa.Column("disaster_id", sa.Integer(), nullable=False),
        sa.Column("township_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["disaster_id"], ["disaster.id"], name=op.f("fk_disaster_township_disaster_id_disaster")
        ),
        sa.ForeignKeyConstraint(
            ["township_id"], ["township.id"], name=op.f("fk_disaster_township_township_id_township")
        ),
        sa.PrimaryKeyConstraint("disaster_id", "township_id", name=op.f("pk_disaster_township")),
    )
    op.create_table(
        "household",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("township_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("village", sa.String(length=100), nullable=False),
        sa.Column("party_member", sa.Boolean(), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["fund_id"], ["fund.id"], name=op.f("fk_household_fund_id_fund")),
        sa.ForeignKeyConstraint(
            ["township_id"], ["township.id"], name=op.f("fk_household_township_id_township")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household")),
        sa.UniqueConstraint("fund_id", "id_number", name=op.f("uq_household_fund_id_id_number")),
    )
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_household_township_id"), ["township_id"], unique=False)

    op.create_table(
        "liaison",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("township_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("monthly_salary", sa.BigInteger(), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint("monthly_salary >= 0", name=op.f("ck_liaison_salary_not_negative")),
        sa.ForeignKeyConstraint(["fund_id"], ["fund.id"], name=op.f("fk_liaison_fund_id_fund")),
        sa.ForeignKeyConstraint(
            ["township_id"], ["township.id"], name=op.f("fk_liaison_township_id_township")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_liaison")),
    )
    with op.batch_alter_table("liaison", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_liaison_fund_id"), ["fund_id"], unique=False)

    op.create_table(
        "loan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("registration_no", sa.String(length=40), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=True),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("township_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("project_type_id", sa.Integer(), nullable=False),
        sa.Column("project", sa.String(length=200), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "applied",
                "verified",
                "rejected",
                "approved",
                "contracted",
                "disbursed",
                "closed",
                "written_off",
                name="loan_status",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("requested_amount", sa.BigInteger(), nullable=False),
        sa.Column("approved_amount", sa.BigInteger(), nullable=True),
        sa.Column("application_no", sa.String(length=40), nullable=False),
        sa.Column("contract_no", sa.String(length=40), nullable=True),
        sa.Column("iou_no", sa.String(length=40), nullable=True),
        sa.Column("technical_lead", sa.String(length=50), nullable=True),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("visited_on", sa.Date(), nullable=True),
        sa.Column("visitor", sa.String(length=50), nullable=True),
        sa.Column("exclusion_reason", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "approved_amount IS NULL OR approved_amount <= requested_amount",
            name=op.f("ck_loan_approved_within_requested"),
        ),
        sa.CheckConstraint(
            "approved_amount IS NULL OR approved_amount > 0", name=op.f("ck_loan_approved_positive")
        ),
        sa.CheckConstraint("requested_amount > 0", name=op.f("ck_loan_requested_positive")),
        sa.ForeignKeyConstraint(["batch_id"], ["batch.id"], name=op.f("fk_loan_batch_id_batch")),
        sa.ForeignKeyConstraint(["fund_id"], ["fund.id"], name=op.f("fk_loan_fund_id_fund")),
        sa.ForeignKeyConstraint(
            ["household_id"], ["household.id"], name=op.f("fk_loan_household_id_household")
        ),
        sa.ForeignKeyConstraint(
            ["project_type_id"],
            ["project_type.id"],
            name=op.f("fk_loan_project_type_id_project_type"),
        ),
        sa.ForeignKeyConstraint(
            ["township_id"], ["township.id"], name=op.f("fk_loan_township_id_township")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loan")),
        sa.UniqueConstraint(
            "batch_id", "township_id", "seq", name=op.f("uq_loan_batch_id_township_id_seq")
        ),
        sa.UniqueConstraint(
            "fund_id", "application_no", name=op.f("uq_loan_fund_id_application_no")
        ),
        sa.UniqueConstraint("fund_id", "contract_no", name=op.f("uq_loan_fund_id_contract_no")),
        sa.UniqueConstraint("fund_id", "iou_no", name=op.f("uq_loan_fund_id_iou_no")),
        sa.UniqueConstraint(
            "fund_id", "registration_no", name=op.f("uq_loan_fund_id_registration_no")
        ),
    )
    with op.batch_alter_table("loan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_loan_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_loan_household_id"), ["household_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_loan_township_id"), ["township_id"], unique=False)

    op.create_table(
        "salary_deduction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("liaison_id", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("voucher", sa.String(length=20), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_salary_deduction_amount_positive")),
        sa.ForeignKeyConstraint(
            ["fund_id"], ["fund.id"], name=op.f("fk_salary_deduction_fund_id_fund")
        ),
        sa.ForeignKeyConstraint(
            ["liaison_id"], ["liaison.id"], name=op.f("fk_salary_deduction_liaison_id_liaison")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_salary_deduction")),
    )
    with op.batch_alter_table("salary_deduction", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_salary_deduction_liaison_id"), ["liaison_id"], unique=False
        )

    op.create_table(
        "extension",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Integer(), nullable=False),
        sa.Column("disaster_id", sa.Integer(), nullable=True),
        sa.Column("schedule", sa.JSON(), nullable=False),
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
            ["disaster_id"], ["disaster.id"], name=op.f("fk_extension_disaster_id_disaster")
        ),
        sa.ForeignKeyConstraint(["fund_id"], ["fund.id"], name=op.f("fk_extension_fund_id_fund")),
        sa.ForeignKeyConstraint(["loan_id"], ["loan.id"], name=op.f("fk_extension_loan_id_loan")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_extension")),
    )
    with op.batch_alter_table("extension", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_extension_fund_id"), ["fund_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_extension_loan_id"), ["loan_id"], unique=False)

    op.create_table(
        "guarantee_call",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Integer(), nullable=False),
        sa.Column("liaison_id", sa.Integer(), nullable=False),
        sa.Column("called_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("monthly_cap", sa.BigInteger(), nullable=False),
        sa.Column("voucher", sa.String(length=20), nullable=False),
        sa.Column("called_by", sa.String(length=64), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_guarantee_call_amount_positive")),
        sa.ForeignKeyConstraint(
            ["fund_id"], ["fund.id"], name=op.f("fk_guarantee_call_fund_id_fund")
        ),
        sa.ForeignKeyConstraint(
            ["liaison_id"], ["liaison.id"], name=op.f("fk_guarantee_call_liaison_id_liaison")
        ),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loan.id"], name=op.f("fk_guarantee_call_loan_id_loan")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guarantee_call")),
    )
    with op.batch_alter_table("guarantee_call", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_guarantee_call_liaison_id"), ["liaison_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_guarantee_call_loan_id"), ["loan_id"], unique=False)

    op.create_table(
        "instalment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_instalment_amount_positive")),
        sa.ForeignKeyConstraint(["loan_id"], ["loan.id"], name=op.f("fk_instalment_loan_id_loan")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instalment")),
        sa.UniqueConstraint(
            "loan_id", "version", "seq", name=op.f("uq_instalment_loan_id_version_seq")
        ),
    )
    op.create_table(
        "liaison_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Integer(), nullable=False),
        sa.Column("liaison_id", sa.Integer(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["liaison_id"], ["liaison.id"], name=op.f("fk_liaison_assignment_liaison_id_liaison")
        ),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loan.id"], name=op.f("fk_liaison_assignment_loan_id_loan")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_liaison_assignment")),
        sa.UniqueConstraint(
            "loan_id", "effective_on", name=op.f("uq_liaison_assignment_loan_id_effective_on")
        ),
    )
    with op.batch_alter_table("liaison_assignment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_liaison_assignment_liaison_id"), ["liaison_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_liaison_assignment_loan_id"), ["loan_id"], unique=False
        )

    op.create_table(
        "loan_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Integer(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("voucher", sa.String(length=20), nullable=True),
        sa.Column(
            "recorded_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["loan_id"], ["loan.id"], name=op.f("fk_loan_event_loan_id_loan")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loan_event")),
    )
    with op.batch_alter_table("loan_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_loan_event_loan_id"), ["loan_id"], unique=False)

    op.create_table(
        "loss_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("disaster_id", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Integer(), nullable=False),
        sa.Column("assessed_loss", sa.BigInteger(), nullable=False),
        sa.Column("inspector", sa.String(length=50), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.CheckConstraint("assessed_loss >= 0", name=op.f("ck_loss_report_loss_not_negative")),
        sa.ForeignKeyConstraint(
            ["disaster_id"], ["disaster.id"], name=op.f("fk_loss_report_disaster_id_disaster")
        ),
        sa.ForeignKeyConstraint(["loan_id"], ["loan.id"], name=op.f("fk_loss_report_loan_id_loan")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loss_report")),
        sa.UniqueConstraint(
            "disaster_id", "loan_id", name=op.f("uq_loss_report_disaster_id_loan_id")
        ),
    )
    with op.batch_alter_table("loss_report", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_loss_report_loan_id"), ["loan_id"], unique=False)

    op.create_table(
        "project_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Integer(), nullable=False),
        sa.Column("project_type_id", sa.Integer(), nullable=False),
        sa.Column("project", sa.String(length=200), nullable=False),
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
            ["fund_id"], ["fund.id"], name=op.f("fk_project_change_fund_id_fund")
        ),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loan.id"], name=op.f("fk_project_change_loan_id_loan")
        ),
        sa.ForeignKeyConstraint(
            ["project_type_id"],
            ["project_type.id"],
            name=op.f("fk_project_change_project_type_id_project_type"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_change")),
    )
    with op.batch_alter_table("project_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_change_fund_id"), ["fund_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_project_change_loan_id"), ["loan_id"], unique=False)

    op.create_table(
        "schedule_version",
        sa.Column("loan_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("principal", sa.BigInteger(), nullable=False),
        sa.Column("settled_before", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("principal > 0", name=op.f("ck_schedule_version_principal_positive")),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loan.id"], name=op.f("fk_schedule_version_loan_id_loan")
        ),
        sa.PrimaryKeyConstraint("loan_id", "version", name=op.f("pk_schedule_version")),
    )
    op.create_table(
        "write_off",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column(
            "ground",
            sa.Enum(
                "death",
                "disaster",
                "policy",
                "enforcement",
                "other",
                name="write_off_ground",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("disaster_id", sa.Integer(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("document_no", sa.String(length=64), nullable=True),
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
        sa.CheckConstraint("amount > 0", name=op.f("ck_write_off_amount_positive")),
        sa.ForeignKeyConstraint(
            ["disaster_id"], ["disaster.id"], name=op.f("fk_write_off_disaster_id_disaster")
        ),
        sa.ForeignKeyConstraint(["fund_id"], ["fund.id"], name=op.f("fk_write_off_fund_id_fund")),
        sa.ForeignKeyConstraint(["loan_id"], ["loan.id"], name=op.f("fk_write_off_loan_id_loan")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_write_off")),
    )
    with op.batch_alter_table("write_off", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_write_off_fund_id"), ["fund_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_write_off_loan_id"), ["loan_id"], unique=False)

    op.create_table(
        "deduction_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("due_month", sa.String(length=7), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_deduction_plan_amount_positive")),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["guarantee_call.id"],
            name=op.f("fk_deduction_plan_call_id_guarantee_call"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deduction_plan")),
        sa.UniqueConstraint("call_id", "seq", name=op.f("uq_deduction_plan_call_id_seq")),
    )


def downgrade() -> None:
    op.drop_table("deduction_plan")
    with op.batch_alter_table("write_off", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_write_off_loan_id"))
        batch_op.drop_index(batch_op.f("ix_write_off_fund_id"))

    op.drop_table("write_off")
    op.drop_table("schedule_version")
    with op.batch_alter_table("project_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_change_loan_id"))
        batch_op.drop_index(batch_op.f("ix_project_change_fund_id"))

    op.drop_table("project_change")
    with op.batch_alter_table("loss_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loss_report_loan_id"))

    op.drop_table("loss_report")
    with op.batch_alter_table("loan_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loan_event_loan_id"))

    op.drop_table("loan_event")
    with op.batch_alter_table("liaison_assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_liaison_assignment_loan_id"))
        batch_op.drop_index(batch_op.f("ix_liaison_assignment_liaison_id"))

    op.drop_table("liaison_assignment")
    op.drop_table("instalment")
    with op.batch_alter_table("guarantee_call", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guarantee_call_loan_id"))
        batch_op.drop_index(batch_op.f("ix_guarantee_call_liaison_id"))

    op.drop_table("guarantee_call")
    with op.batch_alter_table("extension", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_extension_loan_id"))
        batch_op.drop_index(batch_op.f("ix_extension_fund_id"))

    op.drop_table("extension")
    with op.batch_alter_table("salary_deduction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_salary_deduction_liaison_id"))

    op.drop_table("salary_deduction")
    with op.batch_alter_table("loan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loan_township_id"))
        batch_op.drop_index(batch_op.f("ix_loan_household_id"))
        batch_op.drop_index(batch_op.f("ix_loan_batch_id"))

    op.drop_table("loan")
    with op.batch_alter_table("liaison", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_liaison_fund_id"))

    op.drop_table("liaison")
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_household_township_id"))

    op.drop_table("household")
    op.drop_table("disaster_township")
    op.drop_table("township")
    op.drop_table("project_type")
    op.drop_table("fund_settings")
    op.drop_table("disaster")
    op.drop_table("batch")
