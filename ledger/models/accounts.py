"""Chart of accounts (会计科目) and the sub-accounts that carry balances.

A `ChartAccount` is a line of the fund's chart (``1011 乡镇周转金``); an
`Account` is one sub-ledger account under it, keyed by the thing it tracks
(a township code, a loan number, a liaison id, a disaster code, a source of
appropriation), or by the empty key when the chart line has no sub-ledger.

Each account carries its running debit and credit turnover and a version,
updated in the same transaction as the entries that change them, so the
current balance is one row read however long the journal grows. The daily
totals tables answer "balance as of any date" by summing days, not entries;
the daily totals by business event kind (发生额按业务类型) answer "what was
allocated, remitted, disbursed ... between two dates" the same way.
"""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.db import Base, Fen, enum_column


class AccountKind(enum.Enum):
    ASSET = "asset"
    LIABILITY = "liability"
    NET_ASSETS = "net_assets"
    INCOME = "income"
    EXPENSE = "expense"

    @property
    def debit_normal(self) -> bool:
        """Assets and expenses grow on the debit side; the rest on the credit side."""
        return self in (AccountKind.ASSET, AccountKind.EXPENSE)


class SubLedger(enum.Enum):
    """What an account's sub-ledger key identifies."""

    NONE = "none"
    FUND = "fund"
    TOWNSHIP = "township"
    LOAN = "loan"
    LIAISON = "liaison"
    DISASTER = "disaster"
    SOURCE = "source"
    MEMBER = "member"
    DONOR = "donor"


class ChartAccount(Base):
    __tablename__ = "chart_account"
    __table_args__ = (UniqueConstraint("fund_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"))
    code: Mapped[str] = mapped_column(String(8))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    kind: Mapped[AccountKind] = mapped_column(enum_column(AccountKind, "account_kind"))
    subledger: Mapped[SubLedger] = mapped_column(enum_column(SubLedger, "subledger"))
    #: Asset accounts are refused below zero unless this is set.
    allow_negative: Mapped[bool] = mapped_column(Boolean, default=False)

    accounts: Mapped[list[Account]] = relationship(back_populates="chart")


class Account(Base):
    __tablename__ = "account"
    __table_args__ = (
        UniqueConstraint("chart_id", "subkey"),
        # How postings and reads name an account: fund, code, sub-ledger key.
        UniqueConstraint("fund_id", "code", "subkey"),
        CheckConstraint("version >= 0", "version_not_negative"),
        CheckConstraint(
            "NOT guard_nonnegative OR debit_total - credit_total >= 0", "guarded_not_negative"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"))
    chart_id: Mapped[int] = mapped_column(ForeignKey("chart_account.id"))
    #: The chart code, repeated so a posting resolves ``1011/340123001`` in one read.
    code: Mapped[str] = mapped_column(String(8))
    #: Sub-ledger key (township code, loan number, ...); empty when none.
    subkey: Mapped[str] = mapped_column(String(64), default="")
    #: Copied from the chart at opening: debit-normal account that may not go negative.
    guard_nonnegative: Mapped[bool] = mapped_column(Boolean)
    debit_total: Mapped[Decimal] = mapped_column(Fen, default=Decimal("0.00"))
    credit_total: Mapped[Decimal] = mapped_column(Fen, default=Decimal("0.00"))
    version: Mapped[int] = mapped_column(Integer, default=0)

    chart: Mapped[ChartAccount] = relationship(back_populates="accounts")


class AccountDailyTotal(Base):
    """Turnover of one account on one business day."""

    __tablename__ = "account_daily_total"
    # Covers "sum of the days up to D" so the read never visits the table rows,
    # which scatter as the book grows (measured: bench/ledger_throughput.py).
    __table_args__ = (
        Index("ix_account_daily_total_covering", "account_id", "day", "debit", "credit"),
    )

    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    debit: Mapped[Decimal] = mapped_column(Fen)
    credit: Mapped[Decimal] = mapped_column(Fen)


class ChartDailyTotal(Base):
    """Turnover of one chart line (all its sub-accounts) on one business day."""

    __tablename__ = "chart_daily_total"
    __table_args__ = (Index("ix_chart_daily_total_covering", "chart_id", "day", "debit", "credit"),)

    chart_id: Mapped[int] = mapped_column(ForeignKey("chart_account.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    debit: Mapped[Decimal] = mapped_column(Fen)
    credit: Mapped[Decimal] = mapped_column(Fen)


class AccountKindDay(Base):
    """Turnover of one account on one business day from journals of one event kind.

    The event kind is the journal's kind, or for a red-ink reversal the kind
    of the journal it reverses (with the reversal's negative amounts), so a
    reversed disbursement nets out of the disbursements, as `books.by_event_kind`
    counts the entries.
    """

    __tablename__ = "account_kind_day"
    # A chart line's rows of a period in day order (a township's or a loan's
    # accounts), read from the index alone.
    __table_args__ = (
        Index(
            "ix_account_kind_day_chart_covering",
            "chart_id",
            "day",
            "kind",
            "account_id",
            "debit",
            "credit",
        ),
    )

    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    #: The account's chart line (a copy of `Account.chart_id`, for the index).
    chart_id: Mapped[int] = mapped_column(ForeignKey("chart_account.id"))
    debit: Mapped[Decimal] = mapped_column(Fen)
    credit: Mapped[Decimal] = mapped_column(Fen)


class JournalKindDay(Base):
    """How many journals of one kind (the journal's own: a red-ink reversal is ``reversal``)
    a fund posted on one business day: the journals list's total for a kind or a cut month
    (`read.journals.journal_count`), summed over days, not counted over journals."""

    __tablename__ = "journal_kind_day"

    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    journals: Mapped[int] = mapped_column(Integer)


class ChartKindDay(Base):
    """Turnover of one chart line on one business day from journals of one event kind."""

    __tablename__ = "chart_kind_day"

    chart_id: Mapped[int] = mapped_column(ForeignKey("chart_account.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    debit: Mapped[Decimal] = mapped_column(Fen)
    credit: Mapped[Decimal] = mapped_column(Fen)
