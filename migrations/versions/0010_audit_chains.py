"""one audit chain per fund

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06

The audit log was one chain with one head row, which every write in the
database locked: writers of different funds (and, on one PostgreSQL cluster,
of different counties) queued on it. Now each fund has its own chain and
head, named by the fund's code; writes that belong to no fund (logins, users,
opening a fund) go to the system chain, named by the empty string. The
records already written become the system chain, unchanged: a record's hash
never covered its chain, so every stored hash stays valid.

The guards are those of 0003, per chain: records are append-only, a record
must extend its chain's head, a head starts at the genesis hash and moves
only one step, to a record that exists.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
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
    WHEN NEW.seq IS NOT (SELECT seq + 1 FROM audit_head WHERE chain = NEW.chain)
      OR NEW.prev_hash IS NOT (SELECT hash FROM audit_head WHERE chain = NEW.chain)
    BEGIN
        SELECT RAISE(ABORT, 'audit record does not extend the chain head');
    END
    """,
    f"""
    CREATE TRIGGER trg_audit_head_starts_at_genesis BEFORE INSERT ON audit_head
    WHEN NEW.seq IS NOT 0 OR NEW.hash IS NOT '{GENESIS_HASH}'
    BEGIN
        SELECT RAISE(ABORT, 'a new audit chain starts at the genesis hash');
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
    WHEN NEW.chain IS NOT OLD.chain
      OR NEW.seq IS NOT OLD.seq + 1
      OR NOT EXISTS (
        SELECT 1 FROM audit_record
        WHERE chain = NEW.chain AND seq = NEW.seq AND hash = NEW.hash
      )
    BEGIN
        SELECT RAISE(ABORT, 'audit_head may only advance to the next record');
    END
    """,
)
SQLITE_TRIGGER_NAMES = (
    "trg_audit_record_no_update",
    "trg_audit_record_no_delete",
    "trg_audit_record_extends_head",
    "trg_audit_head_starts_at_genesis",
    "trg_audit_head_no_delete",
    "trg_audit_head_advances",
)

PG_FUNCTIONS = (
    """
    CREATE OR REPLACE FUNCTION ledger_audit_extends_head() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        head_seq integer;
        head_hash varchar;
    BEGIN
        SELECT seq, hash INTO head_seq, head_hash FROM audit_head WHERE chain = NEW.chain;
        IF NEW.seq IS DISTINCT FROM head_seq + 1 OR NEW.prev_hash IS DISTINCT FROM head_hash THEN
            RAISE EXCEPTION 'audit record %/% does not extend the chain head %',
                NEW.chain, NEW.seq, head_seq
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END
    $$
    """,
    f"""
    CREATE OR REPLACE FUNCTION ledger_audit_head_advances() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'audit_head cannot be deleted'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF TG_OP = 'INSERT' THEN
            IF NEW.seq IS DISTINCT FROM 0 OR NEW.hash IS DISTINCT FROM '{GENESIS_HASH}' THEN
                RAISE EXCEPTION 'a new audit chain starts at the genesis hash'
                    USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            RETURN NEW;
        END IF;
        IF NEW.chain IS DISTINCT FROM OLD.chain OR NEW.seq IS DISTINCT FROM OLD.seq + 1
           OR NOT EXISTS (
               SELECT 1 FROM audit_record
               WHERE chain = NEW.chain AND seq = NEW.seq AND hash = NEW.hash
           ) THEN
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
    "CREATE TRIGGER trg_audit_head_advances BEFORE INSERT OR UPDATE OR DELETE ON audit_head "
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
#: 0003's SQLite triggers (the per-chain set adds one and replaces three).
OLD_SQLITE_TRIGGER_NAMES = (
    "trg_audit_record_no_update",
    "trg_audit_record_no_delete",
    "trg_audit_record_extends_head",
    "trg_audit_head_no_delete",
    "trg_audit_head_advances",
)


def _postgresql() -> bool:
    return op.get_context().dialect.name == "postgresql"


def _drop_triggers(sqlite_names: tuple[str, ...]) -> None:
    if _postgresql():
        for trigger, table in PG_TRIGGER_NAMES:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
    else:
        for trigger in sqlite_names:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")


def upgrade() -> None:
    _drop_triggers(OLD_SQLITE_TRIGGER_NAMES)
    with op.batch_alter_table("audit_record", recreate="always") as batch:
        batch.add_column(sa.Column("chain", sa.String(32), nullable=False, server_default=""))
        batch.drop_constraint(op.f("pk_audit_record"), type_="primary")
        batch.create_primary_key(op.f("pk_audit_record"), ["chain", "seq"])
    with op.batch_alter_table("audit_record") as batch:
        batch.alter_column("chain", server_default=None, existing_type=sa.String(32))
    with op.batch_alter_table("audit_head", recreate="always") as batch:
        batch.add_column(sa.Column("chain", sa.String(32), nullable=False, server_default=""))
        batch.drop_constraint(op.f("ck_audit_head_single_row"), type_="check")
        batch.drop_constraint(op.f("pk_audit_head"), type_="primary")
        batch.drop_column("id")
        batch.create_primary_key(op.f("pk_audit_head"), ["chain"])
    with op.batch_alter_table("audit_head") as batch:
        batch.alter_column("chain", server_default=None, existing_type=sa.String(32))
    if _postgresql():
        for ddl in (*PG_FUNCTIONS, *PG_TRIGGERS):
            op.execute(ddl)
    else:
        for ddl in SQLITE_TRIGGERS:
            op.execute(ddl)


def downgrade() -> None:
    """Back to one chain: possible only while every record is still in the system chain."""
    others = op.get_bind().scalar(sa.text("SELECT count(*) FROM audit_record WHERE chain <> ''"))
    if others:
        raise RuntimeError(
            f"{others} audit records belong to a fund's chain; one chain cannot hold them"
        )
    _drop_triggers(SQLITE_TRIGGER_NAMES)
    with op.batch_alter_table("audit_head", recreate="always") as batch:
        batch.add_column(sa.Column("id", sa.Integer(), nullable=False, server_default="1"))
        batch.drop_constraint(op.f("pk_audit_head"), type_="primary")
        batch.drop_column("chain")
        batch.create_primary_key(op.f("pk_audit_head"), ["id"])
        batch.create_check_constraint(op.f("ck_audit_head_single_row"), "id = 1")
    with op.batch_alter_table("audit_head") as batch:
        batch.alter_column("id", server_default=None, existing_type=sa.Integer())
    with op.batch_alter_table("audit_record", recreate="always") as batch:
        batch.drop_constraint(op.f("pk_audit_record"), type_="primary")
        batch.drop_column("chain")
        batch.create_primary_key(op.f("pk_audit_record"), ["seq"])
    _one_chain_guards()


def _one_chain_guards() -> None:
    """0003's guards, from 0003 itself (a migration's module is not importable by name)."""
    path = Path(__file__).with_name("0003_users_audit.py")
    spec = importlib.util.spec_from_file_location("migration_0003", path)
    assert spec is not None and spec.loader is not None
    first = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(first)
    if _postgresql():
        for ddl in (*first.PG_FUNCTIONS, *first.PG_TRIGGERS):
            op.execute(ddl.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"))
    else:
        for ddl in first.SQLITE_TRIGGERS:
            op.execute(ddl)
