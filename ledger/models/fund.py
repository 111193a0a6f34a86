"""The fund (周转金): one revolving fund with its own books and voucher series."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from ledger.db import Base


class Fund(Base):
    __tablename__ = "fund"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Short code used in URLs and voucher series, e.g. ``PPM2007``.
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.current_timestamp()
    )
