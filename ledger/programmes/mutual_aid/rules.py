"""The 章程's arithmetic and the society's posting rule, pure (no database).

- `usage_fee`: the usage fee (占用费) of one accrual span, SPEC §13:
  ``ROUND_HALF_UP(P × m × d / 30)`` to the fen, computed as an exact
  fraction and rounded once per span, never per day.
- `span_fee`: a span split at the loan's due date, the days after it at the
  overdue rate (the 章程's late fee); each part is one span, rounded once.
- `check_closed_village`: 封闭运行, the rule every journal of a society is
  held to by the posting path: the bank account 1001 is credited only by a
  loan payout, a share refund, an approved expense or a dividend or subsidy
  paid, each against its own account.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from ledger.money import from_fen, to_fen
from ledger.posting import CREDIT, DEBIT, JournalDraft
from ledger.programmes.mutual_aid import chart
from ledger.programmes.mutual_aid.errors import ClosedVillage

DAYS_PER_MONTH = 30


def usage_fee(principal: Decimal, monthly_rate: Decimal, days: int) -> Decimal:
    """The fee on `principal` for `days` at `monthly_rate`: ROUND_HALF_UP(P × m × d / 30).

    One rounding per accrual span: the exact product is a fraction of fen,
    rounded half up (a half fen and more rounds away from zero).
    """
    if days <= 0 or principal <= 0:
        return Decimal("0.00")
    exact = Fraction(to_fen(principal)) * Fraction(monthly_rate) * days / DAYS_PER_MONTH
    whole, rest = divmod(exact, 1)
    return from_fen(int(whole) + (1 if rest * 2 >= 1 else 0))


@dataclass(frozen=True)
class SpanFee:
    """One accrual: the days at the normal and at the overdue rate, and the fee of each."""

    normal_days: int
    overdue_days: int
    normal_fee: Decimal
    overdue_fee: Decimal

    @property
    def fee(self) -> Decimal:
        return self.normal_fee + self.overdue_fee


def span_fee(
    principal: Decimal,
    after: date,
    through: date,
    due_on: date,
    rate: Decimal,
    overdue_rate: Decimal,
) -> SpanFee:
    """The fee for the days after `after` up to and including `through`.

    The day of payout is not counted and the day of repayment is; days up to
    the due date bear `rate`, later days `overdue_rate`.
    """
    normal = max(0, (min(through, due_on) - after).days)
    overdue = max(0, (through - max(after, due_on)).days)
    return SpanFee(
        normal,
        overdue,
        usage_fee(principal, rate, normal),
        usage_fee(principal, overdue_rate, overdue),
    )


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


#: 封闭运行: the journal kinds that may credit 1001, each with the one account it debits.
OUTFLOWS: dict[str, str] = {
    "loan_payout": chart.LOANS,
    "share_refund": chart.MEMBER_SHARES,
    "expense": chart.EXPENSES,
    "dividend_paid": chart.DIVIDENDS_PAYABLE,
    "subsidy_paid": chart.SUBSIDIES_PAYABLE,
}
OUTFLOW_NAMES = "放款、退股、经批准的费用、支付分红或补贴"


def check_closed_village(drafts: Sequence[JournalDraft]) -> None:
    """Refuse a journal that takes money out of 1001 other than by an allowed outflow.

    A red-ink reversal undoes a journal already in the book, line by line,
    so it passes: it takes out only what that journal brought in.
    """
    for draft in drafts:
        if draft.red or not any(
            line.side == CREDIT and line.account.code == chart.BANK for line in draft.lines
        ):
            continue
        debited = {line.account.code for line in draft.lines if line.side == DEBIT}
        allowed = OUTFLOWS.get(draft.kind)
        if allowed is None or debited != {allowed}:
            raise ClosedVillage(
                f"互助资金封闭运行:银行存款({chart.BANK})只能因{OUTFLOW_NAMES}而支出,"
                f"不能用于 {draft.kind}(借记 {', '.join(sorted(debited))})",
                f"money stays in the village: the bank account ({chart.BANK}) pays out only "
                "loans, share refunds, approved expenses and dividends or subsidies, "
                f"not {draft.kind} (debiting {', '.join(sorted(debited))})",
                field="lines",
            )
