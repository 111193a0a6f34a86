"""The loan list and liaisons' exposures from the kept figures, paged by cursor."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ledger.actors import Actor
from ledger.errors import BadCursor, NotFound
from ledger.read import guarantees as guarantees_read
from ledger.read import loans as loan_reads
from ledger.read import setup as setup_reads
from ledger.read.listing import encode_cursor
from ledger.services import guarantees, loans, proposals
from tests.factories import (
    APPROVER,
    CLERK_ACTOR,
    committing,
    make_loan,
    make_programme,
    reverse,
    write_off,
)
from tests.ledger.kept_lists import assert_lists_match, walk

D = Decimal
PROPOSER = Actor("approver-2", "approver")
TODAY = date(2009, 5, 1)
#: Around make_loan's instalments (due 2008-04-01, 2009-04-01, ...) and the steps below.
DAYS = (date(2007, 4, 9), date(2008, 4, 1), date(2008, 4, 2), date(2008, 6, 5), date(2009, 4, 2))


@pytest.fixture
def book(db, set_today):
    """Loans of every kind the list shows: overdue, on time, repaid, extended, written off
    (partly and wholly), a repayment reversed, a guarantee called, not yet lent."""
    set_today(TODAY)
    prog = make_programme(db, capital="60000.00", allocate="25000.00")
    town_b = prog.townships[1]
    made = {
        "overdue": make_loan(db, prog, amount="3000.00"),
        "on_time": make_loan(db, prog, amount="2000.00", instalments=2),
        "repaid": make_loan(db, prog, amount="1000.00", instalments=1),
        "extended": make_loan(db, prog, amount="2000.00", township=town_b),
        "part_written_off": make_loan(db, prog, amount="3000.00", township=town_b),
        "written_off": make_loan(db, prog, amount="1500.00", township=town_b),
        "reversed": make_loan(db, prog, amount="2000.00"),
        "called": make_loan(db, prog, amount="2000.00", township=town_b),
        "approved": make_loan(db, prog, amount="1000.00", stage="approved"),
        "applied": make_loan(db, prog, amount="1000.00", stage="applied", township=town_b),
    }
    no = {key: loan.registration_no for key, loan in made.items()}
    with committing(db) as uow:
        for key, amount, on in (
            ("on_time", "1000.00", date(2008, 3, 1)),
            ("on_time", "1000.00", date(2009, 3, 1)),
            ("repaid", "1000.00", date(2008, 3, 1)),
            ("overdue", "500.00", date(2008, 6, 1)),
        ):
            loans.repay_loan(uow, CLERK_ACTOR, prog.code, no[key], on=on, amount=amount)
    with committing(db) as uow:
        posted = loans.repay_loan(
            uow, CLERK_ACTOR, prog.code, no["reversed"], on=date(2008, 3, 1), amount="700.00"
        )
    with committing(db) as uow:
        reverse(uow, prog.code, posted.voucher, on=date(2008, 6, 5))
    with committing(db) as uow:
        ext = proposals.propose_extension(
            uow,
            CLERK_ACTOR,
            prog.code,
            loan=no["extended"],
            schedule=[(date(2009, 6, 1), "1000.00"), (date(2010, 6, 1), "1000.00")],
            reason="大棚受灾",
            on=date(2008, 6, 1),
        )
    with committing(db) as uow:
        proposals.decide_extension(
            uow, APPROVER, prog.code, ext.id, approve=True, note="同意", on=date(2008, 6, 10)
        )
    write_off(db, prog, no["part_written_off"], "1000.00", proposed_on=date(2008, 5, 1))
    write_off(db, prog, no["written_off"], "1500.00", proposed_on=date(2008, 5, 2))
    with committing(db) as uow:
        guarantees.call_guarantee(
            uow, APPROVER, prog.code, no["called"], on=date(2008, 7, 1), amount="300.00"
        )
    return prog, no


def test_the_list_from_kept_figures_is_the_list_from_the_entries(db, book):
    prog, no = book
    officers = [Actor(f"officer-{t}", "township", township_code=t) for t in prog.townships]
    assert_lists_match(db, prog.code, DAYS, actors=(CLERK_ACTOR, *officers))
    with db.read() as session:
        total, page = loan_reads.loan_page(session, CLERK_ACTOR, prog.code, overdue_on=TODAY)
        overdue = {r.registration_no: (r.overdue_days, r.overdue_amount) for r in page.items}
    # The numbers themselves, not only their agreement: the instalments due 2008-04-01
    # and 2009-04-01 are unpaid (500.00 of 3000.00's paid; 2000.00's repayment reversed),
    # the first 395 days ago; the extended loan's first new one is not due yet.
    assert overdue[no["overdue"]] == (395, D("1500.00"))
    assert overdue[no["reversed"]] == (395, D("1333.34"))
    assert overdue[no["called"]] == (395, D("1033.34"))
    assert overdue[no["part_written_off"]] == (30, D("1000.00"))
    # Nothing lent is nothing overdue, however old the approved schedule.
    assert no["approved"] not in overdue
    assert no["extended"] not in overdue and no["written_off"] not in overdue
    assert no["on_time"] not in overdue and no["repaid"] not in overdue
    assert total == len(page.items)


def test_the_liaisons_list_sums_each_liaisons_loans_in_the_database(db, book):
    prog, _ = book
    town_a, town_b = prog.townships[:2]
    with db.read() as session:
        total, page = guarantees_read.liaisons_page(session, CLERK_ACTOR, prog.code, limit=1)
        assert (total, len(page.items)) == (len(prog.townships), 1)
        _, rest = guarantees_read.liaisons_page(
            session, CLERK_ACTOR, prog.code, after=page.next, limit=50
        )
        officer = Actor("officer-b", "township", township_code=town_b)
        _, own = guarantees_read.liaisons_page(session, officer, prog.code)
    shown = {p.liaison_id: p for p in page.items + rest.items}
    assert rest.next is None and len(shown) == total
    # Town A's liaison answers for the overdue loan (2,500.00 owed, 1,500.00 overdue) and
    # the one whose repayment was reversed (2,000.00, 1,333.34); its repaid loans are done.
    a = shown[prog.liaisons[town_a]]
    assert (a.loans, a.exposure, a.overdue_amount) == (2, D("4500.00"), D("2833.34"))
    # Town B's: the extended loan (2,000.00, nothing due yet), the one partly written off
    # (2,000.00, 1,000.00) and the one called (1,700.00, 1,033.34); 300.00 called, owed.
    b = shown[prog.liaisons[town_b]]
    assert (b.loans, b.exposure, b.overdue_amount) == (3, D("5700.00"), D("2033.34"))
    assert (b.called, b.deducted, b.owed) == (D("300.00"), D("0.00"), D("300.00"))
    assert [p.liaison_id for p in own.items] == [b.liaison_id]


def test_the_filters_narrow_the_kept_list_as_the_entries_list(db, book):
    prog, no = book
    with db.read() as session:
        for filters in (
            {"status": "written_off"},
            {"status": "applied"},
            {"township": prog.townships[1]},
            {"batch": "1", "township": prog.townships[0]},
            {"batch": "nope"},
            {"search": no["called"][-4:]},
            {"search": "周勤", "overdue_on": TODAY},
        ):
            want = loan_reads.loans(session, CLERK_ACTOR, prog.code, **filters)
            total, page = loan_reads.loan_page(session, CLERK_ACTOR, prog.code, **filters)
            assert (total, page.items) == (len(want), want), filters
            assert walk(session, CLERK_ACTOR, prog.code, 1, **filters) == want, filters


def test_an_offset_page_and_its_cursor_continue_the_same_list(db, book):
    prog, _ = book
    with db.read() as session:
        every = loan_reads.loans(session, CLERK_ACTOR, prog.code)
        _, page = loan_reads.loan_page(session, CLERK_ACTOR, prog.code, offset=3, limit=3)
        assert page.items == every[3:6]
        _, after = loan_reads.loan_page(session, CLERK_ACTOR, prog.code, after=page.next, limit=3)
        assert after.items == every[6:9]


@pytest.mark.parametrize(
    "cursor",
    ["", "@@@", encode_cursor(("340123001",)), encode_cursor((1, "x")), "WyIxIiwgMl0"],
)
def test_a_cursor_no_page_gave_is_refused(db, book, cursor):
    prog, _ = book
    with db.read() as session, pytest.raises(BadCursor) as refused:
        loan_reads.loan_page(session, CLERK_ACTOR, prog.code, after=cursor or "=")
    assert refused.value.field == "after"


def test_a_township_officers_totals_are_their_townships_from_the_kept_counts(db, book):
    """The loan list's total, the to-do's counts and the households list's total come from the
    kept counts; an officer's are their own township's, whatever they ask."""
    prog, _ = book
    town_a, town_b = prog.townships[:2]
    officer = Actor("officer-b", "township", township_code=town_b)
    waiting = ("applied", "approved", "disbursed")
    with db.read() as session:

        def total(actor, **filters):
            return loan_reads.loan_page(session, actor, prog.code, limit=1, **filters)[0]

        assert total(CLERK_ACTOR) == 10
        assert total(officer) == 5
        # Town B: extended, partly written off and called (lent), written off, applied.
        assert total(officer, status="disbursed") == 3
        assert total(officer, batch="1", status="written_off") == 1
        assert total(officer, status="approved") == 0  # town A's
        assert total(CLERK_ACTOR, status="approved") == 1
        with pytest.raises(NotFound):
            total(officer, township=town_a)
        assert loan_reads.loan_counts(session, CLERK_ACTOR, prog.code, waiting) == {
            "applied": 1,
            "approved": 1,
            "disbursed": 5,
        }
        assert loan_reads.loan_counts(session, officer, prog.code, waiting) == {
            "applied": 1,
            "disbursed": 3,
        }
        assert setup_reads.households(session, CLERK_ACTOR, prog.code).count(session) == 10
        assert setup_reads.households(session, officer, prog.code).count(session) == 5
        # One ID number is no kept key: counted on its index.
        one = setup_reads.households(session, officer, prog.code).first(session)
        by_id = setup_reads.households(session, officer, prog.code, id_number=one.id_number)
        assert by_id.count(session) == 1
