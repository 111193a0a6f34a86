"""Write-offs, extensions and project changes decided by a second person, and
recoveries of written-off loans: every figure, every refusal, nothing written
on refusal."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from ledger import errors
from ledger.actors import Actor
from ledger.chart import DISASTER_WRITE_OFFS, OTHER_WRITE_OFFS, RECOVERIES
from ledger.journal_templates import loan_account, township_funds
from ledger.models import (
    Entry,
    Extension,
    Instalment,
    Journal,
    LiaisonAssignment,
    Loan,
    LoanEvent,
    LoanStatus,
    ProjectChange,
    ProjectType,
    ProposalStatus,
    ScheduleVersion,
    WriteOff,
    WriteOffGround,
)
from ledger.posting import AccountRef
from ledger.read.books import balance, trial_balance
from ledger.read.figures import loan_figures, schedules
from ledger.services import disasters, loans, proposals, setup
from tests.factories import ADMIN, APPROVER, CLERK_ACTOR, committing, make_loan, make_programme

D = Decimal
DOC = "县脱贫办〔2007〕12号"
OTHER_APPROVER = Actor("approver-2", "approver")
TABLES = (
    Journal,
    Entry,
    LoanEvent,
    WriteOff,
    Extension,
    ProjectChange,
    ScheduleVersion,
    Instalment,
)


def snapshot(db) -> dict[str, object]:
    """Row counts, plus every proposal's and loan's state (a refused decision changes none)."""
    with db.read() as session:
        state: dict[str, object] = {
            m.__name__: session.scalar(select(func.count()).select_from(m)) for m in TABLES
        }
        for model in (WriteOff, Extension, ProjectChange):
            state[f"{model.__name__}.status"] = session.execute(
                select(model.id, model.status, model.decided_by).order_by(model.id)
            ).all()
        state["loans"] = session.execute(
            select(Loan.id, Loan.status, Loan.project_type_id, Loan.project).order_by(Loan.id)
        ).all()
    return state


def refused(db, error, call):
    """Run `call(uow)`, expect `error`, and check nothing was written."""
    before = snapshot(db)
    with db.uow() as uow, pytest.raises(error) as info:
        call(uow)
    assert snapshot(db) == before
    return info.value


def bal(db, prog, ref: AccountRef, as_of: date | None = None) -> Decimal:
    with db.read() as session:
        return balance(session, prog.fund.id, ref, as_of).balance


def figures_of(db, loan: Loan, as_of: date | None = None):
    with db.read() as session:
        return loan_figures(session, loan, as_of)


def status_of(db, loan: Loan) -> LoanStatus:
    with db.read() as session:
        return session.get_one(Loan, loan.id).status


def history(db, loan: Loan) -> list[str]:
    with db.read() as session:
        return list(
            session.scalars(
                select(LoanEvent.action).where(LoanEvent.loan_id == loan.id).order_by(LoanEvent.id)
            )
        )


def propose_wo(db, prog, loan, amount, *, ground="death", actor=CLERK_ACTOR, **kwargs):
    args = {"reason": "借款人病故,家无财产", "evidence": "死亡证明", "on": date(2007, 9, 1)}
    args.update(kwargs)
    with committing(db) as uow:
        return proposals.propose_write_off(
            uow, actor, prog.code, loan=loan.registration_no, amount=amount, ground=ground, **args
        )


def decide_wo(db, prog, row_id, *, approve=True, on=date(2007, 9, 10), actor=APPROVER, **kw):
    args = {"note": "同意" if approve else "证据不足", "document_no": DOC if approve else None}
    args.update(kw)
    with committing(db) as uow:
        return proposals.decide_write_off(
            uow, actor, prog.code, row_id, approve=approve, on=on, **args
        )


def repay(db, prog, loan, amount, on):
    with committing(db) as uow:
        loans.repay_loan(uow, CLERK_ACTOR, prog.code, loan.registration_no, on=on, amount=amount)


def make_disaster(db, prog, code="0708", townships=None, occurred_on=date(2007, 7, 8)):
    with committing(db) as uow:
        return disasters.record_disaster(
            uow,
            CLERK_ACTOR,
            prog.code,
            code=code,
            name="7·8风雹灾",
            occurred_on=occurred_on,
            kind="hail",
            townships=list(townships or prog.townships[:1]),
        )


OTHER_WO = AccountRef(OTHER_WRITE_OFFS)


# --- write-offs -----------------------------------------------------------


def test_write_off_is_pending_until_approved_then_posts_and_writes_the_loan_off(db):
    prog = make_programme(db)
    loan = make_loan(db, prog, amount="3000.00")
    repay(db, prog, loan, "1000.00", date(2007, 8, 1))
    row = propose_wo(db, prog, loan, "2000.00")
    assert (row.status, row.ground, row.proposed_by) == (
        ProposalStatus.PROPOSED,
        WriteOffGround.DEATH,
        CLERK_ACTOR.username,
    )
    # Pending: nothing posted, the outstanding is unchanged, the report column shows it.
    assert figures_of(db, loan).outstanding == D("2000.00")
    assert bal(db, prog, OTHER_WO) == D("0.00")
    with db.read() as session:
        assert proposals.pending_write_offs(session, prog.fund.id) == {
            loan.registration_no: D("2000.00")
        }
        assert proposals.pending_write_offs(session, prog.fund.id, date(2007, 8, 31)) == {}
        assert proposals.pending_write_offs(session, prog.fund.id, date(2007, 9, 1)) == {
            loan.registration_no: D("2000.00")
        }

    decided = decide_wo(db, prog, row.id)
    assert decided.status is ProposalStatus.APPROVED
    assert (decided.decided_by, decided.decided_on, decided.document_no) == (
        APPROVER.username,
        date(2007, 9, 10),
        DOC,
    )
    assert decided.voucher == "记-2007-09-0001"
    assert bal(db, prog, OTHER_WO) == D("2000.00")
    assert bal(db, prog, loan_account(loan.registration_no)) == D("0.00")
    now = figures_of(db, loan)
    assert (now.disbursed, now.repaid, now.written_off, now.outstanding) == (
        D("3000.00"),
        D("1000.00"),
        D("2000.00"),
        D("0.00"),
    )
    assert status_of(db, loan) is LoanStatus.WRITTEN_OFF
    with db.read() as session:
        assert proposals.pending_write_offs(session, prog.fund.id) == {}
        # As of a day between proposal and decision it was still pending.
        assert proposals.pending_write_offs(session, prog.fund.id, date(2007, 9, 9)) == {
            loan.registration_no: D("2000.00")
        }
        assert proposals.pending_write_offs(session, prog.fund.id, date(2007, 9, 10)) == {}
        # 账销案存: the loan row and its liaison assignment stay.
        assert (
            session.scalar(
                select(LiaisonAssignment.liaison_id).where(LiaisonAssignment.loan_id == loan.id)
            )
            == prog.liaisons[prog.townships[0]]
        )
        assert trial_balance(session, prog.fund.id).totals.balanced
        event = session.scalars(
            select(LoanEvent).where(LoanEvent.loan_id == loan.id).order_by(LoanEvent.id.desc())
        ).first()
        assert (event.action, event.from_status, event.to_status, event.voucher) == (
            "write_off_approved",
            "disbursed",
            "written_off",
            "记-2007-09-0001",
        )
        assert DOC in event.note
    assert history(db, loan)[-3:] == ["repaid", "write_off_proposed", "write_off_approved"]


def test_partial_disaster_write_off_posts_to_5001_and_settles_the_oldest_instalment(db):
    prog = make_programme(db)
    loan = make_loan(db, prog, amount="3000.00", instalments=3)
    make_disaster(db, prog)
    row = propose_wo(db, prog, loan, "1000.00", ground="disaster", disaster="0708")
    decide_wo(db, prog, row.id)
    assert bal(db, prog, AccountRef(DISASTER_WRITE_OFFS, "0708")) == D("1000.00")
    assert bal(db, prog, OTHER_WO) == D("0.00")
    assert bal(db, prog, loan_account(loan.registration_no)) == D("2000.00")
    assert status_of(db, loan) is LoanStatus.DISBURSED
    with db.read() as session:
        entries = session.execute(
            select(Entry.ref_disaster, Entry.ref_loan)
            .join(Journal)
            .where(Journal.kind == "write_off", Journal.fund_id == prog.fund.id)
        ).all()
        assert set(entries) == {("0708", loan.registration_no)}
        schedule = schedules(session, [loan.id])[loan.id]
        settled = loan_figures(session, loan).settled
        # The write-off settled the first instalment (due 2008-04-01): nothing overdue then.
        assert schedule.overdue(settled, date(2008, 5, 1)) == (0, D("0.00"))
        assert schedule.overdue(settled, date(2009, 4, 2)) == (1, D("1000.00"))


def test_rejection_returns_the_amount_to_outstanding(db):
    prog = make_programme(db)
    loan = make_loan(db, prog, amount="3000.00")
    row = propose_wo(db, prog, loan, "3000.00")
    rejected = decide_wo(db, prog, row.id, approve=False, note="死亡证明不全")
    assert rejected.status is ProposalStatus.REJECTED
    assert (rejected.voucher, rejected.decision_note) == (None, "死亡证明不全")
    assert figures_of(db, loan).outstanding == D("3000.00")
    assert status_of(db, loan) is LoanStatus.DISBURSED
    with db.read() as session:
        assert proposals.pending_write_offs(session, prog.fund.id) == {}
        assert (
            session.scalar(
                select(func.count())
                .select_from(Journal)
                .where(Journal.fund_id == prog.fund.id, Journal.kind == "write_off")
            )
            == 0
        )
    # The whole amount may be proposed again.
    again = propose_wo(db, prog, loan, "3000.00")
    assert again.status is ProposalStatus.PROPOSED
    assert history(db, loan)[-3:] == [
        "write_off_proposed",
        "write_off_rejected",
        "write_off_proposed",
    ]


def test_rejection_needs_a_note(db):
    prog = make_programme(db)
    loan = make_loan(db, prog)
    row = propose_wo(db, prog, loan, "100.00")
    error = refused(
        db,
        errors.InvalidField,
        lambda uow: proposals.decide_write_off(
            uow, APPROVER, prog.code, row.id, approve=False, note="", on=date(2007, 9, 10)
        ),
    )
    assert error.field == "note"


def test_self_approval_is_refused(db):
    prog = make_programme(db)
    loan = make_loan(db, prog)
    row = propose_wo(db, prog, loan, "100.00", actor=APPROVER)
    error = refused(
        db,
        errors.MakerIsChecker,
        lambda uow: proposals.decide_write_off(
            uow,
            APPROVER,
            prog.code,
            row.id,
            approve=True,
            note="",
            on=date(2007, 9, 10),
            document_no=DOC,
        ),
    )
    assert isinstance(error, errors.NotPermitted)
    # Another approver may.
    assert decide_wo(db, prog, row.id, actor=OTHER_APPROVER).status is ProposalStatus.APPROVED


@pytest.mark.parametrize("role", ["clerk", "township", "leader", "admin"])
def test_only_an_approver_decides(db, role):
    prog = make_programme(db)
    loan = make_loan(db, prog)
    row = propose_wo(db, prog, loan, "100.00")
    someone = Actor("someone", role, township_code=prog.townships[0])
    refused(
        db,
        errors.RoleNotAllowed,
        lambda uow: proposals.decide_write_off(
            uow,
            someone,
            prog.code,
            row.id,
            approve=True,
            note="",
            on=date(2007, 9, 10),
            document_no=DOC,
        ),
    )


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("clerk", True),
        ("approver", True),
        ("township", False),
        ("leader", False),
        ("admin", False),
    ],
)
def test_who_may_propose(db, role, allowed):
    prog = make_programme(db)
    loan = make_loan(db, prog)
    someone = Actor("someone", role, township_code=prog.townships[0])
    if allowed:
        assert propose_wo(db, prog, loan, "100.00", actor=someone).proposed_by == "someone"
    else:
        refused(
            db,
            errors.RoleNotAllowed,
            lambda uow: proposals.propose_write_off(
                uow,
                someone,
                prog.code,
                loan=loan.registration_no,
                amount="100.00",
                ground="death",
                reason="",
                on=date(2007, 9, 1),
            ),
        )


def test_deciding_twice_is_refused(db):
    prog = make_programme(db)
    loan = make_loan(db, prog)
    row = propose_wo(db, prog, loan, "100.00")
    decide_wo(db, prog, row.id)
    for approve in (True, False):
        error = refused(
            db,
            errors.InvalidTransition,
            lambda uow, approve=approve: proposals.decide_write_off(
                uow,
                OTHER_APPROVER,
                prog.code,
                row.id,
                approve=approve,
                note="再审",
                on=date(2007, 9, 11),
                document_no=DOC,
            ),
        )
        assert "approved" in error.detail_en


def test_write_off_over_outstanding_counting_pending_ones_is_refused(db):
    prog = make_programme(db)
    loan = make_loan(db, prog, amount="3000.00")
    refused(
        db,
        errors.OverLimit,
        lambda uow: proposals.propose_write_off(
            uow,
            CLERK_ACTOR,
            prog.code,
            loan=loan.registration_no,
            amount="3000.01",
            ground="death",
            reason="",
            on=date(2007, 9, 1),
        ),
    )
    propose_wo(db, prog, loan, "2000.00")
    error = refused(
        db,
        errors.OverLimit,
        lambda uow: proposals.propose_write_off(
            uow,
            CLERK_ACTOR,
            prog.code,
            loan=loan.registration_no,
            amount="1000.01",
            ground="policy",
            reason="",
            on=date(2007, 9, 2),
        ),
    )
    assert error.field == "amount"
    assert "1,000.00" in error.detail_zh and "2,000.00" in error.detail_zh
    assert "pending write-offs 2000.00" in error.detail_en
    # Exactly the rest is fine.
    propose_wo(db, prog, loan, "1000.00", ground="policy")


def test_approval_rechecks_the_outstanding(db):
    prog = make_programme(db)
    loan = make_loan(db, prog, amount="3000.00")
    row = propose_wo(db, prog, loan, "3000.00")
    repay(db, prog, loan, "500.00", date(2007, 9, 5))
    error = refused(
        db,
        errors.OverLimit,
        lambda uow: proposals.decide_write_off(
            uow,
            APPROVER,
            prog.code,
            row.id,
            approve=True,
            note="",
            on=date(2007, 9, 10),
            document_no=DOC,
        ),
    )
    assert "2,500.00" in error.detail_zh
    # It can still be rejected, and a smaller one proposed and approved.
    decide_wo(db, prog, row.id, approve=False, note="已部分还款")
    smaller = propose_wo(db, prog, loan, "2500.00", on=date(2007, 9, 11))
    decide_wo(db, prog, smaller.id, on=date(2007, 9, 12))
    assert status_of(db, loan) is LoanStatus.WRITTEN_OFF
    assert bal(db, prog, OTHER_WO) == D("2500.00")


@pytest.mark.parametrize(
    ("changes", "error", "field"),
    [
        ({"ground": "flood"}, errors.InvalidField, "ground"),
        ({"ground": "disaster"}, errors.InvalidField, "disaster"),
        ({"ground": "disaster", "disaster": "nope"}, errors.RecordNotFound, "disaster"),
        ({"ground": "death", "disaster": "0708"}, errors.InvalidField, "disaster"),
        ({"ground": "other", "reason": "  "}, errors.InvalidField, "reason"),
        ({"amount": "0"}, errors.InvalidAmount, "amount"),
        ({"amount": 12.5}, errors.InvalidAmount, "amount"),
        ({"amount": "1.001"}, errors.InvalidAmount, "amount"),
        ({"loan": "1-340123001-9999"}, errors.RecordNotFound, "loan"),
        ({"on": "2007-09-01"}, errors.InvalidField, "date"),
        (
            {"ground": "disaster", "disaster": "0708", "on": date(2007, 7, 1)},
            errors.InvalidField,
            "date",
        ),
    ],
)
def test_write_off_proposal_refusals_name_the_field(db, changes, error, field):
    prog = make_programme(db)
    loan = make_loan(db, prog)
    make_disaster(db, prog)
    args = {
        "loan": loan.registration_no,
        "amount": "100.00",
        "ground": "death",
        "reason": "x",
        "on": date(2007, 9, 1),
    }
    args.update(changes)
    raised = refused(
        db, error, lambda uow: proposals.propose_write_off(uow, CLERK_ACTOR, prog.code, **args)
    )
    assert raised.field == field


def test_disaster_write_off_only_for_a_struck_township(db):
    prog = make_programme(db)
    loan = make_loan(db, prog, township=prog.townships[1])
    make_disaster(db, prog, townships=[prog.townships[0]])
    error = refused(
        db,
        errors.InvalidField,
        lambda uow: proposals.propose_write_off(
            uow,
            CLERK_ACTOR,
            prog.code,
            loan=loan.registration_no,
            amount="100.00",
            ground="disaster",
            reason="",
            disaster="0708",
            on=date(2007, 9, 1),
        ),
    )
    assert error.field == "disaster"


def test_write_off_needs_a_disbursed_loan(db):
    prog = make_programme(db)
    loan = make_loan(db, prog, stage="contracted")
    refused(
        db,
        errors.InvalidTransition,
        lambda uow: proposals.propose_write_off(
            uow,
            CLERK_ACTOR,
            prog.code,
            loan=loan.registration_no,
            amount="100.00",
            ground="death",
            reason="",
            on=date(2007, 9, 1),
        ),
    )


@pytest.mark.parametrize(
    ("changes", "error", "field"),
    [
        ({"document_no": None}, errors.InvalidField, "document_no"),
        ({"document_no": "  "}, errors.InvalidField, "document_no"),
        ({"on": date(2007, 8, 31)}, errors.InvalidField, "date"),
        ({"approve": "yes"}, errors.InvalidField, "approve"),
        ({"write_off_id": 999999}, errors.RecordNotFound, "write_off_id"),
        ({"write_off_id": "1"}, errors.InvalidField, "write_off_id"),
    ],
)
def test_write_off_decision_refusals_name_the_field(db, changes, error, field):
    prog = make_programme(db)
    loan = make_loan(db, prog)
    row = propose_wo(db, prog, loan, "100.00")
    args = {
        "write_off_id": row.id,
        "approve": True,
        "note": "",
        "on": date(2007, 9, 10),
        "document_no": DOC,
    }
    args.update(changes)
    write_off_id = args.pop("write_off_id")
    raised = refused(
        db,
        error,
        lambda uow: proposals.decide_write_off(uow, APPROVER, prog.code, write_off_id, **args),
    )
    assert raised.field == field


def test_write_off_of_another_fund_is_not_found(db):
    prog = make_programme(db)
    other = make_programme(db)
    loan = make_loan(db, prog)
    row = propose_wo(db, prog, loan, "100.00")
    refused(
        db,
        errors.RecordNotFound,
        lambda uow: proposals.decide_write_off(
            uow,
            APPROVER,
            other.code,
            row.id,
            approve=True,
            note="",
            on=date(2007, 9, 10),
            document_no=DOC,
        ),
    )


def test_decide_many_approves_a_batch_with_one_document(db):
    prog = make_programme(db)
    first = make_loan(db, prog, amount="3000.00")
    second = make_loan(db, prog, amount="2000.00")
    make_disaster(db, prog)
    rows = [
        propose_wo(db, prog, first, "1000.00", ground="disaster", disaster="0708"),
        propose_wo(db, prog, first, "2000.00", ground="disaster", disaster="0708"),
        propose_wo(db, prog, second, "500.00", ground="policy", reason="征地"),
    ]
    with committing(db) as uow:
        decided = proposals.decide_many(
            uow,
            APPROVER,
            prog.code,
            [r.id for r in rows],
            approve=True,
            note="县领导组会议同意",
            on=date(2007, 9, 10),
            document_no=DOC,
        )
    assert [r.voucher for r in decided] == [f"记-2007-09-000{i}" for i in (1, 2, 3)]
    assert {r.status for r in decided} == {ProposalStatus.APPROVED}
    assert bal(db, prog, AccountRef(DISASTER_WRITE_OFFS, "0708")) == D("3000.00")
    assert bal(db, prog, OTHER_WO) == D("500.00")
    assert status_of(db, first) is LoanStatus.WRITTEN_OFF
    assert status_of(db, second) is LoanStatus.DISBURSED
    assert figures_of(db, second).outstanding == D("1500.00")
    assert history(db, first)[-2:] == ["write_off_approved", "write_off_approved"]


def test_decide_many_is_all_or_nothing(db):
    prog = make_programme(db)
    first = make_loan(db, prog, amount="3000.00")
    second = make_loan(db, prog, amount="2000.00")
    ok = propose_wo(db, prog, first, "3000.00")
    stale = propose_wo(db, prog, second, "2000.00")
    repay(db, prog, second, "1.00", date(2007, 9, 5))
    error = refused(
        db,
        errors.OverLimit,
        lambda uow: proposals.decide_many(
            uow,
            APPROVER,
            prog.code,
            [ok.id, stale.id],
            approve=True,
            note="",
            on=date(2007, 9, 10),
            document_no=DOC,
        ),
    )
    assert second.registration_no in error.detail_en
    third = make_loan(db, prog, amount="1000.00")
    own = propose_wo(db, prog, third, "1.00", actor=APPROVER)
    refused(
        db,
        errors.MakerIsChecker,
        lambda uow: proposals.decide_many(
            uow,
            APPROVER,
            prog.code,
            [ok.id, own.id],
            approve=True,
            note="",
            on=date(2007, 9, 10),
            document_no=DOC,
        ),
    )
    for ids, field in (([], "ids"), ([ok.id, ok.id], "ids[1]")):
        raised = refused(
            db,
            errors.InvalidField,
            lambda uow, ids=ids: proposals.decide_many(
                uow,
                APPROVER,
                prog.code,
                ids,
                approve=True,
                note="",
                on=date(2007, 9, 10),
                document_no=DOC,
            ),
        )
        assert raised.field == field


def test_decide_many_rejects_a_batch(db):
    prog = make_programme(db)
    loans_ = [make_loan(db, prog) for _ in range(3)]
    rows = [propose_wo(db, prog, loan, "100.00") for loan in loans_]
    with committing(db) as uow:
        decided = proposals.decide_many(
            uow,
            APPROVER,
            prog.code,
            [r.id for r in rows],
            approve=False,
            note="材料不全,退回",
            on=date(2007, 9, 10),
        )
    assert {r.status for r in decided} == {ProposalStatus.REJECTED}
    with db.read() as session:
        assert proposals.pending_write_offs(session, prog.fund.id) == {}


# --- extensions -----------------------------------------------------------


def propose_ext(db, prog, loan, schedule, *, on=date(2008, 6, 1), actor=CLERK_ACTOR, **kw):
    with committing(db) as uow:
        return proposals.propose_extension(
            uow,
            actor,
            prog.code,
            loan=loan.registration_no,
            schedule=schedule,
            reason=kw.pop("reason", "大棚受灾,无力按期还款"),
            on=on,
            **kw,
        )


def decide_ext(
    db, prog, row_id, *, approve=True, on=date(2008, 6, 10), actor=APPROVER, note="同意"
):
    with committing(db) as uow:
        return proposals.decide_extension(
            uow, actor, prog.code, row_id, approve=approve, note=note, on=on
        )


def test_extension_adds_a_schedule_and_overdue_counts_from_the_new_due_date(db):
    prog = make_programme(db)
    loan = make_loan(db, prog, amount="3000.00", instalments=3)  # due 2008/09/10-04-01
    with db.read() as session:
        settled = loan_figures(session, loan).settled
        assert schedules(session, [loan.id])[loan.id].overdue(settled, date(2008, 6, 1)) == (
            61,
            D("1000.00"),
        )
    new = [(date(2009, 6, 1), "1500.00"), (date(2010, 6, 1), "1500.00")]
    row = propose_ext(db, prog, loan, new)
    assert row.schedule == [
        {"due_date": "2009-06-01", "amount": "1500.00"},
        {"due_date": "2010-06-01", "amount": "1500.00"},
    ]
    assert row.status is ProposalStatus.PROPOSED
    decided = decide_ext(db, prog, row.id)
    assert decided.status is ProposalStatus.APPROVED and decided.decided_by == APPROVER.username
    assert status_of(db, loan) is LoanStatus.DISBURSED
    with db.read() as session:
        version = session.get_one(ScheduleVersion, (loan.id, 2))
        assert (version.effective_on, version.principal, version.settled_before) == (
            date(2008, 6, 10),
            D("3000.00"),
            D("0.00"),
        )
        current = schedules(session, [loan.id])[loan.id]
        assert current.version == 2
        assert [(i.due_date, i.amount) for i in current.instalments] == [
            (date(2009, 6, 1), D("1500.00")),
            (date(2010, 6, 1), D("1500.00")),
        ]
        assert current.overdue(settled, date(2008, 7, 1)) == (0, D("0.00"))
        assert current.overdue(settled, date(2009, 6, 2)) == (1, D("1500.00"))
        # As of a date before the extension the old schedule still tells the truth.
        before = schedules(session, [loan.id], as_of=date(2008, 6, 9))[loan.id]
        assert before.version == 1 and before.overdue(settled, date(2008, 6, 9)) == (
            69,
            D("1000.00"),
        )
        event = session.scalars(
            select(LoanEvent).where(LoanEvent.loan_id == loan.id).order_by(LoanEvent.id.desc())
        ).first()
        assert (event.action, event.from_status, event.to_status) == (
            "extended",
            "disbursed",
            "disbursed",
        )
        assert "2010-06-01" in event.note
    # Repayments after the extension settle the new schedule oldest first.
    repay(db, prog, loan, "2000.00", date(2009, 5, 1))
    with db.read() as session:
        current = schedules(session, [loan.id])[loan.id]
        settled = loan_figures(session, loan).settled
        assert current.overdue(settled, date(2010, 6, 2)) == (1, D("1000.00"))


def test_extension_after_a_partial_repayment_covers_the_outstanding(db):
    prog = make_programme(db)
    loan = make_loan(db, prog, amount="3000.00", instalments=3)
    repay(db, prog, loan, "1000.00", date(2008, 4, 1))
    row = propose_ext(db, prog, loan, [(date(2010, 4, 1), "2000.00")])
    decide_ext(db, prog, row.id)
    with db.read() as session:
        version = session.get_one(ScheduleVersion, (loan.id, 2))
        assert (version.principal, version.settled_before) == (D("2000.00"), D("1000.00"))
        current = schedules(session, [loan.id])[loan.id]
        settled = loan_figures(session, loan).settled
        assert current.overdue(settled, date(2009, 4, 2)) == (0, D("0.00"))
        assert current.overdue(settled, date(2010, 4, 11)) == (10, D("2000.00"))


def test_extension_schedule_must_sum_to_the_outstanding(db):
    prog = make_programme(db)
    loan = make_loan(db, prog, amount="3000.00")
    error = refused(
        db,
        errors.ScheduleMismatch,
        lambda uow: proposals.propose_extension(
            uow,
            CLERK_ACTOR,
            prog.code,
            loan=loan.registration_no,
            schedule=[(date(2009, 6, 1), "1500.00"), (date(2010, 6, 1), "1499.99")],
            reason="受灾",
            on=date(2008, 6, 1),
        ),
    )
    assert error.field == "schedule" and "2999.99" in error.detail_en


@pytest.mark.parametrize(
    ("schedule", "error", "field"),
    [
        ([(date(2008, 5, 1), "3000.00")], errors.ScheduleMismatch, "schedule[0].due_date"),
        ([(date(2011, 6, 2), "3000.00")], errors.ScheduleMismatch, "schedule[0].due_date"),
        ([], errors.ScheduleMismatch, "schedule"),
        ([(date(2009, 6, 1), "3000.001")], errors.InvalidAmount, "schedule[0].amount"),
        ([(date(2009, 6, 1),)], errors.InvalidField, "schedule[0]"),
        ("2009-06-01", errors.InvalidField, "schedule"),
    ],
)
def test_extension_schedule_refusals(db, schedule, error, field):
    prog = make_programme(db)
    loan = make_loan(db, prog, amount="3000.00")
    raised = refused(
        db,
        error,
        lambda uow: proposals.propose_extension(
            uow,
            CLERK_ACTOR,
            prog.code,
            loan=loan.registration_no,
            schedule=schedule,
            reason="受灾",
            on=date(2008, 6, 1),
        ),
    )
    assert raised.field == field


def test_extension_approval_revalidates_against_the_outstanding(db):
    prog = make_programme(db)
    loan = make_loan(db, prog, amount="3000.00")
    row = propose_ext(db, prog, loan, [(date(2010, 6, 1), "3000.00")])
    repay(db, prog, loan, "500.00", date(2008, 6, 5))
    error = refused(
        db,
        errors.ScheduleMismatch,
        lambda uow: proposals.decide_extension(
            uow, APPROVER, prog.code, row.id, approve=True, note="", on=date(2008, 6, 10)
        ),
    )
    assert "2,500.00" in error.detail_zh


def test_extension_refusals(db):
    prog = make_programme(db)
    loan = make_loan(db, prog, amount="3000.00")
    schedule = [(date(2010, 6, 1), "3000.00")]
    row = propose_ext(db, prog, loan, schedule)
    # One pending extension per loan.
    refused(
        db,
        errors.ProposalPending,
        lambda uow: proposals.propose_extension(
            uow,
            CLERK_ACTOR,
            prog.code,
            loan=loan.registration_no,
            schedule=schedule,
            reason="再申请",
            on=date(2008, 6, 2),
        ),
    )
    refused(
        db,
        errors.MakerIsChecker,
        lambda uow: proposals.decide_extension(
            uow,
            Actor(CLERK_ACTOR.username, "approver"),
            prog.code,
            row.id,
            approve=True,
            note="",
            on=date(2008, 6, 10),
        ),
    )
    refused(
        db,
        errors.RoleNotAllowed,
        lambda uow: proposals.decide_extension(
            uow, CLERK_ACTOR, prog.code, row.id, approve=True, note="", on=date(2008, 6, 10)
        ),
    )
    decide_ext(db, prog, row.id, approve=False, note="不符合展期条件")
    refused(
        db,
        errors.InvalidTransition,
        lambda uow: proposals.decide_extension(
            uow, OTHER_APPROVER, prog.code, row.id, approve=True, note="", on=date(2008, 6, 11)
        ),
    )
    # Rejected: nothing changed on the schedule; a new proposal is possible.
    with db.read() as session:
        assert schedules(session, [loan.id])[loan.id].version == 1
    propose_ext(db, prog, loan, schedule, on=date(2008, 6, 12))
    assert history(db, loan)[-3:] == [
        "extension_proposed",
        "extension_rejected",
        "extension_proposed",
    ]


def test_extension_beyond_the_fund_term_is_refused(db):
    prog = make_programme(db)
    loan = make_loan(db, prog, amount="3000.00")
    with committing(db) as uow:
        setup.update_settings(uow, ADMIN, prog.code, max_term_months=12)
    refused(
        db,
        errors.ScheduleMismatch,
        lambda uow: proposals.propose_extension(
            uow,
            CLERK_ACTOR,
            prog.code,
            loan=loan.registration_no,
            schedule=[(date(2009, 6, 2), "3000.00")],
            reason="受灾",
            on=date(2008, 6, 1),
        ),
    )
    propose_ext(db, prog, loan, [(date(2009, 6, 1), "3000.00")])


# --- project changes ------------------------------------------------------


def add_type(db, prog, code, standard):
    with committing(db) as uow:
        return setup.add_project_type(
            uow,
            CLERK_ACTOR,
            prog.code,
            code=code,
            name={"tea": "茶叶", "shed": "大棚"}[code],
            borrowing_standard=standard,
        )


def test_project_change_is_applied_on_approval(db):
    prog = make_programme(db)
    loan = make_loan(db, prog, amount="3000.00")
    shed = add_type(db, prog, "shed", "8000.00")
    with committing(db) as uow:
        row = proposals.propose_project_change(
            uow,
            CLERK_ACTOR,
            prog.code,
            loan=loan.registration_no,
            project_type="shed",
            project="蔬菜大棚 1 亩",
            reason="猪瘟,改种蔬菜",
            on=date(2007, 6, 1),
        )
    with db.read() as session:
        assert session.get_one(Loan, loan.id).project == "养猪 10 头"  # not before approval
    with committing(db) as uow:
        decided = proposals.decide_project_change(
            uow, APPROVER, prog.code, row.id, approve=True, note="县办审定认可", on=date(2007, 6, 5)
        )
    assert decided.status is ProposalStatus.APPROVED
    with db.read() as session:
        changed = session.get_one(Loan, loan.id)
        assert (changed.project_type_id, changed.project) == (shed.id, "蔬菜大棚 1 亩")
        assert changed.status is LoanStatus.DISBURSED
    assert history(db, loan)[-2:] == ["project_change_proposed", "project_changed"]


def test_project_change_refusals(db):
    prog = make_programme(db)
    loan = make_loan(db, prog, amount="3000.00")
    add_type(db, prog, "tea", "2000.00")
    add_type(db, prog, "shed", "8000.00")

    def propose(project_type, project="茶叶加工机械", on=date(2007, 6, 1)):
        return lambda uow: proposals.propose_project_change(
            uow,
            CLERK_ACTOR,
            prog.code,
            loan=loan.registration_no,
            project_type=project_type,
            project=project,
            reason="改项目",
            on=on,
        )

    error = refused(db, errors.OverLimit, propose("tea"))
    assert error.field == "project_type" and "2,000.00" in error.detail_zh
    assert refused(db, errors.RecordNotFound, propose("cow")).field == "project_type"
    assert refused(db, errors.InvalidField, propose("pig", "养猪 10 头")).field == "project"
    with committing(db) as uow:
        row = propose("shed", "大棚")(uow)
    assert refused(db, errors.ProposalPending, propose("shed", "大棚 2 亩")).field == "loan"
    refused(
        db,
        errors.MakerIsChecker,
        lambda uow: proposals.decide_project_change(
            uow,
            Actor(CLERK_ACTOR.username, "approver"),
            prog.code,
            row.id,
            approve=True,
            note="",
            on=date(2007, 6, 5),
        ),
    )
    # The standard is re-checked at the decision: lowered meanwhile, it refuses.
    with db.uow() as uow:
        uow.session.get_one(ProjectType, row.project_type_id).borrowing_standard = D("2999.99")
        uow.commit()
    refused(
        db,
        errors.OverLimit,
        lambda uow: proposals.decide_project_change(
            uow, APPROVER, prog.code, row.id, approve=True, note="", on=date(2007, 6, 5)
        ),
    )
    with committing(db) as uow:
        rejected = proposals.decide_project_change(
            uow, APPROVER, prog.code, row.id, approve=False, note="标准不足", on=date(2007, 6, 5)
        )
    assert rejected.status is ProposalStatus.REJECTED
    assert history(db, loan)[-1] == "project_change_rejected"


# --- recoveries -----------------------------------------------------------


def written_off(db, prog, loan, amount):
    row = propose_wo(db, prog, loan, amount)
    decide_wo(db, prog, row.id)


def test_recovery_of_a_written_off_loan_posts_1011_and_4002(db):
    prog = make_programme(db)
    loan = make_loan(db, prog, amount="3000.00")
    written_off(db, prog, loan, "3000.00")
    town = township_funds(prog.townships[0])
    cash = bal(db, prog, town)
    officer = Actor("officer-a", "township", township_code=prog.townships[0])
    with committing(db) as uow:
        posted = proposals.record_recovery(
            uow, officer, prog.code, loan.registration_no, on=date(2008, 3, 1), amount="1000.00"
        )
    assert posted.kind == "recovery" and posted.voucher == "记-2008-03-0001"
    recoveries = AccountRef(RECOVERIES, loan.registration_no)
    assert bal(db, prog, town) == cash + D("1000.00")
    assert bal(db, prog, recoveries) == D("1000.00")
    # The write-off stands: the loan stays written off and owes nothing in the book.
    assert figures_of(db, loan).written_off == D("3000.00")
    assert bal(db, prog, loan_account(loan.registration_no)) == D("0.00")
    assert status_of(db, loan) is LoanStatus.WRITTEN_OFF
    assert history(db, loan)[-1] == "recovered"
    error = refused(
        db,
        errors.OverLimit,
        lambda uow: proposals.record_recovery(
            uow,
            CLERK_ACTOR,
            prog.code,
            loan.registration_no,
            on=date(2008, 4, 1),
            amount="2000.01",
        ),
    )
    assert error.field == "amount" and "2,000.00" in error.detail_zh
    with committing(db) as uow:
        proposals.record_recovery(
            uow,
            CLERK_ACTOR,
            prog.code,
            loan.registration_no,
            on=date(2008, 4, 1),
            amount="2000.00",
        )
    assert bal(db, prog, recoveries) == D("3000.00")
    with db.read() as session:
        assert trial_balance(session, prog.fund.id).totals.balanced


def test_recovery_refusals(db):
    prog = make_programme(db)
    plain = make_loan(db, prog, amount="3000.00")
    partial = make_loan(db, prog, amount="3000.00")
    written_off(db, prog, partial, "1000.00")

    def recover(loan, actor=CLERK_ACTOR):
        return lambda uow: proposals.record_recovery(
            uow, actor, prog.code, loan.registration_no, on=date(2008, 3, 1), amount="10.00"
        )

    assert refused(db, errors.InvalidTransition, recover(plain)).field == "loan"
    # Still owing: money towards it is a repayment.
    assert "repayment" in refused(db, errors.InvalidTransition, recover(partial)).detail_en
    other = Actor("officer-b", "township", township_code=prog.townships[1])
    repay(db, prog, partial, "2000.00", date(2008, 2, 1))
    assert status_of(db, partial) is LoanStatus.CLOSED
    refused(db, errors.RecordNotFound, recover(partial, other))
    refused(db, errors.RoleNotAllowed, recover(partial, Actor("boss", "leader")))
    with committing(db) as uow:
        recover(partial)(uow)
    assert bal(db, prog, AccountRef(RECOVERIES, partial.registration_no)) == D("10.00")
