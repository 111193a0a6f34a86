"""Journals (记账凭证) and their entries (分录): the append-only book.

A journal is numbered ``记-YYYY-MM-NNNN`` without gaps per fund per month of
its business date; `VoucherCounter` holds the last number handed out and is
updated in the posting transaction, so a rolled-back posting gives its number
back. A red-ink reversal (红字冲销) is a journal that `reverses` another and
repeats its lines on the same sides with negated amounts; the unique key on
`reverses_id` is what makes reversing twice impossible. Database triggers
refuse UPDATE and DELETE on both tables.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
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
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.db import Base, Fen


class Journal(Base):
    __tablename__ = "journal"
    __table_args__ = (
        UniqueConstraint("fund_id", "voucher_no"),
        UniqueConstraint("fund_id", "period", "seq"),
        UniqueConstraint("fund_id", "idempotency_key"),
        CheckConstraint("seq >= 1", "seq_positive"),
        CheckConstraint("red = (reverses_id IS NOT NULL)", "red_iff_reversal"),
        # The journals list filtered by kind, in voucher order: without it a page
        # of a rare kind scanned the fund's every journal (docs/PERFORMANCE.md).
        Index("ix_journal_fund_kind", "fund_id", "kind", "period", "seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"))
    voucher_no: Mapped[str] = mapped_column(String(20))
    #: ``YYYY-MM`` of the business date: the voucher series and the closing unit.
    period: Mapped[str] = mapped_column(String(7))
    seq: Mapped[int] = mapped_column(Integer)
    posted_on: Mapped[date] = mapped_column(Date)
    #: The business event, e.g. ``allocation``, ``repayment``, ``reversal``.
    kind: Mapped[str] = mapped_column(String(40))
    memo: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.current_timestamp()
    )
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("journal.id"), unique=True)
    #: True for a red-ink reversal; its entry amounts are negative.
    red: Mapped[bool] = mapped_column(Boolean, default=False)

    entries: Mapped[list[Entry]] = relationship(back_populates="journal", order_by="Entry.line_no")


class Entry(Base):
    __tablename__ = "entry"
    __table_args__ = (
        UniqueConstraint("journal_id", "line_no"),
        CheckConstraint("side IN ('D', 'C')", "side_is_debit_or_credit"),
        CheckConstraint("(red AND amount < 0) OR (NOT red AND amount > 0)", "amount_sign"),
        Index("ix_entry_account_day", "account_id", "posted_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    journal_id: Mapped[int] = mapped_column(ForeignKey("journal.id"))
    line_no: Mapped[int] = mapped_column(Integer)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    #: ``D`` debit or ``C`` credit.
    side: Mapped[str] = mapped_column(String(1))
    #: Positive, or negative on a red-ink reversal.
    amount: Mapped[Decimal] = mapped_column(Fen)
    red: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The journal's business date, repeated for statement and as-of reads.
    posted_on: Mapped[date] = mapped_column(Date)
    ref_township: Mapped[str | None] = mapped_column(String(16))
    ref_loan: Mapped[str | None] = mapped_column(String(64))
    ref_liaison: Mapped[str | None] = mapped_column(String(32))
    ref_disaster: Mapped[str | None] = mapped_column(String(32))

    journal: Mapped[Journal] = relationship(back_populates="entries")


class VoucherCounter(Base):
    """The last voucher sequence number used per fund and month."""

    __tablename__ = "voucher_counter"

    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer)
