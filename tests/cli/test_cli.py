"""``init-db``, ``backup`` and ``check`` from the command line."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess

import pytest

from ledger.db import Database
from reports.fonts import ENV
from tests.factories import appropriate, make_fund


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_init_db_creates_a_fresh_sqlite_book_and_backup_copies_it(tmp_path, make_app):
    url = f"sqlite:///{tmp_path / 'book.db'}"
    app = make_app(url)
    result = run(app, "init-db")
    assert result.exit_code == 0, result.output
    assert "database ready" in result.output
    assert run(app, "init-db").exit_code == 0  # idempotent
    db = Database.connect(url)
    fund = make_fund(db, code="PPM2007")
    appropriate(db, fund, "1000000.00")
    target = tmp_path / "copy.db"
    result = run(app, "backup", str(target))
    assert result.exit_code == 0, result.output
    copy = sqlite3.connect(target)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("SELECT voucher_no FROM journal").fetchall() == [("记-2007-04-0001",)]
        assert copy.execute("SELECT debit_total FROM account WHERE code = '1001'").fetchone() == (
            100000000,
        )
    finally:
        copy.close()
        db.engine.dispose()


def test_backup_refuses_to_overwrite(tmp_path, make_app):
    app = make_app()
    target = tmp_path / "exists.bak"
    target.write_text("keep me")
    result = run(app, "backup", str(target))
    assert result.exit_code != 0
    assert "refusing to overwrite" in result.output
    assert target.read_text() == "keep me"


def test_backup_of_the_test_database(tmp_path, make_app, engine):
    if engine.dialect.name == "postgresql" and shutil.which("pg_restore") is None:
        pytest.fail("pg_restore missing: install postgresql-client (see README)")
    app = make_app()
    target = tmp_path / "book.backup"
    result = run(app, "backup", str(target))
    assert result.exit_code == 0, result.output
    if engine.dialect.name == "postgresql":
        listing = subprocess.run(
            ["pg_restore", "--list", str(target)], capture_output=True, text=True, check=True
        ).stdout
        assert "TABLE public" in listing or "TABLE " in listing
        assert " journal " in listing
    else:
        copy = sqlite3.connect(target)
        try:
            assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        finally:
            copy.close()


def test_check_passes_when_the_pdf_font_is_there(make_app):
    result = run(make_app(), "check")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok:")


def test_check_fails_in_one_line_naming_the_package(make_app, monkeypatch, tmp_path):
    monkeypatch.setenv(ENV, str(tmp_path / "wqy-zenhei.ttc"))
    result = run(make_app(), "check")
    assert result.exit_code == 1
    (line,) = result.output.splitlines()
    assert "fonts-wqy-zenhei" in line and ENV in line
