"""Business dates (业务日期): the service clock and the order events keep.

A business date is the day the clerk says something happened, not the wall
clock: a clerk entering 2007's paper records types 2007's dates. Three rules
keep such dates honest, each checked in one place:

- nothing is dated after today (`today`, the service's clock in China
  Standard Time, which tests fix with `set_today`);
- nothing is dated before the event it depends on (`not_before`): a loan is
  registered, verified, approved, contracted, disbursed and then repaid, in
  that order; a decision follows its proposal, a recovery its write-off;
- nothing money-moving is dated before the fund started or in a closed month
  (`ledger.services.journals.post` checks both, so no service can forget).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from ledger import validate
from ledger.errors import DateInFuture, DateOutOfOrder

#: China Standard Time: the day a county clerk lives in.
CST = timezone(timedelta(hours=8), "CST")

_fixed_today: date | None = None


def today() -> date:
    """The service's today: the fixed day if one is set, else the date in China now."""
    return _fixed_today if _fixed_today is not None else datetime.now(CST).date()


def set_today(day: date | None) -> None:
    """Fix the service's today (tests, a replay of past records); ``None`` follows the clock."""
    global _fixed_today
    _fixed_today = day


@dataclass(frozen=True)
class Step:
    """The name of a dated event, as an error message names it."""

    zh: str
    en: str


REGISTRATION = Step("登记日", "registration date")
VERIFICATION = Step("核查日", "verification date")
APPROVAL = Step("审定日", "approval date")
CONTRACT = Step("签约日", "contract date")
DISBURSEMENT = Step("发放日", "disbursement date")
REPAYMENT = Step("还款日", "repayment date")
GUARANTEE_CALL = Step("担保代偿日", "guarantee call date")
SALARY_DEDUCTION = Step("扣薪日", "salary deduction date")
LIAISON_CHANGE = Step("联系人变更生效日", "liaison change date")
PROPOSAL = Step("申请日", "proposal date")
DECISION = Step("审批日", "decision date")
WRITE_OFF = Step("核销日", "write-off date")
RECOVERY = Step("收回日", "recovery date")
DISASTER = Step("灾害发生日", "disaster date")
LOSS_REPORT = Step("损失核定日", "loss assessment date")
APPROPRIATION = Step("拨入日", "appropriation date")
ALLOCATION = Step("拨付日", "allocation date")
FIRST_ALLOCATION = Step("首次拨付日", "first allocation date")
REMITTANCE = Step("上缴日", "remittance date")
ORIGINAL = Step("原凭证日期", "date of the original voucher")
REVERSAL = Step("冲销日", "reversal date")
FUND_START = Step("基金启用日", "fund start date")
POSTING = Step("记账日期", "posting date")
PERIOD_END = Step("会计期间末日", "last day of the period")
PLAN = Step("规划制定日", "plan date")
PLAN_REVISION = Step("规划调整日", "plan revision date")
PREVIOUS_PLAN = Step("上一版规划日期", "date of the plan's previous version")
VISIT = Step("走访日", "visit date")


def not_in_future(day: date, field: str, step: Step, *, now: date | None = None) -> date:
    """Refuse a date after the service's today, or after `now` (the day a sheet was uploaded)."""
    now = now or today()
    if day > now:
        raise DateInFuture(
            f"{step.zh} {day} 晚于今天 {now}",
            f"{step.en} {day} is after today {now}",
            field=field,
        )
    return day


def not_before(day: date, earlier: date | None, field: str, step: Step, after: Step) -> date:
    """Refuse `day` if it is before `earlier`, the date of the event it follows (if any)."""
    if earlier is not None and day < earlier:
        raise DateOutOfOrder(
            f"{step.zh} {day} 早于{after.zh} {earlier}",
            f"{step.en} {day} is before the {after.en} {earlier}",
            field=field,
        )
    return day


def business_day(value: object, field: str, step: Step) -> date:
    """A date that is not in the future: how every service reads the date it is given."""
    return not_in_future(validate.day(value, field), field, step)


def month_of(day: date) -> str:
    """``YYYY-MM`` with four year digits always (``%Y`` drops zeros before year 1000)."""
    return f"{day.year:04d}-{day.month:02d}"
