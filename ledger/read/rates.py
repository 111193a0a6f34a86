"""Rates the reports print (回收率, 逾期率, 脱贫率): a quotient rounded half-up, or none.

Kept apart from the reads that use them, so that any read (the fund's, the
plans', the outcomes', the progress report's) can take them without
importing another subject's module.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)


def ratio(numerator: Decimal, denominator: Decimal, places: str = "0.01") -> Decimal | None:
    """numerator ÷ denominator rounded half-up, or None when the denominator is zero."""
    if denominator == 0:
        return None
    return (numerator / denominator).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def percent(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """A percentage with two decimals (本年回收率 etc.)."""
    return ratio(numerator * HUNDRED, denominator)


def recovery_rate(recovered: Decimal, overdue_amount: Decimal) -> Decimal | None:
    """回收率 (%): recovered ÷ (recovered + principal past due and unpaid).

    Of a fund, a township or a whole region alike: summed figures in, never
    an average of rates.
    """
    return percent(recovered, recovered + overdue_amount)


def turnover(disbursed: Decimal, capital: Decimal) -> Decimal | None:
    """周转次数: cumulative disbursed ÷ the capital appropriated."""
    return ratio(disbursed, capital)
