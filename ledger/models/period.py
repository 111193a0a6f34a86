"""Accounting periods (会计期间): a month is open until closed (月结).

A month with no row is open. Closing writes the row; reopening is a separate,
recorded action. Posting reads this row after taking the month's voucher
counter lock, which closing takes too, so a posting and a close of the same
month cannot interleave.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ledger.db import Base


class Period(Base):
    __tablename__ = "period"

    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), primary_key=True)
    #: ``YYYY-MM``.
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    closed: Mapped[bool] = mapped_column(Boolean)
    closed_by: Mapped[str | None] = mapped_column(String(64))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reopened_by: Mapped[str | None] = mapped_column(String(64))
    reopened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reopen_reason: Mapped[str | None] = mapped_column(Text)
