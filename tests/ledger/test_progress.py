"""The progress report (进展情况汇报): every figure against the same figure
counted straight from the records and the entries, the period's edges, a
township officer's own report, and the periods refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import distinct, func, select

from ledger import errors
from ledger.actors import Actor
from ledger.chart import LOANS
from ledger.models import (
    Account,
    Entry,
    Finding,
    Inspection,
    InspectionLoan,
    Journal,
    Loan,
    Township,
    Visit,
)
from ledger.read.plans import Tally
from ledger.read.progress import progress_report
from ledger.services import disasters, inspections, loans, outcomes, plans, proposals, visits
from tests.factories import (
    APPROVER,
    CLERK_ACTOR,
    committing,
    make_loan,
    make_programme,
)

D = Decimal
T1, T2 = "340123001", "340123002"
YEAR = (date(2007, 1, 1), date(2007, 12, 31))
HALF = (date(2008, 1, 1), date(2008, 6, 30))
OFFICER = Actor("officer-b1", "township", township_code=T2)
RECORDER = {T1: Actor("officer-a1", "township", township_code=T1), T2: OFFICER}
CHECKER = {
    T1: Actor("officer-a2", "township", township_code=T1),
    T2: Actor("officer-b2", "township", township_code=T2),
}


def repay(db, prog, loan, on, amount):
    with committing(db) as uow:
        loans.repay_loan(uow, CLERK_ACTOR, prog.code, loan.registration_no, on=on, amount=amount)


def visit(db, prog, loan, town, on):
    with committing(db) as uow:
        visits.record_visit(
            uow,
            CLERK_ACTOR,
            prog.code,
            loan.registration_no,
            liaison=prog.liaisons[town],
            visited_on=on,
            progress="progressing",
            funds_as_approved=True,
            notes="猪舍已建",
            days=1,
        )


def inspect(db, prog, town, on, visited):
    with committing(db) as uow:
        return inspections.record_inspection(
            uow,
            CLERK_ACTOR,
            prog.code,
            township=town,
            on=on,
            kind="scheduled",
            inspectors="县扶贫办 张明",
            loans=[loan.registration_no for loan in visited],
        )


def find(db, prog, inspection, loan, kind, correct_by):
    with committing(db) as uow:
        return inspections.record_finding(
            uow,
            CLERK_ACTOR,
            prog.code,
            inspection.id,
            kind=kind,
            loan=loan.registration_no if loan else None,
            description="借款用于建房",
            responsible="王明",
            correct_by=correct_by,
        )


def income(db, prog, household, town, kind, on, amount):
    with committing(db) as uow:
        row = outcomes.record_income(
            uow, RECORDER[town], prog.code, household=household, kind=kind, on=on, income=amount
        )
    with committing(db) as uow:
        outcomes.approve_income(uow, CHECKER[town], prog.code, row.id, on=on)


@pytest.fixture
def world(db):
    """Two townships through 2007 and into 2008.

    T1: loans a and b lent 3,000 each, c approved only; a repaid 500 on
    2007-12-31, b lost 1,200 to the 7·8 hail, written off; T2: loan d lent
    3,000. Visits, two inspections (one finding closed, one open), incomes.
    """
    prog = make_programme(db)
    with committing(db) as uow:
        plans.record_plan(
            uow,
            CLERK_ACTOR,
            prog.code,
            first_year=2007,
            last_year=2009,
            name="三年规划",
            lines=[
                {"year": 2007, "township": T1, "batch": "1", "households": 3, "amount": "9000.00"},
                {"year": 2007, "township": T2, "batch": "1", "households": 2, "amount": "6000.00"},
                {"year": 2008, "township": T1, "batch": "1", "households": 2, "amount": "6000.00"},
            ],
            reason="县委意见",
            on=date(2007, 3, 10),
        )
    a, b = make_loan(db, prog), make_loan(db, prog)
    c = make_loan(db, prog, stage="approved")
    d = make_loan(db, prog, township=T2)
    repay(db, prog, a, date(2007, 12, 31), "500.00")
    with committing(db) as uow:
        disasters.record_disaster(
            uow,
            CLERK_ACTOR,
            prog.code,
            code="0708",
            name="7·8风雹灾",
            occurred_on=date(2007, 7, 8),
            kind="hail",
            townships=[T1],
        )
    with committing(db) as uow:
        disasters.record_loss(
            uow,
            CLERK_ACTOR,
            prog.code,
            "0708",
            loan=b.registration_no,
            assessed_loss="1200.00",
            inspector="县农委 刘工",
            assessed_on=date(2007, 7, 20),
        )
    with committing(db) as uow:
        (proposed,) = disasters.propose_for_disaster(
            uow,
            CLERK_ACTOR,
            prog.code,
            "0708",
            action="write_off",
            on=date(2007, 9, 1),
            reason="灾后核销",
            write_off_share="loss",
        )
    with committing(db) as uow:
        proposals.decide_write_off(
            uow,
            APPROVER,
            prog.code,
            proposed.id,
            approve=True,
            note="同意",
            on=date(2007, 9, 10),
            document_no="县脱贫办〔2007〕35号",
        )
    for loan, town, on in [
        (a, T1, date(2007, 5, 3)),
        (a, T1, date(2007, 5, 20)),  # twice in May: one visit done
        (a, T1, date(2007, 6, 3)),
        (d, T2, date(2007, 5, 8)),
        (d, T2, date(2007, 12, 31)),
        (a, T1, date(2008, 1, 1)),
    ]:
        visit(db, prog, loan, town, on)
    held = inspect(db, prog, T1, date(2007, 9, 1), [a, b])
    open_one = find(db, prog, held, a, "diverted", date(2007, 10, 1))
    closed = find(db, prog, held, None, "records_mismatch", date(2007, 10, 1))
    with committing(db) as uow:
        inspections.close_finding(
            uow, CLERK_ACTOR, prog.code, closed.id, on=date(2007, 9, 20), evidence="账已更正"
        )
    later = inspect(db, prog, T2, date(2008, 1, 1), [d])
    find(db, prog, later, d, "diverted", date(2008, 3, 1))
    with committing(db) as uow:
        outcomes.set_poverty_line(
            uow, CLERK_ACTOR, prog.code, effective_from=date(2007, 1, 1), amount="785.00"
        )
    homes = {}
    with db.read() as session:
        for name, loan in zip("abcd", (a, b, c, d), strict=True):
            homes[name] = session.get_one(Loan, loan.id).household_id
    for name, town, at_registration, at_year_end in [
        ("a", T1, "600.00", "900.00"),
        ("b", T1, "700.00", "780.00"),
        ("d", T2, "500.00", "800.00"),
    ]:
        income(db, prog, homes[name], town, "registration", date(2007, 4, 2), at_registration)
        income(db, prog, homes[name], town, "year_end", date(2007, 12, 31), at_year_end)
    return prog, {"a": a, "b": b, "c": c, "d": d, "open": open_one}


def report(db, prog, period, actor=CLERK_ACTOR):
    with db.read() as session:
        return progress_report(session, actor, prog.code, start=period[0], end=period[1])


# --- figures counted straight from the entries and the records ------------------


def book(session, fund_id, kind, side, period, township=None) -> Decimal:
    """Σ 1101 entries of journals of `kind` on `side` in the period (a township's loans)."""
    loans_of = select(Loan.registration_no).where(Loan.fund_id == fund_id)
    if township is not None:
        loans_of = loans_of.join(Township, Township.id == Loan.township_id).where(
            Township.code == township
        )
    total = session.scalar(
        select(func.sum(Entry.amount))
        .join(Account, Account.id == Entry.account_id)
        .join(Journal, Journal.id == Entry.journal_id)
        .where(
            Account.fund_id == fund_id,
            Account.code == LOANS,
            Account.subkey.in_(loans_of),
            Journal.kind == kind,
            Entry.side == side,
            Entry.posted_on.between(*period),
        )
    )
    return D(total or 0).quantize(D("0.01"))


def visits_done(session, fund_id, months) -> int:
    """Distinct (loan, month) pairs visited by a liaison in the given months."""
    return sum(
        session.scalar(
            select(func.count(distinct(Visit.loan_id))).where(
                Visit.fund_id == fund_id, Visit.visited_on.between(first, last)
            )
        )
        for first, last in months
    )


def months_of(year: int, first_month: int, last_month: int):
    for m in range(first_month, last_month + 1):
        following = date(year + (m == 12), m % 12 + 1, 1)
        yield date(year, m, 1), date.fromordinal(following.toordinal() - 1)


def test_every_figure_equals_the_records_and_the_entries(db, world):
    prog, loans_by = world
    got = report(db, prog, YEAR)
    fund = prog.fund.id
    assert (got.fund_name, got.start, got.end) == ("测试周转金", *YEAR)
    with db.read() as session:
        lent = {t: book(session, fund, "disbursement", "D", YEAR, t) for t in (T1, T2)}
        repaid = {t: book(session, fund, "repayment", "C", YEAR, t) for t in (T1, T2)}
        written = {t: book(session, fund, "write_off", "C", YEAR, t) for t in (T1, T2)}
        called = book(session, fund, "guarantee_call", "C", YEAR)
        # Nine months April to December, the three lent loans owing in each.
        done = visits_done(session, fund, months_of(2007, 4, 12))
        held = session.scalars(
            select(Inspection.id).where(Inspection.inspected_on.between(*YEAR))
        ).all()
        visited = session.scalar(
            select(func.count())
            .select_from(InspectionLoan)
            .where(InspectionLoan.inspection_id.in_(held))
        )
        found = session.scalar(
            select(func.count()).select_from(Finding).where(Finding.inspection_id.in_(held))
        )
    assert lent == {T1: D("6000.00"), T2: D("3000.00")}
    # Households and money registered, approved and disbursed in the period.
    assert [(r.name, r.registered, r.approved, r.disbursed) for r in got.by_township] == [
        ("但家庙镇", Tally(3, D("9000.00")), Tally(3, D("9000.00")), Tally(2, lent[T1])),
        ("衡山镇", Tally(1, D("3000.00")), Tally(1, D("3000.00")), Tally(1, lent[T2])),
    ]
    assert [(r.name, r.disbursed) for r in got.by_batch] == [("第一批", Tally(3, D("9000.00")))]
    assert got.activity.registered == Tally(4, D("12000.00"))
    # Plan against actual of 2007.
    (year,) = got.plans
    assert year.year == 2007 and year.plan_version == 1
    assert [(r.township_name, r.planned, r.disbursed) for r in year.townships] == [
        ("但家庙镇", Tally(3, D("9000.00")), Tally(2, lent[T1])),
        ("衡山镇", Tally(2, D("6000.00")), Tally(1, lent[T2])),
    ]
    # Repayment and recovery, in the period and to date (the same here: the book began in 2007).
    by_town = {r.township: r for r in got.townships}
    for town in (T1, T2):
        row = by_town[town]
        assert (row.disbursed, row.repaid, row.called, row.written_off) == (
            lent[town],
            repaid[town],
            D("0.00"),
            written[town],
        )
        assert row.to_date.outstanding == lent[town] - repaid[town] - written[town]
    assert (repaid[T1], written[T1], called) == (D("500.00"), D("1200.00"), D("0.00"))
    total = got.recovery
    assert (total.disbursed, total.repaid, total.written_off) == (
        D("9000.00"),
        D("500.00"),
        D("1200.00"),
    )
    assert total.to_date.outstanding == D("7300.00") and total.to_date.loans == 3
    # Nothing fell due in 2007: T1 has recovered all it was owed, T2 has nothing due yet.
    assert [(r.township, r.recovery_rate) for r in got.townships] == [
        (T1, D("100.00")),
        (T2, None),
    ]
    # Disasters: one household, one project, its loss and its write-off.
    (hail,) = got.disasters
    assert (hail.name, hail.households, hail.projects, hail.assessed_loss, hail.written_off) == (
        "7·8风雹灾",
        1,
        1,
        D("1200.00"),
        written[T1],
    )
    assert (got.disaster_households, got.disaster_loss) == (1, D("1200.00"))
    # Visits: 27 loan-months due, the distinct ones visited done.
    assert (got.visits_total.due, got.visits_total.done) == (27, done)
    assert done == 4 and got.visits_total.missing == 23
    assert [(v.township, v.due, v.done) for v in got.visits] == [(T1, 18, 2), (T2, 9, 2)]
    # Inspections: held, households visited, findings; one finding open (and overdue) at the end.
    i = got.inspections
    assert (i.held, i.loans_visited, i.findings) == (len(held), visited, found) == (1, 2, 2)
    assert [f.id for f in i.open] == [loans_by["open"].id] and i.overdue == 1
    # Outcomes at 2007's year end against the line of 785.00.
    assert got.outcome_year == 2007
    assert [(r.township, r.households, r.out, r.poor) for r in got.outcomes.rows] == [
        (T1, 2, 1, 1),
        (T2, 1, 1, 0),
    ]
    growth = got.growth.total
    assert (growth.households, growth.at_registration, growth.at_year_end) == (
        3,
        D("1800.00"),
        D("2480.00"),
    )


def test_an_event_on_the_last_day_counts_one_the_day_after_does_not(db, world):
    prog, loans_by = world
    a, b, d = loans_by["a"], loans_by["b"], loans_by["d"]
    repay(db, prog, d, date(2008, 4, 1), "1000.00")  # d's first instalment, on time
    repay(db, prog, a, date(2008, 6, 30), "300.00")  # on the last day, 200.00 short
    repay(db, prog, b, date(2008, 7, 1), "1800.00")  # the day after
    visit(db, prog, b, T1, date(2008, 6, 30))
    visit(db, prog, a, T1, date(2008, 7, 1))
    inspect(db, prog, T1, date(2008, 6, 30), [a])
    inspect(db, prog, T1, date(2008, 7, 1), [a])
    got = report(db, prog, HALF)
    by_town = {r.township: r for r in got.townships}
    assert by_town[T1].repaid == D("300.00") and by_town[T2].repaid == D("1000.00")
    assert got.recovery.repaid == D("1300.00")
    # Two inspections held in the half year (T2's on 2008-01-01 and T1's on 2008-06-30).
    assert (got.inspections.held, got.inspections.loans_visited) == (2, 2)
    # June: a, b and d owe; b visited on the last day, a only the day after.
    with db.read() as session:
        done = visits_done(session, prog.fund.id, months_of(2008, 1, 6))
    assert done == 2 and got.visits_total.done == done
    # T2 repaid what fell due, T1 is 200.00 short on a: 800 ÷ (800 + 200); T2 ranks first.
    assert [(r.township, r.recovery_rate) for r in got.townships] == [
        (T2, D("100.00")),
        (T1, D("80.00")),
    ]
    # The disaster of 2007 is not this period's; the outcomes are still 2007's year end.
    assert got.disasters == () and got.outcome_year == 2007
    assert [p.year for p in got.plans] == [2008]


def test_a_township_officer_reads_their_own_township_only(db, world):
    prog, _ = world
    theirs = report(db, prog, YEAR, actor=OFFICER)
    whole = report(db, prog, YEAR)
    assert [r.key for r in theirs.by_township] == [T2]
    assert [r.township for r in theirs.townships] == [T2]
    assert theirs.recovery.to_date.disbursed == D("3000.00")
    assert theirs.recovery.disbursed == {r.township: r for r in whole.townships}[T2].disbursed
    assert [r.township for r in theirs.visits] == [T2]
    assert [t.township for p in theirs.plans for t in p.townships] == [T2]
    assert theirs.disasters == () and theirs.inspections.held == 0
    assert theirs.inspections.open == ()
    assert [r.township for r in theirs.outcomes.rows] == [T2]


def test_a_bad_period_is_refused_naming_the_field(db, world, set_today):
    prog, _ = world
    with db.read() as session, pytest.raises(errors.InvalidField) as backwards:
        progress_report(
            session, CLERK_ACTOR, prog.code, start=date(2007, 12, 31), end=date(2007, 1, 1)
        )
    assert backwards.value.field == "end"
    assert "早于" in backwards.value.detail_zh and "before" in backwards.value.detail_en
    set_today(date(2008, 6, 30))
    with db.read() as session, pytest.raises(errors.DateInFuture) as ahead:
        progress_report(
            session, CLERK_ACTOR, prog.code, start=date(2008, 1, 1), end=date(2008, 7, 1)
        )
    assert ahead.value.field == "end" and "2008-06-30" in ahead.value.detail_en
    with db.read() as session, pytest.raises(errors.FundNotFound):
        progress_report(session, CLERK_ACTOR, "NOPE", start=YEAR[0], end=YEAR[1])
