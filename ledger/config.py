"""Where the database is (`DATABASE_URL`, else SQLite under ``instance/``), its read
replica (`DATABASE_REPLICA_URL`, optional) and the cookie key."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"
DEFAULT_SQLITE_PATH = INSTANCE_DIR / "ledger.db"


def database_url() -> str:
    """The SQLAlchemy URL of the book; creates ``instance/`` for the default."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def replica_url() -> str | None:
    """The URL of a read replica for reads that may lag (`Database.replica_read`), if any."""
    return os.environ.get("DATABASE_REPLICA_URL") or None


def secret_key() -> str:
    """The key that signs web session cookies: ``LEDGER_SECRET_KEY``, else ``instance/secret_key``.

    The file is created (mode 0600) with 256 random bits on first use, so a
    fresh install is safe without configuration and restarts keep sessions.
    Several servers behind one address must share the same key.
    """
    configured = os.environ.get("LEDGER_SECRET_KEY")
    if configured:
        return configured
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        # Written whole to a file of our own, then linked into place: two servers
        # starting at once both read the one key that won, never a half-written one.
        draft = path.with_name(f"secret_key.{os.getpid()}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process's key is in place: use it
        finally:
            draft.unlink()
    return path.read_text().strip()
