"""programme kinds and the village mutual-aid society

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06

A fund now has a programme kind (SPEC §13): ``revolving``, what every
existing fund is, or ``mutual_aid``, a village society with its own chart.
The kinds are listed in a CHECK, so a third kind's migration widens it. The
society's tables: its versioned rules (章程), mutual-guarantee groups,
members, allocated shares (配股, a register without money) and loans. Money
stays in the accounts; amounts are BIGINT fen, rates integer millionths and
distribution shares basis points, exact on every engine.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

KIND_CHECK = "kind IN ('revolving', 'mutual_aid')"


def upgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        # A batch copy of fund would trip the foreign keys every book table holds
        # on it; SQLite adds a column with its CHECK in place.
        op.execute(
            "ALTER TABLE fund ADD COLUMN kind VARCHAR(16) DEFAULT 'revolving' NOT NULL "
            f"CONSTRAINT ck_fund_kind_known CHECK ({KIND_CHECK})"
        )
    else:
        op.add_column(
            "fund",
            sa.Column("kind", sa.String(16), server_default="revolving", nullable=False),
        )
        op.create_check_constraint("ck_fund_kind_known", "fund", KIND_CHECK)
    op.create_table(
        "society_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["fund_id"], ["fund.id"], name=op.f("fk_society_group_fund_id_fund")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_society_group")),
        sa.UniqueConstraint("fund_id", "code", name=op.f("uq_society_group_fund_id_code")),
    )
    op.create_table(
        "society_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("share_size", sa.BigInteger(), nullable=False),
        sa.Column("loan_cap", sa.BigInteger(), nullable=False),
        sa.Column("loan_share_multiple", sa.Integer(), nullable=False),
        sa.Column("max_term_months", sa.Integer(), nullable=False),
        sa.Column("fee_rate_ppm", sa.Integer(), nullable=False),
        sa.Column("overdue_fee_rate_ppm", sa.Integer(), nullable=False),
        sa.Column("notice_days", sa.Integer(), nullable=False),
        sa.Column("group_min", sa.Integer(), nullable=False),
        sa.Column("group_max", sa.Integer(), nullable=False),
        sa.Column("reserve_bp", sa.Integer(), nullable=False),
        sa.Column("welfare_bp", sa.Integer(), nullable=False),
        sa.Column("risk_bp", sa.Integer(), nullable=False),
        sa.Column("staff_bp", sa.Integer(), nullable=False),
        sa.Column("dividend_bp", sa.Integer(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "fee_rate_ppm BETWEEN 0 AND 100000", name=op.f("ck_society_rules_fee_rate_range")
        ),
        sa.CheckConstraint(
            "group_min >= 1 AND group_min <= group_max AND group_max <= 50",
            name=op.f("ck_society_rules_group"),
        ),
        sa.CheckConstraint("loan_cap > 0", name=op.f("ck_society_rules_loan_cap_positive")),
        sa.CheckConstraint(
            "loan_share_multiple BETWEEN 1 AND 100",
            name=op.f("ck_society_rules_share_multiple_range"),
        ),
        sa.CheckConstraint(
            "max_term_months BETWEEN 1 AND 60", name=op.f("ck_society_rules_max_term_range")
        ),
        sa.CheckConstraint(
            "notice_days BETWEEN 0 AND 90", name=op.f("ck_society_rules_notice_days_range")
        ),
        sa.CheckConstraint(
            "overdue_fee_rate_ppm BETWEEN 0 AND 100000",
            name=op.f("ck_society_rules_overdue_rate_range"),
        ),
        sa.CheckConstraint(
            "reserve_bp >= 0 AND welfare_bp >= 0 AND risk_bp >= 0 AND staff_bp >= 0 "
            "AND dividend_bp >= 0 "
            "AND reserve_bp + welfare_bp + risk_bp + staff_bp + dividend_bp = 10000",
            name=op.f("ck_society_rules_distribution_whole"),
        ),
        sa.CheckConstraint("share_size > 0", name=op.f("ck_society_rules_share_size_positive")),
        sa.ForeignKeyConstraint(
            ["fund_id"], ["fund.id"], name=op.f("fk_society_rules_fund_id_fund")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_society_rules")),
        sa.UniqueConstraint(
            "fund_id", "effective_on", name=op.f("uq_society_rules_fund_id_effective_on")
        ),
    )
    op.create_table(
        "society_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("poor", sa.Boolean(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("joined_on", sa.Date(), nullable=False),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column(
            "recorded_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "left_on IS NULL OR left_on >= joined_on",
            name=op.f("ck_society_member_leaves_after_joining"),
        ),
        sa.ForeignKeyConstraint(
            ["fund_id"], ["fund.id"], name=op.f("fk_society_member_fund_id_fund")
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["society_group.id"],
            name=op.f("fk_society_member_group_id_society_group"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_society_member")),
        sa.UniqueConstraint(
            "fund_id", "id_number", name=op.f("uq_society_member_fund_id_id_number")
        ),
    )
    op.create_index(op.f("ix_society_member_group_id"), "society_member", ["group_id"])
    op.create_table(
        "society_loan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("no", sa.String(length=16), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("rules_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("term_months", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=200), nullable=False),
        sa.Column("applied_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "applied",
                "noticed",
                "approved",
                "lent",
                "repaid",
                "written_off",
                name="society_loan_state",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("noticed_on", sa.Date(), nullable=True),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.Column("approved_by", sa.String(length=64), nullable=True),
        sa.Column("lent_on", sa.Date(), nullable=True),
        sa.Column("lent_by", sa.String(length=64), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("fee_accrued_to", sa.Date(), nullable=True),
        sa.CheckConstraint("amount > 0", name=op.f("ck_society_loan_amount_positive")),
        sa.CheckConstraint("term_months >= 1", name=op.f("ck_society_loan_term_positive")),
        sa.ForeignKeyConstraint(
            ["fund_id"], ["fund.id"], name=op.f("fk_society_loan_fund_id_fund")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["society_member.id"],
            name=op.f("fk_society_loan_member_id_society_member"),
        ),
        sa.ForeignKeyConstraint(
            ["rules_id"], ["society_rules.id"], name=op.f("fk_society_loan_rules_id_society_rules")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_society_loan")),
        sa.UniqueConstraint("fund_id", "no", name=op.f("uq_society_loan_fund_id_no")),
    )
    op.create_index(op.f("ix_society_loan_member_id"), "society_loan", ["member_id"])
    op.create_table(
        "society_share_allocation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("allocated_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_society_share_allocation_amount_positive")),
        sa.ForeignKeyConstraint(
            ["fund_id"], ["fund.id"], name=op.f("fk_society_share_allocation_fund_id_fund")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["society_member.id"],
            name=op.f("fk_society_share_allocation_member_id_society_member"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_society_share_allocation")),
    )
    op.create_index(
        op.f("ix_society_share_allocation_fund_id"), "society_share_allocation", ["fund_id"]
    )
    op.create_index(
        op.f("ix_society_share_allocation_member_id"), "society_share_allocation", ["member_id"]
    )


def downgrade() -> None:
    for table in (
        "society_share_allocation",
        "society_loan",
        "society_member",
        "society_rules",
        "society_group",
    ):
        op.drop_table(table)
    if op.get_context().dialect.name != "sqlite":
        op.drop_constraint("ck_fund_kind_known", "fund", type_="check")
    # A plain DROP COLUMN (SQLite 3.35+), as 0005's downgrade: its CHECK goes with it.
    op.drop_column("fund", "kind")
