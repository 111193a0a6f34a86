"""The loan page offers a step exactly when the service would take it.

One loan of 衡山镇 is taken through every state a loan passes (and two more
end rejected and written off); in each, the page is drawn for the clerk, the
approver, the leader and 衡山镇's own officer, and the forms on it must be
the steps whose service check (`ledger.permissions.check`, what the
services call) passes for that role on a loan in that state.
"""

from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace

import pytest

from ledger import dates, permissions
from ledger.actors import Actor
from ledger.errors import InvalidTransition, RoleNotAllowed
from ledger.labels import STATUS
from ledger.models import LoanStatus
from ledger.permissions import Action
from tests.web.journeys import HENGSHAN, OPTION, lend, register_household, register_loan, step
from tests.web.test_pages import propose_write_off
from web.views.loans import ACTIONS, offered

#: The demo's users and their roles (hengshan is 衡山镇's finance officer).
USERS = {"clerk": "clerk", "approver": "approver", "leader": "leader", "hengshan": "township"}
FORM = re.compile(r'<form method="post" action="/f/[^/]+/loans/([^/"]+)/([a-z-]+)"')
PAGE_STEPS = {step.action for step in ACTIONS.values()}


def service_takes(role: str, action: Action, status: str) -> bool:
    """Whether the service's own check lets `role` do `action` on a loan in `status`."""
    loan = SimpleNamespace(registration_no="1-x", status=LoanStatus(status))
    try:
        permissions.check(Actor("someone", role, township_code=HENGSHAN), action, loan)
    except (RoleNotAllowed, InvalidTransition):
        return False
    return True


def test_the_page_has_every_loan_step_but_decisions_and_loss_reports():
    loan_steps = {action for action, rule in permissions.TABLE.items() if rule.states}
    assert loan_steps - PAGE_STEPS == {
        Action.DECIDE_WRITE_OFF,  # on the proposals page
        Action.DECIDE_EXTENSION,
        Action.DECIDE_PROJECT_CHANGE,
        Action.REPORT_LOSS,  # on the disaster page
        # Inspections are recorded on their own page, by township; recalls have no page yet.
        Action.INSPECT,
        Action.PROPOSE_RECALL,
        Action.DECIDE_RECALL,
    }
    assert loan_steps >= PAGE_STEPS


@pytest.mark.parametrize("status", [s.value for s in LoanStatus])
@pytest.mark.parametrize("role", sorted(set(USERS.values()) | {"admin"}))
def test_offered_is_what_the_service_takes(role, status):
    expected = {a.value for a in PAGE_STEPS if service_takes(role, a, status)}
    assert {s.name for s in offered(role, status)} == expected


@pytest.fixture
def users(browser):
    return {name: browser(name) for name in USERS}


def forms_on_the_page(user, no: str) -> set[str]:
    html = user.get(user.f(f"loans/{no}")).get_data(as_text=True)
    return {action for loan, action in FORM.findall(html) if loan == no}


def assert_offered_as_allowed(users, no: str, status: str) -> None:
    clerk = users["clerk"]
    page = clerk.get(clerk.f(f"loans/{no}")).get_data(as_text=True)
    assert f'<span class="badge">{STATUS[status]}</span>' in page
    for name, user in users.items():
        expected = {a.value for a in PAGE_STEPS if service_takes(USERS[name], a, status)}
        assert forms_on_the_page(user, no) == expected, (name, status)


def test_every_state_as_every_role(users):
    clerk, approver = users["clerk"], users["approver"]
    today = dates.today().isoformat()
    no = register_loan(clerk, register_household(clerk, HENGSHAN))
    assert_offered_as_allowed(users, no, "applied")
    step(clerk, no, "verification", {"visited_on": today, "visitor": "李会计", "eligible": "true"})
    assert_offered_as_allowed(users, no, "verified")
    first_due = date(dates.today().year + 1, 12, 1).isoformat()
    step(clerk, no, "approval", {"approved_amount": "3000.00", "first_due": first_due})
    assert_offered_as_allowed(users, no, "approved")
    page = clerk.get(clerk.f(f"loans/{no}")).get_data(as_text=True)
    liaison = OPTION.search(page[page.index('id="contract-liaison"') :]).group(1)
    contract = {"contract_no": no, "iou_no": no, "technical_lead": "张技术员", "signed_on": today}
    step(clerk, no, "contract", {**contract, "liaison": liaison})
    assert_offered_as_allowed(users, no, "contracted")

    # Paid out in two parts: a disbursed loan is offered, and takes, the rest.
    step(clerk, no, "disbursement", {"date": today, "amount": "1000.00"})
    assert_offered_as_allowed(users, no, "disbursed")
    step(clerk, no, "disbursement", {"date": today, "amount": "2000.00"})
    step(clerk, no, "repayment", {"date": today, "amount": "3000.00"})
    assert_offered_as_allowed(users, no, "closed")

    refused = register_loan(clerk, register_household(clerk, HENGSHAN, "李小三"))
    step(
        clerk,
        refused,
        "verification",
        {"visited_on": today, "visitor": "李会计", "eligible": "false", "reason": "村干部"},
    )
    assert_offered_as_allowed(users, refused, "rejected")

    lost = lend(clerk)
    proposal = propose_write_off(clerk, lost, "3000.00")
    decided = approver.post(
        approver.f(f"proposals/write-offs/{proposal}"),
        {"approve": "true", "note": "同意", "document_no": "财农[2026]2号"},
    )
    assert decided.status_code == 303, decided.get_data(as_text=True)
    assert_offered_as_allowed(users, lost, "written_off")
