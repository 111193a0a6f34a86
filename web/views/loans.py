"""Loans: the searchable list, the loan page, and every step its state allows.

The loan page offers only the actions that the loan's status and the user's
role allow (`ACTIONS`); each posts to ``/f/<f>/loans/<no>/<action>``, is
parsed by the API's schema for that step and runs the same service. A
township officer sees and acts on their own township's loans only: any
other loan number in the URL is a 404 page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import abort, g, render_template, url_for
from marshmallow import Schema, fields, validate

from ledger import dates
from ledger.labels import GROUND as GROUND_LABELS
from ledger.labels import STATUS as STATUS_LABELS
from ledger.read import loans as loan_reads
from ledger.read import setup
from ledger.schedule import MAX_INSTALMENTS, make_schedule
from ledger.services import guarantees, loans, proposals
from sheets import tables
from shell.auth import check_role
from shell.db import get_db
from shell.downloads import download
from shell.fields import Amount
from shell.schemas.common import business_date, text
from shell.schemas.loans import (
    STATUSES,
    ContractIn,
    LiaisonChangeIn,
    LoanFilter,
    MoneyIn,
    VerificationIn,
)
from shell.schemas.proposals import ProjectChangeIn, WriteOffIn
from web.blueprint import EVERYONE, bp, page
from web.choices import choices
from web.forms import FormState, blank, prefixed, search_form, submit
from web.pagination import paged

LENT = ("disbursed",)


class EqualSchedule(Schema):
    """A schedule as a clerk gives it on a page: equal instalments from a first due date."""

    first_due = fields.Date(required=True)
    count = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_INSTALMENTS))
    every_months = fields.Integer(load_default=12, validate=validate.Range(min=1, max=60))
    on = business_date()


def _schedule(principal: Any, data: dict[str, Any]) -> list[tuple[Any, Any]]:
    plan = make_schedule(
        principal,
        first_due=data["first_due"],
        count=data["count"],
        every_months=data["every_months"],
    )
    return [(item.due_date, item.amount) for item in plan]


class ApprovalForm(EqualSchedule):
    """审定 on a page: the amount and an equal schedule (the API takes the schedule itself)."""

    approved_amount = Amount(required=True, positive=True)


def _approve(uow: Any, f: str, no: str, data: dict[str, Any]) -> Any:
    amount = data["approved_amount"]
    return loans.approve_loan(
        uow, g.actor, f, no, approved_amount=amount, schedule=_schedule(amount, data), on=data["on"]
    )


def _for_loan(service: Callable[..., Any]) -> Callable[[Any, str, str, dict[str, Any]], Any]:
    """A proposal service that names its loan in the body: the page's loan."""
    return lambda uow, f, no, data: service(uow, g.actor, f, **{**data, "loan": no})


class WriteOffForm(WriteOffIn):
    """The loan comes from the page, not the form."""

    loan = fields.String(load_default="")


class ProjectChangeForm(ProjectChangeIn):
    loan = fields.String(load_default="")


class ExtensionForm(EqualSchedule):
    """展期 on a page: the outstanding principal spread over a new equal schedule."""

    reason = text(500)


def _propose_extension(uow: Any, f: str, no: str, data: dict[str, Any]) -> Any:
    outstanding = loan_reads.loan(uow.session, g.actor, f, no).outstanding
    return proposals.propose_extension(
        uow,
        g.actor,
        f,
        loan=no,
        schedule=_schedule(outstanding, data),
        reason=data["reason"],
        on=data["on"],
    )


@dataclass(frozen=True)
class Action:
    """One step on the loan page: who, in which states, parsed how, done by which service."""

    name: str
    title: str
    roles: tuple[str, ...]
    statuses: tuple[str, ...]
    schema: type[Schema]
    run: Callable[[Any, str, str, dict[str, Any]], Any]
    #: The step the loan is waiting for (shown open); others are folded under 其他操作.
    primary: bool = True


def _service(service: Callable[..., Any]) -> Callable[[Any, str, str, dict[str, Any]], Any]:
    return lambda uow, f, no, data: service(uow, g.actor, f, no, **data)


ACTIONS = {
    action.name: action
    for action in (
        Action(
            "verification",
            "入户核查",
            ("clerk",),
            ("applied",),
            VerificationIn,
            _service(loans.verify_loan),
        ),
        Action("approval", "审定", ("clerk",), ("verified",), ApprovalForm, _approve),
        Action(
            "contract",
            "签订合同",
            ("clerk",),
            ("approved",),
            ContractIn,
            _service(loans.sign_contract),
        ),
        Action(
            "disbursement",
            "发放",
            ("clerk",),
            ("contracted",),
            MoneyIn,
            _service(loans.disburse_loan),
        ),
        Action(
            "repayment",
            "收回还款",
            ("clerk", "township"),
            LENT,
            MoneyIn,
            _service(loans.repay_loan),
        ),
        Action(
            "write-off",
            "申请核销",
            ("clerk", "approver"),
            LENT,
            WriteOffForm,
            _for_loan(proposals.propose_write_off),
            primary=False,
        ),
        Action(
            "extension",
            "申请展期",
            ("clerk", "approver"),
            LENT,
            ExtensionForm,
            _propose_extension,
            primary=False,
        ),
        Action(
            "project-change",
            "申请项目变更",
            ("clerk", "approver"),
            ("approved", "contracted", "disbursed"),
            ProjectChangeForm,
            _for_loan(proposals.propose_project_change),
            primary=False,
        ),
        Action(
            "liaison-change",
            "变更联系人",
            ("clerk",),
            ("contracted", "disbursed"),
            LiaisonChangeIn,
            _service(guarantees.change_liaison),
            primary=False,
        ),
        Action(
            "guarantee-call",
            "担保代偿",
            ("approver",),
            LENT,
            MoneyIn,
            _service(guarantees.call_guarantee),
            primary=False,
        ),
        Action(
            "recovery",
            "核销收回",
            ("clerk", "township"),
            ("written_off",),
            MoneyIn,
            _service(proposals.record_recovery),
        ),
    )
}


