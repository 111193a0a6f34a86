"""Inspections (督查) by the county office, their findings, and recalls (提前收回).

The county office inspects a township, scheduled (定期检查) or not
(不定期督查), and checks at the households (到户查验) that the money reached
them and is used on the approved project. What it finds is a `Finding` of one
kind, with a person responsible and a date to correct it by; a finding stays
open until it is closed with evidence. Money used for another purpose (挪用)
may lead to a `Recall` of that loan, decided by a second person like every
proposal (四眼原则): approved, the loan falls due on the decision day.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from ledger.db import Base, enum_column
from ledger.models.proposals import _Decided


class InspectionKind(enum.Enum):
    SCHEDULED = "scheduled"  #: 定期检查
    UNSCHEDULED = "unscheduled"  #: 不定期督查


class FindingKind(enum.Enum):
    NOT_REACHED = "not_reached"  #: 资金未到户: the money did not reach the household
    DIVERTED = "diverted"  #: 挪用: used for another purpose
    PROJECT_CHANGED = "project_changed"  #: 擅自变更项目: project changed without approval
    RECORDS_MISMATCH = "records_mismatch"  #: 账实不符: records do not match


class Inspection(Base):
    __tablename__ = "inspection"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), index=True)
    inspected_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[InspectionKind] = mapped_column(enum_column(InspectionKind, "inspection_kind"))
    #: The inspectors' names as the report lists them (县扶贫办 张三、李四).
    inspectors: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.current_timestamp()
    )


class InspectionLoan(Base):
    """A household visited (到户查验) in an inspection, by its loan."""

    __tablename__ = "inspection_loan"

    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loan.id"), primary_key=True, index=True)


class Finding(Base):
    """One thing an inspection found wrong; open until closed with evidence."""

    __tablename__ = "finding"
    __table_args__ = (
        CheckConstraint("(closed_on IS NULL) = (closed_by IS NULL)", "closed_on_and_by_together"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id"), index=True)
    kind: Mapped[FindingKind] = mapped_column(enum_column(FindingKind, "finding_kind"))
    #: The household's loan, when the finding is about one (a visited household).
    loan_id: Mapped[int | None] = mapped_column(ForeignKey("loan.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    #: The person who must correct it (责任人).
    responsible: Mapped[str] = mapped_column(String(50))
    #: The date to correct it by (整改期限), never before the inspection.
    correct_by: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(64))
    closed_on: Mapped[date | None] = mapped_column(Date)
    closed_by: Mapped[str | None] = mapped_column(String(64))
    #: What shows it was corrected (整改情况), and/or a reference to a document.
    evidence: Mapped[str | None] = mapped_column(Text)
    evidence_ref: Mapped[str | None] = mapped_column(String(100))


class Recall(_Decided, Base):
    """A proposed recall (提前收回) of a loan whose money was diverted."""

    __tablename__ = "recall"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loan.id"), index=True)
    #: The diverted-money finding that grounds it.
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id"), index=True)
