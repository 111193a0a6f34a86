"""Outcomes (脱贫成效): the poverty line by date, households' incomes recorded
and approved by two township officers, the status rule, and the reads."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from ledger import errors, poverty
from ledger.actors import Actor
from ledger.models import IncomeKind, IncomeRecord, PovertyLine
from ledger.read.outcomes import household_outcomes, income_growth, out_of_poverty
from ledger.services import outcomes
from tests.factories import CLERK_ACTOR, committing, make_household, make_loan, make_programme

D = Decimal
A, B = "340123001", "340123002"
RECORDER = Actor("officer-a1", "township", township_code=A)
CHECKER = Actor("officer-a2", "township", township_code=A)
RECORDER_B = Actor("officer-b1", "township", township_code=B)
CHECKER_B = Actor("officer-b2", "township", township_code=B)
LINES = ((date(2007, 1, 1), "785.00"), (date(2008, 1, 1), "1067.00"))


def snapshot(db) -> dict[str, object]:
    with db.read() as session:
        return {
            "lines": session.execute(select(PovertyLine.effective_from, PovertyLine.amount)).all(),
            "incomes": session.execute(
                select(IncomeRecord.id, IncomeRecord.approved_by).order_by(IncomeRecord.id)
            ).all(),
        }


def refused(db, error, call):
    before = snapshot(db)
    with db.uow() as uow, pytest.raises(error) as info:
        call(uow)
    assert snapshot(db) == before
    return info.value


def set_lines(db, prog, lines=LINES):
    for effective_from, amount in lines:
        with committing(db) as uow:
            outcomes.set_poverty_line(
                uow, CLERK_ACTOR, prog.code, effective_from=effective_from, amount=amount
            )


def registered(db, prog, township=A) -> int:
    """A household registered for a loan on 2007-04-02."""
    household = make_household(db, prog, township)
    make_loan(db, prog, stage="applied", township=township, household=household)
    return household


def income(db, prog, household, on, amount, *, kind="year_end", actor=RECORDER, **kw):
    with committing(db) as uow:
        return outcomes.record_income(
            uow, actor, prog.code, household=household, kind=kind, on=on, income=amount, **kw
        )


def approve(db, prog, row, *, actor=CHECKER, on=date(2008, 1, 20)):
    with committing(db) as uow:
        return outcomes.approve_income(uow, actor, prog.code, row.id, on=on)


def approved(db, prog, household, on, amount, *, kind="year_end", town=A, **kw):
    recorder, checker = (RECORDER, CHECKER) if town == A else (RECORDER_B, CHECKER_B)
    row = income(db, prog, household, on, amount, kind=kind, actor=recorder, **kw)
    return approve(db, prog, row, actor=checker, on=max(on, date(2008, 1, 20)))


# --- the rule ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("income", "was_out", "expected"),
    [
        ("784.99", False, poverty.POOR),
        ("785.00", False, poverty.OUT),
        ("785.00", True, poverty.OUT),
        ("784.99", True, poverty.BACK),
        ("0.00", False, poverty.POOR),
    ],
)
def test_status_is_income_against_the_line(income, was_out, expected):
    assert poverty.status(D(income), D("785.00"), was_out=was_out) == expected
    assert poverty.STATUS_ZH[expected] in ("贫困", "脱贫", "返贫")


def test_the_line_in_force_is_the_latest_effective_by_the_date():
    lines = [(date(2008, 1, 1), D("1067.00")), (date(2007, 1, 1), D("785.00"))]
    assert poverty.line_on(lines, date(2006, 12, 31)) is None
    assert poverty.line_on(lines, date(2007, 1, 1)) == D("785.00")
    assert poverty.line_on(lines, date(2007, 12, 31)) == D("785.00")
    assert poverty.line_on(lines, date(2008, 1, 1)) == D("1067.00")


@given(st.lists(st.integers(min_value=0, max_value=3000), min_size=1, max_size=8))
def test_back_into_poverty_only_ever_follows_out_of_poverty(yuan):
    lines = [(date(2000, 1, 1), D("785.00"))]
    incomes = [(date(2001 + i, 12, 31), D(y)) for i, y in enumerate(yuan)]
    judged = [status for _, status in poverty.history(incomes, lines)]
    for index, status in enumerate(judged):
        below = incomes[index][1] < D("785.00")
        assert (status == poverty.OUT) == (not below)
        assert (status == poverty.BACK) == (below and poverty.OUT in judged[:index])


# --- the poverty line ---------------------------------------------------------------


def test_the_poverty_line_is_set_by_date_once_per_date(db):
    prog = make_programme(db)
    set_lines(db, prog)
    with db.read() as session:
        assert outcomes.poverty_lines(session, prog.fund.id) == [
            (date(2007, 1, 1), D("785.00")),
            (date(2008, 1, 1), D("1067.00")),
        ]

    def setting(actor=CLERK_ACTOR, **change):
        args = {"effective_from": date(2007, 1, 1), "amount": "800.00"} | change
        return lambda uow: outcomes.set_poverty_line(uow, actor, prog.code, **args)

    assert refused(db, errors.DuplicateKey, setting()).field == "effective_from"
    for bad in ("0", "-1.00", "785.001", 785.0):
        assert (
            refused(
                db, errors.InvalidAmount, setting(effective_from=date(2009, 1, 1), amount=bad)
            ).field
            == "amount"
        )
    assert (
        refused(db, errors.InvalidField, setting(effective_from="2009-01-01")).field
        == "effective_from"
    )
    refused(db, errors.RoleNotAllowed, setting(RECORDER, effective_from=date(2009, 1, 1)))


# --- recording and approving ------------------------------------------------------------


def test_an_income_is_recorded_by_one_officer_and_approved_by_another(db):
    prog = make_programme(db)
    set_lines(db, prog)
    household = registered(db, prog)
    row = income(
        db,
        prog,
        household,
        date(2007, 12, 31),
        "1200.00",
        specialised=True,
        liaison=prog.liaisons[A],
    )
    assert (row.kind, row.year, row.income, row.specialised, row.liaison_id, row.approved_by) == (
        IncomeKind.YEAR_END,
        2007,
        D("1200.00"),
        True,
        prog.liaisons[A],
        None,
    )
    own = refused(db, errors.MakerIsChecker, lambda uow: approving(uow, prog, row, RECORDER))
    assert own.field == "income_id"
    hidden = refused(db, errors.RecordNotFound, lambda uow: approving(uow, prog, row, CHECKER_B))
    assert hidden.field == "income_id"
    refused(db, errors.RoleNotAllowed, lambda uow: approving(uow, prog, row, CLERK_ACTOR))
    early = refused(
        db,
        errors.DateOutOfOrder,
        lambda uow: approving(uow, prog, row, CHECKER, date(2007, 12, 30)),
    )
    assert early.field == "date"
    done = approve(db, prog, row)
    assert (done.approved_by, done.approved_on) == (CHECKER.username, date(2008, 1, 20))
    twice = refused(db, errors.InvalidTransition, lambda uow: approving(uow, prog, row, CHECKER))
    assert twice.field == "income_id"


def approving(uow, prog, row, actor, on=date(2008, 1, 20)):
    return outcomes.approve_income(uow, actor, prog.code, row.id, on=on)


def test_a_bad_income_is_refused_naming_the_field(db):
    prog = make_programme(db)
    set_lines(db, prog, [(date(2006, 1, 1), "693.00"), *LINES])
    household = registered(db, prog)
    unregistered = make_household(db, prog, A)
    elsewhere = registered(db, prog, B)

    def recording(actor=RECORDER, **change):
        args = {
            "household": household,
            "kind": "year_end",
            "on": date(2007, 12, 31),
            "income": "900.00",
        } | change
        return lambda uow: outcomes.record_income(uow, actor, prog.code, **args)

    undated = refused(db, errors.InvalidField, recording(on=None))
    assert undated.field == "date" and undated.detail_zh and undated.detail_en
    negative = refused(db, errors.InvalidAmount, recording(income="-1.00"))
    assert negative.field == "income"
    before = refused(db, errors.BeforeRegistration, recording(on=date(2006, 12, 31)))
    assert before.field == "date" and "2007" in before.detail_en
    assert isinstance(before, errors.DateOutOfOrder)
    assert refused(db, errors.DateInFuture, recording(on=date(2999, 12, 31))).field == "date"
    assert refused(db, errors.InvalidField, recording(kind="monthly")).field == "kind"
    assert refused(db, errors.InvalidField, recording(specialised="yes")).field == "specialised"
    assert (
        refused(db, errors.InvalidTransition, recording(household=unregistered)).field
        == "household"
    )
    assert refused(db, errors.RecordNotFound, recording(household=elsewhere)).field == "household"
    other_liaison = refused(db, errors.RecordNotFound, recording(liaison=prog.liaisons[B]))
    assert other_liaison.field == "liaison"
    refused(db, errors.RoleNotAllowed, recording(CLERK_ACTOR))
    refused(db, errors.RoleNotAllowed, recording(Actor("approver-x", "approver")))


def test_no_line_in_force_and_one_income_per_year(db):
    prog = make_programme(db)
    set_lines(db, prog, [(date(2007, 6, 1), "785.00")])
    household = registered(db, prog)

    def recording(kind="year_end", on=date(2007, 12, 31)):
        return lambda uow: outcomes.record_income(
            uow, RECORDER, prog.code, household=household, kind=kind, on=on, income="500.00"
        )

    no_line = refused(db, errors.NoPovertyLine, recording("registration", date(2007, 4, 2)))
    assert no_line.field == "date"
    income(db, prog, household, date(2007, 6, 1), "500.00", kind="registration")
    income(db, prog, household, date(2007, 12, 31), "900.00")
    assert refused(db, errors.DuplicateKey, recording()).field == "date"
    again = refused(db, errors.DuplicateKey, recording("registration", date(2008, 1, 5)))
    assert "2007-06-01" in again.detail_en
    assert income(db, prog, household, date(2008, 12, 31), "950.00").year == 2008


# --- the reads ---------------------------------------------------------------------------


def outcomes_programme(db):
    """Four households: H1 out then back, H2 poor then out, H3 out in B, H4 not yet approved."""
    prog = make_programme(db)
    set_lines(db, prog)
    h1, h2, h4 = registered(db, prog), registered(db, prog), registered(db, prog)
    h3 = registered(db, prog, B)
    reg = date(2007, 4, 2)
    for household, amount, town in ((h1, "600.00", A), (h2, "700.00", A), (h3, "500.00", B)):
        approved(db, prog, household, reg, amount, kind="registration", town=town)
    approved(db, prog, h1, date(2007, 12, 31), "1200.00", specialised=True)
    approved(db, prog, h2, date(2007, 12, 31), "780.00")
    approved(db, prog, h3, date(2007, 12, 31), "900.00", town=B, specialised=True)
    approved(db, prog, h1, date(2008, 12, 31), "1000.00")
    approved(db, prog, h2, date(2008, 12, 31), "1100.00")
    income(db, prog, h4, reg, "650.00", kind="registration")
    income(db, prog, h4, date(2007, 12, 31), "2000.00")
    return prog, (h1, h2, h3, h4)


def test_a_households_statuses_by_year(db):
    prog, (h1, _, _, h4) = outcomes_programme(db)
    with db.read() as session:
        rows = household_outcomes(session, CLERK_ACTOR, prog.code, h1)
        assert [(r.kind, r.year, r.income, r.line, r.status, r.specialised) for r in rows] == [
            ("registration", 2007, D("600.00"), D("785.00"), poverty.POOR, False),
            ("year_end", 2007, D("1200.00"), D("785.00"), poverty.OUT, True),
            ("year_end", 2008, D("1000.00"), D("1067.00"), poverty.BACK, False),
        ]
        assert household_outcomes(session, CLERK_ACTOR, prog.code, h4) == ()  # nothing approved
        with pytest.raises(errors.RecordNotFound):
            household_outcomes(session, RECORDER_B, prog.code, h1)


def test_households_out_of_poverty_by_township_and_year(db):
    prog, _ = outcomes_programme(db)
    with db.read() as session:
        year = out_of_poverty(session, CLERK_ACTOR, prog.code, 2007)
        assert [
            (r.township, r.households, r.out, r.back, r.poor, r.specialised) for r in year.rows
        ] == [(A, 2, 1, 0, 1, 1), (B, 1, 1, 0, 0, 1)]
        assert year.rows[0].name == "但家庙镇"
        total = year.total
        assert (
            total.name,
            total.households,
            total.out,
            total.back,
            total.poor,
            total.specialised,
        ) == (
            "合计",
            3,
            2,
            0,
            1,
            2,
        )
        later = out_of_poverty(session, CLERK_ACTOR, prog.code, 2008)
        assert [(r.township, r.households, r.out, r.back, r.poor) for r in later.rows] == [
            (A, 2, 1, 1, 0)
        ]
        mine = out_of_poverty(session, RECORDER_B, prog.code, 2007)
        assert [r.township for r in mine.rows] == [B] and mine.total.households == 1


def test_income_growth_since_registration(db):
    prog, _ = outcomes_programme(db)
    with db.read() as session:
        growth = income_growth(session, CLERK_ACTOR, prog.code, 2007)
        assert [
            (r.township, r.households, r.at_registration, r.at_year_end, r.growth, r.growth_percent)
            for r in growth.rows
        ] == [
            (A, 2, D("1300.00"), D("1980.00"), D("680.00"), D("52.31")),
            (B, 1, D("500.00"), D("900.00"), D("400.00"), D("80.00")),
        ]
        total = growth.total
        assert (total.households, total.at_registration, total.at_year_end, total.growth) == (
            3,
            D("1800.00"),
            D("2880.00"),
            D("1080.00"),
        )
        assert total.growth_percent == D("60.00")
        one = income_growth(session, CLERK_ACTOR, prog.code, 2007, township=B)
        assert [r.township for r in one.rows] == [B]
        assert income_growth(session, CLERK_ACTOR, prog.code, 2009).rows == ()
        assert income_growth(session, CLERK_ACTOR, prog.code, 2009).total.growth_percent is None


def test_nothing_counts_before_approval(db):
    prog = make_programme(db)
    set_lines(db, prog)
    household = registered(db, prog)
    income(db, prog, household, date(2007, 12, 31), "1200.00")
    with db.read() as session:
        assert out_of_poverty(session, CLERK_ACTOR, prog.code, 2007).total.households == 0
        assert session.scalar(select(func.count()).select_from(IncomeRecord)) == 1
