"""借款人对账单: numbers, amounts in 大写, schedule, movements; long names wrap."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from ledger.models import GuaranteeCall, Loan
from ledger.money import daxie, fmt
from ledger.read.fund import township_statement
from ledger.read.loans import loan_statement
from ledger.schedule import make_schedule
from ledger.services import loans, proposals, setup
from reports.loan_statement import render_loan_statement
from reports.township_statement import render_township_statement
from tests.factories import (
    APPROVER,
    CLERK_ACTOR,
    Programme,
    committing,
    make_id_number,
    make_programme,
)
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
    with committing(db) as uow:
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
    with committing(db) as uow:
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
        with committing(db) as uow:
            step(uow, CLERK_ACTOR, prog.code, no, **arguments)
    return no


def test_household_statement(db):
    prog = make_programme(db)
    no = lend(db, prog, name="欧阳明珠", village=VILLAGE, project=PROJECT, amount="4500.00")
    with committing(db) as uow:
        loans.repay_loan(uow, CLERK_ACTOR, prog.code, no, on=date(2008, 3, 1), amount="1000.00")
    with db.read() as session:
        data = loan_statement(session, CLERK, prog.code, no, as_of=date(2009, 6, 30))
    document = render_loan_statement(data, generated_at=GENERATED)
    text, flat = pdf.text(document), pdf.squeezed(document)
    row = data.view
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
    assert [i.label for i in data.view.schedule] == ["部分已还、逾期", "逾期", "未到期"]
    assert all(label in text for label in ("部分已还、逾期", "未到期"))
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
        data = township_statement(session, CLERK, prog.code, prog.townships[0])
    document = render_township_statement(data, generated_at=GENERATED)
    flat = pdf.squeezed(document)
    assert no in flat and VILLAGE in flat and PROJECT in flat
    # Wrapped: the village name is spread over several lines of its cell.
    assert VILLAGE not in pdf.text(document)


def test_the_schedule_shows_written_off_apart_from_repaid(db):
    """Repaid 1,500, then 1,500 written off, then the history in business-date order."""
    prog = make_programme(db)
    no = lend(db, prog, name="欧阳明珠", village="黄檀树村", project="养猪", amount="3000.00")
    with committing(db) as uow:
        loans.repay_loan(uow, CLERK_ACTOR, prog.code, no, on=date(2008, 3, 1), amount="1500.00")
    with committing(db) as uow:
        row = proposals.propose_write_off(
            uow,
            CLERK_ACTOR,
            prog.code,
            loan=no,
            amount="1500.00",
            ground="death",
            reason="借款人病故",
            on=date(2008, 2, 1),
        )
    with committing(db) as uow:
        proposals.decide_write_off(
            uow,
            APPROVER,
            prog.code,
            row.id,
            approve=True,
            note="同意",
            on=date(2008, 5, 1),
            document_no="县财字〔2008〕1号",
        )
    with db.read() as session:
        data = loan_statement(session, CLERK, prog.code, no)
    text = pdf.text(render_loan_statement(data, generated_at=GENERATED))
    assert [i.label for i in data.view.schedule] == ["已还", "部分已还、部分核销", "已核销"]
    # Each row: due, repaid, called, written off, left, state; then the 合计 row.
    for cells in (
        ["2009-04-01", "1,000.00", "500.00", "0.00", "500.00", "0.00", "部分已还、部分核销"],
        ["2010-04-01", "1,000.00", "0.00", "0.00", "1,000.00", "0.00", "已核销"],
        ["合计", "3,000.00", "1,500.00", "0.00", "1,500.00", "0.00"],
    ):
        assert "\n".join(cells) in text
    # The proposal, dated before the repayment, is listed before it.
    assert [e.action for e in data.view.history][-3:] == [
        "write_off_proposed",
        "repaid",
        "write_off_approved",
    ]


@pytest.mark.slow
def test_statement_of_a_called_loan(demo):
    """The demo's guarantee call: the liaison answers for part, the household owes the rest."""
    with demo.db.read() as session:
        loan_id, amount = session.execute(select(GuaranteeCall.loan_id, GuaranteeCall.amount)).one()
        no = session.scalar(select(Loan.registration_no).where(Loan.id == loan_id))
        data = loan_statement(session, CLERK, demo.code, no, as_of=date(2008, 12, 31))
    document = render_loan_statement(data, generated_at=GENERATED)
    text = pdf.text(document)
    assert data.view.figures.guarantee_called == amount
    assert "担保代偿" in text and fmt(amount) in text
    assert "人民币" + daxie(amount) in pdf.squeezed(document)
    assert data.liaison is not None and data.liaison in text
