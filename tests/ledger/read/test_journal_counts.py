"""The journals list's total comes from the voucher counters and the journals kept counted
per kind and day, and equals the journals counted."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, update

from ledger import positions
from ledger.models import Journal, JournalKindDay, VoucherCounter
from ledger.read import journals as journal_reads
from ledger.services import periods
from ledger.services.journals import record_journal
from tests.factories import (
    CLERK,
    CLERK_ACTOR,
    COUNTY,
    SPECIAL,
    committing,
    make_fund,
    reverse,
    transfer,
)

RANGES = (
    (None, None),
    (date(2007, 3, 1), None),
    (date(2007, 3, 2), None),
    (None, date(2007, 4, 30)),
    (None, date(2007, 4, 9)),
    (date(2007, 3, 9), date(2007, 5, 2)),
    (date(2007, 4, 10), date(2007, 4, 10)),
    (date(2007, 3, 1), date(2007, 3, 31)),
    (date(2007, 5, 1), date(2007, 3, 1)),
    (date(2008, 1, 1), None),
)


@pytest.fixture
def book(db, set_today):
    """Journals in March, April and May 2007, a red-ink reversal dated in May of an April
    journal, a posting rolled back in April (its number given back), March closed."""
    set_today(date(2009, 5, 1))
    fund = make_fund(db, opened_on=date(2007, 3, 1))
    posted = []
    for on in (date(2007, 3, 1), date(2007, 3, 9), date(2007, 4, 9), date(2007, 4, 10)):
        with committing(db) as uow:
            draft = transfer(on, SPECIAL, COUNTY, "10.00")
            posted.append(record_journal(uow, fund.id, draft, actor=CLERK).voucher)
    with db.uow() as uow:  # never committed
        record_journal(
            uow, fund.id, transfer(date(2007, 4, 20), SPECIAL, COUNTY, "1.00"), actor=CLERK
        )
    with committing(db) as uow:
        last = record_journal(
            uow, fund.id, transfer(date(2007, 4, 30), SPECIAL, COUNTY, "5.00"), actor=CLERK
        )
    with committing(db) as uow:
        red = reverse(uow, fund.code, posted[2], on=date(2007, 5, 2))
    with committing(db) as uow:
        periods.close_period(uow, fund.id, "2007-03", actor=CLERK_ACTOR)
    return fund, last.voucher, red


def test_voucher_numbers_have_no_gaps_so_the_counters_count_the_journals(db, book):
    fund, last, red = book
    # The rolled-back posting's number went back: April's fourth journal is 0003.
    assert (last, red) == ("记-2007-04-0003", "记-2007-05-0001")
    with db.read() as session:
        numbered = session.execute(
            select(Journal.period, func.count(), func.max(Journal.seq))
            .where(Journal.fund_id == fund.id)
            .group_by(Journal.period)
        ).all()
        kept = dict(
            session.execute(
                select(VoucherCounter.period, VoucherCounter.last_seq).where(
                    VoucherCounter.fund_id == fund.id
                )
            ).all()
        )
    assert {period: count for period, count, _ in numbered} == kept
    assert kept == {"2007-03": 2, "2007-04": 3, "2007-05": 1}
    assert all(count == highest for _, count, highest in numbered)


@pytest.mark.parametrize(("from_", "to"), RANGES)
def test_the_lists_total_is_the_journals_counted(db, book, from_, to):
    fund, _, _ = book
    with db.read() as session:
        query = select(func.count()).where(Journal.fund_id == fund.id)
        if from_ is not None:
            query = query.where(Journal.posted_on >= from_)
        if to is not None:
            query = query.where(Journal.posted_on <= to)
        want = session.scalar(query)
        total, page, _ = journal_reads.journals(
            session, CLERK_ACTOR, fund.code, from_=from_, to=to, limit=None
        )
    assert total == len(page) == want


@pytest.mark.parametrize(("from_", "to"), RANGES)
@pytest.mark.parametrize("kind", ["test", "reversal", "no-such-kind"])
def test_a_kinds_total_is_its_journals_counted(db, book, from_, to, kind):
    fund, _, _ = book
    with db.read() as session:
        query = select(func.count()).where(Journal.fund_id == fund.id, Journal.kind == kind)
        if from_ is not None:
            query = query.where(Journal.posted_on >= from_)
        if to is not None:
            query = query.where(Journal.posted_on <= to)
        want = session.scalar(query)
        total, page, _ = journal_reads.journals(
            session, CLERK_ACTOR, fund.code, from_=from_, to=to, kind=kind, limit=None
        )
    assert total == len(page) == want


def test_a_kind_is_counted_among_its_journals(db, book):
    fund, _, _ = book
    with db.read() as session:
        total, page, _ = journal_reads.journals(
            session, CLERK_ACTOR, fund.code, kind="reversal", limit=1
        )
    assert (total, [j.voucher for j in page]) == (1, ["记-2007-05-0001"])


def test_check_names_a_wrong_journal_count_and_rebuild_repairs_it(db, book):
    fund, _, _ = book
    with db.read() as session:
        kept = dict(
            session.execute(
                select(JournalKindDay.day, JournalKindDay.journals).where(
                    JournalKindDay.fund_id == fund.id, JournalKindDay.kind == "test"
                )
            ).all()
        )
        assert positions.check(session, fund.id) == []
    # Not the rolled-back posting of 2007-04-20: its count went back with it.
    assert kept == {
        date(2007, 3, 1): 1,
        date(2007, 3, 9): 1,
        date(2007, 4, 9): 1,
        date(2007, 4, 10): 1,
        date(2007, 4, 30): 1,
    }
    with committing(db) as uow:
        uow.session.execute(
            update(JournalKindDay)
            .where(JournalKindDay.fund_id == fund.id, JournalKindDay.day == date(2007, 4, 9))
            .values(journals=3)
        )
    with db.read() as session:
        found = [
            (d.subject, d.figure, d.kept, d.computed) for d in positions.check(session, fund.id)
        ]
    assert found == [("journals kind test day 2007-04-09", "journals", 3, 1)]
    with committing(db) as uow:
        positions.rebuild(uow.session, fund.id)
    with db.read() as session:
        assert positions.check(session, fund.id) == []
