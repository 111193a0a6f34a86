"""Kept figures: loans' positions and their totals, written only by the posting path.

`LoanPosition` is each loan's figures now; `PositionTotal` sums them per
township and batch, and `AgingNow` their unpaid instalments; `LiaisonTotal` and
`LiaisonDue` per liaison answering; `PositionDay`, `AgingDay`, `HouseholdDay`,
`DueDay` and `ActivityDay` hold per-day changes, so a figure as of a date is the
sum of the days up to it (as the daily account totals give a balance as of a
date); `RecoveredOfDueYear` is kept per year. `LoanCount` and `HouseholdCount`
count the loans by status and the households, the paged lists' totals.
`ledger/positions.py` writes them in the
transaction that posts the entries, changes a schedule or a loan's status or
adds a loan or household, recomputes them and compares them
(docs/ARCHITECTURE.md, "Kept figures").
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ledger.db import Base, Fen, enum_column
from ledger.models.loan import LoanStatus

#: Outstanding is what was lent and not settled (the loan account's balance).
OUTSTANDING_RULE = "outstanding = disbursed - repaid - guarantee_called - written_off"


class LoanPosition(Base):
    """One loan's figures now, and the due date aging counts from."""

    __tablename__ = "loan_position"
    __table_args__ = (
        CheckConstraint(OUTSTANDING_RULE, "outstanding_is_unsettled"),
        CheckConstraint("disbursed >= 0 AND outstanding >= 0", "not_negative"),
        CheckConstraint("version >= 0", "version_not_negative"),
        # The loans overdue today, found without reading the others (read.loans).
        Index("ix_loan_position_overdue", "fund_id", "oldest_unpaid_due"),
    )

    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loan.id"), primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"))
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id"))
    disbursed: Mapped[Decimal] = mapped_column(Fen)
    repaid: Mapped[Decimal] = mapped_column(Fen)
    guarantee_called: Mapped[Decimal] = mapped_column(Fen)
    written_off: Mapped[Decimal] = mapped_column(Fen)
    outstanding: Mapped[Decimal] = mapped_column(Fen)
    #: Due date of the oldest instalment not fully settled under the schedule in
    #: force; None when nothing is lent or all is settled. Overdue on a date
    #: after it.
    oldest_unpaid_due: Mapped[date | None] = mapped_column(Date)
    #: The business date of the last entry on its loan account: a posting dated
    #: on or after it changes no earlier day, so it needs no read of the entries.
    last_moved_on: Mapped[date | None] = mapped_column(Date)
    #: Repaid and called before 1 January of `last_moved_on`'s year: a posting in
    #: that year rewrites the year's recovery-table column 9 from it, unread entries.
    recovered_before_year: Mapped[Decimal] = mapped_column(Fen)
    #: Bumped by every write: two transactions changing one loan conflict here.
    version: Mapped[int] = mapped_column(Integer)


class PositionTotal(Base):
    """The loans of one township and batch, summed now."""

    __tablename__ = "position_total"
    # Only checks that hold for a change too: the posting path adds changes by
    # upsert, and the database checks the row it is handed, not only the sum.
    __table_args__ = (CheckConstraint(OUTSTANDING_RULE, "outstanding_is_unsettled"),)

    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id"), primary_key=True)
    disbursed: Mapped[Decimal] = mapped_column(Fen)
    repaid: Mapped[Decimal] = mapped_column(Fen)
    guarantee_called: Mapped[Decimal] = mapped_column(Fen)
    written_off: Mapped[Decimal] = mapped_column(Fen)
    outstanding: Mapped[Decimal] = mapped_column(Fen)
    #: Loans with any principal disbursed.
    lent_loans: Mapped[int] = mapped_column(Integer)
    #: Loans with principal outstanding.
    open_loans: Mapped[int] = mapped_column(Integer)


