"""A small programme through 2007 and into 2008, for the progress report's tests."""

from __future__ import annotations

from datetime import date

from ledger.actors import Actor
from ledger.models import Loan
from ledger.services import disasters, inspections, loans, outcomes, plans, proposals, visits
from tests.factories import APPROVER, CLERK_ACTOR, committing, make_loan, make_programme

T1, T2 = "340123001", "340123002"
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


def income(db, prog, household, town, kind, on, amount, approved_on=None):
    with committing(db) as uow:
        row = outcomes.record_income(
            uow, RECORDER[town], prog.code, household=household, kind=kind, on=on, income=amount
        )
    with committing(db) as uow:
        outcomes.approve_income(uow, CHECKER[town], prog.code, row.id, on=approved_on or on)


def build(db):
    """Two townships through 2007 and into 2008.

    T1: loans a and b lent 3,000 each, c approved only; a repaid 500 on
    2007-12-31, b lost 1,200 to the 7·8 hail, written off, and both lost
    to the 8·13 flood (200 and 300); T2: loan d lent
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
        disasters.record_disaster(
            uow,
            CLERK_ACTOR,
            prog.code,
            code="0813",
            name="8·13洪灾",
            occurred_on=date(2007, 8, 13),
            kind="flood",
            townships=[T1],
        )
    for loan, loss in ((a, "200.00"), (b, "300.00")):  # b struck a second time
        with committing(db) as uow:
            disasters.record_loss(
                uow,
                CLERK_ACTOR,
                prog.code,
                "0813",
                loan=loan.registration_no,
                assessed_loss=loss,
                inspector="县农委 刘工",
                assessed_on=date(2007, 8, 20),
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
