"""Month close (月结): closed months refuse postings until reopened."""

from __future__ import annotations

from datetime import date

import pytest

from ledger import errors
from ledger.actors import Actor
from ledger.services.periods import close_period, reopen_period
from ledger.services.reversals import decide_reversal, propose_reversal
from tests.factories import APPROVER, CLERK, CLERK_ACTOR, appropriate, committing, make_fund

REOPENER = Actor("approver", "approver")


def close(db, fund, period):
    with committing(db) as uow:
        return close_period(uow, fund.id, period, actor=CLERK_ACTOR)


def reopen(db, fund, period, reason="补记漏账"):
    with committing(db) as uow:
        return reopen_period(uow, fund.id, period, actor=REOPENER, reason=reason)


def test_closed_month_refuses_postings_and_other_months_do_not(db):
    fund = make_fund(db)
    appropriate(db, fund, "10.00", on=date(2007, 4, 1))
    row = close(db, fund, "2007-04")
    assert row.closed and row.closed_by == CLERK
    with pytest.raises(errors.PeriodClosed) as info:
        appropriate(db, fund, "5.00", on=date(2007, 4, 30))
    assert info.value.field == "posted_on"
    assert appropriate(db, fund, "5.00", on=date(2007, 5, 1)).voucher == "记-2007-05-0001"


def test_reopen_allows_posting_again_and_keeps_the_series(db):
    fund = make_fund(db)
    appropriate(db, fund, "10.00", on=date(2007, 4, 1))
    close(db, fund, "2007-04")
    row = reopen(db, fund, "2007-04")
    assert not row.closed and row.reopened_by == "approver" and row.reopen_reason == "补记漏账"
    assert appropriate(db, fund, "1.00", on=date(2007, 4, 2)).voucher == "记-2007-04-0002"


def test_reversal_into_a_closed_month_is_refused(db):
    fund = make_fund(db)
    posted = appropriate(db, fund, "10.00", on=date(2007, 4, 1))
    close(db, fund, "2007-04")
    with committing(db) as uow:
        row = propose_reversal(
            uow, CLERK_ACTOR, fund.code, posted.voucher, reason="x", on=date(2007, 4, 2)
        )
    with db.uow() as uow, pytest.raises(errors.PeriodClosed):
        decide_reversal(
            uow, APPROVER, fund.code, row.id, approve=True, note="", on=date(2007, 4, 2)
        )
    with committing(db) as uow:  # the correction goes into the open month instead
        red = decide_reversal(
            uow, APPROVER, fund.code, row.id, approve=True, note="", on=date(2007, 5, 2)
        )
    assert red.voucher == "记-2007-05-0001"


def test_closing_twice_and_reopening_an_open_month_are_refused(db):
    fund = make_fund(db)
    close(db, fund, "2007-04")  # an empty month balances and may be closed
    with pytest.raises(errors.PeriodClosed):
        close(db, fund, "2007-04")
    with pytest.raises(errors.PeriodNotClosed):
        reopen(db, fund, "2007-05")


@pytest.mark.parametrize("period", ["2007-13", "2007-4", "07-04", "", "2007-04-01"])
def test_bad_period_text(db, period):
    fund = make_fund(db)
    with pytest.raises(errors.InvalidField) as info:
        close(db, fund, period)
    assert info.value.field == "period"


def test_reopen_needs_a_reason(db):
    fund = make_fund(db)
    close(db, fund, "2007-04")
    with pytest.raises(errors.InvalidField):
        reopen(db, fund, "2007-04", reason=" ")


def test_whoever_closed_a_month_cannot_reopen_it(db):
    fund = make_fund(db)
    close(db, fund, "2007-04")
    # The clerk who closed it, since made an approver: still the same person.
    promoted = Actor(CLERK, "approver")
    with db.uow() as uow, pytest.raises(errors.MakerIsChecker) as info:
        reopen_period(uow, fund.id, "2007-04", actor=promoted, reason="补记漏账")
    assert info.value.field == "period"
    assert not reopen(db, fund, "2007-04").closed  # another person may
