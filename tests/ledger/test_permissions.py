"""The permission table (role × action × loan state) and the services that obey it.

Three things: the table says what SPEC §2 and §5 say (a truth table written
out again here, independently); `check`, which the services call, refuses
exactly what `allows`, which the pages ask, refuses; and each loan step's
service is governed by the table: refuse a role or a state there and the
service refuses it, writing nothing. So are the services on no single loan
(set-up, funds, month close and reopen), for a role.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from ledger import errors, permissions
from ledger.actors import Actor, Role
from ledger.db import Base
from ledger.models import Loan, LoanStatus
from ledger.permissions import TABLE, Action, allows, check, scope
from ledger.read.figures import loan_figures
from ledger.services import guarantees, loans, periods, proposals, setup
from ledger.services.funds import open_fund
from tests.factories import (
    ADMIN,
    APPROVER,
    CLERK_ACTOR,
    committing,
    make_id_number,
    make_loan,
    make_programme,
)
from tests.ledger.test_disasters import snapshot

CHANGEABLE = {"applied", "verified", "approved", "contracted", "disbursed"}
PROPOSERS = {"clerk", "approver"}

#: Each loan step: who, and from which states (SPEC §2, §5).
LOAN_STEPS = {
    Action.VERIFY: ({"clerk"}, {"applied"}),
    Action.APPROVE: ({"clerk"}, {"verified"}),
    Action.CONTRACT: ({"clerk"}, {"approved"}),
    # "total disbursed ≤ approved": a loan may be paid out in parts.
    Action.DISBURSE: ({"clerk"}, {"contracted", "disbursed"}),
    Action.REPAY: ({"clerk", "township"}, {"disbursed"}),
    Action.RECOVER: ({"clerk", "township"}, {"written_off", "closed"}),
    Action.CHANGE_LIAISON: ({"clerk"}, {"contracted", "disbursed", "written_off"}),
    Action.CALL_GUARANTEE: ({"approver"}, {"disbursed"}),
    Action.PROPOSE_WRITE_OFF: (PROPOSERS, {"disbursed"}),
    Action.PROPOSE_EXTENSION: (PROPOSERS, {"disbursed"}),
    Action.PROPOSE_PROJECT_CHANGE: (PROPOSERS, CHANGEABLE),
    Action.DECIDE_WRITE_OFF: ({"approver"}, {"disbursed"}),
    Action.DECIDE_EXTENSION: ({"approver"}, {"disbursed"}),
    Action.DECIDE_PROJECT_CHANGE: ({"approver"}, CHANGEABLE),
    Action.REPORT_LOSS: ({"clerk"}, {"disbursed", "closed", "written_off"}),
    # The county office checks lent money at the household (督查); a diverted loan is recalled.
    Action.INSPECT: ({"clerk", "approver"}, {"disbursed", "closed", "written_off"}),
    Action.PROPOSE_RECALL: (PROPOSERS, {"disbursed"}),
    Action.DECIDE_RECALL: ({"approver"}, {"disbursed"}),
    Action.VISIT: ({"clerk", "township"}, {"contracted", "disbursed", "closed", "written_off"}),
}

#: Every other action: who.
OTHER_ACTIONS = {
    Action.READ_FUND: {"clerk", "approver", "leader", "auditor"},
    Action.READ_TOWNSHIP: {"clerk", "approver", "leader", "auditor", "township"},
    # The log records the writers' own writes: read by who checks them (SPEC §3, §12).
    Action.READ_AUDIT: {"leader", "auditor"},
    Action.MANAGE_FUNDS: {"admin"},
    Action.SET_UP: {"clerk"},
    Action.REGISTER: {"clerk"},
    Action.IMPORT: {"clerk"},
    Action.DEDUCT_SALARY: {"clerk"},
    Action.RECORD_DISASTER: {"clerk"},
    Action.PROPOSE_FOR_DISASTER: PROPOSERS,
    Action.APPROPRIATE: {"clerk"},
    Action.ALLOCATE: {"clerk"},
    Action.REMIT: {"clerk", "township"},
    Action.RECONCILE_TOWNSHIP: {"clerk", "township"},
    Action.RECONCILE_BANK: {"clerk"},
    Action.PROPOSE_REVERSAL: PROPOSERS,
    Action.DECIDE_REVERSAL: {"approver"},
    Action.CLOSE_PERIOD: {"clerk"},
    Action.REOPEN_PERIOD: {"approver"},
    Action.CLOSE_FINDING: {"clerk", "approver"},
    Action.SET_POVERTY_LINE: {"clerk"},
    Action.RECORD_INCOME: {"township"},
    Action.APPROVE_INCOME: {"township"},
    Action.PLAN: {"clerk"},
}


def test_every_action_is_in_the_truth_table():
    assert set(Action) == set(LOAN_STEPS) | set(OTHER_ACTIONS) == set(TABLE)


@pytest.mark.parametrize("action", list(LOAN_STEPS))
def test_a_loan_step_as_the_spec_states_it(action):
    roles, states = LOAN_STEPS[action]
    assert set(action.roles) == roles
    assert {state.value for state in TABLE[action].states} == states


@pytest.mark.parametrize("action", list(OTHER_ACTIONS))
def test_an_action_on_no_single_loan(action):
    assert set(action.roles) == OTHER_ACTIONS[action]
    assert TABLE[action].states is None


def test_leaders_and_auditors_only_read_and_admins_only_manage():
    """What a city's or a province's user may be (leader, auditor) writes nothing (SPEC §12)."""
    for action in Action:
        if {"leader", "auditor"} & set(action.roles):
            assert action in (Action.READ_FUND, Action.READ_TOWNSHIP, Action.READ_AUDIT), action
        if "admin" in action.roles:
            assert action is Action.MANAGE_FUNDS, action


def test_a_scope_names_each_role_once_in_order():
    assert scope(Action.CLOSE_PERIOD, Action.REOPEN_PERIOD) == ("clerk", "approver")
    assert scope(Action.REPAY, "clerk", "leader") == ("clerk", "township", "leader")
    assert scope() == ()


def stand_in(status: LoanStatus) -> SimpleNamespace:
    """What `check` reads of a loan: its number and status."""
    return SimpleNamespace(registration_no="1-340123001-0001", status=status)


@pytest.mark.parametrize("status", list(LoanStatus), ids=lambda s: s.value)
@pytest.mark.parametrize("role", list(Role), ids=str)
@pytest.mark.parametrize("action", list(LOAN_STEPS))
def test_check_refuses_exactly_what_allows_refuses(action, role, status):
    roles, states = LOAN_STEPS[action]
    actor = Actor("someone", role, township_code="340123001")
    if role not in roles:
        with pytest.raises(errors.RoleNotAllowed) as info:
            check(actor, action, stand_in(status))
        assert f"role {role} may not" in info.value.detail_en
    elif status.value not in states:
        with pytest.raises(errors.InvalidTransition) as info:
            check(actor, action, stand_in(status))
        assert info.value.field == "status"
        assert f"当前状态为 {status.value}" in info.value.detail_zh
    else:
        check(actor, action, stand_in(status))
    assert allows(role, action, status.value) is (role in roles and status.value in states)
    # Without a loan, only the role counts (a form the page may show).
    assert allows(role, action) is (role in roles)


# --- the services obey the table ---------------------------------------------------


def _other_liaison(db, prog):
    with committing(db) as uow:
        return setup.add_liaison(
            uow,
            CLERK_ACTOR,
            prog.code,
            name="赵六",
            township=prog.townships[0],
            monthly_salary="1800",
        ).id


#: (action, the loan's stage, who acts, the call): a step each service takes on that loan.
STEPS = {
    "verify": (
        Action.VERIFY,
        "applied",
        CLERK_ACTOR,
        lambda uow, p, no, a, _: loans.verify_loan(
            uow, a, p.code, no, visited_on=date(2007, 4, 5), visitor="县办", eligible=True
        ),
    ),
    "approve": (
        Action.APPROVE,
        "verified",
        CLERK_ACTOR,
        lambda uow, p, no, a, _: loans.approve_loan(
            uow,
            a,
            p.code,
            no,
            approved_amount="3000.00",
            schedule=[(date(2008, 4, 1), "3000.00")],
            on=date(2007, 4, 8),
        ),
    ),
    "contract": (
        Action.CONTRACT,
        "approved",
        CLERK_ACTOR,
        lambda uow, p, no, a, _: loans.sign_contract(
            uow,
            a,
            p.code,
            no,
            contract_no=no,
            iou_no=no,
            liaison=p.liaisons[p.townships[0]],
            technical_lead="农技站 张工",
            signed_on=date(2007, 4, 9),
        ),
    ),
    "disburse": (
        Action.DISBURSE,
        "contracted",
        CLERK_ACTOR,
        lambda uow, p, no, a, _: loans.disburse_loan(
            uow, a, p.code, no, on=date(2007, 4, 10), amount="1000.00"
        ),
    ),
    "repay": (
        Action.REPAY,
        "disbursed",
        Actor("officer", "township", township_code="340123001"),
        lambda uow, p, no, a, _: loans.repay_loan(
            uow, a, p.code, no, on=date(2008, 1, 1), amount="100.00"
        ),
    ),
    "change liaison": (
        Action.CHANGE_LIAISON,
        "disbursed",
        CLERK_ACTOR,
        lambda uow, p, no, a, liaison: guarantees.change_liaison(
            uow, a, p.code, no, effective_on=date(2007, 6, 1), liaison=liaison, reason="调动"
        ),
    ),
    "call guarantee": (
        Action.CALL_GUARANTEE,
        "disbursed",
        APPROVER,
        lambda uow, p, no, a, _: guarantees.call_guarantee(
            uow, a, p.code, no, on=date(2008, 6, 1), amount="100.00"
        ),
    ),
    "propose write-off": (
        Action.PROPOSE_WRITE_OFF,
        "disbursed",
        APPROVER,
        lambda uow, p, no, a, _: proposals.propose_write_off(
            uow, a, p.code, loan=no, amount="100.00", ground="death", reason="", on=date(2007, 9, 1)
        ),
    ),
    "propose extension": (
        Action.PROPOSE_EXTENSION,
        "disbursed",
        CLERK_ACTOR,
        lambda uow, p, no, a, _: proposals.propose_extension(
            uow,
            a,
            p.code,
            loan=no,
            schedule=[(date(2009, 4, 1), "3000.00")],
            reason="受灾",
            on=date(2007, 9, 1),
        ),
    ),
    "propose project change": (
        Action.PROPOSE_PROJECT_CHANGE,
        "applied",
        CLERK_ACTOR,
        lambda uow, p, no, a, _: proposals.propose_project_change(
            uow,
            a,
            p.code,
            loan=no,
            project_type=p.project_type,
            project="养猪 8 头",
            reason="规模调整",
            on=date(2007, 4, 3),
        ),
    ),
}


def _table_with(monkeypatch, action, **change):
    table = dict(TABLE)
    table[action] = replace(TABLE[action], **change)
    monkeypatch.setattr(permissions, "TABLE", table)


@pytest.mark.parametrize("name", list(STEPS))
def test_each_loan_step_takes_its_roles_and_states_from_the_table(db, monkeypatch, name):
    action, stage, actor, call = STEPS[name]
    prog = make_programme(db)
    no = make_loan(db, prog, stage=stage).registration_no
    liaison = _other_liaison(db, prog)
    before = snapshot(db)

    def run():
        with committing(db) as uow:
            return call(uow, prog, no, actor, liaison)

    others = tuple(role for role in Role if role != actor.role)
    _table_with(monkeypatch, action, roles=others)
    with pytest.raises(errors.RoleNotAllowed):
        run()
    elsewhere = tuple(state for state in LoanStatus if state.value != stage)
    _table_with(monkeypatch, action, states=elsewhere)
    with pytest.raises(errors.InvalidTransition) as info:
        run()
    assert info.value.field == "status"
    assert snapshot(db) == before
    monkeypatch.undo()
    assert run() is not None


def test_a_loan_is_paid_out_in_parts_up_to_the_approved_amount(db):
    prog = make_programme(db)
    contracted = make_loan(db, prog, stage="contracted")
    no = contracted.registration_no

    def disburse(amount, on):
        with committing(db) as uow:
            return loans.disburse_loan(uow, CLERK_ACTOR, prog.code, no, on=on, amount=amount)

    disburse("1000.00", date(2007, 4, 10))
    disburse("2000.00", date(2007, 5, 10))
    with pytest.raises(errors.OverLimit):
        disburse("0.01", date(2007, 6, 10))
    with db.read() as session:
        loan = session.get_one(Loan, contracted.id)
        assert loan.status is LoanStatus.DISBURSED
        assert loan_figures(session, loan).disbursed == Decimal("3000.00")


# --- the services on no single loan obey the table too ----------------------------

#: (action, who may, the call): set-up, funds and months, each checking its role first.
#: The programme's 2000-01 is closed beforehand (an empty month), so it may be reopened.
NO_LOAN_STEPS = {
    "open fund": (
        Action.MANAGE_FUNDS,
        ADMIN,
        lambda uow, p, a: open_fund(uow, actor=a, code=f"{p.code}-2", name="第二基金"),
    ),
    "change limits": (
        Action.MANAGE_FUNDS,
        ADMIN,
        lambda uow, p, a: setup.update_settings(uow, a, p.code, fee_rate="0.01"),
    ),
    "add township": (
        Action.SET_UP,
        CLERK_ACTOR,
        lambda uow, p, a: setup.add_township(uow, a, p.code, code="340123099", name="新集镇"),
    ),
    "add project type": (
        Action.SET_UP,
        CLERK_ACTOR,
        lambda uow, p, a: setup.add_project_type(
            uow, a, p.code, code="duck", name="养鸭", borrowing_standard="2000.00"
        ),
    ),
    "add batch": (
        Action.SET_UP,
        CLERK_ACTOR,
        lambda uow, p, a: setup.add_batch(uow, a, p.code, code="2", name="第二批", budget="1000"),
    ),
    "add liaison": (
        Action.SET_UP,
        CLERK_ACTOR,
        lambda uow, p, a: setup.add_liaison(
            uow, a, p.code, name="赵六", township=p.townships[0], monthly_salary="1800"
        ),
    ),
    "add household": (
        Action.SET_UP,
        CLERK_ACTOR,
        lambda uow, p, a: setup.add_household(
            uow,
            a,
            p.code,
            name="周勤",
            id_number=make_id_number(),
            township=p.townships[0],
            village="黄檀树村",
            party_member=False,
        ),
    ),
    "close a month": (
        Action.CLOSE_PERIOD,
        CLERK_ACTOR,
        lambda uow, p, a: periods.close_period(uow, p.fund.id, "2000-02", actor=a),
    ),
    "reopen a month": (
        Action.REOPEN_PERIOD,
        APPROVER,
        lambda uow, p, a: periods.reopen_period(uow, p.fund.id, "2000-01", actor=a, reason="补记"),
    ),
}


def _every_row(db) -> dict[str, list[tuple]]:
    """Every row of every table: what a refused step must leave as it was."""
    with db.read() as session:
        return {
            table.name: sorted(map(tuple, session.execute(select(table))), key=repr)
            for table in Base.metadata.sorted_tables
        }


@pytest.mark.parametrize("name", list(NO_LOAN_STEPS))
def test_each_service_on_no_loan_takes_its_roles_from_the_table(db, monkeypatch, name):
    action, actor, call = NO_LOAN_STEPS[name]
    prog = make_programme(db)
    with committing(db) as uow:
        periods.close_period(uow, prog.fund.id, "2000-01", actor=CLERK_ACTOR)
    before = _every_row(db)

    def run(who):
        with committing(db) as uow:
            return call(uow, prog, who)

    outsiders = [role for role in Role if role not in TABLE[action].roles]
    assert outsiders and actor.role not in outsiders
    for role in outsiders:
        with pytest.raises(errors.RoleNotAllowed) as info:
            run(Actor(f"{role}-test", role, township_code=prog.townships[0]))
        assert f"角色 {role} 无权{TABLE[action].zh}" == info.value.detail_zh
    # The service asks the table, not a list of its own: take the role out and it refuses.
    _table_with(monkeypatch, action, roles=tuple(outsiders))
    with pytest.raises(errors.RoleNotAllowed):
        run(actor)
    assert _every_row(db) == before
    monkeypatch.undo()
    assert run(actor) is not None
    assert _every_row(db) != before
