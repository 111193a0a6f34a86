"""Command-line tools: ``flask --app wsgi <command>``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from api import get_db
from ledger.backup import BackupFailed, backup
from ledger.errors import LedgerError
from ledger.schema import upgrade


def register(app: Flask) -> None:
    app.cli.add_command(init_db)
    app.cli.add_command(backup_command)


def fail(error: LedgerError | BackupFailed) -> click.ClickException:
    if isinstance(error, LedgerError):
        return click.ClickException(f"{error.detail_zh} / {error.detail_en}")
    return click.ClickException(str(error))


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the database schema (Alembic upgrade head). 建库/升级。"""
    db = get_db()
    upgrade(db.engine)
    click.echo(f"数据库已就绪 database ready: {db.engine.url.render_as_string()}")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Write an online backup of the database to PATH. 在线备份。"""
    try:
        written = backup(get_db().engine, path)
    except (LedgerError, BackupFailed) as error:
        raise fail(error) from None
    click.echo(f"备份已写入 backup written: {written}")
