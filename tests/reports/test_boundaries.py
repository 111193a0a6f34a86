"""Reports only print: no web code, no database writes; fund-wide ones are the county's."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ledger.actors import Actor
from ledger.errors import RoleNotAllowed
from ledger.read.books import subledger_listing, trial_balance_of
from ledger.read.disasters import disaster_form
from ledger.read.fund import fund_statement
from ledger.read.journals import voucher_prints
from tests.factories import make_fund

ROOT = Path(__file__).resolve().parents[2]
#: What a report module may not import: web code, the database, services that write.
FORBIDDEN = ("flask", "flask_smorest", "werkzeug", "marshmallow", "api", "sqlalchemy")
FORBIDDEN_LEDGER = ("ledger.services", "ledger.db", "ledger.posting", "ledger.journal_templates")
WRITES = {"add", "add_all", "flush", "commit", "delete", "merge", "bulk_save_objects"}


def imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_reports_import_no_web_or_database_code():
    for path in (ROOT / "reports").glob("*.py"):
        for name in imports(path):
            assert name.split(".")[0] not in FORBIDDEN, f"{path.name} imports {name}"
            assert not name.startswith(FORBIDDEN_LEDGER), f"{path.name} imports {name}"


@pytest.mark.parametrize("path", sorted((ROOT / "ledger" / "read").glob("*.py")), ids=str)
def test_the_read_side_never_writes(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = {
        node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    }
    assert calls & WRITES == set()
    assert not {"insert", "update", "delete"} & {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "sqlalchemy"
        for alias in node.names
    }


@pytest.mark.parametrize(
    "gather",
    [
        lambda s, f, a: fund_statement(s, a, f),
        lambda s, f, a: trial_balance_of(s, a, f),
        lambda s, f, a: subledger_listing(s, a, f, "1011"),
        lambda s, f, a: voucher_prints(s, a, f, period="2007-04"),
        lambda s, f, a: disaster_form(s, a, f, "0708"),
    ],
    ids=["fund-statement", "trial-balance", "subledger", "vouchers", "disaster"],
)
def test_fund_wide_reports_are_not_for_township_officers(db, gather):
    """A township officer reads their own township's statements, never the whole fund's."""
    fund = make_fund(db)
    with db.read() as session, pytest.raises(RoleNotAllowed):
        gather(session, fund.code, Actor("officer", "township", "340123001"))
