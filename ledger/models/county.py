"""The county (区县): the tenant that owns funds, and the regions above it.

A city or a province runs one service for all its counties (SPEC §12). A
county is named by its 6-digit administrative code (GB/T 2260); its city
and province are the code's first 4 and 2 digits, so a user's region (a
code of 2, 4 or 6 digits) covers exactly the counties whose code starts
with it. Every fund belongs to one county.

An install that predates counties (one county, on SQLite) gets the
placeholder county `PLACEHOLDER` for its funds at upgrade, which the
administrator renames to the county's real code (``rename-county``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from ledger.db import Base

#: The county of an install upgraded from before counties, until it is renamed.
PLACEHOLDER = "000000"
PLACEHOLDER_NAME = "本县(待更名)"


def digits_only(column: str) -> str:
    """SQL true when `column` holds digits only, on SQLite and PostgreSQL alike."""
    stripped = column
    for digit in "0123456789":
        stripped = f"replace({stripped}, '{digit}', '')"
    return f"{stripped} = ''"


class County(Base):
    __tablename__ = "county"
    __table_args__ = (
        CheckConstraint(f"length(code) = 6 AND {digits_only('code')}", "code_six_digits"),
    )

    #: GB/T 2260 administrative code, e.g. ``341122``.
    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.current_timestamp()
    )
