"""Timestamps: always timezone-aware UTC inside the ledger.

PostgreSQL returns ``timestamptz`` values as aware datetimes; SQLite keeps
the text it was given and returns it naive. Everything written here is UTC,
so a naive value read back is UTC too, and `as_utc` makes the two engines
agree before a timestamp is compared, hashed or shown.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Return `value` as an aware UTC datetime (naive values are taken to be UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def iso_utc(value: datetime) -> str:
    """``2007-04-01T08:30:00.000000Z``: one spelling per instant, microseconds always."""
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
