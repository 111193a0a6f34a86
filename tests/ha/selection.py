"""When the tests of tests/ha/ run: once, in the PostgreSQL run of ``make test``.

They build PostgreSQL servers of their own and need no shared one, so the
SQLite run would prove nothing more with them; ``pytest -m MARKER`` runs
one alone on any run. A missing PostgreSQL tool then fails them, never
skips them.
"""

from __future__ import annotations

import os

import pytest
from sqlalchemy.engine import make_url


def skip_unless_postgresql_run(request: pytest.FixtureRequest, marker: str) -> None:
    url = os.environ.get("LEDGER_TEST_DATABASE_URL", "")
    postgres_run = bool(url) and make_url(url).get_backend_name() == "postgresql"
    if not postgres_run and marker not in (request.config.getoption("markexpr") or ""):
        pytest.skip(f"runs in the PostgreSQL run of make test, or alone with -m {marker}")
