"""Read side: account statements with keyset pagination, unopened accounts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ledger import errors
from ledger.posting import AccountRef
from ledger.read.books import account_statement, balance
from tests.factories import SPECIAL, appropriate, make_fund, post_draft, township, transfer

D = Decimal


def test_statement_pages_carry_running_balances(db):
    fund = make_fund(db)
    days = [date(2007, 4, d) for d in (5, 1, 3, 3, 2, 9, 7)]
    for i, day in enumerate(days, start=1):
        appropriate(db, fund, f"{i}.00", on=day)
    post_draft(db, fund, transfer(date(2007, 4, 4), township(), SPECIAL, "4.50"))
    with db.read() as session:
        seen, cursor, expected_opening = [], None, D("0.00")
        while True:
            page = account_statement(session, fund.id, SPECIAL, after=cursor, limit=3)
            assert page.opening == expected_opening
            seen.extend(page.lines)
            if page.next_cursor is None:
                break
            cursor, expected_opening = page.next_cursor, page.lines[-1].balance
    assert [line.posted_on for line in seen] == sorted(line.posted_on for line in seen)
    assert len(seen) == 8
    assert seen[-1].balance == D("28.00") - D("4.50")
    running = D("0.00")
    for line in seen:
        running += line.debit - line.credit
        assert line.balance == running
    assert [ln.credit for ln in seen if ln.credit] == [D("4.50")]


def test_statement_window(db):
    fund = make_fund(db)
    for day in (1, 10, 20):
        appropriate(db, fund, "10.00", on=date(2007, 4, day))
    with db.read() as session:
        page = account_statement(
            session, fund.id, SPECIAL, from_=date(2007, 4, 5), to=date(2007, 4, 15)
        )
    assert page.opening == D("10.00")
    assert [(ln.posted_on, ln.balance) for ln in page.lines] == [(date(2007, 4, 10), D("20.00"))]


@pytest.mark.parametrize("limit", [0, 501])
def test_statement_limit_is_bounded(db, limit):
    fund = make_fund(db)
    with db.read() as session, pytest.raises(errors.InvalidField) as info:
        account_statement(session, fund.id, SPECIAL, limit=limit)
    assert info.value.field == "limit"


def test_unopened_subaccount_reads_as_zero_but_unknown_codes_are_refused(db):
    fund = make_fund(db)
    with db.read() as session:
        assert balance(session, fund.id, AccountRef("1101", "never-lent")).balance == 0
        assert account_statement(session, fund.id, township("999")).lines == ()
        for ref in (AccountRef("9999"), AccountRef("1101"), AccountRef("1001", "x")):
            with pytest.raises(errors.UnknownAccount):
                balance(session, fund.id, ref)
