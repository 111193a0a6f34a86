"""Visits: recording liaisons' and pairing cadres' visits with every refusal,
the month's missing visits, a liaison's year and a cadre's yearly minimum."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ledger import errors
from ledger.actors import Actor
from ledger.models import ProjectProgress, Township, Visit, VisitorKind
from ledger.read import visits as read
from ledger.services import guarantees, loans, setup, visits
from tests.conftest import rolled_back
from tests.factories import (
    APPROVER,
    CLERK_ACTOR,
    committing,
    make_household,
    make_loan,
    make_programme,
)

T1, T2 = "340123001", "340123002"
OFFICER_1 = Actor("officer-1", "township", township_code=T1)
OFFICER_2 = Actor("officer-2", "township", township_code=T2)
#: make_loan signs on 2007-04-09 and disburses on 2007-04-10.
SIGNED = date(2007, 4, 9)


def count(db) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(Visit))


def refused(db, error, call):
    """Run `call(uow)`, expect `error`, and check no visit was written."""
    before = count(db)
    with db.uow() as uow, pytest.raises(error) as info:
        call(uow)
    assert count(db) == before
    return info.value


def visit_in(
    uow,
    prog,
    loan,
    on,
    *,
    liaison=None,
    actor=CLERK_ACTOR,
    progress="progressing",
    funds_as_approved=True,
    days=1,
):
    return visits.record_visit(
        uow,
        actor,
        prog.code,
        loan.registration_no,
        liaison=prog.liaisons[T1] if liaison is None else liaison,
        visited_on=on,
        progress=progress,
        funds_as_approved=funds_as_approved,
        notes="猪舍已建,仔猪 10 头",
        days=days,
    )


def visit(db, prog, loan, on, **kwargs):
    with committing(db) as uow:
        return visit_in(uow, prog, loan, on, **kwargs)


@pytest.fixture
def prog(db):
    return make_programme(db)


@pytest.fixture
def loan(db, prog):
    return make_loan(db, prog)


def test_a_liaison_visit_records_what_was_seen(db, prog, loan):
    made = visit(db, prog, loan, date(2007, 5, 3), progress="behind", funds_as_approved=False)
    with db.read() as session:
        row = session.get_one(Visit, made.id)
        assert (row.visitor_kind, row.liaison_id, row.visitor, row.loan_id, row.household_id) == (
            VisitorKind.LIAISON,
            prog.liaisons[T1],
            "王明",
            loan.id,
            loan.household_id,
        )
        assert (row.visited_on, row.days, row.progress, row.funds_as_approved) == (
            date(2007, 5, 3),
            1,
            ProjectProgress.BEHIND,
            False,
        )
        assert (row.notes, row.recorded_by) == ("猪舍已建,仔猪 10 头", CLERK_ACTOR.username)


def test_a_visit_on_the_contract_day_is_fine_the_day_before_is_not(db, prog, loan):
    visit(db, prog, loan, SIGNED)
    refusal = refused(
        db, errors.DateOutOfOrder, lambda uow: visit_in(uow, prog, loan, date(2007, 4, 8))
    )
    assert refusal.field == "visited_on" and "签约日" in refusal.detail_zh


def test_a_visit_is_not_dated_in_the_future(db, prog, loan, set_today):
    set_today(date(2007, 6, 30))
    refusal = refused(
        db, errors.DateInFuture, lambda uow: visit_in(uow, prog, loan, date(2007, 7, 1))
    )
    assert refusal.field == "visited_on"


def test_a_loan_without_a_contract_has_no_liaison_to_visit(db, prog):
    approved = make_loan(db, prog, stage="approved")
    refused(
        db, errors.InvalidTransition, lambda uow: visit_in(uow, prog, approved, date(2007, 5, 1))
    )


def test_only_the_loans_liaison_on_the_day_may_visit(db, prog, loan):
    with committing(db) as uow:
        successor = setup.add_liaison(
            uow, CLERK_ACTOR, prog.code, name="赵刚", township=T1, monthly_salary="1800.00"
        ).id
    with committing(db) as uow:
        guarantees.change_liaison(
            uow,
            CLERK_ACTOR,
            prog.code,
            loan.registration_no,
            effective_on=date(2007, 6, 1),
            liaison=successor,
            reason="工作调动",
        )
    visit(db, prog, loan, date(2007, 5, 31))  # the first liaison, still on duty
    refusal = refused(
        db, errors.NotTheLiaison, lambda uow: visit_in(uow, prog, loan, date(2007, 6, 1))
    )
    assert refusal.field == "liaison" and "赵刚" in refusal.detail_zh
    visit(db, prog, loan, date(2007, 6, 1), liaison=successor)
    refused(
        db,
        errors.NotTheLiaison,
        lambda uow: visit_in(uow, prog, loan, date(2007, 5, 30), liaison=successor),
    )


def test_another_townships_liaison_is_not_the_loans(db, prog, loan):
    refused(
        db,
        errors.NotTheLiaison,
        lambda uow: visit_in(uow, prog, loan, date(2007, 5, 1), liaison=prog.liaisons[T2]),
    )


def test_a_township_officer_records_their_own_townships_visits_only(db, prog, loan):
    visit(db, prog, loan, date(2007, 5, 1), actor=OFFICER_1)
    refusal = refused(
        db,
        errors.RecordNotFound,
        lambda uow: visit_in(uow, prog, loan, date(2007, 5, 2), actor=OFFICER_2),
    )
    assert refusal.field == "loan"  # as if it did not exist, never "forbidden"


@pytest.mark.parametrize("actor", [APPROVER, Actor("l", "leader"), Actor("a", "admin")])
def test_other_roles_do_not_record_visits(db, prog, loan, actor):
    refused(
        db,
        errors.RoleNotAllowed,
        lambda uow: visit_in(uow, prog, loan, date(2007, 5, 1), actor=actor),
    )


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"progress": "fine"}, "progress"),
        ({"progress": None}, "progress"),
        ({"funds_as_approved": "yes"}, "funds_as_approved"),
        ({"days": 0}, "days"),
        ({"days": 32}, "days"),
        ({"days": True}, "days"),
        ({"liaison": 999999}, "liaison"),
    ],
)
def test_bad_input_is_refused_naming_the_field(db, prog, loan, bad, field):
    error = errors.RecordNotFound if field == "liaison" else errors.InvalidField
    refusal = refused(db, error, lambda uow: visit_in(uow, prog, loan, date(2007, 5, 1), **bad))
    assert refusal.field == field


def test_the_same_visit_is_recorded_once(db, prog, loan):
    visit(db, prog, loan, date(2007, 5, 1))
    refusal = refused(
        db, errors.DuplicateKey, lambda uow: visit_in(uow, prog, loan, date(2007, 5, 1))
    )
    assert refusal.field == "visited_on"


# --- pairing cadres -------------------------------------------------------------


def cadre_in(uow, prog, household, on, days, visitor="区农牧局 陈伟", actor=CLERK_ACTOR):
    return visits.record_cadre_visit(
        uow,
        actor,
        prog.code,
        household=household,
        visitor=visitor,
        visited_on=on,
        days=days,
        notes="谈心交流,帮助制定增收计划",
    )


def cadre(db, prog, household, on, days, **kwargs):
    with committing(db) as uow:
        return cadre_in(uow, prog, household, on, days, **kwargs)


def test_a_cadres_yearly_minimum_is_two_visits_and_seven_days(db, prog):
    enough, few_days, one_visit = (make_household(db, prog) for _ in range(3))
    cadre(db, prog, enough, date(2007, 3, 1), 3)
    cadre(db, prog, enough, date(2007, 9, 1), 4)
    cadre(db, prog, few_days, date(2007, 3, 1), 3)
    cadre(db, prog, few_days, date(2007, 9, 1), 3)
    cadre(db, prog, one_visit, date(2007, 3, 1), 7)
    cadre(db, prog, one_visit, date(2008, 1, 2), 1)  # next year's
    with db.read() as session:
        years = read.cadre_years(session, CLERK_ACTOR, prog.code, 2007)
    # Those behind the minimum first, each with what they still lack.
    assert [
        (y.household_id, y.visits, y.days, y.meets_minimum, y.visits_short, y.days_short)
        for y in years
    ] == [
        (few_days, 2, 6, False, 0, 1),
        (one_visit, 1, 7, False, 1, 0),
        (enough, 2, 7, True, 0, 0),
    ]


def test_one_cadres_year(db, prog):
    home = make_household(db, prog)
    cadre(db, prog, home, date(2007, 3, 1), 3)
    cadre(db, prog, home, date(2007, 3, 1), 2, visitor="县林业局 方芳")
    cadre(db, prog, home, date(2007, 4, 1), 5, visitor="县林业局 方芳")
    with db.read() as session:
        mine = read.cadre_years(session, CLERK_ACTOR, prog.code, 2007, visitor=" 县林业局 方芳 ")
        nobody = read.cadre_years(session, CLERK_ACTOR, prog.code, 2007, visitor="无此人")
    assert [(y.visitor, y.visits, y.days, y.meets_minimum) for y in mine] == [
        ("县林业局 方芳", 2, 7, True)
    ]
    assert nobody == ()


def test_cadre_visits_are_confined_and_recorded_once(db, prog):
    home = make_household(db, prog, township=T2)
    cadre(db, prog, home, date(2007, 3, 1), 2, actor=OFFICER_2)
    refused(db, errors.DuplicateKey, lambda uow: cadre_in(uow, prog, home, date(2007, 3, 1), 1))
    refusal = refused(
        db,
        errors.RecordNotFound,
        lambda uow: cadre_in(uow, prog, home, date(2007, 3, 2), 1, actor=OFFICER_1),
    )
    assert refusal.field == "household"
    refused(
        db,
        errors.InvalidField,
        lambda uow: cadre_in(uow, prog, home, date(2007, 3, 2), 1, visitor=" "),
    )
    with db.read() as session:
        assert read.cadre_years(session, OFFICER_1, prog.code, 2007) == ()
        assert len(read.cadre_years(session, OFFICER_2, prog.code, 2007)) == 1


# --- the month's missing visits ---------------------------------------------------


@pytest.fixture
def lent(db, prog):
    """Town 1: one loan lent and one only approved; town 2: one loan lent."""
    return (
        make_loan(db, prog),
        make_loan(db, prog, stage="approved"),
        make_loan(db, prog, township=T2),
    )


def month(db, prog, when, actor=CLERK_ACTOR, **kwargs):
    with db.read() as session:
        return read.month_visits(session, actor, prog.code, when, **kwargs)


def test_missing_visits_of_a_month_per_liaison(db, prog, lent):
    first, _, third = lent
    visit(db, prog, first, date(2007, 5, 3))
    got = month(db, prog, "2007-05")
    assert (got.first, got.last, got.due, got.done) == (date(2007, 5, 1), date(2007, 5, 31), 2, 1)
    assert [(m.registration_no, m.township, m.liaison) for m in got.missing] == [
        (third.registration_no, T2, "李强")
    ]
    assert [(x.township, x.liaison, x.due, x.done, x.missing) for x in got.liaisons] == [
        (T1, "王明", 1, 1, 0),
        (T2, "李强", 1, 0, 1),
    ]
    # April: both lent on the 10th, neither visited; March: nothing lent yet.
    assert (month(db, prog, "2007-04").due, month(db, prog, "2007-04").done) == (2, 0)
    assert month(db, prog, "2007-03").due == 0


def test_a_settled_loan_is_no_longer_due_a_visit(db, prog, lent):
    first = lent[0]
    with committing(db) as uow:
        loans.repay_loan(
            uow, CLERK_ACTOR, prog.code, first.registration_no, on=date(2007, 6, 15), amount="3000"
        )
    assert first.registration_no in {m.registration_no for m in month(db, prog, "2007-05").missing}
    assert first.registration_no not in {
        m.registration_no for m in month(db, prog, "2007-06").missing
    }
    assert month(db, prog, "2007-06").due == 1


def test_a_township_officers_to_do_list_is_their_township(db, prog, lent):
    got = month(db, prog, "2007-05", actor=OFFICER_2)
    assert [m.township for m in got.missing] == [T2] and got.due == 1
    with pytest.raises(errors.NotFound):
        month(db, prog, "2007-05", actor=OFFICER_2, township=T1)
    assert month(db, prog, "2007-05", township=T1).due == 1


def test_the_running_month_counts_to_today(db, prog, lent, set_today):
    set_today(date(2007, 5, 20))
    got = month(db, prog, "2007-05")
    assert (got.last, got.due) == (date(2007, 5, 20), 2)
    with pytest.raises(errors.DateInFuture):
        month(db, prog, "2007-06")


def test_the_to_do_count_of_the_running_month_is_the_months(db, prog, lent, set_today):
    """The overview's count from the kept figures is `month_visits`' due and done."""
    set_today(date(2007, 6, 20))
    first, _, third = lent
    visit(db, prog, first, date(2007, 6, 10))
    visit(db, prog, third, date(2007, 5, 30), liaison=prog.liaisons[T2])
    visit(db, prog, third, date(2007, 6, 3), liaison=prog.liaisons[T2])
    with committing(db) as uow:
        loans.repay_loan(
            uow, CLERK_ACTOR, prog.code, first.registration_no, on=date(2007, 6, 15), amount="3000"
        )
    expected = {CLERK_ACTOR: (1, 1), OFFICER_2: (1, 1)}
    for actor, counts in expected.items():
        got = month(db, prog, "2007-06", actor=actor)
        assert (got.due, got.done) == counts
        with db.read() as session:
            assert read.this_month(session, actor, prog.code) == counts
    visit(db, prog, make_loan(db, prog), date(2007, 6, 19))
    with db.read() as session:
        assert read.this_month(session, CLERK_ACTOR, prog.code) == (2, 2)
        assert read.this_month(session, OFFICER_2, prog.code) == (1, 1)


@pytest.mark.parametrize("bad", ["2007-13", "2007-5", "May", None])
def test_a_month_is_yyyy_mm(db, prog, bad):
    with pytest.raises(errors.InvalidField) as info:
        month(db, prog, bad)
    assert info.value.field == "month"


def test_a_liaisons_year_month_by_month(db, prog, lent, set_today):
    set_today(date(2007, 8, 15))
    first = lent[0]
    visit(db, prog, first, date(2007, 5, 3))
    visit(db, prog, first, date(2007, 7, 30))
    with db.read() as session:
        year = read.liaison_year(session, CLERK_ACTOR, prog.code, prog.liaisons[T1], 2007)
        with pytest.raises(errors.RecordNotFound):
            read.liaison_year(session, OFFICER_2, prog.code, prog.liaisons[T1], 2007)
    assert (year.liaison, year.township) == ("王明", T1)
    assert [(m.month, m.due, m.done) for m in year.months] == [
        ("2007-01", 0, 0),
        ("2007-02", 0, 0),
        ("2007-03", 0, 0),
        ("2007-04", 1, 0),
        ("2007-05", 1, 1),
        ("2007-06", 1, 0),
        ("2007-07", 1, 1),
        ("2007-08", 1, 0),
    ]
    assert year.months[3].missing == (first.registration_no,)
    assert year.missing == 3


@given(st.lists(st.tuples(st.integers(0, 2), st.integers(1, 31)), max_size=8))
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_done_and_missing_make_up_what_is_due(engine, planned):
    """Whatever subset of loans is visited in May, done + missing = due, and done = visited."""
    with rolled_back(engine) as db:
        prog = make_programme(db)
        lent = [make_loan(db, prog), make_loan(db, prog), make_loan(db, prog, township=T2)]
        visited = set()
        for index, day in planned:
            target, on = lent[index], date(2007, 5, day)
            with committing(db) as uow:
                try:
                    visits.record_visit(
                        uow,
                        CLERK_ACTOR,
                        prog.code,
                        target.registration_no,
                        liaison=prog.liaisons[T2 if index == 2 else T1],
                        visited_on=on,
                        progress="progressing",
                        funds_as_approved=True,
                    )
                except errors.DuplicateKey:
                    continue
            visited.add(target.registration_no)
        with db.read() as session:
            got = read.month_visits(session, CLERK_ACTOR, prog.code, "2007-05")
        assert got.due == 3
        assert got.done + len(got.missing) == got.due
        assert got.done == len(visited)
        assert {m.registration_no for m in got.missing} == {
            x.registration_no for x in lent
        } - visited
        assert sum(x.due for x in got.liaisons) == got.due


def test_the_database_refuses_a_liaison_visit_without_its_loan(db, prog, loan):
    """The CHECK guards the rule even for a write that skips the service."""
    with db.uow() as uow, pytest.raises(IntegrityError):
        uow.session.add(
            Visit(
                fund_id=prog.fund.id,
                household_id=loan.household_id,
                visitor_kind=VisitorKind.LIAISON,
                liaison_id=prog.liaisons[T1],
                visitor="王明",
                visited_on=date(2007, 5, 1),
                days=1,
                notes="",
                recorded_by="x",
            )
        )
        uow.session.flush()


# --- a loan's visits ----------------------------------------------------------------


def test_a_loans_visits_newest_first_and_only_its_own(db, prog, loan):
    other = make_loan(db, prog)
    first = visit(db, prog, loan, date(2007, 5, 3))
    latest = visit(db, prog, loan, date(2007, 7, 1), progress="behind", funds_as_approved=False)
    middle = visit(db, prog, loan, date(2007, 6, 2))
    visit(db, prog, other, date(2007, 6, 5))
    cadre(db, prog, loan.household_id, date(2007, 6, 6), 2)  # the household's, not the loan's
    with db.read() as session:
        seen = read.loan_visits(session, OFFICER_1, prog.code, loan.registration_no)
    assert [v.id for v in seen] == [latest.id, middle.id, first.id]
    assert (seen[0].visitor, seen[0].progress, seen[0].funds_as_approved, seen[0].loan) == (
        "王明",
        "behind",
        False,
        loan.registration_no,
    )
    assert seen[0].notes == "猪舍已建,仔猪 10 头"


def test_another_townships_loan_has_no_visits_to_show(db, prog, loan):
    visit(db, prog, loan, date(2007, 5, 3))
    with db.read() as session, pytest.raises(errors.RecordNotFound):
        read.loan_visits(session, OFFICER_2, prog.code, loan.registration_no)


def test_the_kept_tally_of_each_month_is_month_visits(db, prog, lent, set_today):
    """Per township, the kept figures' due and done are `month_visits`' for every month,
    a loan settled after the month included (it owed at the month's end)."""
    set_today(date(2007, 8, 15))
    first, _, third = lent
    visit(db, prog, first, date(2007, 5, 3))
    visit(db, prog, third, date(2007, 6, 9), liaison=prog.liaisons[T2])
    with committing(db) as uow:
        loans.repay_loan(
            uow, CLERK_ACTOR, prog.code, first.registration_no, on=date(2007, 6, 15), amount="3000"
        )
    visit(db, prog, third, date(2007, 7, 2), liaison=prog.liaisons[T2])
    with db.read() as session:
        towns = dict(
            session.execute(
                select(Township.code, Township.id).where(Township.fund_id == prog.fund.id)
            ).all()
        )
        for when in ("2007-04", "2007-05", "2007-06", "2007-07", "2007-08"):
            for code in (T1, T2):
                got = read.month_visits(session, CLERK_ACTOR, prog.code, when, township=code)
                kept = read.tally_by_township(
                    session, prog.fund.id, got.first, got.last, towns[code]
                )
                assert kept.get(towns[code], (0, 0)) == (got.due, got.done), (when, code)
    assert month(db, prog, "2007-05").done == 1


def test_the_months_page_is_month_visits_a_page_at_a_time(db, prog, lent, set_today):
    """`month_page` counts by township from the kept figures and lists, a page at a time,
    the loans `month_visits` computes as missing, for a past month (a loan settled since
    still owed then) and the running one."""
    set_today(date(2007, 8, 15))
    first, _, third = lent
    visit(db, prog, third, date(2007, 6, 9), liaison=prog.liaisons[T2])
    with committing(db) as uow:
        loans.repay_loan(
            uow, CLERK_ACTOR, prog.code, first.registration_no, on=date(2007, 6, 15), amount="3000"
        )
    with db.read() as session:
        for when in ("2007-04", "2007-05", "2007-06", "2007-07", "2007-08"):
            whole = read.month_visits(session, CLERK_ACTOR, prog.code, when)
            walked, after = [], None
            while True:
                page = read.month_page(session, CLERK_ACTOR, prog.code, when, after=after, limit=1)
                assert (page.due, page.done) == (whole.due, whole.done), when
                assert len(page.missing) <= 1
                walked += page.missing
                after = page.next
                if after is None:
                    break
            assert walked == sorted(whole.missing, key=lambda v: v.registration_no), when
            by_town = {t.township: (t.due, t.done, t.missing) for t in page.townships}
            for town in (T1, T2):
                mine = [x for x in whole.liaisons if x.township == town]
                due, done = sum(x.due for x in mine), sum(x.done for x in mine)
                assert by_town.get(town, (0, 0, 0)) == (
                    (due, done, due - done) if due else (0, 0, 0)
                ), (when, town)
        may = read.month_page(session, CLERK_ACTOR, prog.code, "2007-05")
        assert [v.registration_no for v in may.missing] == [
            first.registration_no,
            third.registration_no,
        ]
        assert [v.liaison for v in may.missing] == ["王明", "李强"]
        mine = read.month_page(session, OFFICER_2, prog.code, "2007-05")
        assert [v.township for v in mine.missing] == [T2] and mine.due == 1
        assert [t.township for t in mine.townships] == [T2]
        with pytest.raises(errors.NotFound):
            read.month_page(session, OFFICER_2, prog.code, "2007-05", township=T1)
        with pytest.raises(errors.BadCursor):
            read.month_page(session, CLERK_ACTOR, prog.code, "2007-05", after="bm90")
