"""Disasters (灾害) such as the 7·8 hail (风雹灾) and the 8·13 flood (洪灾):
the event, the townships it struck, and assessed losses per loan."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ledger.db import Base, Fen


class Disaster(Base):
    __tablename__ = "disaster"
    __table_args__ = (UniqueConstraint("fund_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"))
    #: Short code used in URLs and as the 5001 sub-ledger key, e.g. ``0708``.
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    occurred_on: Mapped[date] = mapped_column(Date)
    #: hail, flood, drought, ...
    kind: Mapped[str] = mapped_column(String(32))
    recorded_by: Mapped[str] = mapped_column(String(64))


class DisasterTownship(Base):
    __tablename__ = "disaster_township"

    disaster_id: Mapped[int] = mapped_column(ForeignKey("disaster.id"), primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), primary_key=True)


class LossReport(Base):
    """损失核定: the assessed loss of one loan's project in one disaster."""

    __tablename__ = "loss_report"
    __table_args__ = (
        UniqueConstraint("disaster_id", "loan_id"),
        CheckConstraint("assessed_loss >= 0", "loss_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    disaster_id: Mapped[int] = mapped_column(ForeignKey("disaster.id"))
    loan_id: Mapped[int] = mapped_column(ForeignKey("loan.id"), index=True)
    assessed_loss: Mapped[Decimal] = mapped_column(Fen)
    inspector: Mapped[str] = mapped_column(String(50))
    recorded_by: Mapped[str] = mapped_column(String(64))
    #: The day the loss was assessed (核定日), never before the disaster; unknown
    #: (NULL) for reports recorded before the ledger kept it.
    assessed_on: Mapped[date | None] = mapped_column(Date)
