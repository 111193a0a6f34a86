"""The app's database handle, apart from the factory so the shells need not import it."""

from __future__ import annotations

from flask import current_app

from ledger.db import Database


def get_db() -> Database:
    """The app's `Database` (one engine and session factory per app)."""
    return current_app.extensions["ledger_db"]
