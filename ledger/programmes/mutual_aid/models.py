"""A society's tables: its 章程 versions, groups, members, allocated shares, loans and the
years it has closed.

Money is in the accounts (`chart`): a member's bought shares are the balance
of 3002/member, a loan's principal outstanding that of 1201/loan. These rows
hold what is not money: who, which group, which rules, which step a loan is
at, and the register of allocated shares (配股), which move no money.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from ledger.db import Base, Fen, enum_column

#: Monthly rates are kept in millionths (``"0.006"`` = 6‰ a month = 6000), exact everywhere.
PPM = Decimal(1_000_000)
#: Distribution shares are kept in basis points (``"0.40"`` = 4000).
BP = Decimal(10_000)


class SocietyRules(Base):
    """One version of a society's 章程, in force from `effective_on` until the next one."""

    __tablename__ = "society_rules"
    __table_args__ = (
        UniqueConstraint("fund_id", "effective_on"),
        CheckConstraint("share_size > 0", "share_size_positive"),
        CheckConstraint("loan_cap > 0", "loan_cap_positive"),
        CheckConstraint("loan_share_multiple BETWEEN 1 AND 100", "share_multiple_range"),
        CheckConstraint("max_term_months BETWEEN 1 AND 60", "max_term_range"),
        CheckConstraint("fee_rate_ppm BETWEEN 0 AND 100000", "fee_rate_range"),
        CheckConstraint("overdue_fee_rate_ppm BETWEEN 0 AND 100000", "overdue_rate_range"),
        CheckConstraint("notice_days BETWEEN 0 AND 90", "notice_days_range"),
        CheckConstraint("group_min >= 1 AND group_min <= group_max AND group_max <= 50", "group"),
        CheckConstraint(
            "reserve_bp >= 0 AND welfare_bp >= 0 AND risk_bp >= 0 AND staff_bp >= 0 "
            "AND dividend_bp >= 0 "
            "AND reserve_bp + welfare_bp + risk_bp + staff_bp + dividend_bp = 10000",
            "distribution_whole",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"))
    effective_on: Mapped[date] = mapped_column(Date)
    #: 每股金额: a bought or allocated share is a whole number of these.
    share_size: Mapped[Decimal] = mapped_column(Fen)
    #: 单笔借款上限.
    loan_cap: Mapped[Decimal] = mapped_column(Fen)
    #: A loan is at most this many times the member's shares (bought + allocated).
    loan_share_multiple: Mapped[int] = mapped_column(Integer)
    max_term_months: Mapped[int] = mapped_column(Integer)
    fee_rate_ppm: Mapped[int] = mapped_column(Integer)
    #: The monthly rate for days after the due date (the late fee, 逾期占用费).
    overdue_fee_rate_ppm: Mapped[int] = mapped_column(Integer)
    #: 公示天数: days between the public notice and the committee's approval.
    notice_days: Mapped[int] = mapped_column(Integer)
    group_min: Mapped[int] = mapped_column(Integer)
    group_max: Mapped[int] = mapped_column(Integer)
    reserve_bp: Mapped[int] = mapped_column(Integer)
    welfare_bp: Mapped[int] = mapped_column(Integer)
    risk_bp: Mapped[int] = mapped_column(Integer)
    staff_bp: Mapped[int] = mapped_column(Integer)
    dividend_bp: Mapped[int] = mapped_column(Integer)
    recorded_by: Mapped[str] = mapped_column(String(64))

    @property
    def fee_rate(self) -> Decimal:
        return Decimal(self.fee_rate_ppm) / PPM

    @property
    def overdue_fee_rate(self) -> Decimal:
        return Decimal(self.overdue_fee_rate_ppm) / PPM

    @property
    def distribution(self) -> dict[str, Decimal]:
        """公积金, 公益金, 风险准备金, 管理人员补贴, 分红 as fractions summing to 1."""
        return {
            "reserve": Decimal(self.reserve_bp) / BP,
            "welfare": Decimal(self.welfare_bp) / BP,
            "risk": Decimal(self.risk_bp) / BP,
            "staff": Decimal(self.staff_bp) / BP,
            "dividend": Decimal(self.dividend_bp) / BP,
        }


class SocietyGroup(Base):
    """联保小组: members jointly liable for one another's loans."""

    __tablename__ = "society_group"
    __table_args__ = (UniqueConstraint("fund_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"))
    code: Mapped[str] = mapped_column(String(16))


class SocietyMember(Base):
    """社员: one household of the village, by its head's ID number (GB 11643)."""

    __tablename__ = "society_member"
    __table_args__ = (
        UniqueConstraint("fund_id", "id_number"),
        CheckConstraint("left_on IS NULL OR left_on >= joined_on", "leaves_after_joining"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"))
    name: Mapped[str] = mapped_column(String(50))
    id_number: Mapped[str] = mapped_column(String(18))
    #: 建档立卡贫困户: may receive allocated shares (配股).
    poor: Mapped[bool] = mapped_column(Boolean)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("society_group.id"), index=True)
    joined_on: Mapped[date] = mapped_column(Date)
    #: 退股 date; a member who left borrows, buys and counts no more.
    left_on: Mapped[date | None] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.current_timestamp()
    )


class ShareAllocation(Base):
    """配股: a share for a poor member out of the fiscal capital; a register entry, no money.

    It counts for the loan multiple (and, later, dividends) while the member
    stays, and returns to the pool when the member leaves: only the
    allocations of members who have not left are held against 3001.
    """

    __tablename__ = "society_share_allocation"
    __table_args__ = (CheckConstraint("amount > 0", "amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("society_member.id"), index=True)
    allocated_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Fen)
    recorded_by: Mapped[str] = mapped_column(String(64))


class LoanState(enum.Enum):
    """applied → noticed (公示) → approved (理事会) → lent → repaid, or written off
    (核销) against the risk reserve; each step once."""

    APPLIED = "applied"
    NOTICED = "noticed"
    APPROVED = "approved"
    LENT = "lent"
    REPAID = "repaid"
    WRITTEN_OFF = "written_off"


class SocietyLoan(Base):
    """借款: to one member, judged by the 章程 version in force on `applied_on`."""

    __tablename__ = "society_loan"
    __table_args__ = (
        UniqueConstraint("fund_id", "no"),
        CheckConstraint("amount > 0", "amount_positive"),
        CheckConstraint("term_months >= 1", "term_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"))
    #: The loan's number in the society, its 1201/1301/4001 sub-ledger key.
    no: Mapped[str] = mapped_column(String(16))
    member_id: Mapped[int] = mapped_column(ForeignKey("society_member.id"), index=True)
    rules_id: Mapped[int] = mapped_column(ForeignKey("society_rules.id"))
    amount: Mapped[Decimal] = mapped_column(Fen)
    term_months: Mapped[int] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(String(200))
    applied_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(64))
    state: Mapped[LoanState] = mapped_column(enum_column(LoanState, "society_loan_state"))
    noticed_on: Mapped[date | None] = mapped_column(Date)
    approved_on: Mapped[date | None] = mapped_column(Date)
    approved_by: Mapped[str | None] = mapped_column(String(64))
    lent_on: Mapped[date | None] = mapped_column(Date)
    lent_by: Mapped[str | None] = mapped_column(String(64))
    due_on: Mapped[date | None] = mapped_column(Date)
    #: The usage fee is accrued up to and including this day.
    fee_accrued_to: Mapped[date | None] = mapped_column(Date)


class SocietyProfile(Base):
    """Where a society is and where its money sits: its village and township, and its one
    bank account (专户), into which every yuan of it goes and out of which 封闭运行 lets
    only the allowed outflows."""

    __tablename__ = "society_profile"

    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), primary_key=True)
    village: Mapped[str] = mapped_column(String(100))
    township: Mapped[str] = mapped_column(String(100))
    #: 开户行: the bank and branch holding the account.
    bank: Mapped[str] = mapped_column(String(100))
    #: 专户账号.
    bank_account: Mapped[str] = mapped_column(String(40))


class SocietyExpense(Base):
    """An expense the committee approved and the cashier paid (管理费用): who approved it,
    beside its journal (5001 / 1001), which holds the money."""

    __tablename__ = "society_expense"
    __table_args__ = (
        UniqueConstraint("fund_id", "journal_id"),
        CheckConstraint("amount > 0", "amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"))
    journal_id: Mapped[int] = mapped_column(ForeignKey("journal.id"))
    paid_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Fen)
    purpose: Mapped[str] = mapped_column(String(200))
    #: The committee member (理事会) who approved it; never the payer.
    approved_by: Mapped[str] = mapped_column(String(64))
    paid_by: Mapped[str] = mapped_column(String(64))


class SocietyYearEnd(Base):
    """A year closed and distributed (年度结转分配), once: the row says so even for a year
    with neither income nor expenses, which posts no journal. Its journals, if any, are
    the year's ``year_end_close`` and ``distribution`` dated 31 December."""

    __tablename__ = "society_year_end"
    __table_args__ = (CheckConstraint("year BETWEEN 1901 AND 9999", "year_range"),)

    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
