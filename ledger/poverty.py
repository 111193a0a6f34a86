"""Poverty status (贫困 / 脱贫 / 返贫): the one rule that judges an income.

The county's poverty line (贫困线) changes over time, each amount in force
from its effective date until the next. A household's net income per member
(人均纯收入) below the line in force on the income's date is poor (贫困); at
or above it, out of poverty (脱贫); below it again after having once been
out, back into poverty (返贫), which the county counts apart because the
programme failed to hold it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

POOR, OUT, BACK = "poor", "out", "back"
#: The statuses in Chinese, as the county's reports name them.
STATUS_ZH = {POOR: "贫困", OUT: "脱贫", BACK: "返贫"}


def line_on(lines: Sequence[tuple[date, Decimal]], day: date) -> Decimal | None:
    """The line in force on `day`, from (effective_from, amount) pairs; None before the first."""
    amount = None
    for effective_from, value in sorted(lines):
        if effective_from > day:
            break
        amount = value
    return amount


def status(income: Decimal, line: Decimal, *, was_out: bool) -> str:
    """The status of an income against the line, given whether the household was out before."""
    if income >= line:
        return OUT
    return BACK if was_out else POOR


def history(
    incomes: Sequence[tuple[date, Decimal]], lines: Sequence[tuple[date, Decimal]]
) -> list[tuple[Decimal, str] | None]:
    """(line, status) of each of a household's incomes, given in date order.

    An income dated before every line has no status (None); it does not
    count as having been out of poverty either.
    """
    result: list[tuple[Decimal, str] | None] = []
    was_out = False
    for day, income in incomes:
        line = line_on(lines, day)
        if line is None:
            result.append(None)
            continue
        judged = status(income, line, was_out=was_out)
        was_out = was_out or judged == OUT
        result.append((line, judged))
    return result
