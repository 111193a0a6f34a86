"""Visits (走访): who went to a household, when, for how long, and what they saw.

The liaison (行政联系人) of every disbursed loan not yet settled visits the
household at least once a month (联系人每月至少到联系户一次): a liaison's
visit names the loan and must be made by the loan's liaison on that day. It
records how the project stands and whether the money is used as approved
(专款专用), the things the county's inspections follow up.

The same record serves the pairing cadres (联户干部) of schemes where a
cadre is paired with a household rather than answering for a loan: their
rule is at least two visits and seven days a year (一年入户不少于2次、累计
时间不少于1周), so every visit carries its length in days and a cadre's
visit names the cadre and the household, with the loan optional.

Visits are a log: appended, never edited.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from ledger.db import Base, enum_column


class VisitorKind(enum.Enum):
    LIAISON = "liaison"  # 行政联系人: answers for the loan with their salary
    CADRE = "cadre"  # 联户干部: paired with the household


class ProjectProgress(enum.Enum):
    PROGRESSING = "progressing"  # 进展正常
    BEHIND = "behind"  # 进度滞后
    FAILED = "failed"  # 项目失败
    CHANGED = "changed"  # 项目已改变


class Visit(Base):
    __tablename__ = "visit"
    __table_args__ = (
        CheckConstraint("days BETWEEN 1 AND 31", "days_range"),
        CheckConstraint(
            "visitor_kind <> 'liaison' OR (liaison_id IS NOT NULL AND loan_id IS NOT NULL)",
            "liaison_visit_names_loan",
        ),
        CheckConstraint(
            "loan_id IS NULL OR (progress IS NOT NULL AND funds_as_approved IS NOT NULL)",
            "loan_visit_says_what_was_seen",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    #: The loan whose project was seen; always set for a liaison's visit.
    loan_id: Mapped[int | None] = mapped_column(ForeignKey("loan.id"), index=True)
    visitor_kind: Mapped[VisitorKind] = mapped_column(enum_column(VisitorKind, "visitor_kind"))
    #: The liaison who visited (a liaison's visit only).
    liaison_id: Mapped[int | None] = mapped_column(ForeignKey("liaison.id"), index=True)
    #: The visitor's name as the visit log (联户日志) writes it.
    visitor: Mapped[str] = mapped_column(String(50))
    visited_on: Mapped[date] = mapped_column(Date, index=True)
    #: How many days the visit lasted (a cadre's yearly minimum counts them).
    days: Mapped[int] = mapped_column(Integer, default=1)
    progress: Mapped[ProjectProgress | None] = mapped_column(
        enum_column(ProjectProgress, "project_progress")
    )
    #: The money is used on the approved project (专款专用); unknown without a loan.
    funds_as_approved: Mapped[bool | None] = mapped_column(Boolean)
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.current_timestamp()
    )
