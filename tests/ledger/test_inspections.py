"""Inspections (督查): the visit, its findings and their closing, the open
findings by age, and the recall (提前收回) of a loan whose money was diverted."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)
from sqlalchemy import func, select

from ledger import errors
from ledger.actors import Actor
from ledger.models import (
    Finding,
    FindingKind,
    Inspection,
    InspectionKind,
    InspectionLoan,
    LoanEvent,
    ProposalStatus,
    Recall,
    ScheduleVersion,
)
from ledger.read.figures import loan_figures, schedules
from ledger.read.fund import aging
from ledger.read.inspections import open_findings
from ledger.read.loans import loan_rows, loan_statement
from ledger.schedule import Instalment as Due
from ledger.services import inspections, loans
from reports.loan_statement import render_loan_statement
from tests.conftest import rolled_back
from tests.factories import APPROVER, CLERK_ACTOR, committing, make_loan, make_programme
from tests.reports import pdf
from tests.reports.conftest import GENERATED

D = Decimal
DAY = date(2007, 9, 1)
TABLES = (Inspection, InspectionLoan, Finding, Recall, ScheduleVersion, LoanEvent)
OFFICER = Actor("officer-1", "township", township_code="340123001")
OTHER_APPROVER = Actor("approver-2", "approver")


def snapshot(db) -> dict[str, object]:
    with db.read() as session:
        state: dict[str, object] = {
            m.__name__: session.scalar(select(func.count()).select_from(m)) for m in TABLES
        }
        state["closed"] = session.execute(
            select(Finding.id, Finding.closed_on, Finding.evidence).order_by(Finding.id)
        ).all()
        state["recalls"] = session.execute(select(Recall.id, Recall.status)).all()
    return state


def refused(db, error, call):
    """Run `call(uow)`, expect `error`, and check nothing was written."""
    before = snapshot(db)
    with db.uow() as uow, pytest.raises(error) as info:
        call(uow)
    assert snapshot(db) == before
    return info.value


def inspect(db, prog, visited, *, on=DAY, kind="scheduled", actor=CLERK_ACTOR, town=None):
    with committing(db) as uow:
        return inspections.record_inspection(
            uow,
            actor,
            prog.code,
            township=town or prog.townships[0],
            on=on,
            kind=kind,
            inspectors="县扶贫办 张明、李华",
            loans=[loan.registration_no for loan in visited],
        )


def find(db, prog, inspection, loan, *, kind="diverted", correct_by=date(2007, 10, 1)):
    with committing(db) as uow:
        return inspections.record_finding(
            uow,
            CLERK_ACTOR,
            prog.code,
            inspection.id,
            kind=kind,
            loan=loan.registration_no if loan else None,
            description="借款用于建房,未用于养猪项目",
            responsible="但家庙镇 王明",
            correct_by=correct_by,
        )


def close(db, prog, finding, *, on=date(2007, 9, 20), evidence="已购仔猪 10 头", ref=None):
    with committing(db) as uow:
        return inspections.close_finding(
            uow, CLERK_ACTOR, prog.code, finding.id, on=on, evidence=evidence, evidence_ref=ref
        )


def propose(db, prog, loan, finding, *, on=date(2007, 9, 5), actor=CLERK_ACTOR):
    with committing(db) as uow:
        return inspections.propose_recall(
            uow,
            actor,
            prog.code,
            loan=loan.registration_no,
            finding=finding.id,
            reason="挪用扶贫资金",
            on=on,
        )


def decide(db, prog, recall, *, approve=True, on=date(2007, 9, 10), actor=APPROVER):
    with committing(db) as uow:
        return inspections.decide_recall(
            uow,
            actor,
            prog.code,
            recall.id,
            approve=approve,
            note="同意" if approve else "证据不足",
            on=on,
        )


# --- inspections --------------------------------------------------------------


def test_an_inspection_records_the_township_the_kind_and_the_households_visited(db):
    prog = make_programme(db)
    first, second = make_loan(db, prog), make_loan(db, prog)
    done = inspect(db, prog, [first, second], kind="unscheduled")
    assert (done.inspected_on, done.kind, done.inspectors, done.recorded_by) == (
        DAY,
        InspectionKind.UNSCHEDULED,
        "县扶贫办 张明、李华",
        CLERK_ACTOR.username,
    )
    with db.read() as session:
        assert set(
            session.scalars(
                select(InspectionLoan.loan_id).where(InspectionLoan.inspection_id == done.id)
            )
        ) == {first.id, second.id}


@pytest.mark.parametrize(
    ("change", "error", "field"),
    [
        ({"on": date(2999, 1, 1)}, errors.DateInFuture, "date"),
        ({"kind": "monthly"}, errors.InvalidField, "kind"),
        ({"inspectors": " "}, errors.InvalidField, "inspectors"),
        ({"township": "340123009"}, errors.RecordNotFound, "township"),
        ({"on": date(2007, 4, 9)}, errors.DateOutOfOrder, "date"),  # before the disbursement
    ],
)
def test_a_bad_inspection_is_refused_naming_the_field(db, change, error, field):
    prog = make_programme(db)
    loan = make_loan(db, prog)
    args = {
        "township": prog.townships[0],
        "on": DAY,
        "kind": "scheduled",
        "inspectors": "县扶贫办 张明",
        "loans": [loan.registration_no],
    } | change
    refusal = refused(
        db, error, lambda uow: inspections.record_inspection(uow, CLERK_ACTOR, prog.code, **args)
    )
    assert refusal.field == field and refusal.detail_zh and refusal.detail_en


def test_a_visited_loan_must_be_the_townships_and_lent(db):
    prog = make_programme(db)
    elsewhere = make_loan(db, prog, township=prog.townships[1])
    refusal = refused(db, errors.InvalidField, lambda uow: inspect_in(uow, prog, [elsewhere]))
    assert refusal.field == "loans[0]" and "340123001" in refusal.detail_en
    contracted = make_loan(db, prog, stage="contracted")
    refused(db, errors.InvalidTransition, lambda uow: inspect_in(uow, prog, [contracted]))


def inspect_in(uow, prog, visited):
    return inspections.record_inspection(
        uow,
        CLERK_ACTOR,
        prog.code,
        township=prog.townships[0],
        on=DAY,
        kind="scheduled",
        inspectors="县扶贫办",
        loans=[loan.registration_no for loan in visited],
    )


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [
        (CLERK_ACTOR, True),
        (APPROVER, True),
        (OFFICER, False),
        (Actor("leader-1", "leader"), False),
        (Actor("admin-1", "admin"), False),
    ],
)
def test_only_the_county_office_records_an_inspection(db, actor, allowed):
    prog = make_programme(db)
    loan = make_loan(db, prog)
    if allowed:
        assert inspect(db, prog, [loan], actor=actor).recorded_by == actor.username
    else:
        refused(db, errors.RoleNotAllowed, lambda uow: inspect_in_as(uow, actor, prog, loan))


def inspect_in_as(uow, actor, prog, loan):
    return inspections.record_inspection(
        uow,
        actor,
        prog.code,
        township=prog.townships[0],
        on=DAY,
        kind="scheduled",
        inspectors="县扶贫办",
        loans=[loan.registration_no],
    )


# --- findings -------------------------------------------------------------------


def test_a_finding_names_the_person_responsible_and_the_date_to_correct_by(db):
    prog = make_programme(db)
    loan = make_loan(db, prog)
    done = inspect(db, prog, [loan])
    finding = find(db, prog, done, loan, correct_by=DAY)  # the same day is allowed
    assert (finding.kind, finding.loan_id, finding.responsible, finding.correct_by) == (
        FindingKind.DIVERTED,
        loan.id,
        "但家庙镇 王明",
        DAY,
    )
    assert finding.closed_on is None
    books = find(db, prog, done, None, kind="records_mismatch")
    assert books.loan_id is None


def test_a_bad_finding_is_refused(db):
    prog = make_programme(db)
    loan, unvisited = make_loan(db, prog), make_loan(db, prog)
    done = inspect(db, prog, [loan])

    def record(**change):
        args = {
            "kind": "diverted",
            "loan": loan.registration_no,
            "description": "挪用",
            "responsible": "王明",
            "correct_by": date(2007, 10, 1),
        } | change
        return lambda uow: inspections.record_finding(uow, CLERK_ACTOR, prog.code, done.id, **args)

    early = refused(db, errors.DateOutOfOrder, record(correct_by=date(2007, 8, 31)))
    assert early.field == "correct_by" and "2007-09-01" in early.detail_zh
    assert refused(db, errors.InvalidField, record(kind="theft")).field == "kind"
    assert refused(db, errors.InvalidField, record(loan=None)).field == "loan"
    not_visited = refused(db, errors.InvalidField, record(loan=unvisited.registration_no))
    assert not_visited.field == "loan"
    assert refused(db, errors.InvalidField, record(responsible="")).field == "responsible"
    assert refused(db, errors.InvalidField, record(correct_by="2007-10-01")).field == "correct_by"
    missing = refused(
        db,
        errors.RecordNotFound,
        lambda uow: inspections.record_finding(
            uow,
            CLERK_ACTOR,
            prog.code,
            done.id + 99,
            kind="diverted",
            loan=None,
            description="x",
            responsible="y",
            correct_by=DAY,
        ),
    )
    assert missing.field == "inspection"
    refused(
        db,
        errors.RoleNotAllowed,
        lambda uow: inspections.record_finding(
            uow,
            OFFICER,
            prog.code,
            done.id,
            kind="records_mismatch",
            description="x",
            responsible="y",
            correct_by=DAY,
        ),
    )


def test_closing_needs_evidence_a_date_not_before_the_finding_and_happens_once(db):
    prog = make_programme(db)
    loan = make_loan(db, prog)
    finding = find(db, prog, inspect(db, prog, [loan]), loan)

    def closing(**change):
        args = {"on": date(2007, 9, 20), "evidence": "已购仔猪", "evidence_ref": None} | change
        return lambda uow: inspections.close_finding(
            uow, CLERK_ACTOR, prog.code, finding.id, **args
        )

    bare = refused(db, errors.EvidenceMissing, closing(evidence="  ", evidence_ref=""))
    assert bare.field == "evidence" and bare.detail_zh and bare.detail_en
    early = refused(db, errors.DateOutOfOrder, closing(on=date(2007, 8, 31)))
    assert early.field == "date"
    assert refused(db, errors.DateInFuture, closing(on=date(2999, 1, 1))).field == "date"
    refused(
        db,
        errors.RoleNotAllowed,
        lambda uow: inspections.close_finding(
            uow, OFFICER, prog.code, finding.id, on=DAY, evidence="已整改"
        ),
    )
    closed = close(
        db, prog, finding, evidence="", ref="整改报告 2007-15"
    )  # a reference alone will do
    assert (closed.closed_on, closed.closed_by, closed.evidence, closed.evidence_ref) == (
        date(2007, 9, 20),
        CLERK_ACTOR.username,
        None,
        "整改报告 2007-15",
    )
    again = refused(db, errors.FindingClosed, closing(on=date(2007, 9, 25)))
    assert again.field == "finding" and "2007-09-20" in again.detail_zh


def test_open_findings_are_listed_by_age_as_of_a_date(db):
    prog = make_programme(db)
    a, b = make_loan(db, prog), make_loan(db, prog)
    c = make_loan(db, prog, township=prog.townships[1])
    first = inspect(db, prog, [a], on=date(2007, 6, 1))
    second = inspect(db, prog, [b], on=date(2007, 8, 1), kind="unscheduled")
    other = inspect(db, prog, [c], on=date(2007, 7, 1), town=prog.townships[1])
    old = find(db, prog, first, a, kind="not_reached", correct_by=date(2007, 6, 30))
    new = find(db, prog, second, b, correct_by=date(2007, 9, 30))
    theirs = find(db, prog, other, c, kind="project_changed", correct_by=date(2007, 7, 31))
    closed = find(db, prog, first, None, kind="records_mismatch", correct_by=date(2007, 6, 30))
    close(db, prog, closed, on=date(2007, 6, 20))

    with db.read() as session:
        rows = open_findings(session, CLERK_ACTOR, prog.code, as_of=date(2007, 8, 31))
        assert [(r.id, r.age_days, r.overdue) for r in rows] == [
            (old.id, 91, True),
            (theirs.id, 61, True),
            (new.id, 30, False),
        ]
        assert rows[0].loan == a.registration_no and rows[0].kind == "not_reached"
        assert rows[0].township == prog.townships[0] and rows[0].found_on == date(2007, 6, 1)
        # The closed finding was open before its closing; the second was not yet found.
        early = open_findings(session, CLERK_ACTOR, prog.code, as_of=date(2007, 6, 10))
        assert [(r.id, r.age_days, r.overdue) for r in early] == [
            (old.id, 9, False),
            (closed.id, 9, False),
        ]
        assert early[1].loan is None
        # A township officer reads their own township's only.
        assert [
            r.id for r in open_findings(session, OFFICER, prog.code, as_of=date(2007, 8, 31))
        ] == [
            old.id,
            new.id,
        ]
        one = open_findings(
            session, CLERK_ACTOR, prog.code, as_of=date(2007, 8, 31), township=prog.townships[1]
        )
        assert [r.id for r in one] == [theirs.id]


def test_the_finding_lifecycle(engine):
    """Findings go open → closed once, with evidence; the open list always agrees."""

    class FindingLifecycle(RuleBasedStateMachine):
        @initialize()
        def start(self) -> None:
            self.context = rolled_back(engine)
            self.db = self.context.__enter__()
            self.prog = make_programme(self.db)
            self.loan = make_loan(self.db, self.prog)
            self.inspection = inspect(self.db, self.prog, [self.loan])
            self.open: set[int] = set()
            self.closed: set[int] = set()

        def teardown(self) -> None:
            if hasattr(self, "context"):
                self.context.__exit__(None, None, None)

        @rule(kind=st.sampled_from([k.value for k in FindingKind]))
        def record(self, kind: str) -> None:
            loan = None if kind == "records_mismatch" else self.loan
            self.open.add(find(self.db, self.prog, self.inspection, loan, kind=kind).id)

        @precondition(lambda self: self.open)
        @rule(
            data=st.data(),
            evidence=st.sampled_from(["", "已整改", None]),
            ref=st.sampled_from(["", None, "文 1"]),
        )
        def close(self, data, evidence, ref) -> None:
            key = data.draw(st.sampled_from(sorted(self.open)))
            if not (evidence or ref):
                refused(self.db, errors.EvidenceMissing, closing(self.prog, key, evidence, ref))
                return
            with committing(self.db) as uow:
                closing(self.prog, key, evidence, ref)(uow)
            self.open.remove(key)
            self.closed.add(key)

        @precondition(lambda self: self.closed)
        @rule(data=st.data())
        def close_again(self, data) -> None:
            key = data.draw(st.sampled_from(sorted(self.closed)))
            refused(self.db, errors.FindingClosed, closing(self.prog, key, "再次", None))

        @invariant()
        def the_open_list_is_the_open_findings(self) -> None:
            if not hasattr(self, "db"):
                return
            with self.db.read() as session:
                listed = {
                    r.id for r in open_findings(session, CLERK_ACTOR, self.prog.code, as_of=DAY)
                }
                closed = set(
                    session.scalars(select(Finding.id).where(Finding.closed_on.is_not(None)))
                )
            assert listed == self.open
            assert closed >= self.closed and not closed & listed

    FindingLifecycle.TestCase.settings = settings(
        max_examples=8,
        stateful_step_count=8,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    FindingLifecycle.TestCase().runTest()


def closing(prog, key, evidence, ref):
    return lambda uow: inspections.close_finding(
        uow, CLERK_ACTOR, prog.code, key, on=DAY, evidence=evidence, evidence_ref=ref
    )


# --- recalls ----------------------------------------------------------------------


def diverted(db, prog, **loan_args):
    loan = make_loan(db, prog, **loan_args)
    return loan, find(db, prog, inspect(db, prog, [loan]), loan)


def test_an_approved_recall_makes_the_whole_outstanding_due_on_the_recall_day(db):
    prog = make_programme(db)
    loan, finding = diverted(db, prog)  # 3000.00 due 1000.00 each 2008/09/10-04-01
    with committing(db) as uow:
        loans.repay_loan(uow, CLERK_ACTOR, prog.code, loan.registration_no, on=DAY, amount="500.00")
    recall = propose(db, prog, loan, finding)
    assert (recall.status, recall.finding_id, recall.proposed_on) == (
        ProposalStatus.PROPOSED,
        finding.id,
        date(2007, 9, 5),
    )
    with db.read() as session:  # proposed, nothing falls due yet
        assert schedules(session, [loan.id])[loan.id].version == 1
    decided = decide(db, prog, recall)
    assert (decided.status, decided.decided_by, decided.decided_on) == (
        ProposalStatus.APPROVED,
        APPROVER.username,
        date(2007, 9, 10),
    )
    with db.read() as session:
        settled = loan_figures(session, loan).settled
        plan = schedules(session, [loan.id])[loan.id]
        assert (plan.version, plan.effective_on, plan.settled_before) == (
            2,
            date(2007, 9, 10),
            D("500.00"),
        )
        assert [(i.due_date, i.amount) for i in plan.instalments] == [
            (date(2007, 9, 10), D("2500.00"))
        ]
        assert plan.overdue(settled, date(2007, 9, 10)) == (0, D("0.00"))
        assert plan.overdue(settled, date(2007, 10, 11)) == (31, D("2500.00"))
        row = next(
            r
            for r in loan_rows(session, prog.fund.id, CLERK_ACTOR, as_of=date(2007, 10, 11))
            if r.registration_no == loan.registration_no
        )
        assert (row.overdue_days, row.overdue_amount, row.bucket) == (31, D("2500.00"), "31-90")
        buckets = aging(session, CLERK_ACTOR, prog.code, as_of=date(2007, 10, 11))
        assert buckets.overdue_amount == D("2500.00")
        # Before the recall the old schedule still tells the truth.
        before = loan_rows(session, prog.fund.id, CLERK_ACTOR, as_of=date(2007, 9, 9))
        assert all(r.overdue_days == 0 for r in before)
        history = session.scalars(
            select(LoanEvent.action).where(LoanEvent.loan_id == loan.id).order_by(LoanEvent.id)
        ).all()
        assert history[-2:] == ["recall_proposed", "recalled"]
        # A recall is no extension: lists, pages and the statement say 提前收回, not 展期.
        assert not row.extended
        statement = loan_statement(session, CLERK_ACTOR, prog.code, loan.registration_no)
    text = pdf.squeezed(render_loan_statement(statement, generated_at=GENERATED))
    assert "第2版,提前收回后" in text and "展期" not in text


def test_a_recall_keeps_the_age_of_instalments_already_past_due():
    settled = D("1200.00")
    dues = (
        Due(1, date(2008, 4, 1), D("1000.00")),
        Due(2, date(2009, 4, 1), D("1000.00")),
        Due(3, date(2010, 4, 1), D("1000.00")),
    )
    recalled = inspections.recall_schedule(dues, settled, D("1800.00"), date(2009, 6, 1))
    assert [(d.seq, d.due_date, d.amount) for d in recalled] == [
        (1, date(2009, 4, 1), D("800.00")),
        (2, date(2009, 6, 1), D("1000.00")),
    ]
    # Less disbursed than scheduled: the past-due parts never add up to more than is owed.
    short = inspections.recall_schedule(dues, D("0.00"), D("600.00"), date(2009, 6, 1))
    assert [(d.due_date, d.amount) for d in short] == [(date(2008, 4, 1), D("600.00"))]


def test_a_recall_needs_a_diverted_money_finding_on_the_loan(db):
    prog = make_programme(db)
    loan, finding = diverted(db, prog)
    other, _ = diverted(db, prog)
    unreached = find(db, prog, inspect(db, prog, [loan]), loan, kind="not_reached")

    def proposing(key):
        return lambda uow: inspections.propose_recall(
            uow,
            CLERK_ACTOR,
            prog.code,
            loan=loan.registration_no,
            finding=key,
            reason="挪用",
            on=DAY,
        )

    for key in (unreached.id, finding.id + 1000, "1"):
        assert refused(db, errors.NoDivertedFinding, proposing(key)).field == "finding"
    # Another loan's diverted finding is no ground for this one.
    wrong = refused(
        db,
        errors.NoDivertedFinding,
        lambda uow: inspections.propose_recall(
            uow,
            CLERK_ACTOR,
            prog.code,
            loan=other.registration_no,
            finding=finding.id,
            reason="挪用",
            on=DAY,
        ),
    )
    assert other.registration_no in wrong.detail_en
    early = refused(
        db,
        errors.DateOutOfOrder,
        lambda uow: inspections.propose_recall(
            uow,
            CLERK_ACTOR,
            prog.code,
            loan=loan.registration_no,
            finding=finding.id,
            reason="挪用",
            on=date(2007, 8, 1),
        ),
    )
    assert early.field == "date"


def test_a_recall_waits_for_an_approver_who_is_not_the_proposer(db):
    prog = make_programme(db)
    loan, finding = diverted(db, prog)
    recall = propose(db, prog, loan, finding, actor=APPROVER)
    again = refused(db, errors.ProposalPending, lambda uow: propose_in(uow, prog, loan, finding))
    assert again.field == "loan"
    own = refused(
        db,
        errors.MakerIsChecker,
        lambda uow: inspections.decide_recall(
            uow, APPROVER, prog.code, recall.id, approve=True, note="", on=date(2007, 9, 10)
        ),
    )
    assert own.field == "recall_id"
    for actor in (CLERK_ACTOR, OFFICER):
        refused(
            db,
            errors.RoleNotAllowed,
            lambda uow, actor=actor: inspections.decide_recall(
                uow, actor, prog.code, recall.id, approve=True, note="", on=date(2007, 9, 10)
            ),
        )
    refused(db, errors.RoleNotAllowed, lambda uow: propose_in(uow, prog, loan, finding, OFFICER))
    with db.read() as session:  # not approved: the loan's schedule is untouched
        assert schedules(session, [loan.id])[loan.id].version == 1
    rejected = decide(db, prog, recall, approve=False, actor=OTHER_APPROVER)
    assert rejected.status is ProposalStatus.REJECTED and rejected.decision_note == "证据不足"
    with db.read() as session:
        assert schedules(session, [loan.id])[loan.id].version == 1
    twice = refused(
        db, errors.InvalidTransition, lambda uow: decide_in(uow, prog, recall, OTHER_APPROVER)
    )
    assert twice.field == "recall_id"


def propose_in(uow, prog, loan, finding, actor=CLERK_ACTOR):
    return inspections.propose_recall(
        uow, actor, prog.code, loan=loan.registration_no, finding=finding.id, reason="挪用", on=DAY
    )


def decide_in(uow, prog, recall, actor):
    return inspections.decide_recall(
        uow, actor, prog.code, recall.id, approve=True, note="", on=date(2007, 9, 10)
    )


def test_a_settled_loan_is_not_recalled(db):
    prog = make_programme(db)
    loan, finding = diverted(db, prog)
    recall = propose(db, prog, loan, finding)
    with committing(db) as uow:  # repaid in full before the decision
        loans.repay_loan(
            uow, CLERK_ACTOR, prog.code, loan.registration_no, on=date(2007, 9, 8), amount="3000.00"
        )
    settled = refused(
        db, errors.InvalidTransition, lambda uow: decide_in(uow, prog, recall, APPROVER)
    )
    assert settled.field == "status" and "closed" in settled.detail_en
    refused(db, errors.InvalidTransition, lambda uow: propose_in(uow, prog, loan, finding))
