"""Authorization rows for the reconciliations endpoints (merged into test_authorization.MATRIX)."""

from __future__ import annotations

from tests.api.roles import F, expect  # noqa: F401

ROWS: dict[tuple[str, str], dict[str, int]] = {}
