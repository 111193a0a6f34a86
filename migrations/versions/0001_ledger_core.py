"""ledger core

Revision ID: 0001
Revises:
Create Date: 2026-11-23

The book: funds, chart of accounts, sub-accounts with running balances,
journals and entries (append-only, guarded by triggers on both engines),
voucher counters, periods, and daily totals for as-of reads. Amounts are
BIGINT fen.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


APPEND_ONLY_TABLES = ("journal", "entry")

SQLITE_APPEND_ONLY = """
CREATE TRIGGER trg_{table}_no_{action} BEFORE {verb} ON {table}
BEGIN
    SELECT RAISE(ABORT, '{table} is append-only: post a red-ink reversal instead');
END
"""

PG_FUNCTIONS = (
    """
    CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '% is append-only: post a red-ink reversal instead', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END
    $$
    """,
    # Runs at commit (deferred), once the journal and all its entries exist.
    """
    CREATE FUNCTION ledger_check_journal_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        jid integer;
        lines integer;
        net bigint;
    BEGIN
        IF TG_TABLE_NAME = 'journal' THEN jid := NEW.id; ELSE jid := NEW.journal_id; END IF;
        SELECT count(*), coalesce(sum(CASE WHEN side = 'D' THEN amount ELSE -amount END), 0)
          INTO lines, net FROM entry WHERE journal_id = jid;
        IF lines < 2 OR net <> 0 THEN
            RAISE EXCEPTION 'journal % does not balance (% entries, net % fen)', jid, lines, net
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
    END
    $$
    """,
)


def _create_guards() -> None:
    if op.get_context().dialect.name == "postgresql":
        for ddl in PG_FUNCTIONS:
            op.execute(ddl)
        for table in APPEND_ONLY_TABLES:
            op.execute(
                f"CREATE TRIGGER trg_{table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()"
            )
            op.execute(
                f"CREATE TRIGGER trg_{table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()"
            )
            op.execute(
                f"CREATE CONSTRAINT TRIGGER trg_{table}_balanced AFTER INSERT ON {table} "
                "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                "EXECUTE FUNCTION ledger_check_journal_balanced()"
            )
    else:
        for table in APPEND_ONLY_TABLES:
            for action, verb in (("update", "UPDATE"), ("delete", "DELETE")):
                op.execute(
                    SQLITE_APPEND_ONLY.format(table=table, action=action, verb=verb)
                )


def _drop_guards() -> None:
    if op.get_context().dialect.name == "postgresql":
        for table in APPEND_ONLY_TABLES:
            for trigger in ("append_only", "no_truncate", "balanced"):
                op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_{trigger} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS ledger_check_journal_balanced()")
        op.execute("DROP FUNCTION IF EXISTS ledger_refuse_change()")
    else:
        for table in APPEND_ONLY_TABLES:
            for action in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_no_{action}")


def upgrade() -> None:
    op.create_table(
        "fund",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund")),
        sa.UniqueConstraint("code", name=op.f("uq_fund_code")),
    )
    op.create_table(
        "chart_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("name_zh", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "asset",
                "net_assets",
                "income",
                "expense",
                name="account_kind",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "subledger",
            sa.Enum(
                "none",
                "fund",
                "township",
                "loan",
                "liaison",
                "disaster",
                "source",
                name="subledger",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("allow_negative", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["fund_id"], ["fund.id"], name=op.f("fk_chart_account_fund_id_fund")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chart_account")),
        sa.UniqueConstraint(
            "fund_id", "code", name=op.f("uq_chart_account_fund_id_code")
        ),
    )
    op.create_table(
        "journal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("voucher_no", sa.String(length=20), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("posted_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("memo", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column(
            "recorded_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("idempotency_key", sa.String(length=255), nullable=True),
        sa.Column("reverses_id", sa.Integer(), nullable=True),
        sa.Column("red", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "red = (reverses_id IS NOT NULL)", name=op.f("ck_journal_red_iff_reversal")
        ),
        sa.CheckConstraint("seq >= 1", name=op.f("ck_journal_seq_positive")),
        sa.ForeignKeyConstraint(
            ["fund_id"], ["fund.id"], name=op.f("fk_journal_fund_id_fund")
        ),
        sa.ForeignKeyConstraint(
            ["reverses_id"], ["journal.id"], name=op.f("fk_journal_reverses_id_journal")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal")),
        sa.UniqueConstraint(
            "fund_id",
            "idempotency_key",
            name=op.f("uq_journal_fund_id_idempotency_key"),
        ),
        sa.UniqueConstraint(
            "fund_id", "period", "seq", name=op.f("uq_journal_fund_id_period_seq")
        ),
        sa.UniqueConstraint(
            "fund_id", "voucher_no", name=op.f("uq_journal_fund_id_voucher_no")
        ),
        sa.UniqueConstraint("reverses_id", name=op.f("uq_journal_reverses_id")),
    )
    op.create_table(
        "period",
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reopened_by", sa.String(length=64), nullable=True),
        sa.Column("reopened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reopen_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["fund_id"], ["fund.id"], name=op.f("fk_period_fund_id_fund")
        ),
        sa.PrimaryKeyConstraint("fund_id", "period", name=op.f("pk_period")),
    )
    op.create_table(
        "voucher_counter",
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["fund_id"], ["fund.id"], name=op.f("fk_voucher_counter_fund_id_fund")
        ),
        sa.PrimaryKeyConstraint("fund_id", "period", name=op.f("pk_voucher_counter")),
    )
    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("chart_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("subkey", sa.String(length=64), nullable=False),
        sa.Column("guard_nonnegative", sa.Boolean(), nullable=False),
        sa.Column("debit_total", sa.BigInteger(), nullable=False),
        sa.Column("credit_total", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "NOT guard_nonnegative OR debit_total - credit_total >= 0",
            name=op.f("ck_account_guarded_not_negative"),
        ),
        sa.CheckConstraint(
            "version >= 0", name=op.f("ck_account_version_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["chart_id"],
            ["chart_account.id"],
            name=op.f("fk_account_chart_id_chart_account"),
        ),
        sa.ForeignKeyConstraint(
            ["fund_id"], ["fund.id"], name=op.f("fk_account_fund_id_fund")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account")),
        sa.UniqueConstraint(
            "chart_id", "subkey", name=op.f("uq_account_chart_id_subkey")
        ),
        sa.UniqueConstraint(
            "fund_id", "code", "subkey", name=op.f("uq_account_fund_id_code_subkey")
        ),
    )

    op.create_table(
        "chart_daily_total",
        sa.Column("chart_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("debit", sa.BigInteger(), nullable=False),
        sa.Column("credit", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["chart_id"],
            ["chart_account.id"],
            name=op.f("fk_chart_daily_total_chart_id_chart_account"),
        ),
        sa.PrimaryKeyConstraint("chart_id", "day", name=op.f("pk_chart_daily_total")),
    )
    op.create_table(
        "account_daily_total",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("debit", sa.BigInteger(), nullable=False),
        sa.Column("credit", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_account_daily_total_account_id_account"),
        ),
        sa.PrimaryKeyConstraint(
            "account_id", "day", name=op.f("pk_account_daily_total")
        ),
    )
    op.create_table(
        "entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("journal_id", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(length=1), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("red", sa.Boolean(), nullable=False),
        sa.Column("posted_on", sa.Date(), nullable=False),
        sa.Column("ref_township", sa.String(length=16), nullable=True),
        sa.Column("ref_loan", sa.String(length=64), nullable=True),
        sa.Column("ref_liaison", sa.String(length=32), nullable=True),
        sa.Column("ref_disaster", sa.String(length=32), nullable=True),
        sa.CheckConstraint(
            "side IN ('D', 'C')", name=op.f("ck_entry_side_is_debit_or_credit")
        ),
        sa.CheckConstraint(
            "(red AND amount < 0) OR (NOT red AND amount > 0)",
            name=op.f("ck_entry_amount_sign"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name=op.f("fk_entry_account_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["journal_id"], ["journal.id"], name=op.f("fk_entry_journal_id_journal")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entry")),
        sa.UniqueConstraint(
            "journal_id", "line_no", name=op.f("uq_entry_journal_id_line_no")
        ),
    )
    with op.batch_alter_table("entry", schema=None) as batch_op:
        batch_op.create_index(
            "ix_entry_account_day", ["account_id", "posted_on", "id"], unique=False
        )

    op.create_index(
        "ix_account_daily_total_covering",
        "account_daily_total",
        ["account_id", "day", "debit", "credit"],
    )
    op.create_index(
        "ix_chart_daily_total_covering",
        "chart_daily_total",
        ["chart_id", "day", "debit", "credit"],
    )
    _create_guards()


def downgrade() -> None:
    _drop_guards()
    with op.batch_alter_table("entry", schema=None) as batch_op:
        batch_op.drop_index("ix_entry_account_day")

    op.drop_table("entry")
    op.drop_index("ix_account_daily_total_covering", table_name="account_daily_total")
    op.drop_index("ix_chart_daily_total_covering", table_name="chart_daily_total")
    op.drop_table("account_daily_total")
    op.drop_table("chart_daily_total")
    op.drop_table("account")
    op.drop_table("voucher_counter")
    op.drop_table("period")
    op.drop_table("journal")
    op.drop_table("chart_account")
    op.drop_table("fund")
