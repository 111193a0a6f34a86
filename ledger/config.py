"""Where the database is: `DATABASE_URL`, else SQLite under ``instance/``."""

from __future__ import annotations

import os
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
