"""Proposals decided by a second person (四眼原则, maker ≠ checker):
write-offs (核销), extensions (展期) and project changes (项目变更).

A proposal is `proposed` until an approver other than the proposer decides
it. A proposed write-off is "pending" (待处理) in reports; approval posts it,
rejection returns it to outstanding.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from ledger.db import Base, Fen, enum_column


class ProposalStatus(enum.Enum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"


class WriteOffGround(enum.Enum):
    """Grounds for writing off (财发[2008]61号)."""

    DEATH = "death"  #: borrower dead or missing, estate exhausted
    DISASTER = "disaster"  #: severe natural disaster, no insurance or still unable
    POLICY = "policy"  #: project stopped by land-taking or policy change
    ENFORCEMENT = "enforcement"  #: court enforcement over two years without result
    OTHER = "other"  #: approved, with reason


class _Decided:
    """Columns every proposal has: who proposed and who decided, when and why."""

    status: Mapped[ProposalStatus] = mapped_column(enum_column(ProposalStatus, "proposal_status"))
    reason: Mapped[str] = mapped_column(Text)
    proposed_by: Mapped[str] = mapped_column(String(64))
    #: The business date of the proposal (the clerk's date, not the wall clock).
    proposed_on: Mapped[date] = mapped_column(Date)
    proposed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.current_timestamp()
    )
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_on: Mapped[date | None] = mapped_column(Date)
    decision_note: Mapped[str | None] = mapped_column(Text)


class WriteOff(_Decided, Base):
    __tablename__ = "write_off"
    __table_args__ = (
        CheckConstraint("amount > 0", "amount_positive"),
        # The pending write-offs beside the outstanding (待处理): the proposals
        # still open, not every write-off the fund ever decided.
        Index("ix_write_off_fund_id_status", "fund_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loan.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Fen)
    ground: Mapped[WriteOffGround] = mapped_column(enum_column(WriteOffGround, "write_off_ground"))
    disaster_id: Mapped[int | None] = mapped_column(ForeignKey("disaster.id"))
    #: The evidence named: death certificate, disaster level, court ruling ...
    evidence: Mapped[str] = mapped_column(Text, default="")
    #: The approval document number (批文号), given with the decision.
    document_no: Mapped[str | None] = mapped_column(String(64))
    voucher: Mapped[str | None] = mapped_column(String(20))


class Extension(_Decided, Base):
    __tablename__ = "extension"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loan.id"), index=True)
    disaster_id: Mapped[int | None] = mapped_column(ForeignKey("disaster.id"))
    #: Proposed schedule: ``[{"due_date": "YYYY-MM-DD", "amount": "123.45"}, ...]``.
    schedule: Mapped[list[dict[str, str]]] = mapped_column(JSON)


class ProjectChange(_Decided, Base):
    __tablename__ = "project_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loan.id"), index=True)
    project_type_id: Mapped[int] = mapped_column(ForeignKey("project_type.id"))
    project: Mapped[str] = mapped_column(String(200))


class Reversal(_Decided, Base):
    """A proposed red-ink reversal (红字冲销) of a journal; approval posts it."""

    __tablename__ = "reversal_proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)
    journal_id: Mapped[int] = mapped_column(ForeignKey("journal.id"), index=True)
    #: The red-ink voucher that approval posted (dated the decision day).
    voucher: Mapped[str | None] = mapped_column(String(20))
