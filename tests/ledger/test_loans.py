"""The loan lifecycle: every step, every refusal, and nothing written on refusal."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from ledger import errors
from ledger.actors import Actor
from ledger.journal_templates import loan_account, township_funds
from ledger.models import Entry, Journal, Loan, LoanEvent, LoanStatus
from ledger.read.books import balance
from ledger.read.figures import loan_figures, schedules
from ledger.services import funding, guarantees, loans, proposals, setup
from tests.factories import (
    ADMIN,
    APPROVER,
    CLERK_ACTOR,
    committing,
    make_household,
    make_loan,
    make_programme,
)

D = Decimal
TABLES = (Journal, Entry, Loan, LoanEvent)


def snapshot(db) -> dict[str, int]:
    with db.read() as session:
        return {m.__name__: session.scalar(select(func.count()).select_from(m)) for m in TABLES}


def refused(db, error, call):
    """Run `call(uow)`, expect `error`, and check nothing was written."""
    before = snapshot(db)
    with db.uow() as uow, pytest.raises(error) as info:
        call(uow)
    assert snapshot(db) == before
    return info.value


def test_registration_assigns_numbers_per_batch_and_township(db):
    prog = make_programme(db)
    first = make_loan(db, prog, stage="applied")
    second = make_loan(db, prog, stage="applied")
    other = make_loan(db, prog, stage="applied", township=prog.townships[1])
    assert first.registration_no == "1-340123001-0001"
    assert second.registration_no == "1-340123001-0002"
    assert other.registration_no == "1-340123002-0001"
    assert first.application_no == first.registration_no
    assert first.status is LoanStatus.APPLIED


def test_full_lifecycle_posts_per_spec_and_closes_when_repaid(db):
    prog = make_programme(db)
    loan = make_loan(db, prog, amount="3000.00")
    town = prog.townships[0]
    with db.read() as session:
        assert balance(session, prog.fund.id, loan_account(loan.registration_no)).balance == D(
            "3000.00"
        )
        assert balance(session, prog.fund.id, township_funds(town)).balance == D("17000.00")
    for amount, on in (("1000.00", date(2008, 4, 1)), ("2000.00", date(2009, 4, 1))):
        with committing(db) as uow:
            loans.repay_loan(
                uow, CLERK_ACTOR, prog.code, loan.registration_no, on=on, amount=amount
            )
    with db.read() as session:
        row = session.scalar(select(Loan).where(Loan.id == loan.id))
        assert row.status is LoanStatus.CLOSED
        figures = loan_figures(session, row)
        assert (figures.disbursed, figures.repaid, figures.outstanding) == (
            D("3000.00"),
            D("3000.00"),
            D("0.00"),
        )
        assert balance(session, prog.fund.id, township_funds(town)).balance == D("20000.00")
        history = session.scalars(
            select(LoanEvent.action).where(LoanEvent.loan_id == loan.id).order_by(LoanEvent.id)
        ).all()
        assert history == [
            "registered",
            "verified",
            "approved",
            "contracted",
            "disbursed",
            "repaid",
            "repaid",
        ]


def test_repayment_settles_the_oldest_instalment_first(db):
    prog = make_programme(db)
    loan = make_loan(db, prog, amount="3000.00", instalments=3)
    with committing(db) as uow:
        loans.repay_loan(
            uow, CLERK_ACTOR, prog.code, loan.registration_no, on=date(2008, 3, 1), amount="1500.00"
        )
    with db.read() as session:
        schedule = schedules(session, [loan.id])[loan.id]
        settled = loan_figures(session, loan).settled
        assert schedule.overdue(settled, date(2008, 5, 1)) == (0, D("0.00"))
        # The second instalment (due 2009-04-01) is half paid: overdue from the 2nd.
        assert schedule.overdue(settled, date(2009, 4, 2)) == (1, D("500.00"))


def test_overpayment_is_refused_and_nothing_written(db):
    prog = make_programme(db)
    loan = make_loan(db, prog, amount="3000.00")
    error = refused(
        db,
        errors.Overpayment,
        lambda uow: loans.repay_loan(
            uow, CLERK_ACTOR, prog.code, loan.registration_no, on=date(2008, 1, 1), amount="3000.01"
        ),
    )
    assert error.field == "amount" and "3,000.00" in error.detail_zh


def test_duplicate_person_in_batch_is_refused(db):
    prog = make_programme(db)
    household = make_household(db, prog)
    make_loan(db, prog, stage="applied", household=household)
    refused(
        db,
        errors.DuplicateLoanInBatch,
        lambda uow: loans.register_loan(
            uow,
            CLERK_ACTOR,
            prog.code,
            household=household,
            batch=prog.batch,
            project_type=prog.project_type,
            project="x",
            requested_amount="100.00",
            on=date(2007, 4, 2),
        ),
    )


def test_rejected_application_frees_the_person_for_a_new_one(db):
    prog = make_programme(db)
    household = make_household(db, prog)
    loan = make_loan(db, prog, stage="applied", household=household)
    with committing(db) as uow:
        loans.verify_loan(
            uow,
            CLERK_ACTOR,
            prog.code,
            loan.registration_no,
            visited_on=date(2007, 4, 5),
            visitor="县办",
            eligible=False,
            reason="村干部,不属扶持对象",
        )
    again = make_loan(db, prog, stage="applied", household=household)
    assert again.registration_no.endswith("0002")


def test_ineligible_needs_a_reason(db):
    prog = make_programme(db)
    loan = make_loan(db, prog, stage="applied")
    error = refused(
        db,
        errors.InvalidField,
        lambda uow: loans.verify_loan(
            uow,
            CLERK_ACTOR,
            prog.code,
            loan.registration_no,
            visited_on=date(2007, 4, 5),
            visitor="县办",
            eligible=False,
        ),
    )
    assert error.field == "reason"


@pytest.mark.parametrize(("amount", "limit"), [("5000.01", "借款标准"), ("3000.01", "申请金额")])
def test_approval_over_a_limit_is_refused(db, amount, limit):
    prog = make_programme(db)
    loan = make_loan(db, prog, amount="3000.00", stage="verified")
    error = refused(
        db,
        errors.OverLimit,
        lambda uow: loans.approve_loan(
            uow,
            CLERK_ACTOR,
            prog.code,
            loan.registration_no,
            approved_amount=amount,
            schedule=[(date(2008, 4, 1), amount)],
            on=date(2007, 4, 8),
        ),
    )
    assert limit in error.detail_zh and error.field == "approved_amount"


def test_approval_over_the_fund_maximum_is_refused(db):
    prog = make_programme(db, standard="50000.00")
    loan = make_loan(db, prog, amount="50000.00", stage="verified")
    from ledger.services.setup import update_settings

    with committing(db) as uow:
        update_settings(uow, ADMIN, prog.code, max_loan="20000.00")
    error = refused(
        db,
        errors.OverLimit,
        lambda uow: loans.approve_loan(
            uow,
            CLERK_ACTOR,
            prog.code,
            loan.registration_no,
            approved_amount="20000.01",
            schedule=[(date(2008, 4, 1), "20000.01")],
            on=date(2007, 4, 8),
        ),
    )
    assert "上限" in error.detail_zh


def test_approval_schedule_must_sum(db):
    prog = make_programme(db)
    loan = make_loan(db, prog, amount="3000.00", stage="verified")
    refused(
        db,
        errors.ScheduleMismatch,
        lambda uow: loans.approve_loan(
            uow,
            CLERK_ACTOR,
            prog.code,
            loan.registration_no,
            approved_amount="3000.00",
            schedule=[(date(2008, 4, 1), "2999.99")],
            on=date(2007, 4, 8),
        ),
    )


def test_three_lines_not_one_blocks_disbursement(db):
    prog = make_programme(db)
    loan = make_loan(db, prog, stage="approved")
    with committing(db) as uow:
        loans.sign_contract(
            uow,
            CLERK_ACTOR,
            prog.code,
            loan.registration_no,
            contract_no="HT-0001",
            iou_no=loan.registration_no,
            liaison=prog.liaisons[prog.townships[0]],
            technical_lead="张工",
            signed_on=date(2007, 4, 9),
        )
    error = refused(
        db,
        errors.ThreeLinesNotOne,
        lambda uow: loans.disburse_loan(
            uow,
            CLERK_ACTOR,
            prog.code,
            loan.registration_no,
            on=date(2007, 4, 10),
            amount="3000.00",
        ),
    )
    assert "合同书编号 HT-0001" in error.detail_zh


def test_disbursement_needs_a_contract_and_township_money(db):
    prog = make_programme(db, allocate="1000.00")
    approved = make_loan(db, prog, stage="approved", amount="500.00")
    refused(
        db,
        errors.InvalidTransition,
        lambda uow: loans.disburse_loan(
            uow,
            CLERK_ACTOR,
            prog.code,
            approved.registration_no,
            on=date(2007, 4, 10),
            amount="500.00",
        ),
    )
    big = make_loan(db, prog, stage="contracted", amount="3000.00")
    error = refused(
        db,
        errors.InsufficientFunds,
        lambda uow: loans.disburse_loan(
            uow, CLERK_ACTOR, prog.code, big.registration_no, on=date(2007, 4, 10), amount="3000.00"
        ),
    )
    assert "1,000.00" in error.detail_zh


def test_a_disbursement_dated_before_its_townships_first_allocation_is_refused(db):
    prog = make_programme(db)
    town = "340123003"
    with committing(db) as uow:
        setup.add_township(uow, CLERK_ACTOR, prog.code, code=town, name="新仓镇")
    with committing(db) as uow:
        prog.liaisons[town] = setup.add_liaison(
            uow, CLERK_ACTOR, prog.code, name="赵刚", township=town, monthly_salary="2000.00"
        ).id
    loan = make_loan(db, prog, stage="contracted", township=town)  # signed 2007-04-09
    with committing(db) as uow:
        funding.record_allocation(
            uow, CLERK_ACTOR, prog.code, on=date(2007, 5, 1), township=town, amount="5000.00"
        )

    def disburse(on):
        return lambda uow: loans.disburse_loan(
            uow, CLERK_ACTOR, prog.code, loan.registration_no, on=on, amount="3000.00"
        )

    error = refused(db, errors.InsufficientFunds, disburse(date(2007, 4, 20)))
    assert error.field == "date"
    assert error.detail_zh == (
        "发放日 2007-04-20:新仓镇 在 2007-04-20 仅持有 0.00 元,不足以发放 3,000.00 元"
    )
    assert error.detail_en == (
        "disbursement date 2007-04-20: 新仓镇 holds only 0.00 on 2007-04-20, "
        "less than the disbursement 3000.00"
    )
    with committing(db) as uow:
        disburse(date(2007, 5, 1))(uow)
    with db.read() as session:
        assert balance(session, prog.fund.id, township_funds(town)).balance == D("2000.00")


def test_a_back_dated_disbursement_may_not_overdraw_a_day_since(db):
    prog = make_programme(db)
    town = prog.townships[0]
    loan = make_loan(db, prog, stage="contracted", amount="3000.00")
    with committing(db) as uow:  # 20,000.00 on 2007-04-01, 1,000.00 left from 2007-04-15 to 05-01
        funding.record_remittance(
            uow, CLERK_ACTOR, prog.code, on=date(2007, 4, 15), township=town, amount="19000.00"
        )
    with committing(db) as uow:
        funding.record_allocation(
            uow, CLERK_ACTOR, prog.code, on=date(2007, 5, 1), township=town, amount="10000.00"
        )

    def disburse(on):
        return lambda uow: loans.disburse_loan(
            uow, CLERK_ACTOR, prog.code, loan.registration_no, on=on, amount="3000.00"
        )

    error = refused(db, errors.InsufficientFunds, disburse(date(2007, 4, 10)))
    assert error.field == "date"
    assert "2007-04-15" in error.detail_zh and "1,000.00" in error.detail_zh
    assert "1000.00 on 2007-04-15" in error.detail_en
    with committing(db) as uow:
        disburse(date(2007, 5, 1))(uow)


def test_partial_disbursements_cannot_exceed_the_approved_amount(db):
    prog = make_programme(db)
    loan = make_loan(db, prog, stage="contracted", amount="3000.00")
    with committing(db) as uow:
        loans.disburse_loan(
            uow,
            CLERK_ACTOR,
            prog.code,
            loan.registration_no,
            on=date(2007, 4, 10),
            amount="2000.00",
        )
    refused(
        db,
        errors.OverLimit,
        lambda uow: loans.disburse_loan(
            uow,
            CLERK_ACTOR,
            prog.code,
            loan.registration_no,
            on=date(2007, 4, 11),
            amount="1000.01",
        ),
    )


def test_township_officer_cannot_see_another_townships_loan(db):
    prog = make_programme(db)
    loan = make_loan(db, prog, township=prog.townships[0])
    other = Actor("officer-b", "township", township_code=prog.townships[1])
    error = refused(
        db,
        errors.RecordNotFound,
        lambda uow: loans.repay_loan(
            uow, other, prog.code, loan.registration_no, on=date(2008, 1, 1), amount="1.00"
        ),
    )
    assert "does not exist" in error.detail_en
    own = Actor("officer-a", "township", township_code=prog.townships[0])
    with committing(db) as uow:
        loans.repay_loan(
            uow, own, prog.code, loan.registration_no, on=date(2008, 1, 1), amount="1.00"
        )


def test_contract_numbers_are_unique_in_the_fund(db):
    prog = make_programme(db)
    first = make_loan(db, prog, stage="contracted")
    second = make_loan(db, prog, stage="approved")
    error = refused(
        db,
        errors.DuplicateKey,
        lambda uow: loans.sign_contract(
            uow,
            CLERK_ACTOR,
            prog.code,
            second.registration_no,
            contract_no=first.registration_no,
            iou_no=second.registration_no,
            liaison=prog.liaisons[prog.townships[0]],
            technical_lead="张工",
            signed_on=date(2007, 4, 9),
        ),
    )
    assert error.field == "contract_no"


def test_liaison_must_belong_to_the_township(db):
    prog = make_programme(db)
    loan = make_loan(db, prog, stage="approved")
    refused(
        db,
        errors.InvalidField,
        lambda uow: loans.sign_contract(
            uow,
            CLERK_ACTOR,
            prog.code,
            loan.registration_no,
            contract_no=loan.registration_no,
            iou_no=loan.registration_no,
            liaison=prog.liaisons[prog.townships[1]],
            technical_lead="张工",
            signed_on=date(2007, 4, 9),
        ),
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("household", 999999),
        ("batch", "9"),
        ("project_type", "cow"),
        ("requested_amount", "0"),
        ("requested_amount", 12.5),
        ("project", ""),
        ("registration_no", "has space"),
    ],
)
def test_registration_refusals_name_the_field(db, field, value):
    prog = make_programme(db)
    household = make_household(db, prog)
    args = {
        "household": household,
        "batch": prog.batch,
        "project_type": prog.project_type,
        "project": "养猪",
        "requested_amount": "100.00",
        "on": date(2007, 4, 2),
    }
    args[field] = value
    error = refused(
        db, errors.LedgerError, lambda uow: loans.register_loan(uow, CLERK_ACTOR, prog.code, **args)
    )
    assert error.field == field


def test_repayment_into_a_closed_month_is_refused(db):
    from ledger.services.periods import close_period

    prog = make_programme(db)
    loan = make_loan(db, prog)
    with committing(db) as uow:
        close_period(uow, prog.fund.id, "2008-01", actor=CLERK_ACTOR)
    error = refused(
        db,
        errors.PeriodClosed,
        lambda uow: loans.repay_loan(
            uow, CLERK_ACTOR, prog.code, loan.registration_no, on=date(2008, 1, 15), amount="100.00"
        ),
    )
    assert error.field == "posted_on" and "2008-01" in error.detail_zh


# --- no settlement exceeds the outstanding (one rule, three callers) -------

#: After make_loan's 3,000.00 and a 500.00 repayment; the first instalment is then overdue.
OWED, LATE = D("2500.00"), date(2008, 6, 1)


def owing(db):
    prog = make_programme(db)
    no = make_loan(db, prog, amount="3000.00").registration_no
    with committing(db) as uow:
        loans.repay_loan(uow, CLERK_ACTOR, prog.code, no, on=date(2007, 6, 1), amount="500.00")
    return prog, no


def propose(prog, no, amount):
    return lambda uow: proposals.propose_write_off(
        uow,
        CLERK_ACTOR,
        prog.code,
        loan=no,
        amount=amount,
        ground="death",
        reason="借款人死亡",
        evidence="死亡证明",
        on=LATE,
    )


SETTLEMENTS = {
    "repayment": lambda prog, no, amount: (
        lambda uow: loans.repay_loan(uow, CLERK_ACTOR, prog.code, no, on=LATE, amount=amount)
    ),
    "guarantee call": lambda prog, no, amount: (
        lambda uow: guarantees.call_guarantee(uow, APPROVER, prog.code, no, on=LATE, amount=amount)
    ),
    "write-off": propose,
}


@pytest.mark.parametrize("name", SETTLEMENTS)
def test_no_settlement_exceeds_what_the_loan_owes(db, name):
    prog, no = owing(db)
    settle = SETTLEMENTS[name]
    error = refused(db, errors.Overpayment, settle(prog, no, "2500.01"))
    assert error.field == "amount"
    assert error.detail_en == f"{name} 2500.01 of loan {no} exceeds what it owes (2500.00)"
    assert (
        f"借款 {no}" in error.detail_zh and "2,500.01 元超过尚欠本金 2,500.00 元" in error.detail_zh
    )
    with committing(db) as uow:
        settle(prog, no, "2500.00")(uow)
    with db.read() as session:
        assert balance(session, prog.fund.id, loan_account(no)).balance == (
            D("2500.00") if name == "write-off" else D("0.00")  # a proposal posts nothing
        )


def test_a_write_off_leaves_room_for_those_pending_and_is_decided_on_what_is_owed_then(db):
    prog, no = owing(db)
    with committing(db) as uow:
        first = propose(prog, no, "2000.00")(uow)
    error = refused(db, errors.Overpayment, propose(prog, no, "500.01"))
    assert error.detail_en == (
        f"write-off 500.01 of loan {no} exceeds what it owes "
        "(500.00: outstanding 2500.00, pending write-offs 2000.00)"
    )
    assert "其中待批核销 2,000.00 元" in error.detail_zh
    with committing(db) as uow:  # repaid meanwhile: 1,500.00 owed when the write-off is decided
        loans.repay_loan(uow, CLERK_ACTOR, prog.code, no, on=LATE, amount="1000.00")
    error = refused(
        db,
        errors.Overpayment,
        lambda uow: proposals.decide_write_off(
            uow,
            APPROVER,
            prog.code,
            first.id,
            approve=True,
            note="审定",
            on=LATE,
            document_no="霍脱贫〔2008〕1号",
        ),
    )
    assert error.detail_en == f"write-off 2000.00 of loan {no} exceeds what it owes (1500.00)"
