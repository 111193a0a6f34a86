"""Online backups of the book.

SQLite uses its online backup API, which copies a consistent snapshot while
the service keeps running (WAL readers and writers are not blocked for long).
PostgreSQL is dumped with ``pg_dump --format=custom`` (restore with
``pg_restore``); the client tools must be installed (Debian:
``postgresql-client``).
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine

from ledger.errors import InvalidField


class BackupFailed(Exception):
    """The backup could not be written; the message says why."""


def backup(engine: Engine, target: Path) -> Path:
    """Write a backup of the engine's database to `target` (never overwrites)."""
    target = Path(target)
    if target.exists():
        raise InvalidField(
            f"备份文件 {target} 已存在,不会覆盖",
            f"backup target {target} already exists; refusing to overwrite",
            field="path",
        )
    if not target.parent.is_dir():
        raise InvalidField(
            f"目录 {target.parent} 不存在",
            f"directory {target.parent} does not exist",
            field="path",
        )
    if engine.dialect.name == "sqlite":
        _backup_sqlite(engine, target)
    elif engine.dialect.name == "postgresql":
        _backup_postgresql(engine, target)
    else:  # pragma: no cover - only the two supported engines reach here
        raise BackupFailed(f"no backup method for {engine.dialect.name}")
    return target


def _backup_sqlite(engine: Engine, target: Path) -> None:
    source = engine.raw_connection()
    try:
        destination = sqlite3.connect(target)
        try:
            source.driver_connection.backup(destination)
        finally:
            destination.close()
    finally:
        source.close()


def _backup_postgresql(engine: Engine, target: Path) -> None:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupFailed(
            "pg_dump not found: install the PostgreSQL client tools "
            "(Debian: apt-get install postgresql-client)"
        )
    url = engine.url.set(drivername="postgresql")
    result = subprocess.run(
        [
            pg_dump,
            "--format=custom",
            f"--file={target}",
            f"--dbname={url.render_as_string(hide_password=False)}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        target.unlink(missing_ok=True)
        raise BackupFailed(f"pg_dump failed: {result.stderr.strip()}")