class ListForm(LoanFilter):
    """The list's filters as typed in the page's search form."""

    overdue = fields.Boolean(load_default=False)
    q = fields.String(validate=validate.Length(max=50))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))


@bp.route("/f/<f>/loans", endpoint="loans")
@page(*EVERYONE)
def loans_list(f: str) -> Any:
    query, form = search_form(ListForm(), {"page": 1})
    with get_db().read() as session:
        rows = _filtered(session, f, query)
    return render_template(
        "web/loans.html",
        title="借款",
        fund=f,
        form=form,
        listing=paged(rows, query["page"]),
        **choices(f),
        status_options=[(status, STATUS_LABELS[status]) for status in STATUSES],
    )


@bp.route("/f/<f>/loans.xlsx")
@page(*EVERYONE)
def loans_xlsx(f: str) -> Any:
    """The list as filtered on the page, every page of it, as the loan register's XLSX."""
    query, form = search_form(ListForm(), {"page": 1})
    if form.refused:
        abort(400)
    with get_db().read() as session:
        rows = _filtered(session, f, query)
    return download(tables.loans_xlsx(rows), f"{f}-loans.xlsx")


def _filtered(session: Any, f: str, query: dict[str, Any]) -> list[Any]:
    return loan_reads.loans(
        session,
        g.actor,
        f,
        township=query.get("township"),
        status=query.get("status"),
        batch=query.get("batch"),
        overdue_on=dates.today() if query.get("overdue") else None,
        search=query.get("q"),
    )


def _loan_page(f: str, no: str, forms: dict[str, FormState] | None = None) -> Any:
    actor = g.actor
    with get_db().read() as session:
        detail = loan_reads.loan(session, actor, f, no)
        offered = [
            action
            for action in ACTIONS.values()
            if actor.role in action.roles and detail.status in action.statuses
        ]
        names = {action.name for action in offered}
        # The select boxes' options, read only when a form on the page needs them.
        liaisons = (
            setup.liaisons(session, actor, f, detail.township).all(session)
            if names & {"contract", "liaison-change"}
            else []
        )
    today = dates.today().isoformat()
    states = {action.name: blank(**_suggested(action.name, detail, today)) for action in offered}
    states.update(forms or {})
    prefixed(states)
    return render_template(
        "web/loan.html",
        title=f"借款 {no}",
        fund=f,
        loan=detail,
        actions=offered,
        forms=states,
        liaison_options=[(person.id, person.name) for person in liaisons],
        grounds=list(GROUND_LABELS.items()),
        **(choices(f) if "project-change" in names else {}),
    )


def _suggested(action: str, detail: Any, today: str) -> dict[str, Any]:
    """Values a clerk would otherwise type: today, the approved or outstanding amount."""
    if action == "approval":
        return {"approved_amount": detail.requested, "count": 1, "every_months": 12, "date": today}
    if action == "verification":
        return {"visited_on": today, "eligible": "true"}
    if action == "contract":
        return {
            "signed_on": today,
            "contract_no": detail.registration_no,
            "iou_no": detail.registration_no,
        }
    if action == "disbursement":
        return {"date": today, "amount": detail.approved}
    if action == "write-off":
        return {"date": today, "amount": detail.outstanding}
    if action == "extension":
        return {"date": today, "count": 1, "every_months": 12}
    if action == "liaison-change":  # effective today: the current liaison answered until now
        return {"effective_on": today}
    return {"date": today}


@bp.route("/f/<f>/loans/<no>")
@page(*EVERYONE, loan=True)
def loan(f: str, no: str) -> Any:
    return _loan_page(f, no)


@bp.route("/f/<f>/loans/<no>/<action>", methods=["POST"])
@page(*EVERYONE, loan=True)
def loan_action(f: str, no: str, action: str) -> Any:
    step = ACTIONS.get(action)
    if step is None:
        abort(404)
    check_role(g.actor, step.roles)
    return submit(
        step.schema(),
        lambda uow, data: step.run(uow, f, no, data),
        done=lambda _: url_for("web.loan", f=f, no=no),
        notice=lambda result: _notice(step, no, result),
        target=f"fund:{f}/loan:{no}",
        redraw=lambda state: _loan_page(f, no, {step.name: state}),
    )


def _notice(step: Action, no: str, result: Any) -> str:
    voucher = getattr(result, "voucher", None)
    return f"借款 {no}:{step.title}已记录" + (f",凭证 {voucher}" if voucher else "")
