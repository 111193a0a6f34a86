"""Guarantee calls, salary deductions within the cap, and liaison changes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from ledger import errors
from ledger.journal_templates import SPECIAL, liaison_receivable, loan_account
from ledger.models import DeductionPlan, LiaisonAssignment, LoanStatus
from ledger.read.books import balance
from ledger.read.figures import loan_figures
from ledger.services import guarantees, setup
from tests.factories import ADMIN, APPROVER, CLERK_ACTOR, committing, make_loan, make_programme
from tests.ledger.test_loans import refused

D = Decimal
LATE = date(2008, 6, 1)  # the first instalment (2008-04-01) is 61 days overdue


def call(db, prog, loan, amount, on=LATE, actor=APPROVER):
    with committing(db) as uow:
        return guarantees.call_guarantee(
            uow, actor, prog.code, loan.registration_no, on=on, amount=amount
        )


def test_guarantee_call_moves_the_claim_to_the_liaison_with_a_capped_plan(db):
    prog = make_programme(db)  # liaisons earn 2000.00; cap 20 % = 400.00 a month
    loan = make_loan(db, prog, amount="3000.00")
    liaison = prog.liaisons[prog.townships[0]]
    made = call(db, prog, loan, "1000.00")
    assert made.monthly_cap == D("400.00") and made.liaison_id == liaison
    with db.read() as session:
        plan = session.scalars(
            select(DeductionPlan)
            .where(DeductionPlan.call_id == made.id)
            .order_by(DeductionPlan.seq)
        ).all()
        assert [(p.due_month, p.amount) for p in plan] == [
            ("2008-07", D("400.00")),
            ("2008-08", D("400.00")),
            ("2008-09", D("200.00")),
        ]
        assert balance(session, prog.fund.id, liaison_receivable(liaison)).balance == D("1000.00")
        figures = loan_figures(session, loan)
        assert figures.guarantee_called == D("1000.00") and figures.outstanding == D("2000.00")
    with committing(db) as uow:
        guarantees.record_salary_deduction(
            uow, CLERK_ACTOR, prog.code, liaison, on=date(2008, 7, 15), amount="400.00"
        )
    with db.read() as session:
        assert balance(session, prog.fund.id, liaison_receivable(liaison)).balance == D("600.00")
        assert balance(session, prog.fund.id, SPECIAL).balance == D("60400.00")


def test_deduction_over_the_monthly_cap_is_refused(db):
    prog = make_programme(db)
    loan = make_loan(db, prog, amount="3000.00")
    liaison = prog.liaisons[prog.townships[0]]
    call(db, prog, loan, "1000.00")
    with committing(db) as uow:
        guarantees.record_salary_deduction(
            uow, CLERK_ACTOR, prog.code, liaison, on=date(2008, 7, 1), amount="300.00"
        )
    error = refused(
        db,
        errors.OverLimit,
        lambda uow: guarantees.record_salary_deduction(
            uow, CLERK_ACTOR, prog.code, liaison, on=date(2008, 7, 31), amount="100.01"
        ),
    )
    assert "400.00" in error.detail_zh
    with committing(db) as uow:  # next month the cap is fresh
        guarantees.record_salary_deduction(
            uow, CLERK_ACTOR, prog.code, liaison, on=date(2008, 8, 1), amount="400.00"
        )


def test_deduction_beyond_what_is_owed_is_refused(db):
    prog = make_programme(db)
    liaison = prog.liaisons[prog.townships[0]]
    refused(
        db,
        errors.OverLimit,
        lambda uow: guarantees.record_salary_deduction(
            uow, CLERK_ACTOR, prog.code, liaison, on=date(2008, 7, 1), amount="1.00"
        ),
    )


def test_cap_follows_the_fund_setting(db):
    prog = make_programme(db)
    with committing(db) as uow:
        setup.update_settings(uow, ADMIN, prog.code, deduction_cap="0.1")
    made = call(db, prog, make_loan(db, prog, amount="3000.00"), "500.00")
    assert made.monthly_cap == D("200.00")


def test_only_an_approver_calls_and_only_when_overdue(db):
    prog = make_programme(db)
    loan = make_loan(db, prog, amount="3000.00")
    refused(
        db,
        errors.NotPermitted,
        lambda uow: guarantees.call_guarantee(
            uow, CLERK_ACTOR, prog.code, loan.registration_no, on=LATE, amount="1.00"
        ),
    )
    refused(
        db,
        errors.NotOverdue,
        lambda uow: guarantees.call_guarantee(
            uow, APPROVER, prog.code, loan.registration_no, on=date(2008, 4, 1), amount="1.00"
        ),
    )
    refused(
        db,
        errors.OverLimit,
        lambda uow: guarantees.call_guarantee(
            uow, APPROVER, prog.code, loan.registration_no, on=LATE, amount="3000.01"
        ),
    )


def test_calling_everything_closes_the_household_loan(db):
    prog = make_programme(db)
    loan = make_loan(db, prog, amount="3000.00")
    call(db, prog, loan, "3000.00")
    with db.read() as session:
        assert balance(session, prog.fund.id, loan_account(loan.registration_no)).balance == 0
        assert session.get(type(loan), loan.id).status is LoanStatus.CLOSED


def test_liaison_change_moves_liability_and_keeps_history(db):
    prog = make_programme(db)
    town = prog.townships[0]
    loan = make_loan(db, prog, amount="3000.00")
    with committing(db) as uow:
        new = setup.add_liaison(
            uow, CLERK_ACTOR, prog.code, name="赵新", township=town, monthly_salary="1800.00"
        ).id
    with committing(db) as uow:
        guarantees.change_liaison(
            uow,
            CLERK_ACTOR,
            prog.code,
            loan.registration_no,
            effective_on=date(2008, 1, 1),
            liaison=new,
            reason="调任",
        )
    with committing(db) as uow:
        assert (
            guarantees.current_liaison(uow, loan, date(2007, 12, 31)).liaison_id
            == prog.liaisons[town]
        )
        assert guarantees.current_liaison(uow, loan, date(2008, 1, 1)).liaison_id == new
        history = uow.session.scalars(
            select(LiaisonAssignment.liaison_id)
            .where(LiaisonAssignment.loan_id == loan.id)
            .order_by(LiaisonAssignment.effective_on)
        ).all()
        assert history == [prog.liaisons[town], new]
    made = call(db, prog, loan, "360.00")
    assert made.liaison_id == new and made.monthly_cap == D("360.00")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"effective_on": date(2007, 4, 9)}, "effective_on"),
        ({"reason": ""}, "reason"),
        ({"liaison": "same"}, "liaison"),
        ({"liaison": "other-township"}, "liaison"),
        ({"liaison": 99999}, "liaison"),
    ],
)
def test_liaison_change_refusals(db, change, field):
    prog = make_programme(db)
    loan = make_loan(db, prog)
    with committing(db) as uow:
        new = setup.add_liaison(
            uow,
            CLERK_ACTOR,
            prog.code,
            name="赵新",
            township=prog.townships[0],
            monthly_salary="1800.00",
        ).id
    liaisons = {
        "new": new,
        "same": prog.liaisons[prog.townships[0]],
        "other-township": prog.liaisons[prog.townships[1]],
    }
    args = {"effective_on": date(2008, 1, 1), "liaison": "new", "reason": "调任", **change}
    args["liaison"] = liaisons.get(args["liaison"], args["liaison"])
    error = refused(
        db,
        errors.LedgerError,
        lambda uow: guarantees.change_liaison(
            uow, CLERK_ACTOR, prog.code, loan.registration_no, **args
        ),
    )
    assert error.field == field
