"""Outcomes (脱贫成效): a household's income and the county's poverty line.

The county's poverty line (贫困线) is a setting with effective dates: each
row holds from its `effective_from` until the next one. A household's income
is recorded at registration (登记时) and at each year end (年末), by the
township's officer, and counts once a second person of the township has
approved it. Its status that year (贫困 / 脱贫 / 返贫) is never stored: it
follows from the income and the line in force on the income's date
(`ledger.poverty.status`), so one rule decides it everywhere.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from ledger.db import Base, Fen, enum_column


class PovertyLine(Base):
    """The county's poverty line (贫困线) from a date: a per-person net income below it is poor."""

    __tablename__ = "poverty_line"
    __table_args__ = (
        UniqueConstraint("fund_id", "effective_from"),
        CheckConstraint("amount > 0", "amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"))
    effective_from: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Fen)
    recorded_by: Mapped[str] = mapped_column(String(64))


class IncomeKind(enum.Enum):
    REGISTRATION = "registration"  #: 登记时收入
    YEAR_END = "year_end"  #: 年末收入


class IncomeRecord(Base):
    """A household's income at registration or at a year end, with the 专业户 flag."""

    __tablename__ = "income_record"
    __table_args__ = (
        UniqueConstraint("household_id", "kind", "year"),
        CheckConstraint("income >= 0", "income_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    kind: Mapped[IncomeKind] = mapped_column(enum_column(IncomeKind, "income_kind"))
    #: The day the income was established; the line in force that day judges it.
    on: Mapped[date] = mapped_column(Date)
    #: The year the income stands for: the year of `on`.
    year: Mapped[int] = mapped_column(Integer)
    #: Net income per household member (人均纯收入), the figure the poverty line measures.
    income: Mapped[Decimal] = mapped_column(Fen)
    #: 专业户: the household has become a specialised producer.
    specialised: Mapped[bool] = mapped_column(Boolean)
    #: The liaison (行政联系人) who reported it, when one did.
    liaison_id: Mapped[int | None] = mapped_column(ForeignKey("liaison.id"))
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.current_timestamp()
    )
    approved_by: Mapped[str | None] = mapped_column(String(64))
    approved_on: Mapped[date | None] = mapped_column(Date)