class PositionDay(Base):
    """How one business day changed a township and batch's totals (as of that day)."""

    __tablename__ = "position_day"
    __table_args__ = (CheckConstraint(OUTSTANDING_RULE, "outstanding_is_unsettled"),)

    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    disbursed: Mapped[Decimal] = mapped_column(Fen)
    repaid: Mapped[Decimal] = mapped_column(Fen)
    guarantee_called: Mapped[Decimal] = mapped_column(Fen)
    written_off: Mapped[Decimal] = mapped_column(Fen)
    outstanding: Mapped[Decimal] = mapped_column(Fen)
    lent_loans: Mapped[int] = mapped_column(Integer)
    open_loans: Mapped[int] = mapped_column(Integer)


class AgingDay(Base):
    """How one business day changed a township and batch's unpaid instalments, by oldest due.

    Summed up to a date D, a row (oldest_due u, due_date d) holds the unpaid
    principal of instalments due on d of the township and batch's lent loans whose
    oldest unpaid instalment fell due on u; the row d = u also counts those
    loans and their outstanding. As of D such a loan is (D − u) days overdue
    when u < D, and its instalments with d < D are its overdue amount.
    """

    __tablename__ = "aging_day"
    __table_args__ = (CheckConstraint("due_date >= oldest_due", "due_not_before_oldest"),)

    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id"), primary_key=True)
    oldest_due: Mapped[date] = mapped_column(Date, primary_key=True)
    due_date: Mapped[date] = mapped_column(Date, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    loans: Mapped[int] = mapped_column(Integer)
    outstanding: Mapped[Decimal] = mapped_column(Fen)
    unpaid: Mapped[Decimal] = mapped_column(Fen)


class AgingNow(Base):
    """A township and batch's unpaid instalments now, by oldest due: `AgingDay` summed over
    every day, so that today's aging reads the rows that are, not the days that were.

    Nothing is dated after today, so it is `AgingDay` summed up to today (or any
    later date); read as of D ≥ today with the same rule (overdue when u < D).
    A row that comes to zero goes, so its size follows the open loans' due dates,
    not the book's history.
    """

    __tablename__ = "aging_now"
    __table_args__ = (CheckConstraint("due_date >= oldest_due", "due_not_before_oldest"),)

    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id"), primary_key=True)
    oldest_due: Mapped[date] = mapped_column(Date, primary_key=True)
    due_date: Mapped[date] = mapped_column(Date, primary_key=True)
    loans: Mapped[int] = mapped_column(Integer)
    outstanding: Mapped[Decimal] = mapped_column(Fen)
    unpaid: Mapped[Decimal] = mapped_column(Fen)


class HouseholdDay(Base):
    """How one business day changed the number of a township's households with money lent.

    A household counts from the day one of its loans first has principal
    disbursed until the day none has (a red-ink reversal of its only
    disbursement); summed up to D, the households served (扶持户数) on D.
    """

    __tablename__ = "household_day"

    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), primary_key=True)
    #: The household's township.
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    households: Mapped[int] = mapped_column(Integer)


class LiaisonTotal(Base):
    """The loans one liaison (联系人) answers for now, summed: what the liaisons' list shows.

    A loan counts under its latest liaison assignment. No assignment takes
    effect after today (`dates.business_day` refuses a future date), so the
    latest is the one answering today; a change of liaison moves the loan's
    figures from one row to the other in its transaction.
    """

    __tablename__ = "liaison_total"

    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), primary_key=True)
    liaison_id: Mapped[int] = mapped_column(ForeignKey("liaison.id"), primary_key=True)
    #: Loans with principal outstanding.
    open_loans: Mapped[int] = mapped_column(Integer)
    #: Their outstanding principal: the liaison's exposure.
    outstanding: Mapped[Decimal] = mapped_column(Fen)


class LiaisonDue(Base):
    """The unpaid principal of the instalments due on one day of a liaison's loans, now.

    Summed over the days before D, a liaison's overdue amount on D (today: a
    loan's unpaid instalments are settled oldest first, so those due before D
    are its overdue amount); read per liaison, it costs the days, not the loans.
    """

    __tablename__ = "liaison_due"

    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), primary_key=True)
    liaison_id: Mapped[int] = mapped_column(ForeignKey("liaison.id"), primary_key=True)
    due_date: Mapped[date] = mapped_column(Date, primary_key=True)
    unpaid: Mapped[Decimal] = mapped_column(Fen)


