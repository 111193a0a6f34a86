"""Factories for test data, in the indico manner: small functions with defaults."""

from __future__ import annotations

import itertools
import uuid
from datetime import date

from ledger.chart import CAPITAL, LOANS, SPECIAL_ACCOUNT, TOWNSHIP_FUNDS
from ledger.db import Database
from ledger.models import Fund
from ledger.posting import AccountRef, JournalDraft, credit, debit, journal
from ledger.services.funds import open_fund
from ledger.services.journals import PostedJournal, record_journal

_codes = itertools.count(1)
CLERK = "clerk-test"

SPECIAL = AccountRef(SPECIAL_ACCOUNT)
COUNTY = AccountRef(CAPITAL, "county")


def township(code: str = "340123001") -> AccountRef:
    return AccountRef(TOWNSHIP_FUNDS, code)


def loan(no: str) -> AccountRef:
    return AccountRef(LOANS, no)


def make_fund(db: Database, code: str | None = None, name: str = "测试周转金") -> Fund:
    code = code or f"F{next(_codes)}-{uuid.uuid4().hex[:6]}"
    with db.uow() as uow:
        return open_fund(uow, actor=CLERK, code=code, name=name)


def transfer(
    on: date, debit_ref: AccountRef, credit_ref: AccountRef, amount: str, kind: str = "test"
) -> JournalDraft:
    return journal(
        on, kind, f"{kind} {amount}", [debit(debit_ref, amount), credit(credit_ref, amount)]
    )


def post_draft(db: Database, fund: Fund, draft: JournalDraft) -> PostedJournal:
    with db.uow() as uow:
        return record_journal(uow, fund.id, draft, actor=CLERK)


def appropriate(
    db: Database, fund: Fund, amount: str, on: date = date(2007, 4, 1)
) -> PostedJournal:
    """拨入: money arrives in the special account as county capital."""
    return post_draft(db, fund, transfer(on, SPECIAL, COUNTY, amount, "appropriation"))
