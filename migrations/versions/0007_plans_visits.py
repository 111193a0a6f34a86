"""plans and visits

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06

A fund's three-year plan (三年规划) with its yearly figures per township and
batch, kept as versions that supersede one another (a revision never edits
the one before); and the visit log (走访记录) of liaisons and pairing cadres:
who visited which household and loan, when, for how many days, and what
they saw.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("first_year", sa.Integer(), nullable=False),
        sa.Column("last_year", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint("last_year >= first_year", name=op.f("ck_plan_years_in_order")),
        sa.ForeignKeyConstraint(["fund_id"], ["fund.id"], name=op.f("fk_plan_fund_id_fund")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan")),
        sa.UniqueConstraint("fund_id", "first_year", name=op.f("uq_plan_fund_id_first_year")),
    )
    op.create_table(
        "plan_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column(
            "recorded_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_plan_revision_version_positive")),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_plan_revision_plan_id_plan")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_revision")),
        sa.UniqueConstraint("plan_id", "version", name=op.f("uq_plan_revision_plan_id_version")),
    )
    op.create_table(
        "plan_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("township_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("households", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_plan_line_amount_positive")),
        sa.CheckConstraint("households > 0", name=op.f("ck_plan_line_households_positive")),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batch.id"], name=op.f("fk_plan_line_batch_id_batch")
        ),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["plan_revision.id"],
            name=op.f("fk_plan_line_revision_id_plan_revision"),
        ),
        sa.ForeignKeyConstraint(
            ["township_id"], ["township.id"], name=op.f("fk_plan_line_township_id_township")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_line")),
        sa.UniqueConstraint(
            "revision_id",
            "year",
            "township_id",
            "batch_id",
            name=op.f("uq_plan_line_revision_id_year_township_id_batch_id"),
        ),
    )
    with op.batch_alter_table("plan_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_line_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_line_township_id"), ["township_id"], unique=False)

    op.create_table(
        "visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Integer(), nullable=True),
        sa.Column(
            "visitor_kind",
            sa.Enum("liaison", "cadre", name="visitor_kind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("liaison_id", sa.Integer(), nullable=True),
        sa.Column("visitor", sa.String(length=50), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column(
            "progress",
            sa.Enum(
                "progressing",
                "behind",
                "failed",
                "changed",
                name="project_progress",
                native_enum=False,
                length=16,
            ),
            nullable=True,
        ),
        sa.Column("funds_as_approved", sa.Boolean(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column(
            "recorded_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "visitor_kind <> 'liaison' OR (liaison_id IS NOT NULL AND loan_id IS NOT NULL)",
            name=op.f("ck_visit_liaison_visit_names_loan"),
        ),
        sa.CheckConstraint("days BETWEEN 1 AND 31", name=op.f("ck_visit_days_range")),
        sa.CheckConstraint(
            "loan_id IS NULL OR (progress IS NOT NULL AND funds_as_approved IS NOT NULL)",
            name=op.f("ck_visit_loan_visit_says_what_was_seen"),
        ),
        sa.ForeignKeyConstraint(["fund_id"], ["fund.id"], name=op.f("fk_visit_fund_id_fund")),
        sa.ForeignKeyConstraint(
            ["household_id"], ["household.id"], name=op.f("fk_visit_household_id_household")
        ),
        sa.ForeignKeyConstraint(
            ["liaison_id"], ["liaison.id"], name=op.f("fk_visit_liaison_id_liaison")
        ),
        sa.ForeignKeyConstraint(["loan_id"], ["loan.id"], name=op.f("fk_visit_loan_id_loan")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit")),
    )
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visit_fund_id"), ["fund_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_visit_household_id"), ["household_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_visit_liaison_id"), ["liaison_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_visit_loan_id"), ["loan_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_visit_visited_on"), ["visited_on"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_visited_on"))
        batch_op.drop_index(batch_op.f("ix_visit_loan_id"))
        batch_op.drop_index(batch_op.f("ix_visit_liaison_id"))
        batch_op.drop_index(batch_op.f("ix_visit_household_id"))
        batch_op.drop_index(batch_op.f("ix_visit_fund_id"))

    op.drop_table("visit")
    with op.batch_alter_table("plan_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_line_township_id"))
        batch_op.drop_index(batch_op.f("ix_plan_line_batch_id"))

    op.drop_table("plan_line")
    op.drop_table("plan_revision")
    op.drop_table("plan")