class DueDay(Base):
    """How one business day changed a township and batch's dues under the schedules in force.

    Summed up to a date D, a row (due_date d) holds the principal due on d
    under the schedule in force on D of the township and batch's lent loans
    (本年应收到期数 and 累计应收到期数 of the recovery table), and what those
    schedules found settled before they took effect (counted as due by then:
    keyed by the version's effective day).
    """

    __tablename__ = "due_day"

    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id"), primary_key=True)
    due_date: Mapped[date] = mapped_column(Date, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    due: Mapped[Decimal] = mapped_column(Fen)
    settled_before: Mapped[Decimal] = mapped_column(Fen)


class RecoveredOfDueYear(Base):
    """A township and batch's recoveries of a calendar year that settled instalments due in it.

    Column 9 of the recovery table (其中收回本年到期数): per loan, what the
    year's repayments and guarantee calls added to the instalments due in the
    year under the schedule in force at its end, oldest first (never below
    nothing), summed. Not additive over days, so kept by year: a posting or
    schedule version dated in a year rewrites that year's and later years'.
    """

    __tablename__ = "recovered_of_due_year"

    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    recovered: Mapped[Decimal] = mapped_column(Fen)


#: `ActivityDay.since_*` of a household's first event of its kind: before every day.
NO_EARLIER = date(1, 1, 1)


class ActivityDay(Base):
    """A day's loans registered, approved or disbursed in a township and batch, and their money.

    Each row counts household-events: one per loan registered (at the amount
    asked), approved (at the amount approved), or per day a loan has principal
    disbursed (its net for the day; a household one of whose disbursements was
    reversed has its days' money here, its households in `DisbursementCorrected`).
    It is keyed by the household's previous event
    of the kind, in the township (`since_township`) and in the batch
    (`since_batch`), `NO_EARLIER` when it has none: the households of a period
    from S to E are its events from S to E whose previous one is before S, each
    household once, so a period's distinct households are summed from the rows
    (the progress report, plan against actual) and cost its days, not its loans.
    """

    __tablename__ = "activity_day"

    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), primary_key=True)
    #: registered, approved or disbursed (`read.plans.ACTUALS`).
    kind: Mapped[str] = mapped_column(String(12), primary_key=True)
    #: The loan's township (its household's).
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    since_township: Mapped[date] = mapped_column(Date, primary_key=True)
    since_batch: Mapped[date] = mapped_column(Date, primary_key=True)
    households: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(Fen)


class DisbursementCorrected(Base):
    """The disbursed principal, net per day, of the loans of a household one of whose
    disbursements was reversed (红字冲销): a day that takes money back.

    `ActivityDay` counts such a household in no period (its days there carry
    their money only): a period's households count it when one of its loans'
    days in the period sum to more or less than nothing, read from these rows,
    as few as the reversals.
    """

    __tablename__ = "disbursement_corrected"

    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id"), primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loan.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    amount: Mapped[Decimal] = mapped_column(Fen)


class LoanCount(Base):
    """How many of a township and batch's loans are in one status now: the loan list's
    total and the to-do's counts, whatever the book's size.

    Written in the transaction that adds a loan (`services.loans.register_loan`,
    the registration sheet import) or moves it to another status
    (`services.loans.record_event`), by adding the change, like `PositionTotal`.
    """

    __tablename__ = "loan_count"

    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), primary_key=True)
    #: The loan's own township (`Loan.township_id`, what the list filters on).
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id"), primary_key=True)
    status: Mapped[LoanStatus] = mapped_column(
        enum_column(LoanStatus, "loan_status"), primary_key=True
    )
    loans: Mapped[int] = mapped_column(Integer)


class HouseholdCount(Base):
    """How many households a township has registered: the households list's total.

    A household is added by `services.setup.add_household` or the registration
    sheet import, which add one here in their transaction; none is deleted or
    moved to another township.
    """

    __tablename__ = "household_count"

    fund_id: Mapped[int] = mapped_column(ForeignKey("fund.id"), primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), primary_key=True)
    households: Mapped[int] = mapped_column(Integer)
