"""Money in and down: appropriations (拨入), allocations to townships (拨付)
and remittances back to the county (上缴).

An allocation may spend any money in the special account, repaid money
included: that is how the fund revolves into the next batch. It is refused
beyond the special account's cash, and a remittance beyond what the township
holds, on its date and every day since (`ledger.cash`), with the figures in
the message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from ledger import cash, dates, journal_templates, permissions, validate
from ledger.actors import Actor
from ledger.db import UnitOfWork
from ledger.errors import InvalidField
from ledger.models import Account, AccountDailyTotal, Batch
from ledger.permissions import Action
from ledger.posting import AccountRef
from ledger.services import lookup
from ledger.services.journals import post


@dataclass(frozen=True)
class Movement:
    """A posted money movement, as the API and reports show it."""

    voucher: str
    date: date
    kind: str
    amount: Decimal
    township: str | None = None
    source: str | None = None
    batch: str | None = None
    memo: str = ""


def _source(value: object) -> str:
    source = validate.text(value, "source", max_length=32)
    if "/" in source:
        raise InvalidField("资金来源不能包含 /", "source must not contain '/'", field="source")
    return source


def _first_receipt(uow: UnitOfWork, fund_id: int, ref: AccountRef) -> date | None:
    """The first day money reached `ref` (a township's funds): nothing goes back before it."""
    return uow.session.scalar(
        select(func.min(AccountDailyTotal.day))
        .join(Account, Account.id == AccountDailyTotal.account_id)
        .where(
            Account.fund_id == fund_id,
            Account.code == ref.code,
            Account.subkey == ref.key,
            AccountDailyTotal.debit > 0,
        )
    )


def record_appropriation(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    *,
    on: date,
    amount: object,
    source: str,
    memo: str = "",
    idempotency_key: str | None = None,
) -> Movement:
    """Money received into the special account as fund capital from `source` (county, city ...)."""
    fund = lookup.fund(uow.session, fund_code)
    permissions.check(actor, Action.APPROPRIATE)
    on = dates.business_day(on, "date", dates.APPROPRIATION)
    value = validate.amount(amount, "amount")
    source = _source(source)
    memo = validate.text(memo, "memo", max_length=500, required=False) or f"拨入 {source}"
    posted = post(
        uow,
        fund.id,
        journal_templates.appropriation(on, value, source, memo),
        actor=actor.username,
        idempotency_key=idempotency_key,
    )
    uow.session.flush()
    return Movement(posted.voucher, on, "appropriation", value, source=source, memo=memo)


def record_allocation(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    *,
    on: date,
    township: str,
    amount: object,
    batch: str | None = None,
    memo: str = "",
    idempotency_key: str | None = None,
) -> Movement:
    """Send money from the special account to a township finance office."""
    session = uow.session
    fund = lookup.fund(session, fund_code)
    permissions.check(actor, Action.ALLOCATE)
    on = dates.business_day(on, "date", dates.ALLOCATION)
    value = validate.amount(amount, "amount")
    town = lookup.township(session, fund.id, township, actor, "township")
    batch_code = lookup.by_code(session, Batch, fund.id, batch, "batch").code if batch else None
    cash.require_cash(
        session,
        fund.id,
        journal_templates.SPECIAL,
        value,
        on,
        cash.ALLOCATION,
        holder_zh="专户",
        holder_en="the special account",
    )
    memo = validate.text(memo, "memo", max_length=500, required=False) or (
        f"拨付 {town.name}" + (f" 第 {batch_code} 批" if batch_code else "")
    )
    posted = post(
        uow,
        fund.id,
        journal_templates.allocation(on, town.code, value, memo),
        actor=actor.username,
        idempotency_key=idempotency_key,
    )
    uow.session.flush()
    return Movement(
        posted.voucher, on, "allocation", value, township=town.code, batch=batch_code, memo=memo
    )


def record_remittance(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    *,
    on: date,
    township: str,
    amount: object,
    memo: str = "",
    idempotency_key: str | None = None,
) -> Movement:
    """A township sends collected money back to the special account."""
    session = uow.session
    fund = lookup.fund(session, fund_code)
    permissions.check(actor, Action.REMIT)
    on = dates.business_day(on, "date", dates.REMITTANCE)
    value = validate.amount(amount, "amount")
    town = lookup.township(session, fund.id, township, actor, "township")
    received = _first_receipt(uow, fund.id, journal_templates.township_funds(town.code))
    dates.not_before(on, received, "date", dates.REMITTANCE, dates.FIRST_ALLOCATION)
    cash.require_cash(
        session,
        fund.id,
        journal_templates.township_funds(town.code),
        value,
        on,
        cash.REMITTANCE,
        holder_zh=town.name,
        holder_en=town.name,
    )
    memo = validate.text(memo, "memo", max_length=500, required=False) or f"{town.name} 上缴"
    posted = post(
        uow,
        fund.id,
        journal_templates.remittance(on, town.code, value, memo),
        actor=actor.username,
        idempotency_key=idempotency_key,
    )
    uow.session.flush()
    return Movement(posted.voucher, on, "remittance", value, township=town.code, memo=memo)
