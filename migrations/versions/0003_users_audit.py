"""users audit idempotency

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23

Who may call the API and what they did: users (argon2id password hashes,
roles, the township a township officer is bound to), API tokens (stored as
SHA-256), failed logins (for the rate limit), idempotency keys with their
stored responses, and the hash-chained audit log with its single head row.

Triggers on both engines keep the audit log honest: records cannot be
updated or deleted (nor, on PostgreSQL, truncated), a new record must
extend the head (next seq, previous hash), and the head moves only one step
forward, to a record that exists, and cannot be deleted.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

GENESIS_HASH = "0" * 64

SQLITE_TRIGGERS = (
    """
    CREATE TRIGGER trg_audit_record_no_update BEFORE UPDATE ON audit_record
    BEGIN
        SELECT RAISE(ABORT, 'audit_record is append-only');
    END
    """,
    """
    CREATE TRIGGER trg_audit_record_no_delete BEFORE DELETE ON audit_record
    BEGIN
        SELECT RAISE(ABORT, 'audit_record is append-only');
    END
    """,
    """
    CREATE TRIGGER trg_audit_record_extends_head BEFORE INSERT ON audit_record
    WHEN NEW.seq IS NOT (SELECT seq + 1 FROM audit_head WHERE id = 1)
      OR NEW.prev_hash IS NOT (SELECT hash FROM audit_head WHERE id = 1)
    BEGIN
        SELECT RAISE(ABORT, 'audit record does not extend the chain head');
    END
    """,
    """
    CREATE TRIGGER trg_audit_head_no_delete BEFORE DELETE ON audit_head
    BEGIN
        SELECT RAISE(ABORT, 'audit_head cannot be deleted');
    END
    """,
    """
    CREATE TRIGGER trg_audit_head_advances BEFORE UPDATE ON audit_head
    WHEN NEW.id IS NOT OLD.id
      OR NEW.seq IS NOT OLD.seq + 1
      OR NOT EXISTS (SELECT 1 FROM audit_record WHERE seq = NEW.seq AND hash = NEW.hash)
    BEGIN
        SELECT RAISE(ABORT, 'audit_head may only advance to the next record');
    END
    """,
)
SQLITE_TRIGGER_NAMES = (
    "trg_audit_record_no_update",
    "trg_audit_record_no_delete",
    "trg_audit_record_extends_head",
    "trg_audit_head_no_delete",
    "trg_audit_head_advances",
)

PG_FUNCTIONS = (
    """
    CREATE FUNCTION ledger_audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '% is append-only', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END
    $$
    """,
    """
    CREATE FUNCTION ledger_audit_extends_head() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        head_seq integer;
        head_hash varchar;
    BEGIN
        SELECT seq, hash INTO head_seq, head_hash FROM audit_head WHERE id = 1;
        IF NEW.seq IS DISTINCT FROM head_seq + 1 OR NEW.prev_hash IS DISTINCT FROM head_hash THEN
            RAISE EXCEPTION 'audit record % does not extend the chain head %', NEW.seq, head_seq
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE FUNCTION ledger_audit_head_advances() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'audit_head cannot be deleted'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF NEW.id IS DISTINCT FROM OLD.id OR NEW.seq IS DISTINCT FROM OLD.seq + 1
           OR NOT EXISTS (SELECT 1 FROM audit_record WHERE seq = NEW.seq AND hash = NEW.hash) THEN
            RAISE EXCEPTION 'audit_head may only advance to the next record'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END
    $$
    """,
)
PG_TRIGGERS = (
    "CREATE TRIGGER trg_audit_record_append_only BEFORE UPDATE OR DELETE ON audit_record "
    "FOR EACH ROW EXECUTE FUNCTION ledger_audit_refuse_change()",
    "CREATE TRIGGER trg_audit_record_no_truncate BEFORE TRUNCATE ON audit_record "
    "FOR EACH STATEMENT EXECUTE FUNCTION ledger_audit_refuse_change()",
    "CREATE TRIGGER trg_audit_record_extends_head BEFORE INSERT ON audit_record "
    "FOR EACH ROW EXECUTE FUNCTION ledger_audit_extends_head()",
    "CREATE TRIGGER trg_audit_head_advances BEFORE UPDATE OR DELETE ON audit_head "
    "FOR EACH ROW EXECUTE FUNCTION ledger_audit_head_advances()",
    "CREATE TRIGGER trg_audit_head_no_truncate BEFORE TRUNCATE ON audit_head "
    "FOR EACH STATEMENT EXECUTE FUNCTION ledger_audit_refuse_change()",
)
PG_TRIGGER_NAMES = (
    ("trg_audit_record_append_only", "audit_record"),
    ("trg_audit_record_no_truncate", "audit_record"),
    ("trg_audit_record_extends_head", "audit_record"),
    ("trg_audit_head_advances", "audit_head"),
    ("trg_audit_head_no_truncate", "audit_head"),
)


def _create_guards() -> None:
    if op.get_context().dialect.name == "postgresql":
        for ddl in (*PG_FUNCTIONS, *PG_TRIGGERS):
            op.execute(ddl)
    else:
        for ddl in SQLITE_TRIGGERS:
            op.execute(ddl)


def _drop_guards() -> None:
    if op.get_context().dialect.name == "postgresql":
        for trigger, table in PG_TRIGGER_NAMES:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
        for function in (
            "ledger_audit_head_advances",
            "ledger_audit_extends_head",
            "ledger_audit_refuse_change",
        ):
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
    else:
        for trigger in SQLITE_TRIGGER_NAMES:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")


def upgrade() -> None:
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "clerk",
                "approver",
                "township",
                "leader",
                "admin",
                name="user_role",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("township_code", sa.String(length=9), nullable=True),
        sa.Column("fund_code", sa.String(length=32), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(role = 'township') = (township_code IS NOT NULL)",
            name=op.f("ck_app_user_township_iff_township_role"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("username", name=op.f("uq_app_user_username")),
    )
    audit_head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_audit_head_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.bulk_insert(audit_head, [{"id": 1, "seq": 0, "hash": GENESIS_HASH}])
    op.create_table(
        "audit_record",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=255), nullable=False),
        sa.Column("target", sa.String(length=255), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("client_addr", sa.String(length=64), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("seq >= 1", name=op.f("ck_audit_record_seq_positive")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_record")),
    )
    op.create_table(
        "idempotency_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("path", sa.String(length=512), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "in_flight", "done", name="idempotency_status", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("claim", sa.String(length=32), nullable=False),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(status = 'done') = (response_status IS NOT NULL)",
            name=op.f("ck_idempotency_record_response_iff_done"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_record")),
        sa.UniqueConstraint("actor", "key", name=op.f("uq_idempotency_record_actor_key")),
    )
    with op.batch_alter_table("idempotency_record", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idempotency_record_created_at"), ["created_at"], unique=False
        )

    op.create_table(
        "login_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failure")),
    )
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_failure_at"), ["at"], unique=False)
        batch_op.create_index(
            "ix_login_failure_username_client_at", ["username", "client", "at"], unique=False
        )

    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_api_token_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_user_id"), ["user_id"], unique=False)

    _create_guards()


def downgrade() -> None:
    _drop_guards()
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_user_id"))

    op.drop_table("api_token")
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.drop_index("ix_login_failure_username_client_at")
        batch_op.drop_index(batch_op.f("ix_login_failure_at"))

    op.drop_table("login_failure")
    with op.batch_alter_table("idempotency_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_record_created_at"))

    op.drop_table("idempotency_record")
    op.drop_table("audit_record")
    op.drop_table("audit_head")
    op.drop_table("app_user")
