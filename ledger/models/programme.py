"""The programme's reference data: townships, project types, batches,
liaisons (行政联系人) and households (贫困户).

These are what sub-ledger keys point at: a township's 1011 account is keyed
by its 9-digit code, a liaison's 1102 account by the liaison id.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from ledger.db import Base, Fen


class Township(Base):
    """乡镇: its finance office (乡镇财政所) holds and lends the money."""

    __tablename__ = "township"
    __table_args__ = (UniqueConstraint("fund_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"))
    #: 9 digits: county code (6) + township (3).
    code: Mapped[str] = mapped_column(String(9))
    name: Mapped[str] = mapped_column(String(100))


class ProjectType(Base):
    """项目类型 with its borrowing standard (借款标准), the most one loan may get."""

    __tablename__ = "project_type"
    __table_args__ = (
        UniqueConstraint("fund_id", "code"),
        CheckConstraint("borrowing_standard > 0", "standard_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    borrowing_standard: Mapped[Decimal] = mapped_column(Fen)


class Batch(Base):
    """批次: a round of lending with a budget (batch 1 was 503 households)."""

    __tablename__ = "batch"
    __table_args__ = (
        UniqueConstraint("fund_id", "code"),
        CheckConstraint("budget >= 0", "budget_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"))
    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    budget: Mapped[Decimal] = mapped_column(Fen)


class Liaison(Base):
    """行政联系人: a township official who collects and guarantees with salary."""

    __tablename__ = "liaison"
    __table_args__ = (CheckConstraint("monthly_salary >= 0", "salary_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"))
    name: Mapped[str] = mapped_column(String(50))
    monthly_salary: Mapped[Decimal] = mapped_column(Fen)
    phone: Mapped[str | None] = mapped_column(String(20))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.current_timestamp()
    )


class Household(Base):
    """贫困户 (here mostly 贫困党员户): the borrower."""

    __tablename__ = "household"
    __table_args__ = (UniqueConstraint("fund_id", "id_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"))
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    #: GB 11643, 18 characters, check digit verified, X upper-case.
    id_number: Mapped[str] = mapped_column(String(18))
    village: Mapped[str] = mapped_column(String(100))
    party_member: Mapped[bool] = mapped_column(Boolean)
    phone: Mapped[str | None] = mapped_column(String(20))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.current_timestamp()
    )
