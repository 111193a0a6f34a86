"""Guarantee calls (担保代偿) and salary deductions (工资代扣).

When a loan is overdue an approver may call the liaison's guarantee: the
called amount moves from the household's loan (1101) to the liaison's
receivable (1102), and payroll deducts it month by month, each deduction at
most the fund's cap (default 20 %) of the liaison's monthly salary.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ledger.db import Base, Fen


class GuaranteeCall(Base):
    __tablename__ = "guarantee_call"
    __table_args__ = (CheckConstraint("amount > 0", "amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loan.id"), index=True)
    liaison_id: Mapped[int] = mapped_column(ForeignKey("liaison.id"), index=True)
    called_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Fen)
    #: The cap per monthly deduction when the call was made (salary × cap).
    monthly_cap: Mapped[Decimal] = mapped_column(Fen)
    voucher: Mapped[str] = mapped_column(String(20))
    called_by: Mapped[str] = mapped_column(String(64))


class DeductionPlan(Base):
    """One scheduled monthly deduction of a call."""

    __tablename__ = "deduction_plan"
    __table_args__ = (
        UniqueConstraint("call_id", "seq"),
        CheckConstraint("amount > 0", "amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("guarantee_call.id"))
    seq: Mapped[int] = mapped_column(Integer)
    due_month: Mapped[str] = mapped_column(String(7))
    amount: Mapped[Decimal] = mapped_column(Fen)


class SalaryDeduction(Base):
    """A deduction received from payroll into the special account."""

    __tablename__ = "salary_deduction"
    __table_args__ = (CheckConstraint("amount > 0", "amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)
    liaison_id: Mapped[int] = mapped_column(ForeignKey("liaison.id"), index=True)
    received_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Fen)
    voucher: Mapped[str] = mapped_column(String(20))
    recorded_by: Mapped[str] = mapped_column(String(64))
