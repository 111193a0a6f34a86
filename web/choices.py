"""The options of the fund's select boxes: townships, batches, project types."""

from __future__ import annotations

from typing import Any

from flask import g

from ledger.read import setup
from shell.db import get_db


def choices(f: str) -> dict[str, list[tuple[str, str]]]:
    """``town_options``, ``batch_options`` and ``type_options`` as (value, label) pairs;
    a township officer's towns are their own only."""
    actor = g.actor
    with get_db().read() as session:
        return {
            "town_options": _pairs(setup.townships(session, actor, f).all(session)),
            "batch_options": _pairs(setup.batches(session, actor, f).all(session)),
            "type_options": [
                (row.code, f"{row.name}(标准 {row.borrowing_standard} 元)")
                for row in setup.project_types(session, actor, f).all(session)
            ],
        }


def _pairs(rows: Any) -> list[tuple[str, str]]:
    return [(row.code, row.name) for row in rows]
