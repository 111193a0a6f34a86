"""Repayment schedules, what is paid of them, and how overdue a loan is.

A schedule is a list of instalments (due date, amount) summing exactly to the
principal it covers. Money that settles principal (a repayment, a guarantee
call, a write-off) settles instalments oldest first, so the paid state of
every instalment follows from one number: the principal settled so far.

Overdue days (SPEC §10) = as-of date − due date of the oldest instalment
still unpaid, counting the day after the due date as day 1; a loan with
nothing past due has none. Aging buckets: 1–30, 31–90, 91–180, 181–365 and
365+ days.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ledger.dates import Step
from ledger.errors import InvalidAmount, InvalidField, ScheduleMismatch
from ledger.money import cny, split

MAX_INSTALMENTS = 120
ZERO = Decimal("0.00")

AGING_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("1-30", 1, 30),
    ("31-90", 31, 90),
    ("91-180", 91, 180),
    ("181-365", 181, 365),
    ("365+", 366, None),
)


@dataclass(frozen=True)
class Instalment:
    seq: int
    due_date: date
    amount: Decimal


@dataclass(frozen=True)
class InstalmentState:
    seq: int
    due_date: date
    amount: Decimal
    paid: Decimal

    @property
    def unpaid(self) -> Decimal:
        return self.amount - self.paid

    @property
    def settled(self) -> bool:
        return self.paid == self.amount


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def make_schedule(
    principal: Decimal, *, first_due: date, count: int, every_months: int = 12
) -> tuple[Instalment, ...]:
    """Equal instalments (ROUND_HALF_UP, the last absorbs the remainder)."""
    if not 1 <= count <= MAX_INSTALMENTS:
        raise InvalidField(
            f"期数应在 1–{MAX_INSTALMENTS} 之间",
            f"count must be 1-{MAX_INSTALMENTS}",
            field="count",
        )
    try:
        parts = split(principal, count)
    except ValueError:
        parts = []
    if not parts or min(parts) <= 0:
        raise InvalidField(
            f"{principal} 元不能分成 {count} 期",
            f"{principal} cannot be split into {count} positive instalments",
            field="count",
        )
    return tuple(
        Instalment(seq, add_months(first_due, (seq - 1) * every_months), amount)
        for seq, amount in enumerate(parts, start=1)
    )


def check_schedule(
    items: Iterable[tuple[date, object]],
    *,
    principal: Decimal,
    starts: date,
    starts_as: Step,
    max_term_months: int,
) -> tuple[Instalment, ...]:
    """Validate a proposed schedule: exact amounts, increasing dates, within term, sums exactly.

    `starts_as` names the date the schedule starts from (the approval date,
    ...), so a clerk entering past records who gave today's date by mistake
    reads which date the first due date had to follow.
    """
    instalments = []
    previous, previous_zh, previous_en = starts, starts_as.zh, f"the {starts_as.en}"
    for index, (due, raw) in enumerate(items):
        where = f"schedule[{index}]"
        if not isinstance(due, date):
            raise InvalidField("到期日无效", "due_date must be a date", field=f"{where}.due_date")
        try:
            amount = cny(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise InvalidAmount(
                f"金额 {raw!r} 无效", f"amount {raw!r} is invalid", field=f"{where}.amount"
            ) from None
        if amount <= 0:
            raise InvalidAmount(
                "每期金额必须大于零", "each instalment must be positive", field=f"{where}.amount"
            )
        if due <= previous:
            raise ScheduleMismatch(
                f"到期日 {due} 须晚于{previous_zh} {previous}",
                f"due date {due} must be after {previous_en} {previous}",
                field=f"{where}.due_date",
            )
        instalments.append(Instalment(index + 1, due, amount))
        previous, previous_zh, previous_en = due, "上一期到期日", "the previous due date"
    if not 1 <= len(instalments) <= MAX_INSTALMENTS:
        raise ScheduleMismatch(
            f"还款计划应有 1–{MAX_INSTALMENTS} 期",
            f"a schedule needs 1-{MAX_INSTALMENTS} instalments",
            field="schedule",
        )
    limit = add_months(starts, max_term_months)
    if instalments[-1].due_date > limit:
        raise ScheduleMismatch(
            f"最后一期 {instalments[-1].due_date} 超过最长期限 {max_term_months} 个月({limit})",
            f"last due date {instalments[-1].due_date} is beyond the maximum term "
            f"of {max_term_months} months ({limit})",
            field=f"schedule[{len(instalments) - 1}].due_date",
        )
    total = sum((i.amount for i in instalments), ZERO)
    if total != principal:
        raise ScheduleMismatch(
            f"还款计划合计 {total} 不等于本金 {principal}",
            f"the schedule sums to {total}, not the principal {principal}",
            field="schedule",
        )
    return tuple(instalments)


def settle(schedule: Sequence[Instalment], settled: Decimal) -> tuple[InstalmentState, ...]:
    """Apply `settled` principal to the instalments, oldest first."""
    left = settled
    states = []
    for item in schedule:
        paid = min(item.amount, max(left, ZERO))
        left -= paid
        states.append(InstalmentState(item.seq, item.due_date, item.amount, paid))
    return tuple(states)


def overdue(schedule: Sequence[Instalment], settled: Decimal, as_of: date) -> tuple[int, Decimal]:
    """(days overdue, amount past due and unpaid) as of the end of `as_of`."""
    days, amount = 0, ZERO
    for state in settle(schedule, settled):
        if state.due_date < as_of and not state.settled:
            days = days or (as_of - state.due_date).days
            amount += state.unpaid
    return days, amount


def aging_bucket(days: int) -> str | None:
    """The aging bucket of a number of overdue days; None when not overdue."""
    for label, low, high in AGING_BUCKETS:
        if days >= low and (high is None or days <= high):
            return label
    return None
