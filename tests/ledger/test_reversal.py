"""Red-ink reversal (红字冲销): the original stays, the reversal nets it to zero.

Each reversal goes the product's one way, proposed by a clerk and approved by
another person (`tests.factories.reverse`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ledger import errors
from ledger.read.books import balance, balance_mismatches, trial_balance
from ledger.read.journals import journal_view
from tests.factories import (
    SPECIAL,
    appropriate,
    committing,
    make_fund,
    post_draft,
    township,
    transfer,
)
from tests.factories import reverse as reverse_in

D = Decimal


def reverse(db, fund, voucher, on=date(2007, 4, 20), reason="金额录错") -> str:
    with committing(db) as uow:
        return reverse_in(uow, fund.code, voucher, on=on, reason=reason)


def test_reversal_nets_to_zero_and_both_stay_visible(db):
    fund = make_fund(db)
    appropriate(db, fund, "1000.00")
    wrong = post_draft(db, fund, transfer(date(2007, 4, 5), township(), SPECIAL, "300.00"))
    red = reverse(db, fund, wrong.voucher)
    assert red == "记-2007-04-0003"
    with db.read() as session:
        assert balance(session, fund.id, township()).balance == 0
        assert balance(session, fund.id, SPECIAL).balance == D("1000.00")
        tb = {r.code: r for r in trial_balance(session, fund.id).rows}
        # Red ink takes the turnover back too: 1011 shows no net debit turnover.
        assert tb["1011"].debit == 0 and tb["1011"].credit == 0
        original = journal_view(session, fund.id, wrong.voucher)
        reversal = journal_view(session, fund.id, red)
        assert original.reversed_by == red and not original.red
        assert reversal.reverses == wrong.voucher and reversal.red
        assert [ln.amount for ln in reversal.lines] == [D("-300.00"), D("-300.00")]
        assert [ln.side for ln in reversal.lines] == [ln.side for ln in original.lines]
        assert "金额录错" in reversal.memo
        assert balance_mismatches(session, fund.id) == []


def test_reversing_twice_is_refused(db):
    fund = make_fund(db)
    posted = appropriate(db, fund, "10.00")
    reverse(db, fund, posted.voucher)
    with pytest.raises(errors.AlreadyReversed) as info:
        reverse(db, fund, posted.voucher)
    assert info.value.field == "voucher"


def test_a_reversal_cannot_be_reversed(db):
    fund = make_fund(db)
    red = reverse(db, fund, appropriate(db, fund, "10.00").voucher)
    with pytest.raises(errors.CannotReverseReversal):
        reverse(db, fund, red)


def test_reversal_that_would_overdraw_is_refused(db):
    fund = make_fund(db)
    money_in = appropriate(db, fund, "100.00")
    post_draft(db, fund, transfer(date(2007, 4, 5), township(), SPECIAL, "60.00"))
    with pytest.raises(errors.InsufficientBalance):
        reverse(db, fund, money_in.voucher)


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_reversal_needs_a_reason(db, reason):
    fund = make_fund(db)
    posted = appropriate(db, fund, "10.00")
    with pytest.raises(errors.InvalidField) as info:
        reverse(db, fund, posted.voucher, reason=reason)
    assert info.value.field == "reason"


def test_unknown_voucher(db):
    fund = make_fund(db)
    with pytest.raises(errors.JournalNotFound):
        reverse(db, fund, "记-2007-04-0099")


def test_a_back_dated_reversal_cannot_overdraw_a_past_day(db, set_today):
    """Covered today by a later allocation, but the township paid the money out before it came."""
    set_today(date(2007, 5, 20))
    fund = make_fund(db)
    appropriate(db, fund, "1000.00")
    first = post_draft(db, fund, transfer(date(2007, 4, 2), township(), SPECIAL, "100.00"))
    post_draft(db, fund, transfer(date(2007, 4, 10), SPECIAL, township(), "100.00"))
    post_draft(db, fund, transfer(date(2007, 5, 1), township(), SPECIAL, "100.00"))
    with pytest.raises(errors.InsufficientBalance) as info:
        reverse(db, fund, first.voucher, on=date(2007, 4, 3))
    assert info.value.field == "date"
    assert "2007-04-10" in info.value.detail_zh and "-100.00" in info.value.detail_en
    # Dated after the money came back, the same reversal is fine.
    reverse(db, fund, first.voucher, on=date(2007, 5, 2))
    with db.read() as session:
        assert balance(session, fund.id, township()).balance == 0
        assert balance(session, fund.id, township(), as_of=date(2007, 4, 30)).balance == 0


def test_a_back_dated_manual_credit_is_checked_at_every_day_since(db, set_today):
    set_today(date(2007, 5, 20))
    fund = make_fund(db)
    appropriate(db, fund, "1000.00")
    post_draft(db, fund, transfer(date(2007, 4, 2), township(), SPECIAL, "100.00"))
    post_draft(db, fund, transfer(date(2007, 4, 10), SPECIAL, township(), "60.00"))
    post_draft(db, fund, transfer(date(2007, 5, 1), township(), SPECIAL, "200.00"))
    # 50.00 taken out on 04-05 leaves 50.00 on 04-05, then -10.00 at the end of 04-10.
    with pytest.raises(errors.InsufficientBalance) as info:
        post_draft(db, fund, transfer(date(2007, 4, 5), SPECIAL, township(), "50.00"))
    assert "2007-04-10" in info.value.detail_zh and "-10.00" in info.value.detail_en
    # 40.00 leaves every day at zero or above.
    post_draft(db, fund, transfer(date(2007, 4, 5), SPECIAL, township(), "40.00"))
    with db.read() as session:
        assert balance(session, fund.id, township(), as_of=date(2007, 4, 10)).balance == 0
