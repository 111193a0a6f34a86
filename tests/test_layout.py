"""Architecture rules that keep the code honest."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

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


#: The project's own top-level packages, innermost first.
OURS = {"ledger", "shell", "api", "web", "reports", "sheets"}
#: The one module that may import both shells: the composition root.
FACTORY = Path("shell/app.py")


def imports_of_ours(package: str) -> dict[str, set[str]]:
    """Each module of `package` (path from the root) -> the other packages of ours it imports."""
    found = {
        str(path.relative_to(ROOT)): (imported_modules(path) & OURS) - {package}
        for path in (ROOT / package).rglob("*.py")
    }
    return {path: names for path, names in found.items() if names}


def offenders(package: str, allowed: set[str]) -> dict[str, list[str]]:
    return {
        path: sorted(names - allowed)
        for path, names in imports_of_ours(package).items()
        if names - allowed and Path(path) != FACTORY
    }


@pytest.mark.parametrize(
    ("package", "allowed"),
    [
        ("ledger", set()),
        ("shell", {"ledger", "reports", "sheets"}),
        ("api", {"ledger", "shell", "reports", "sheets"}),
        ("web", {"ledger", "shell", "reports", "sheets"}),
        ("reports", {"ledger"}),
        ("sheets", {"ledger"}),
    ],
)
def test_import_graph_has_no_cycle_between_the_shells(package, allowed):
    """ledger imports no shell; api and web never import each other (within shell only the
    factory imports them); reports and sheets import only ledger."""
    assert offenders(package, allowed) == {}


def test_the_factory_is_the_one_place_both_shells_meet():
    """The exception above is real: the graph check sees the factory's imports."""
    assert {"api", "web"} <= imports_of_ours("shell")[str(FACTORY)]


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
