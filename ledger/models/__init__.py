"""Typed models, one module per aggregate; importing this registers them all."""

from ledger.models.accounts import (
    Account,
    AccountDailyTotal,
    AccountKind,
    ChartAccount,
    ChartDailyTotal,
    SubLedger,
)
from ledger.models.fund import Fund
from ledger.models.journal import Entry, Journal, VoucherCounter
from ledger.models.period import Period

__all__ = [
    "Account",
    "AccountDailyTotal",
    "AccountKind",
    "ChartAccount",
    "ChartDailyTotal",
    "Entry",
    "Fund",
    "Journal",
    "Period",
    "SubLedger",
    "VoucherCounter",
]
