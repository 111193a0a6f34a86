"""借款人对账单: numbers, amounts in 大写, schedule, movements; long names wrap."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from ledger.models import GuaranteeCall, Loan
from ledger.money import daxie, fmt
from ledger.reportdata import loan_statement, township_statement
from ledger.schedule import make_schedule
from ledger.services import loans, setup
from reports.loan_statement import render_loan_statement
from reports.township_statement import render_township_statement
from tests.factories import CLERK_ACTOR, Programme, make_id_number, make_programme
from tests.reports import pdf
from tests.reports.conftest import CLERK, GENERATED

D = Decimal
VILLAGE = (
    "大别山革命老区金寨县花石乡大湾村第十七村民组东山坡下老茶园旁新建移民安置点"
    "易地扶贫搬迁集中安置区"
)
PROJECT = "林下养殖土鸡三百羽、套种天麻二亩并配套建设冷链保鲜库及电商直播销售点(合作社统一收购)"


def lend(db, prog: Programme, *, name: str, village: str, project: str, amount: str) -> str:
    """A household and its loan, registered, approved, contracted and disbursed."""
    town = prog.townships[0]
    with db.uow() as uow:
        person = setup.add_household(
            uow,
            CLERK_ACTOR,
            prog.code,
            name=name,
            id_number=make_id_number(),
            township=town,
            village=village,
            party_member=True,
        ).id
    with db.uow() as uow:
        no = loans.register_loan(
            uow,
            CLERK_ACTOR,
            prog.code,
            household=person,
            batch=prog.batch,
            project_type=prog.project_type,
            project=project,
            requested_amount=amount,
            on=date(2007, 4, 2),
        ).registration_no
    schedule = make_schedule(D(amount), first_due=date(2008, 4, 1), count=3)
    steps = [
        (loans.verify_loan, {"visited_on": date(2007, 4, 5), "visitor": "县办", "eligible": True}),
        (
            loans.approve_loan,
            {
                "approved_amount": amount,
                "schedule": [(d.due_date, d.amount) for d in schedule],
                "on": date(2007, 4, 8),
            },
        ),
        (
            loans.sign_contract,
            {
                "contract_no": no,
                "iou_no": no,
                "liaison": prog.liaisons[town],
                "technical_lead": "农技站 张工",
                "signed_on": date(2007, 4, 9),
            },
        ),
        (loans.disburse_loan, {"on": date(2007, 4, 10), "amount": amount}),
    ]
    for step, arguments in steps:
        with db.uow() as uow:
            step(uow, CLERK_ACTOR, prog.code, no, **arguments)
    return no


def test_household_statement(db):
    prog = make_programme(db)
    no = lend(db, prog, name="欧阳明珠", village=VILLAGE, project=PROJECT, amount="4500.00")
    with db.uow() as uow:
        loans.repay_loan(uow, CLERK_ACTOR, prog.code, no, on=date(2008, 3, 1), amount="1000.00")
    with db.read() as session:
        data = loan_statement(session, prog.code, no, CLERK, as_of=date(2009, 6, 30))
    document = render_loan_statement(data, generated_at=GENERATED)
    text, flat = pdf.text(document), pdf.squeezed(document)
    row = data.view.row
    assert row.outstanding == D("3500.00")
    # Three lines, amounts in figures and in 大写.
    assert text.count(no) >= 4 and "三线合一" in text
    assert "4,500.00" in text and "人民币" + daxie(row.approved) in flat
    assert fmt(row.outstanding) in text and "人民币" + daxie(row.outstanding) in flat
    # The schedule with what is paid of each instalment, oldest first.
    assert [(i.paid, i.settled) for i in data.view.schedule] == [
        (D("1000.00"), False),
        (D("0.00"), False),
        (D("0.00"), False),
    ]
    assert "部分归还,逾期" in text and "逾期未还" in text and "未到期" in text
    assert f"逾期 {row.overdue_days:,} 天" in text
    # Movements of 1101/<no>: the disbursement, then the repayment, with a running balance.
    assert [m.kind for m in data.movements] == ["disbursement", "repayment"]
    assert data.movements[-1].balance == row.outstanding
    # The long village and project names wrap inside their cells and are all there.
    assert VILLAGE in flat and PROJECT in flat
    pdf.assert_numbered(document)
    pdf.assert_embedded(document)


def test_long_names_wrap_in_the_township_listing(db):
    prog = make_programme(db)
    no = lend(db, prog, name="司马长风", village=VILLAGE, project=PROJECT, amount="2000.00")
    with db.read() as session:
        data = township_statement(session, prog.code, prog.townships[0], CLERK)
    document = render_township_statement(data, generated_at=GENERATED)
    flat = pdf.squeezed(document)
    assert no in flat and VILLAGE in flat and PROJECT in flat
    # Wrapped: the village name is spread over several lines of its cell.
    assert VILLAGE not in pdf.text(document)


@pytest.mark.slow
def test_statement_of_a_called_loan(demo):
    """The demo's guarantee call: the liaison answers for part, the household owes the rest."""
    with demo.db.read() as session:
        loan_id, amount = session.execute(select(GuaranteeCall.loan_id, GuaranteeCall.amount)).one()
        no = session.scalar(select(Loan.registration_no).where(Loan.id == loan_id))
        data = loan_statement(session, demo.code, no, CLERK, as_of=date(2008, 12, 31))
    document = render_loan_statement(data, generated_at=GENERATED)
    text = pdf.text(document)
    assert data.view.row.figures.guarantee_called == amount
    assert "担保代偿" in text and fmt(amount) in text
    assert "人民币" + daxie(amount) in pdf.squeezed(document)
    assert data.liaison is not None and data.liaison in text
