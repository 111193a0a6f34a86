"""Loans (借款) from application to closing, with schedules and history.

A loan's money lives in the ledger (sub-account ``1101/<registration no>``);
this row holds its state and the paper trail: the three numbers that must be
one (申请书/合同书/借据 = registration number, 三线合一), the people
responsible, and every transition in `LoanEvent`. A schedule is a list of
instalments; an extension (展期) adds a new schedule version effective from
its approval, and the old one stays for history and past as-of reports.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from ledger.db import Base, Fen, enum_column


class LoanStatus(enum.Enum):
    APPLIED = "applied"
    VERIFIED = "verified"
    REJECTED = "rejected"
    APPROVED = "approved"
    CONTRACTED = "contracted"
    DISBURSED = "disbursed"
    CLOSED = "closed"
    WRITTEN_OFF = "written_off"


#: A person may hold only one loan in these states per batch.
OPEN_STATUSES = frozenset(
    {
        LoanStatus.APPLIED,
        LoanStatus.VERIFIED,
        LoanStatus.APPROVED,
        LoanStatus.CONTRACTED,
        LoanStatus.DISBURSED,
    }
)


class Loan(Base):
    __tablename__ = "loan"
    __table_args__ = (
        UniqueConstraint("fund_id", "registration_no"),
        UniqueConstraint("fund_id", "contract_no"),
        UniqueConstraint("fund_id", "iou_no"),
        UniqueConstraint("fund_id", "application_no"),
        UniqueConstraint("batch_id", "township_id", "seq"),
        # The loan list's order within a township: a page seeks in it (read.loans).
        Index("ix_loan_township_registration_no", "township_id", "registration_no"),
        # The loans in a few statuses (the three-lines check's approved and contracted,
        # the month's visits' lent ones), found without reading the others.
        Index("ix_loan_fund_id_status_township_id", "fund_id", "status", "township_id"),
        CheckConstraint("requested_amount > 0", "requested_positive"),
        CheckConstraint("approved_amount IS NULL OR approved_amount > 0", "approved_positive"),
        CheckConstraint(
            "approved_amount IS NULL OR approved_amount <= requested_amount",
            "approved_within_requested",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"))
    #: ``{batch}-{township code}-{seq:04}`` unless given at registration.
    registration_no: Mapped[str] = mapped_column(String(40))
    seq: Mapped[int | None] = mapped_column(Integer)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), index=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id"), index=True)
    project_type_id: Mapped[int] = mapped_column(ForeignKey("project_type.id"))
    project: Mapped[str] = mapped_column(String(200))
    status: Mapped[LoanStatus] = mapped_column(enum_column(LoanStatus, "loan_status"))
    requested_amount: Mapped[Decimal] = mapped_column(Fen)
    approved_amount: Mapped[Decimal | None] = mapped_column(Fen)
    #: The number on the application form (申请书); must equal the registration number.
    application_no: Mapped[str] = mapped_column(String(40))
    contract_no: Mapped[str | None] = mapped_column(String(40))
    iou_no: Mapped[str | None] = mapped_column(String(40))
    technical_lead: Mapped[str | None] = mapped_column(String(50))
    signed_on: Mapped[date | None] = mapped_column(Date)
    visited_on: Mapped[date | None] = mapped_column(Date)
    visitor: Mapped[str | None] = mapped_column(String(50))
    #: Why verification excluded the household (村干部, 家庭条件较好 ...).
    exclusion_reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.current_timestamp()
    )


class Instalment(Base):
    """One due date and amount of a schedule version."""

    __tablename__ = "instalment"
    __table_args__ = (
        UniqueConstraint("loan_id", "version", "seq"),
        CheckConstraint("amount > 0", "amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loan.id"))
    #: 1 for the approved schedule, 2.. for each extension.
    version: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    due_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Fen)


class ScheduleVersion(Base):
    """When a schedule took effect, and how much principal it had to cover."""

    __tablename__ = "schedule_version"
    __table_args__ = (CheckConstraint("principal > 0", "principal_positive"),)

    loan_id: Mapped[int] = mapped_column(ForeignKey("loan.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    effective_on: Mapped[date] = mapped_column(Date)
    principal: Mapped[Decimal] = mapped_column(Fen)
    #: Principal already settled (repaid, called, written off) when it took effect.
    settled_before: Mapped[Decimal] = mapped_column(Fen)


class LiaisonAssignment(Base):
    """Who answers for a loan from when (责任不脱钩: the history is kept)."""

    __tablename__ = "liaison_assignment"
    __table_args__ = (UniqueConstraint("loan_id", "effective_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loan.id"), index=True)
    liaison_id: Mapped[int] = mapped_column(ForeignKey("liaison.id"), index=True)
    effective_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(64))


class LoanEvent(Base):
    """A line of the loan's history: who did what, when, and why."""

    __tablename__ = "loan_event"
    # A loan's events of one action and period (a registration, an approval)
    # are sought here, not by walking every loan.
    __table_args__ = (Index("ix_loan_event_action_on", "action", "on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loan.id"), index=True)
    on: Mapped[date] = mapped_column(Date)
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    voucher: Mapped[str | None] = mapped_column(String(20))
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.current_timestamp()
    )
