"""Plans: recording and revising a three-year plan, every refusal, and plan
against actual drawn from loans and the book."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from ledger import errors
from ledger.actors import Actor
from ledger.models import LoanEvent, Plan, PlanLine, PlanRevision
from ledger.read import plans as read
from ledger.services import loans, plans, setup
from tests.factories import APPROVER, CLERK_ACTOR, committing, make_loan, make_programme, reverse

D = Decimal
T1, T2 = "340123001", "340123002"
DECIDED = date(2007, 3, 10)


def line(year=2007, township=T1, batch="1", households=2, amount="6000.00"):
    return {
        "year": year,
        "township": township,
        "batch": batch,
        "households": households,
        "amount": amount,
    }


PLAN = [line(), line(township=T2, households=1, amount="3000.00"), line(2008, households=3)]


def counts(db) -> tuple[int, ...]:
    with db.read() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(m))
            for m in (Plan, PlanRevision, PlanLine)
        )


def refused(db, error, call):
    """Run `call(uow)`, expect `error`, and check nothing was written."""
    before = counts(db)
    with db.uow() as uow, pytest.raises(error) as info:
        call(uow)
    assert counts(db) == before
    return info.value


def record(db, prog, lines=PLAN, first=2007, last=2009, actor=CLERK_ACTOR, on=DECIDED):
    with committing(db) as uow:
        return plans.record_plan(
            uow,
            actor,
            prog.code,
            first_year=first,
            last_year=last,
            name="贫困党员脱贫工程三年规划",
            lines=lines,
            reason="县委《关于实施农村贫困党员脱贫工程的意见》",
            on=on,
        )


def revise(db, prog, lines, on=date(2007, 6, 1), actor=CLERK_ACTOR, first=2007):
    with committing(db) as uow:
        return plans.revise_plan(
            uow, actor, prog.code, first, lines=lines, reason="第二批提前启动", on=on
        )


@pytest.fixture
def prog(db):
    return make_programme(db)


def test_a_plan_is_recorded_as_version_one_with_its_lines(db, prog):
    revision = record(db, prog)
    assert (revision.version, revision.recorded_on, revision.recorded_by) == (
        1,
        DECIDED,
        CLERK_ACTOR.username,
    )
    with db.read() as session:
        view = read.plan(session, CLERK_ACTOR, prog.code, 2007)
    assert (view.first_year, view.last_year, view.version.version) == (2007, 2009, 1)
    assert [(x.year, x.township, x.batch, x.planned) for x in view.lines] == [
        (2007, T1, "1", read.Tally(2, D("6000.00"))),
        (2007, T2, "1", read.Tally(1, D("3000.00"))),
        (2008, T1, "1", read.Tally(3, D("6000.00"))),
    ]


def test_a_revision_supersedes_from_its_date_and_keeps_the_old_version(db, prog):
    record(db, prog)
    changed = [line(households=4, amount="12000.00"), *PLAN[1:]]
    revision = revise(db, prog, changed)
    assert revision.version == 2
    with db.read() as session:
        before = read.plan(session, CLERK_ACTOR, prog.code, 2007, as_of=date(2007, 5, 31))
        after = read.plan(session, CLERK_ACTOR, prog.code, 2007, as_of=date(2007, 6, 1))
        assert session.scalar(select(func.count()).select_from(PlanLine)) == 6
    assert before.version.version == 1 and before.lines[0].planned == read.Tally(2, D("6000"))
    assert after.version.version == 2 and after.lines[0].planned == read.Tally(4, D("12000"))
    assert [(v.version, v.recorded_on, v.reason) for v in after.versions] == [
        (1, DECIDED, "县委《关于实施农村贫困党员脱贫工程的意见》"),
        (2, date(2007, 6, 1), "第二批提前启动"),
    ]
    with db.read() as session, pytest.raises(errors.RecordNotFound):
        read.plan(session, CLERK_ACTOR, prog.code, 2007, as_of=date(2007, 3, 9))


@pytest.mark.parametrize(
    ("bad", "error", "field"),
    [
        ({"township": "340123999"}, errors.RecordNotFound, "lines[1].township"),
        ({"township": None}, errors.InvalidField, "lines[1].township"),
        ({"batch": "9"}, errors.RecordNotFound, "lines[1].batch"),
        ({"households": 0}, errors.InvalidField, "lines[1].households"),
        ({"households": -3}, errors.InvalidField, "lines[1].households"),
        ({"households": True}, errors.InvalidField, "lines[1].households"),
        ({"amount": "0.00"}, errors.InvalidAmount, "lines[1].amount"),
        ({"amount": "-100.00"}, errors.InvalidAmount, "lines[1].amount"),
        ({"amount": "100.005"}, errors.InvalidAmount, "lines[1].amount"),
        ({"amount": 100.5}, errors.InvalidAmount, "lines[1].amount"),
        ({"year": 2010}, errors.YearOutsidePlan, "lines[1].year"),
        ({"year": 2006}, errors.YearOutsidePlan, "lines[1].year"),
        ({"year": "2007"}, errors.YearOutsidePlan, "lines[1].year"),
        ({"township": T1}, errors.InvalidField, "lines[1]"),  # the same line twice
    ],
)
def test_a_bad_line_is_refused_naming_it(db, prog, bad, error, field):
    lines = [PLAN[0], {**PLAN[1], **bad}]
    refusal = refused(db, error, lambda uow: record_in(uow, prog, lines))
    assert refusal.field == field
    assert refusal.detail_zh and refusal.detail_en


def record_in(uow, prog, lines, first=2007, last=2009, actor=CLERK_ACTOR, on=DECIDED):
    return plans.record_plan(
        uow,
        actor,
        prog.code,
        first_year=first,
        last_year=last,
        name="三年规划",
        lines=lines,
        reason="县委意见",
        on=on,
    )


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [(2009, 2007, "last_year"), (2007, 2012, "last_year"), (1800, 1802, "first_year")],
)
def test_plan_years_must_be_in_order_and_at_most_five(db, prog, first, last, field):
    refusal = refused(db, errors.InvalidField, lambda uow: record_in(uow, prog, [], first, last))
    assert refusal.field == field


def test_a_plan_needs_lines(db, prog):
    assert refused(db, errors.InvalidField, lambda uow: record_in(uow, prog, [])).field == "lines"


def test_plans_may_not_overlap(db, prog):
    record(db, prog)
    refusal = refused(
        db, errors.PlansOverlap, lambda uow: record_in(uow, prog, [line(2009)], 2009, 2011)
    )
    assert "2007-2009" in refusal.detail_en
    record(db, prog, [line(2010)], 2010, 2012)  # the next plan


@pytest.mark.parametrize(
    "actor",
    [APPROVER, Actor("t", "township", township_code=T1), Actor("l", "leader")],
)
def test_only_a_clerk_records_and_revises_plans(db, prog, actor):
    refused(db, errors.RoleNotAllowed, lambda uow: record_in(uow, prog, PLAN, actor=actor))
    record(db, prog)
    refused(
        db,
        errors.RoleNotAllowed,
        lambda uow: plans.revise_plan(
            uow, actor, prog.code, 2007, lines=PLAN[:1], reason="x", on=DECIDED
        ),
    )


def test_a_plan_is_not_dated_in_the_future(db, prog, set_today):
    set_today(date(2007, 3, 1))
    refused(db, errors.DateInFuture, lambda uow: record_in(uow, prog, PLAN, on=DECIDED))


def test_a_revision_must_change_something(db, prog):
    record(db, prog)
    same_in_other_order = list(reversed([{**x, "amount": D(x["amount"])} for x in PLAN]))
    refusal = refused(
        db,
        errors.PlanUnchanged,
        lambda uow: plans.revise_plan(
            uow, CLERK_ACTOR, prog.code, 2007, lines=same_in_other_order, reason="x", on=DECIDED
        ),
    )
    assert refusal.field == "lines"


def test_a_revision_is_not_dated_before_the_version_it_supersedes(db, prog):
    record(db, prog)
    revise(db, prog, PLAN[:1], on=date(2007, 6, 1))
    refusal = refused(
        db,
        errors.DateOutOfOrder,
        lambda uow: plans.revise_plan(
            uow, CLERK_ACTOR, prog.code, 2007, lines=PLAN, reason="x", on=date(2007, 5, 31)
        ),
    )
    assert refusal.field == "on"


def test_a_revision_keeps_to_the_plans_years_and_needs_a_reason(db, prog):
    record(db, prog)
    refused(
        db,
        errors.YearOutsidePlan,
        lambda uow: plans.revise_plan(
            uow, CLERK_ACTOR, prog.code, 2007, lines=[line(2010)], reason="x", on=DECIDED
        ),
    )
    refusal = refused(
        db,
        errors.InvalidField,
        lambda uow: plans.revise_plan(
            uow, CLERK_ACTOR, prog.code, 2007, lines=PLAN[:1], reason=" ", on=DECIDED
        ),
    )
    assert refusal.field == "reason"
    refusal = refused(
        db,
        errors.RecordNotFound,
        lambda uow: plans.revise_plan(
            uow, CLERK_ACTOR, prog.code, 2008, lines=PLAN[:1], reason="x", on=DECIDED
        ),
    )
    assert refusal.field == "plan"
    refusal = refused(
        db,
        errors.InvalidField,
        lambda uow: plans.revise_plan(
            uow, CLERK_ACTOR, prog.code, 10**20, lines=PLAN[:1], reason="x", on=DECIDED
        ),
    )
    assert refusal.field == "first_year"


# --- plan against actual ------------------------------------------------------


@pytest.fixture
def lent(db, prog):
    """Town 1: one loan disbursed (3000), one approved only (2000); town 2: 1000 disbursed."""
    record(db, prog)
    first = make_loan(db, prog, amount="3000.00")
    second = make_loan(db, prog, amount="2000.00", stage="approved")
    third = make_loan(db, prog, amount="1000.00", township=T2)
    return first, second, third


def figures_of(row):
    return (
        row.planned,
        row.registered,
        row.approved,
        row.disbursed,
    )


def tally(households, amount):
    return read.Tally(households, D(amount))


def test_plan_against_actual_per_township_and_batch(db, prog, lent):
    with db.read() as session:
        got = read.plan_against_actual(
            session, CLERK_ACTOR, prog.code, 2007, as_of=date(2007, 12, 31)
        )
    assert (got.plan_first_year, got.plan_version) == (2007, 1)
    assert [(r.township, r.batch) for r in got.rows] == [(T1, "1"), (T2, "1")]
    assert figures_of(got.rows[0]) == (
        tally(2, "6000.00"),
        tally(2, "5000.00"),
        tally(2, "5000.00"),
        tally(1, "3000.00"),
    )
    assert figures_of(got.rows[1]) == (
        tally(1, "3000.00"),
        tally(1, "1000.00"),
        tally(1, "1000.00"),
        tally(1, "1000.00"),
    )
    assert got.rows[0].disbursed_share == D("50.00")
    assert [figures_of(r) for r in got.townships] == [figures_of(r) for r in got.rows]
    assert figures_of(got.total) == (
        tally(3, "9000.00"),
        tally(3, "6000.00"),
        tally(3, "6000.00"),
        tally(2, "4000.00"),
    )
    assert got.total.township_name == "合计"


def test_actual_counts_only_what_happened_in_the_year_by_the_as_of_date(db, prog, lent):
    with db.read() as session:
        before_disbursement = read.plan_against_actual(
            session, CLERK_ACTOR, prog.code, 2007, as_of=date(2007, 4, 9)
        )
        next_year = read.plan_against_actual(
            session, CLERK_ACTOR, prog.code, 2008, as_of=date(2008, 12, 31)
        )
        too_early = read.plan_against_actual(
            session, CLERK_ACTOR, prog.code, 2008, as_of=date(2007, 12, 31)
        )
    assert figures_of(before_disbursement.total)[1:] == (
        tally(3, "6000.00"),
        tally(3, "6000.00"),
        tally(0, "0.00"),
    )
    assert [(r.township, figures_of(r)) for r in next_year.rows] == [
        (T1, (tally(3, "6000.00"), tally(0, "0"), tally(0, "0"), tally(0, "0")))
    ]
    assert too_early.total.planned == tally(3, "6000.00")
    assert too_early.total.disbursed == tally(0, "0")


def test_a_reversed_disbursement_is_not_disbursed(db, prog, lent):
    with db.read() as session:
        voucher = session.scalar(
            select(LoanEvent.voucher).where(
                LoanEvent.loan_id == lent[2].id, LoanEvent.action == "disbursed"
            )
        )
    with committing(db) as uow:
        reverse(uow, prog.code, voucher, on=date(2007, 5, 1))
    with db.read() as session:
        got = read.plan_against_actual(
            session, CLERK_ACTOR, prog.code, 2007, as_of=date(2007, 12, 31)
        )
    assert got.rows[1].disbursed == tally(0, "0")
    assert got.total.disbursed == tally(1, "3000.00")


def test_the_plan_compared_is_the_version_in_force(db, prog, lent):
    revise(db, prog, [line(households=4, amount="12000.00"), *PLAN[1:]], on=date(2007, 6, 1))
    with db.read() as session:
        old = read.plan_against_actual(
            session, CLERK_ACTOR, prog.code, 2007, as_of=date(2007, 5, 31)
        )
        new = read.plan_against_actual(
            session, CLERK_ACTOR, prog.code, 2007, as_of=date(2007, 6, 1)
        )
        none = read.plan_against_actual(
            session, CLERK_ACTOR, prog.code, 2010, as_of=date(2010, 12, 31)
        )
    assert (old.plan_version, old.rows[0].planned) == (1, tally(2, "6000.00"))
    assert (new.plan_version, new.rows[0].planned) == (2, tally(4, "12000.00"))
    assert (none.plan_first_year, none.plan_version, none.rows) == (None, None, ())
    assert none.total.planned == tally(0, "0") and none.total.disbursed_share is None


def test_an_unplanned_township_with_loans_shows_with_a_zero_plan(db, prog):
    record(db, prog, [line(township=T2, households=1, amount="3000.00")])
    make_loan(db, prog, amount="3000.00")
    with db.read() as session:
        got = read.plan_against_actual(
            session, CLERK_ACTOR, prog.code, 2007, as_of=date(2007, 12, 31)
        )
    assert [(r.township, r.planned, r.disbursed) for r in got.rows] == [
        (T1, tally(0, "0"), tally(1, "3000.00")),
        (T2, tally(1, "3000.00"), tally(0, "0")),
    ]


def test_a_household_lent_in_two_batches_counts_once_in_its_township(db, prog):
    record(db, prog)
    first = make_loan(db, prog, amount="3000.00")
    with committing(db) as uow:
        setup.add_batch(uow, CLERK_ACTOR, prog.code, code="2", name="第二批", budget="5000.00")
    with committing(db) as uow:
        loans.register_loan(
            uow,
            CLERK_ACTOR,
            prog.code,
            household=first.household_id,
            batch="2",
            project_type=prog.project_type,
            project="养猪 5 头",
            requested_amount="1000.00",
            on=date(2007, 8, 1),
        )
    with db.read() as session:
        got = read.plan_against_actual(
            session, CLERK_ACTOR, prog.code, 2007, as_of=date(2007, 12, 31)
        )
    assert [(r.batch, r.registered) for r in got.rows if r.township == T1] == [
        ("1", tally(1, "3000.00")),
        ("2", tally(1, "1000.00")),
    ]
    assert got.townships[0].registered == tally(1, "4000.00")


def test_two_loans_alike_of_one_household_in_one_batch_are_both_counted(db, prog):
    """The household repaid its loan and borrowed the same again in the batch: one
    household, both loans' amounts, registered and disbursed."""
    record(db, prog)
    first = make_loan(db, prog, amount="3000.00")
    with committing(db) as uow:
        loans.repay_loan(
            uow, CLERK_ACTOR, prog.code, first.registration_no, on=date(2007, 5, 1), amount="3000"
        )
    make_loan(db, prog, amount="3000.00", household=first.household_id)
    with db.read() as session:
        got = read.plan_against_actual(
            session, CLERK_ACTOR, prog.code, 2007, as_of=date(2007, 12, 31)
        )
    mine = next(r for r in got.rows if r.township == T1)
    assert (mine.registered, mine.disbursed) == (tally(1, "6000.00"), tally(1, "6000.00"))


def test_a_township_officer_sees_only_their_township(db, prog, lent):
    officer = Actor("t2", "township", township_code=T2)
    with db.read() as session:
        got = read.plan_against_actual(session, officer, prog.code, 2007, as_of=date(2007, 12, 31))
        view = read.plan(session, officer, prog.code, 2007)
    assert [r.township for r in got.rows] == [T2]
    assert figures_of(got.total) == figures_of(got.rows[0])
    assert [x.township for x in view.lines] == [T2]
