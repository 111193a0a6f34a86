"""Cash on hand (库存资金): money leaves the special account or a township only if it is there.

Outflows are dated by the clerk and may be back-dated: last month's
disbursement is often entered today. Taking `amount` out on day D lowers the
balance at the end of D and of every day after it, so the account must hold
the amount at the end of each of those days, not just today: a township
cannot pay out before its first allocation reached it, and a back-dated
payment cannot overdraw a day on which the money had already gone elsewhere.
`require_cash` is the one check every such outflow makes (disbursement 发放,
allocation 拨付, remittance 上缴).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger import dates
from ledger.errors import InsufficientFunds
from ledger.models import Account, AccountDailyTotal
from ledger.money import fmt
from ledger.posting import AccountRef
from ledger.read.books import balance


@dataclass(frozen=True)
class Outflow:
    """A kind of money leaving a cash account, as a refusal names it."""

    zh: str
    en: str
    #: The name of its date (the field a too-early date is blamed on).
    step: dates.Step


DISBURSEMENT = Outflow("发放", "disbursement", dates.DISBURSEMENT)
ALLOCATION = Outflow("拨付", "allocation", dates.ALLOCATION)
REMITTANCE = Outflow("上缴", "remittance", dates.REMITTANCE)


def lowest_balance(
    session: Session, fund_id: int, ref: AccountRef, since: date
) -> tuple[Decimal, date, Decimal]:
    """The lowest end-of-day balance of cash account `ref` from `since` on, its day, and today's.

    Nothing is dated after today, so the last day with entries ends with
    today's balance. Cash accounts are assets: a debit raises them.
    """
    low = running = balance(session, fund_id, ref, as_of=since).balance
    low_day = since
    later = session.execute(
        select(AccountDailyTotal.day, AccountDailyTotal.debit, AccountDailyTotal.credit)
        .join(Account, Account.id == AccountDailyTotal.account_id)
        .where(
            Account.fund_id == fund_id,
            Account.code == ref.code,
            Account.subkey == ref.key,
            AccountDailyTotal.day > since,
        )
        .order_by(AccountDailyTotal.day)
    )
    for day, debit, credit in later:
        running += debit - credit
        if running < low:
            low, low_day = running, day
    return low, low_day, running


def require_cash(
    session: Session,
    fund_id: int,
    ref: AccountRef,
    amount: Decimal,
    on: date,
    outflow: Outflow,
    *,
    holder_zh: str,
    holder_en: str,
) -> None:
    """Refuse taking `amount` out of `ref` on `on` unless every day from `on` to today covers it.

    Short of money today, the amount is at fault; covered today but not on
    some day since `on`, the date is (it is before the money came).
    """
    low, low_day, now = lowest_balance(session, fund_id, ref, on)
    if amount > now:
        raise InsufficientFunds(
            f"{holder_zh} 持有 {fmt(now)} 元,不足以{outflow.zh} {fmt(amount)} 元",
            f"{holder_en} holds {now}, less than the {outflow.en} {amount}",
            field="amount",
        )
    if amount > low:
        raise InsufficientFunds(
            f"{outflow.step.zh} {on}:{holder_zh} 在 {low_day} 仅持有 {fmt(low)} 元,"
            f"不足以{outflow.zh} {fmt(amount)} 元",
            f"{outflow.step.en} {on}: {holder_en} holds only {low} on {low_day}, "
            f"less than the {outflow.en} {amount}",
            field="date",
        )
