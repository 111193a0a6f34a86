"""Disasters: the event, loss reports, batch proposals for every affected loan,
and a scenario shaped like the 7·8 hail and 8·13 flood of the county report."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from ledger import errors
from ledger.actors import Actor
from ledger.chart import DISASTER_WRITE_OFFS, LOANS
from ledger.models import (
    Disaster,
    DisasterTownship,
    Entry,
    Extension,
    Journal,
    Loan,
    LoanEvent,
    LoanStatus,
    LossReport,
    ProposalStatus,
    WriteOff,
    WriteOffGround,
)
from ledger.posting import AccountRef
from ledger.read.books import balance, fen_sum, trial_balance
from ledger.read.figures import figures, loan_figures, schedules
from ledger.services import disasters, loans, proposals
from tests.factories import APPROVER, CLERK_ACTOR, committing, make_loan, make_programme

D = Decimal
DOC = "县脱贫办〔2007〕35号"
HAIL, FLOOD = date(2007, 7, 8), date(2007, 8, 13)
TABLES = (Disaster, DisasterTownship, LossReport, WriteOff, Extension, LoanEvent, Journal, Entry)


def snapshot(db) -> dict[str, object]:
    with db.read() as session:
        state: dict[str, object] = {
            m.__name__: session.scalar(select(func.count()).select_from(m)) for m in TABLES
        }
        state["loans"] = session.execute(select(Loan.id, Loan.status).order_by(Loan.id)).all()
    return state


def refused(db, error, call):
    """Run `call(uow)`, expect `error`, and check nothing was written."""
    before = snapshot(db)
    with db.uow() as uow, pytest.raises(error) as info:
        call(uow)
    assert snapshot(db) == before
    return info.value


def record(db, prog, code="0708", townships=None, occurred_on=HAIL, name="7·8风雹灾"):
    with committing(db) as uow:
        return disasters.record_disaster(
            uow,
            CLERK_ACTOR,
            prog.code,
            code=code,
            name=name,
            occurred_on=occurred_on,
            kind="hail" if code == "0708" else "flood",
            townships=list(prog.townships if townships is None else townships),
        )


def loss(db, prog, code, loan, amount, inspector="县农委 刘工"):
    with committing(db) as uow:
        return disasters.record_loss(
            uow,
            CLERK_ACTOR,
            prog.code,
            code,
            loan=loan.registration_no,
            assessed_loss=amount,
            inspector=inspector,
        )


def propose_all(db, prog, code, action, on, **kw):
    with committing(db) as uow:
        return disasters.propose_for_disaster(
            uow, CLERK_ACTOR, prog.code, code, action=action, on=on, reason="灾后核销", **kw
        )


def status_of(db, loan) -> LoanStatus:
    with db.read() as session:
        return session.get_one(Loan, loan.id).status


@contextmanager
def counting(db) -> Iterator[list[str]]:
    """Collect the SQL statements run inside the block."""
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def reads(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith("SELECT")]


# --- the event and its losses ---------------------------------------------


def test_record_disaster_with_its_townships(db):
    prog = make_programme(db)
    hail = record(db, prog)
    assert (hail.code, hail.name, hail.occurred_on, hail.kind, hail.recorded_by) == (
        "0708",
        "7·8风雹灾",
        HAIL,
        "hail",
        CLERK_ACTOR.username,
    )
    with db.read() as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(DisasterTownship)
                .where(DisasterTownship.disaster_id == hail.id)
            )
            == 2
        )


@pytest.mark.parametrize(
    ("changes", "error", "field"),
    [
        ({"code": "0708"}, errors.DuplicateKey, "code"),
        ({"code": "7·8"}, errors.InvalidField, "code"),
        ({"code": "a/b"}, errors.InvalidField, "code"),
        ({"townships": []}, errors.InvalidField, "townships"),
        ({"townships": ["340123001", "340123001"]}, errors.InvalidField, "townships"),
        ({"townships": ["340123001", "340123999"]}, errors.RecordNotFound, "townships"),
        ({"name": ""}, errors.InvalidField, "name"),
        ({"occurred_on": "2007-08-13"}, errors.InvalidField, "occurred_on"),
    ],
)
def test_record_disaster_refusals_name_the_field(db, changes, error, field):
    prog = make_programme(db)
    record(db, prog)
    args = {
        "code": "0813",
        "name": "8·13洪灾",
        "occurred_on": FLOOD,
        "kind": "flood",
        "townships": ["340123001"],
    }
    args.update(changes)
    raised = refused(
        db, error, lambda uow: disasters.record_disaster(uow, CLERK_ACTOR, prog.code, **args)
    )
    assert raised.field == field
    if error is errors.RecordNotFound:
        assert "340123999" in raised.detail_en


def test_a_township_officer_cannot_record_a_disaster(db):
    prog = make_programme(db)
    officer = Actor("officer-a", "township", township_code=prog.townships[0])
    refused(
        db,
        errors.RoleNotAllowed,
        lambda uow: disasters.record_disaster(
            uow,
            officer,
            prog.code,
            code="0708",
            name="7·8风雹灾",
            occurred_on=HAIL,
            kind="hail",
            townships=[prog.townships[0]],
        ),
    )


def test_loss_reports(db):
    prog = make_programme(db)
    record(db, prog, townships=[prog.townships[0]])
    struck = make_loan(db, prog, amount="1000.00")
    spared = make_loan(db, prog, amount="1000.00", township=prog.townships[1])
    pending = make_loan(db, prog, amount="1000.00", stage="contracted")
    report = loss(db, prog, "0708", struck, "4500.00", inspector="太阳乡 农技站")
    assert (report.assessed_loss, report.inspector, report.recorded_by) == (
        D("4500.00"),
        "太阳乡 农技站",
        CLERK_ACTOR.username,
    )

    def report_for(loan, amount="100.00", code="0708"):
        return lambda uow: disasters.record_loss(
            uow,
            CLERK_ACTOR,
            prog.code,
            code,
            loan=loan.registration_no,
            assessed_loss=amount,
            inspector="刘工",
        )

    error = refused(db, errors.InvalidField, report_for(spared))
    assert error.field == "loan" and "not in a township struck" in error.detail_en
    assert refused(db, errors.DuplicateKey, report_for(struck)).field == "loan"
    assert refused(db, errors.RecordNotFound, report_for(struck, code="0999")).field == "disaster"
    refused(db, errors.InvalidTransition, report_for(pending))
    assert refused(db, errors.InvalidAmount, report_for(spared, "-1.00")).field == "assessed_loss"
    # A zero loss is a finding too (inspected, nothing lost).
    other = make_loan(db, prog, amount="1000.00")
    assert loss(db, prog, "0708", other, "0").assessed_loss == D("0.00")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"action": "forgive"}, "action"),
        ({"on": date(2007, 7, 7)}, "date"),
        ({"reason": ""}, "reason"),
        ({"write_off_share": "half"}, "write_off_share"),
        ({"action": "extension", "extension_months": 0}, "extension_months"),
        ({"action": "extension", "extension_months": 37}, "extension_months"),
        ({"action": "extension", "extension_months": "12"}, "extension_months"),
    ],
)
def test_batch_proposal_refusals_name_the_field(db, changes, field):
    prog = make_programme(db)
    record(db, prog)
    loss(db, prog, "0708", make_loan(db, prog), "100.00")
    args = {"action": "write_off", "on": date(2007, 9, 1), "reason": "灾后核销"}
    args.update(changes)
    raised = refused(
        db,
        errors.InvalidField,
        lambda uow: disasters.propose_for_disaster(uow, CLERK_ACTOR, prog.code, "0708", **args),
    )
    assert raised.field == field


def test_a_batch_dated_before_a_loans_disbursement_is_refused_naming_the_loan(db):
    prog = make_programme(db)
    loan = make_loan(db, prog)  # disbursed on 2007-04-10
    record(db, prog, occurred_on=date(2007, 4, 6))
    loss(db, prog, "0708", loan, "100.00")
    raised = refused(
        db,
        errors.DateOutOfOrder,
        lambda uow: disasters.propose_for_disaster(
            uow,
            CLERK_ACTOR,
            prog.code,
            "0708",
            action="write_off",
            on=date(2007, 4, 9),
            reason="灾后核销",
        ),
    )
    assert raised.field == "date"
    assert loan.registration_no in raised.detail_zh and loan.registration_no in raised.detail_en
    assert "2007-04-09" in raised.detail_zh and "2007-04-10" in raised.detail_zh
    (proposed,) = propose_all(db, prog, "0708", "write_off", date(2007, 4, 10))
    assert proposed.amount == D("3000.00")


# --- the report's scenario ------------------------------------------------


def test_hail_and_flood_scenario(db):
    """Twenty households in two townships; the hail strikes both, the flood one.

    Losses are assessed, the hail's are written off (the loss, capped at what
    is owed) in one batch approved with one document, the flood's get
    extensions, and every figure is checked against the book.
    """
    prog = make_programme(db, capital="200000.00", allocate="40000.00")
    t1, t2 = prog.townships
    book = [
        make_loan(db, prog, amount=f"{1000 + 200 * i}.00", township=t1 if i < 10 else t2)
        for i in range(20)
    ]
    disbursed = sum((D(1000 + 200 * i) for i in range(20)), D("0.00"))
    assert disbursed == D("58000.00")
    with committing(db) as uow:  # loan 1 repays a little before the hail
        loans.repay_loan(
            uow, CLERK_ACTOR, prog.code, book[1].registration_no, on=date(2007, 6, 1), amount="500"
        )
    with committing(db) as uow:  # loan 9 repays everything before the hail and closes
        loans.repay_loan(
            uow,
            CLERK_ACTOR,
            prog.code,
            book[9].registration_no,
            on=date(2007, 6, 15),
            amount="2800.00",
        )
    assert status_of(db, book[9]) is LoanStatus.CLOSED

    record(db, prog, "0708", [t1, t2], HAIL, "7·8风雹灾")
    flood_event = record(db, prog, "0813", [t2], FLOOD, "8·13洪灾")
    hail_losses = {
        0: "5000.00",  # more than the loan: the outstanding is written off
        1: "800.00",  # more than the 700.00 still owed
        2: "0",  # inspected, nothing lost
        3: "1000.00",  # has its own extension pending: skipped by the batch
        4: "900.00",
        5: "2000.00",
        6: "1500.00",
        7: "2400.00",
        9: "500.00",  # closed before the hail: reported, nothing to propose
        10: "1000.00",  # struck by both disasters
        11: "3200.00",
        12: "100.00",
        13: "1234.56",
    }
    flood_losses = {10: "1000.00", 14: "2000.00", 15: "4000.00"}
    for index, amount in hail_losses.items():
        loss(db, prog, "0708", book[index], amount)
    for index, amount in flood_losses.items():
        loss(db, prog, "0813", book[index], amount)
    with db.read() as session:
        assert session.scalar(select(fen_sum(LossReport.assessed_loss))) == D("26634.56")

    with committing(db) as uow:
        own = proposals.propose_extension(
            uow,
            CLERK_ACTOR,
            prog.code,
            loan=book[3].registration_no,
            schedule=[(date(2009, 4, 1), "1600.00")],
            reason="大棚毁坏,申请展期",
            disaster="0708",
            on=date(2007, 8, 1),
        )

    # The batch: one call, one transaction, a handful of reads however many loans.
    with counting(db) as statements:
        hail = propose_all(db, prog, "0708", "write_off", date(2007, 9, 1), write_off_share="loss")
    assert len(reads(statements)) <= 10, reads(statements)
    expected = {
        0: "1000.00",
        1: "700.00",
        4: "900.00",
        5: "2000.00",
        6: "1500.00",
        7: "2400.00",
        10: "1000.00",
        11: "3200.00",
        12: "100.00",
        13: "1234.56",
    }
    by_loan = {row.loan_id: row for row in hail}
    assert {i: f"{by_loan[book[i].id].amount:.2f}" for i in expected} == expected
    assert len(hail) == len(expected)
    assert {(r.ground, r.status, r.proposed_by) for r in hail} == {
        (WriteOffGround.DISASTER, ProposalStatus.PROPOSED, CLERK_ACTOR.username)
    }
    total = sum((D(v) for v in expected.values()), D("0.00"))
    assert total == D("14034.56")
    assert "损失核定" in hail[0].evidence
    with db.read() as session:
        pending = proposals.pending_write_offs(session, prog.fund.id)
        listed = proposals.list_write_offs(session, prog.fund.id, status=ProposalStatus.PROPOSED)
        assert [row.id for row in listed] == sorted(row.id for row in hail)
        assert pending == {book[i].registration_no: D(v) for i, v in expected.items()}
        # Pending is not posted: nothing in 5001 yet, the loans still owe everything.
        assert balance(session, prog.fund.id, AccountRef(DISASTER_WRITE_OFFS, "0708")).balance == 0
    # A second run finds every affected loan already pending (or with nothing lost).
    again = propose_all(db, prog, "0708", "write_off", date(2007, 9, 2), write_off_share="loss")
    assert again == []

    with counting(db) as statements, committing(db) as uow:
        decided = proposals.decide_many(
            uow,
            APPROVER,
            prog.code,
            [row.id for row in hail],
            approve=True,
            note="县领导组审定",
            on=date(2007, 9, 10),
            document_no=DOC,
        )
    assert len(reads(statements)) <= 15, reads(statements)
    assert {(r.status, r.document_no) for r in decided} == {(ProposalStatus.APPROVED, DOC)}
    assert len({r.voucher for r in decided}) == len(decided)

    fully = {0, 1, 5, 7, 11}
    with db.read() as session:
        fund_id = prog.fund.id
        assert balance(session, fund_id, AccountRef(DISASTER_WRITE_OFFS, "0708")).balance == total
        assert balance(session, fund_id, AccountRef(DISASTER_WRITE_OFFS, "0813")).balance == 0
        book_figures = figures(session, fund_id)
        assert sum((f.written_off for f in book_figures.values()), D("0.00")) == total
        assert sum((f.repaid for f in book_figures.values()), D("0.00")) == D("3300.00")
        outstanding = disbursed - D("3300.00") - total
        assert sum((f.outstanding for f in book_figures.values()), D("0.00")) == outstanding
        loans_row = next(r for r in trial_balance(session, fund_id).rows if r.code == LOANS)
        assert loans_row.balance == outstanding == D("40665.44")
        assert trial_balance(session, fund_id).totals.balanced
        statuses = {row.id: row.status for row in session.scalars(select(Loan))}
        for index, row in enumerate(book):
            if index in fully:
                assert statuses[row.id] is LoanStatus.WRITTEN_OFF, index
                assert book_figures[row.registration_no].outstanding == 0
            elif index == 9:
                assert statuses[row.id] is LoanStatus.CLOSED
            else:
                assert statuses[row.id] is LoanStatus.DISBURSED, index
        assert book_figures[book[4].registration_no].outstanding == D("900.00")
        assert proposals.pending_write_offs(session, fund_id) == {}
    # Running the hail batch again proposes nothing: each loss is written off already.
    assert (
        propose_all(db, prog, "0708", "write_off", date(2007, 9, 15), write_off_share="loss") == []
    )

    # The flood: extensions, one instalment a year after the proposal.
    flood = propose_all(db, prog, "0813", "extension", date(2007, 9, 15), extension_months=12)
    assert {row.loan_id for row in flood} == {book[i].id for i in (10, 14, 15)}
    by_loan = {row.loan_id: row for row in flood}
    assert by_loan[book[10].id].schedule == [{"due_date": "2008-09-15", "amount": "2000.00"}]
    assert by_loan[book[14].id].schedule == [{"due_date": "2008-09-15", "amount": "3800.00"}]
    with db.read() as session:
        listed = proposals.list_extensions(session, prog.fund.id, disaster_id=flood_event.id)
        assert [row.id for row in listed] == sorted(row.id for row in flood)
        assert len(proposals.list_extensions(session, prog.fund.id)) == 4  # with loan 3's own
    # Pending extensions keep a write-off batch off those loans.
    assert propose_all(db, prog, "0813", "write_off", date(2007, 9, 16)) == []

    with committing(db) as uow:
        proposals.decide_extension(
            uow,
            APPROVER,
            prog.code,
            by_loan[book[14].id].id,
            approve=True,
            note="同意展期一年",
            on=date(2007, 9, 20),
        )
    with db.read() as session:
        extended, waiting = book[14], book[15]
        current = schedules(session, [extended.id, waiting.id])
        settled = {row.id: loan_figures(session, row).settled for row in (extended, waiting)}
        # The old schedule would be 30 days overdue on 2008-05-01; the new one is not due.
        assert current[extended.id].overdue(settled[extended.id], date(2008, 5, 1)) == (
            0,
            D("0.00"),
        )
        assert current[extended.id].overdue(settled[extended.id], date(2008, 9, 25)) == (
            10,
            D("3800.00"),
        )
        # The flood loan still waiting for its decision is overdue on its old schedule.
        assert current[waiting.id].overdue(settled[waiting.id], date(2008, 5, 1)) == (
            30,
            D("1333.33"),
        )
        assert session.get_one(Loan, extended.id).status is LoanStatus.DISBURSED
        actions = session.scalars(
            select(LoanEvent.action).where(LoanEvent.loan_id == extended.id).order_by(LoanEvent.id)
        ).all()
        assert actions[-2:] == ["extension_proposed", "extended"]
        assert session.get_one(Extension, own.id).status is ProposalStatus.PROPOSED


@pytest.mark.slow
def test_82_households_are_proposed_and_approved_in_well_under_a_second(db):
    prog = make_programme(db, capital="500000.00", allocate="200000.00")
    book = [
        make_loan(db, prog, amount="2000.00", township=prog.townships[i % 2]) for i in range(82)
    ]
    record(db, prog)
    for row in book:
        loss(db, prog, "0708", row, "4268.29")
    started = time.perf_counter()
    with counting(db) as s1:
        created = propose_all(db, prog, "0708", "write_off", date(2007, 9, 1))
    proposed = time.perf_counter() - started
    started = time.perf_counter()
    with counting(db) as s2, committing(db) as uow:
        proposals.decide_many(
            uow,
            APPROVER,
            prog.code,
            [row.id for row in created],
            approve=True,
            note="",
            on=date(2007, 9, 10),
            document_no=DOC,
        )
    decided = time.perf_counter() - started
    assert len(created) == 82
    # No per-loan reads (N+1): the reads are the same handful as for one loan.
    assert len(reads(s1)) <= 10 and len(reads(s2)) <= 15, (reads(s1), reads(s2))
    assert proposed < 1.0 and decided < 1.0, (proposed, decided)
    with db.read() as session:
        assert balance(session, prog.fund.id, AccountRef(DISASTER_WRITE_OFFS, "0708")).balance == D(
            "164000.00"
        )
        assert (
            session.scalar(
                select(func.count())
                .select_from(Loan)
                .where(Loan.fund_id == prog.fund.id, Loan.status == LoanStatus.WRITTEN_OFF)
            )
            == 82
        )
