"""Rows written together (`ledger.row_writes`): stored as SQLAlchemy stores them.

On SQLite the rows go to the driver as tuples, each value converted by its
column's type; on PostgreSQL as JSON arrays. Either way a row reads back, and
is found by SQLAlchemy's own binds, with its money to the fen and its day.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ledger.kind_days import ACCOUNT_KINDS
from ledger.models import Account, AccountKindDay
from ledger.row_writes import write_all
from ledger.services.journals import BALANCES
from tests.factories import SPECIAL, appropriate, make_fund


def test_rows_added_to_and_balances_set_read_back_exactly(db):
    fund = make_fund(db)
    appropriate(db, fund, "10.00")
    day = date(2007, 4, 2)
    with db.uow() as uow:  # never committed: the kept figures are the test's own
        conn = uow.session.connection()
        account = conn.execute(
            select(Account).where(Account.fund_id == fund.id, Account.code == SPECIAL.code)
        ).one()
        row = {
            "account_id": account.id,
            "kind": "测试",
            "day": day,
            "chart_id": account.chart_id,
            "debit": Decimal("12345678.91"),
            "credit": Decimal("0.01"),
        }
        write_all(conn, [(ACCOUNT_KINDS, [row])])
        write_all(conn, [(ACCOUNT_KINDS, [row])])  # added to the row of its key
        kept = conn.execute(
            select(AccountKindDay.debit, AccountKindDay.credit).where(
                AccountKindDay.account_id == account.id,
                AccountKindDay.kind == "测试",
                AccountKindDay.day == day,
            )
        ).one()
        assert tuple(kept) == (Decimal("24691357.82"), Decimal("0.02"))

        balance = {
            "b_id": account.id,
            "b_version": account.version,
            "version": account.version + 1,
            "debit_total": Decimal("99999999.99"),
            "credit_total": Decimal("0.00"),
        }
        write_all(conn, [(BALANCES, [balance])])
        moved = conn.execute(
            select(Account.debit_total, Account.version).where(Account.id == account.id)
        ).one()
        assert tuple(moved) == (Decimal("99999999.99"), account.version + 1)
        with pytest.raises(IntegrityError):  # the version it read is no longer the stored one
            write_all(conn, [(BALANCES, [balance])])
