"""The progress report (进展情况汇报): every figure against the same figure
counted straight from the records and the entries, the period's edges, a
township officer's own report, and the periods refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import distinct, func, select

from ledger import errors
from ledger.chart import LOANS
from ledger.models import (
    Account,
    Entry,
    Finding,
    Inspection,
    InspectionLoan,
    Journal,
    Loan,
    LossReport,
    Township,
    Visit,
)
from ledger.read.plans import Tally
from ledger.read.progress import progress_report
from tests.factories import CLERK_ACTOR
from tests.ledger.progress_world import OFFICER, T1, T2, build, income, inspect, repay, visit

D = Decimal
YEAR = (date(2007, 1, 1), date(2007, 12, 31))
HALF = (date(2008, 1, 1), date(2008, 6, 30))


@pytest.fixture
def world(db):
    return build(db)


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
    money = got.recovery
    assert (money.disbursed, money.repaid, money.written_off) == (
        D("9000.00"),
        D("500.00"),
        D("1200.00"),
    )
    assert money.to_date.outstanding == D("7300.00") and money.to_date.loans == 3
    # Nothing fell due in 2007: T1 has recovered all it was owed, T2 has nothing due yet.
    assert [(r.township, r.recovery_rate) for r in got.townships] == [
        (T1, D("100.00")),
        (T2, None),
    ]
    # Disasters: b's household struck twice counts once in the total; its project was
    # damaged twice (two loss reports); the amounts add up.
    with db.read() as session:
        struck = session.execute(
            select(LossReport.loan_id, Loan.household_id, LossReport.assessed_loss).join(
                Loan, Loan.id == LossReport.loan_id
            )
        ).all()
    assert [
        (d.name, d.households, d.projects, d.assessed_loss, d.written_off)
        for d in got.disasters.lines
    ] == [
        ("7·8风雹灾", 1, 1, D("1200.00"), written[T1]),
        ("8·13洪灾", 2, 2, D("500.00"), D("0.00")),
    ]
    total = got.disasters.total
    assert (total.households, total.projects, total.assessed_loss, total.written_off) == (
        len({home for _, home, _ in struck}),
        len(struck),
        sum(loss for *_, loss in struck),
        written[T1],
    )
    assert (total.households, total.projects, total.assessed_loss) == (2, 3, D("1700.00"))
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
    assert got.disasters.lines == () and got.outcome_year == 2007
    assert [p.year for p in got.plans] == [2008]


def test_equal_rates_rank_by_money_recovered(db, world):
    prog, loans_by = world
    repay(db, prog, loans_by["d"], date(2007, 12, 31), "600.00")  # nothing overdue anywhere
    got = report(db, prog, YEAR)
    # Both at 100%: T2 brought back 600.00, T1 500.00 (though T1 lent twice as much).
    assert [(r.township, r.recovery_rate, r.to_date.recovered) for r in got.townships] == [
        (T2, D("100.00"), D("600.00")),
        (T1, D("100.00"), D("500.00")),
    ]


def test_an_income_approved_after_the_end_is_not_yet_an_outcome(db, world):
    prog, loans_by = world
    with db.read() as session:
        home = session.get_one(Loan, loans_by["c"].id).household_id
    income(db, prog, home, T1, "year_end", date(2007, 12, 31), "1000.00", date(2008, 1, 2))
    assert report(db, prog, YEAR).outcomes.total.households == 3
    later = report(db, prog, (YEAR[0], date(2008, 1, 2)))
    assert later.outcome_year == 2007
    assert (later.outcomes.total.households, later.outcomes.total.out) == (4, 3)


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
    assert theirs.disasters.lines == () and theirs.inspections.held == 0
    assert theirs.inspections.open == ()
    assert [r.township for r in theirs.outcomes.rows] == [T2]


def test_a_period_from_long_before_the_fund_reads_from_its_first_day(db, world):
    prog, _ = world
    year = report(db, prog, YEAR)
    ever = report(db, prog, (date(1, 1, 1), YEAR[1]))
    assert ever.start == date(1, 1, 1)
    for part in ("activity", "by_township", "townships", "recovery", "disasters", "visits"):
        assert getattr(ever, part) == getattr(year, part), part
    # The test fund opened on 2000-01-01: one plan row per year from then, 2007's planned.
    assert [p.year for p in ever.plans] == list(range(2000, 2008))
    assert ever.plans[-1] == year.plans[0]


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
    with db.read() as session, pytest.raises(errors.InvalidField) as early:
        progress_report(session, CLERK_ACTOR, prog.code, start=date(1, 1, 1), end=date(1, 1, 1))
    # The test fund opened on 2000-01-01.
    assert early.value.field == "end" and "2000-01-01" in early.value.detail_zh
    with db.read() as session, pytest.raises(errors.FundNotFound):
        progress_report(session, CLERK_ACTOR, "NOPE", start=YEAR[0], end=YEAR[1])
