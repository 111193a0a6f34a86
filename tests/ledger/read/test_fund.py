"""The programme's queries reproduce the figures the county works with."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.actors import Actor
from ledger.errors import BadCursor
from ledger.read.figures import Schedule, settle_by_kind
from ledger.read.fund import (
    aging,
    fund_statement,
    fund_summary,
    recovery_table,
    township_positions,
)
from ledger.read.guarantees import liaison_exposures
from ledger.read.loans import loan_rows, loan_view, three_line_report
from ledger.schedule import Instalment as Due
from ledger.schedule import settle
from ledger.services import funding, guarantees, loans, proposals
from tests.factories import (
    APPROVER,
    CLERK_ACTOR,
    committing,
    make_loan,
    make_programme,
    reverse,
    write_off,
)
from tests.ledger.kept_figures import aging_from_entries

D = Decimal


def repay(db, prog, loan, amount, on):
    with committing(db) as uow:
        loans.repay_loan(uow, CLERK_ACTOR, prog.code, loan.registration_no, on=on, amount=amount)


def build(db):
    """Two townships, three loans of 3,000 (yearly instalments of 1,000 from 2008-04-01)."""
    prog = make_programme(db, capital="100000.00", allocate="20000.00")
    a, b = prog.townships
    first, second = make_loan(db, prog, township=a), make_loan(db, prog, township=a)
    third = make_loan(db, prog, township=b)
    repay(db, prog, first, "1000.00", date(2008, 3, 20))
    repay(db, prog, second, "400.00", date(2008, 5, 1))
    repay(db, prog, third, "3000.00", date(2008, 12, 1))
    with committing(db) as uow:
        funding.record_remittance(
            uow, CLERK_ACTOR, prog.code, on=date(2008, 12, 20), township=b, amount="5000.00"
        )
    return prog, first, second, third


def test_loan_view_shows_schedule_paid_state_and_history(db):
    prog, first, _, _ = build(db)
    view = loan_view(
        db.sessions(), prog.fund.id, first.registration_no, CLERK_ACTOR, as_of=date(2009, 5, 1)
    )
    assert view.figures.disbursed == D("3000.00")
    assert view.outstanding == D("2000.00")
    assert [(i.paid, i.settled) for i in view.schedule] == [
        (D("1000.00"), True),
        (D("0.00"), False),
        (D("0.00"), False),
    ]
    assert view.overdue_days == 30 and view.bucket == "1-30"
    assert view.liaisons[0].liaison == "王明"
    assert [e.action for e in view.history][-1] == "repaid"
    assert view.three_line_problems == ()


def test_aging_and_fund_summary_as_of_dates(db):
    prog, _first, second, third = build(db)
    with db.read() as session:
        report = aging(session, CLERK_ACTOR, prog.code, as_of=date(2008, 7, 1))
        # The third loan is repaid only in December: on 1 July it is overdue too.
        assert [(r.registration_no, r.overdue_days, r.overdue_amount) for r in report.loans] == [
            (second.registration_no, 91, D("600.00")),
            (third.registration_no, 91, D("1000.00")),
        ]
        assert {b.label: b.loans for b in report.buckets}["91-180"] == 2
        assert report.overdue_amount == D("1600.00")
        assert report.outstanding == D("2000.00") + D("2600.00") + D("3000.00")
        summary = fund_summary(session, prog.fund.id, CLERK_ACTOR, as_of=date(2008, 12, 31))
        assert summary.capital == D("100000.00")
        assert summary.special_cash == D("60000.00") + D("5000.00")
        assert summary.township_cash == D("40000.00") - D("9000.00") + D("4400.00") - D("5000.00")
        assert summary.outstanding == D("2000.00") + D("2600.00")
        assert summary.disbursed_to_date == D("9000.00")
        assert summary.turnover == D("0.09")
        assert summary.households_served == 3
        assert summary.relending_capacity == summary.special_cash + summary.township_cash
        # The fund identity: everything is somewhere.
        assert (
            summary.special_cash
            + summary.township_cash
            + summary.outstanding
            + summary.liaison_receivable
            + summary.written_off
        ) == summary.capital


def test_the_fund_statement_and_the_aging_table_agree_with_the_entries(db):
    """The table lists the overdue loans; the statement prints the same buckets, no list."""
    prog, *_ = build(db)
    with db.read() as session:
        for day in (date(2008, 7, 1), date(2009, 5, 1), date(2010, 1, 1)):
            want = aging_from_entries(session, prog.code, day)
            assert want.loans, day
            assert aging(session, CLERK_ACTOR, prog.code, as_of=day) == want, day
            printed = fund_statement(session, CLERK_ACTOR, prog.code, to=day).aging
            assert printed == dataclasses.replace(want, loans=(), liaisons={}), day
            assert printed.overdue_loans == len(want.loans), day


def test_the_aging_pages_walk_the_overdue_loans_once_in_order(db):
    """Page by page (by cursor, or by an old client's page number) the aging lists what the
    whole list does, each page with the whole fund's buckets and totals."""
    prog, *_ = build(db)
    with db.read() as session:
        for day in (date(2008, 7, 1), date(2009, 5, 1), date(2010, 1, 1)):
            want = aging_from_entries(session, prog.code, day)
            for per_page in (1, 2):
                walked, after = [], None
                while True:
                    page = aging(
                        session, CLERK_ACTOR, prog.code, as_of=day, after=after, limit=per_page
                    )
                    assert len(page.loans) <= per_page
                    assert (page.buckets, page.overdue_amount) == (
                        want.buckets,
                        want.overdue_amount,
                    )
                    walked += page.loans
                    after = page.next
                    if after is None:
                        break
                assert tuple(walked) == want.loans, (day, per_page)
            second = aging(session, CLERK_ACTOR, prog.code, as_of=day, offset=1, limit=1)
            assert second.loans == want.loans[1:2], day
        with pytest.raises(BadCursor):
            aging(session, CLERK_ACTOR, prog.code, after="bm90IGEgY3Vyc29y", limit=1)


def test_township_positions_balance(db):
    prog, *_ = build(db)
    with db.read() as session:
        positions = {p.code: p for p in township_positions(session, prog.fund.id, CLERK_ACTOR)}
    a, b = positions[prog.townships[0]], positions[prog.townships[1]]
    assert (a.allocated, a.disbursed, a.repaid, a.cash) == (
        D("20000.00"),
        D("6000.00"),
        D("1400.00"),
        D("15400.00"),
    )
    assert (b.remitted, b.cash, b.loans_outstanding) == (D("5000.00"), D("15000.00"), D("0.00"))
    assert a.balanced and b.balanced


def test_township_officer_sees_only_their_township(db):
    prog, *_ = build(db)
    officer = Actor("b", "township", township_code=prog.townships[1])
    with db.read() as session:
        assert [p.code for p in township_positions(session, prog.fund.id, officer)] == [
            prog.townships[1]
        ]
        assert all(
            r.township == prog.townships[1]
            for r in aging(session, officer, prog.code, as_of=date(2010, 1, 1)).loans
        )


def test_recovery_table_columns(db):
    prog, _first, _second, _third = build(db)
    with db.read() as session:
        table = recovery_table(session, prog.fund.id, CLERK_ACTOR, 2008)
        previous = recovery_table(session, prog.fund.id, CLERK_ACTOR, 2007)
    a = {r.township: r for r in table.rows}[prog.townships[0]]
    assert (a.opening, a.lent, a.recovered, a.closing) == (
        D("6000.00"),
        D("0.00"),
        D("1400.00"),
        D("4600.00"),
    )
    assert a.due_this_year == D("2000.00") and a.due_to_date == D("2000.00")
    assert a.recovered_of_due == D("1400.00") and a.rate_this_year == D("70.00")
    total = table.total
    assert total.closing == total.opening + total.lent - total.written_off - total.recovered
    assert total.recovered == D("4400.00") and total.recovered_to_date == D("4400.00")
    assert previous.total.lent == D("9000.00") and previous.total.rate_this_year is None


def test_liaison_exposure_and_three_lines(db):
    prog, _first, second, _third = build(db)
    with committing(db) as uow:
        guarantees.call_guarantee(
            uow, APPROVER, prog.code, second.registration_no, on=date(2008, 7, 1), amount="600.00"
        )
    with db.read() as session:
        exposures = {e.liaison_id: e for e in liaison_exposures(session, prog.fund.id, CLERK_ACTOR)}
        mine = exposures[prog.liaisons[prog.townships[0]]]
        assert mine.exposure == D("2000.00") + D("2000.00")
        assert (mine.called, mine.owed) == (D("600.00"), D("600.00"))
        assert three_line_report(session, prog.fund.id, CLERK_ACTOR) == []
    approved = make_loan(db, prog, stage="approved")
    with db.read() as session:
        issues = three_line_report(session, prog.fund.id, CLERK_ACTOR)
    assert [i.registration_no for i in issues] == [approved.registration_no]
    assert [zh for zh, _ in issues[0].problems] == ["合同书编号缺失", "借据编号缺失"]


def test_a_pending_write_off_shows_beside_the_outstanding(db):
    prog = make_programme(db)
    loan = make_loan(db, prog)
    with committing(db) as uow:
        proposals.propose_write_off(
            uow,
            CLERK_ACTOR,
            prog.code,
            loan=loan.registration_no,
            amount="500.00",
            ground="death",
            reason="借款人死亡",
            on=date(2008, 6, 1),
        )
    with db.read() as session:
        [row] = loan_rows(session, prog.fund.id, CLERK_ACTOR)
        assert (row.pending_write_off, row.outstanding) == (D("500.00"), D("3000.00"))
        [before] = loan_rows(session, prog.fund.id, CLERK_ACTOR, as_of=date(2008, 5, 31))
        assert before.pending_write_off == 0


def states(view) -> list[tuple[str, Decimal, Decimal, str]]:
    return [(i.state, i.repaid, i.written_off, i.label) for i in view.schedule]


def test_the_schedule_tells_repaid_from_written_off(db):
    """Repaid 1,500 then 1,500 written off: the middle instalment is half of each."""
    prog = make_programme(db)
    loan = make_loan(db, prog)
    repay(db, prog, loan, "1500.00", date(2008, 3, 20))
    write_off(
        db,
        prog,
        loan.registration_no,
        "1500.00",
        proposed_on=date(2008, 6, 1),
        decided_on=date(2008, 6, 5),
    )
    with db.read() as session:
        view = loan_view(session, prog.fund.id, loan.registration_no, CLERK_ACTOR)
        assert states(view) == [
            ("repaid", D("1000.00"), D("0.00"), "已还"),
            ("settled", D("500.00"), D("500.00"), "部分已还、部分核销"),
            ("written_off", D("0.00"), D("1000.00"), "已核销"),
        ]
        assert all(i.settled and i.paid == i.amount for i in view.schedule)
        # Before the write-off: one instalment repaid, the next half repaid and overdue.
        before = loan_view(
            session, prog.fund.id, loan.registration_no, CLERK_ACTOR, as_of=date(2009, 5, 1)
        )
        assert before.figures.written_off == D("1500.00")  # approved in 2008
        earlier = loan_view(
            session, prog.fund.id, loan.registration_no, CLERK_ACTOR, as_of=date(2008, 4, 2)
        )
        assert states(earlier) == [
            ("repaid", D("1000.00"), D("0.00"), "已还"),
            ("partly_settled", D("500.00"), D("0.00"), "部分已还"),
            ("not_due", D("0.00"), D("0.00"), "未到期"),
        ]
        # Its history stops at that date too: the 2008-06 write-off is not yet.
        assert [e.on for e in view.history if e.on > date(2008, 4, 2)]
        assert [e.on for e in earlier.history] == [
            e.on for e in view.history if e.on <= date(2008, 4, 2)
        ]


def test_overdue_and_partly_repaid_instalments(db):
    prog = make_programme(db)
    loan = make_loan(db, prog)
    repay(db, prog, loan, "400.00", date(2008, 3, 20))
    with db.read() as session:
        view = loan_view(
            session, prog.fund.id, loan.registration_no, CLERK_ACTOR, as_of=date(2008, 4, 2)
        )
    assert states(view) == [
        ("overdue", D("400.00"), D("0.00"), "部分已还、逾期"),
        ("not_due", D("0.00"), D("0.00"), "未到期"),
        ("not_due", D("0.00"), D("0.00"), "未到期"),
    ]
    assert view.overdue_days == 1  # the same day count as the schedule's state


def test_a_back_dated_write_off_settles_first_and_the_history_is_in_date_order(db):
    """Written off on 2007-12-01 but entered after the 2008 repayments."""
    prog = make_programme(db)
    loan = make_loan(db, prog)
    repay(db, prog, loan, "1000.00", date(2008, 3, 20))
    repay(db, prog, loan, "500.00", date(2008, 9, 1))
    write_off(
        db,
        prog,
        loan.registration_no,
        "1000.00",
        proposed_on=date(2007, 11, 20),
        decided_on=date(2007, 12, 1),
    )
    with db.read() as session:
        view = loan_view(session, prog.fund.id, loan.registration_no, CLERK_ACTOR)
    dates = [e.on for e in view.history]
    assert dates == sorted(dates)
    assert [(e.on, e.action) for e in view.history][-4:] == [
        (date(2007, 11, 20), "write_off_proposed"),
        (date(2007, 12, 1), "write_off_approved"),
        (date(2008, 3, 20), "repaid"),
        (date(2008, 9, 1), "repaid"),
    ]
    assert states(view) == [
        ("written_off", D("0.00"), D("1000.00"), "已核销"),
        ("repaid", D("1000.00"), D("0.00"), "已还"),
        ("overdue", D("500.00"), D("0.00"), "部分已还、逾期"),
    ]


def test_a_reversed_repayment_settles_no_instalment(db):
    """The red-ink reversal nets into the repayment it reverses, whatever its own date."""
    prog = make_programme(db)
    loan = make_loan(db, prog)
    repay(db, prog, loan, "1000.00", date(2008, 3, 20))
    with committing(db) as uow:
        wrong = loans.repay_loan(
            uow, CLERK_ACTOR, prog.code, loan.registration_no, on=date(2008, 4, 1), amount="500.00"
        )
    with committing(db) as uow:
        reverse(uow, prog.code, wrong.voucher, on=date(2008, 8, 1), reason="重复录入")
    write_off(
        db,
        prog,
        loan.registration_no,
        "1000.00",
        proposed_on=date(2008, 5, 1),
        decided_on=date(2008, 6, 1),
    )
    with db.read() as session:
        view = loan_view(session, prog.fund.id, loan.registration_no, CLERK_ACTOR)
        # Before the reversal was posted, the 500 still counted (and the write-off came after it).
        before = loan_view(
            session, prog.fund.id, loan.registration_no, CLERK_ACTOR, as_of=date(2008, 7, 1)
        )
    assert view.figures.repaid == D("1000.00")
    assert [(i.state, i.repaid, i.written_off) for i in view.schedule][:2] == [
        ("repaid", D("1000.00"), D("0.00")),
        ("written_off", D("0.00"), D("1000.00")),
    ]
    assert [(i.state, i.repaid, i.written_off) for i in before.schedule] == [
        ("repaid", D("1000.00"), D("0.00")),
        ("settled", D("500.00"), D("500.00")),
        ("partly_settled", D("0.00"), D("500.00")),
    ]


FIGURES = st.sampled_from(["repaid", "guarantee_called", "written_off"])
CENTS = st.integers(min_value=1, max_value=500_000).map(lambda fen: D(fen) / 100)


@given(
    amounts=st.lists(CENTS, min_size=1, max_size=6),
    paid=st.lists(st.tuples(FIGURES, CENTS), max_size=8),
    before=st.integers(min_value=0, max_value=300_000).map(lambda fen: D(fen) / 100),
)
def test_settling_by_kind_agrees_with_the_oldest_first_total(amounts, paid, before):
    """Whatever the mix, each instalment is paid exactly what the plain total says."""
    dues = tuple(Due(n, date(2008 + n, 4, 1), a) for n, a in enumerate(amounts, start=1))
    plan = Schedule(1, date(2007, 4, 8), before, dues)
    split = settle_by_kind(plan, paid, date(2009, 1, 1))
    total = sum((amount for _, amount in paid), D("0.00")) - before
    assert [s.paid for s in split] == [s.paid for s in settle(dues, total)]
    for s in split:
        assert s.settled == (s.state in {"repaid", "written_off", "guarantee_called", "settled"})
