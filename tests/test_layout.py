"""Architecture rules that keep the code honest."""

from __future__ import annotations

import ast
from pathlib import Path

from ledger.schema import check

ROOT = Path(__file__).resolve().parent.parent
WEB_OR_PRINT = {
    "flask",
    "flask_smorest",
    "marshmallow",
    "werkzeug",
    "reportlab",
    "api",
    "reports",
    "web",
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_ledger_imports_no_web_or_report_code():
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_modules(path) & WEB_OR_PRINT)
        for path in (ROOT / "ledger").rglob("*.py")
        if imported_modules(path) & WEB_OR_PRINT
    }
    assert offenders == {}


def test_no_float_in_ledger_code():
    for path in (ROOT / "ledger").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "float"
        ]
        assert calls == [], f"float() in {path}"


def test_models_match_the_migrations(engine):
    check(engine)  # raises if autogenerate would find a difference
