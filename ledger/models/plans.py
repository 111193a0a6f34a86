"""Plans (规划): a fund's three-year plan (三年规划) and each year's plan
(分年度计划) per township and batch: households to support and the amount.

A plan covers fixed years (e.g. 2007–2009); its figures live in revisions.
A revision never edits the one before: it restates the whole plan as a new
version, with who recorded it, on what day and why, and supersedes the
previous version from that day on. The plan in force on a date is its
latest revision recorded by then, so a past report still shows the plan it
was judged against.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from ledger.db import Base, Fen


class Plan(Base):
    """三年规划: the years a plan covers; the figures are in its revisions."""

    __tablename__ = "plan"
    __table_args__ = (
        UniqueConstraint("fund_id", "first_year"),
        CheckConstraint("last_year >= first_year", "years_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"))
    first_year: Mapped[int] = mapped_column(Integer)
    last_year: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.current_timestamp()
    )


class PlanRevision(Base):
    """One version of a plan: version 1 is the plan as made, each later one supersedes it."""

    __tablename__ = "plan_revision"
    __table_args__ = (
        UniqueConstraint("plan_id", "version"),
        CheckConstraint("version >= 1", "version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"))
    version: Mapped[int] = mapped_column(Integer)
    #: The business day the version took effect (the decision's date).
    recorded_on: Mapped[date] = mapped_column(Date)
    #: Why: the decision or document behind it (县委意见, 调整原因 ...).
    reason: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.current_timestamp()
    )


class PlanLine(Base):
    """A year's plan for one township and batch: households to support and the amount."""

    __tablename__ = "plan_line"
    __table_args__ = (
        UniqueConstraint("revision_id", "year", "township_id", "batch_id"),
        CheckConstraint("households > 0", "households_positive"),
        CheckConstraint("amount > 0", "amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("plan_revision.id"))
    year: Mapped[int] = mapped_column(Integer)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), index=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id"), index=True)
    households: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(Fen)
