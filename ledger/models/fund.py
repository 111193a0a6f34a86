"""The fund (周转金): one revolving fund with its own books and voucher series."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from ledger.db import Base, Fen
from ledger.programmes import REVOLVING

DEFAULT_MAX_LOAN = Decimal("50000.00")
DEFAULT_MAX_TERM_MONTHS = 36
#: Rates are stored in basis points (万分之一): 2000 = 20 %, exact on every engine.
DEFAULT_DEDUCTION_CAP_BP = 2000
DEFAULT_FEE_RATE_BP = 0
BASIS_POINTS = Decimal(10000)


class Fund(Base):
    __tablename__ = "fund"
    #: The kinds of `ledger.programmes.KINDS`: a new kind's migration widens the list.
    __table_args__ = (CheckConstraint("kind IN ('revolving', 'mutual_aid')", "kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Short code used in URLs and voucher series, e.g. ``PPM2007``.
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: The county (区县) that owns the fund, and so its books, townships and users' grants.
    county_code: Mapped[str] = mapped_column(ForeignKey("county.code"), index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.current_timestamp()
    )
    #: The fund's start (启用日): nothing is posted before it. Unset until given
    #: or until the first journal (its first appropriation) sets it to its date.
    opened_on: Mapped[date | None] = mapped_column(Date)
    #: The programme kind (SPEC §13): its chart, settings and services.
    kind: Mapped[str] = mapped_column(String(16), default=REVOLVING, server_default=REVOLVING)


class FundSettings(Base):
    """A fund's limits: settings per fund, never constants in code (SPEC §10)."""

    __tablename__ = "fund_settings"
    __table_args__ = (
        CheckConstraint("max_loan > 0", "max_loan_positive"),
        CheckConstraint("max_term_months BETWEEN 1 AND 600", "max_term_range"),
        CheckConstraint("deduction_cap_bp BETWEEN 1 AND 10000", "deduction_cap_range"),
        CheckConstraint("fee_rate_bp BETWEEN 0 AND 9999", "fee_rate_range"),
    )

    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), primary_key=True)
    max_loan: Mapped[Decimal] = mapped_column(Fen, default=DEFAULT_MAX_LOAN)
    max_term_months: Mapped[int] = mapped_column(Integer, default=DEFAULT_MAX_TERM_MONTHS)
    #: Share of a liaison's monthly salary one deduction may take (工资支付暂行规定 art. 16).
    deduction_cap_bp: Mapped[int] = mapped_column(Integer, default=DEFAULT_DEDUCTION_CAP_BP)
    #: Annual fund-use fee (资金占用费) rate; 0 for interest-free funds.
    fee_rate_bp: Mapped[int] = mapped_column(Integer, default=DEFAULT_FEE_RATE_BP)

    @property
    def deduction_cap(self) -> Decimal:
        return Decimal(self.deduction_cap_bp) / BASIS_POINTS

    @property
    def fee_rate(self) -> Decimal:
        return Decimal(self.fee_rate_bp) / BASIS_POINTS
