"""Loans: the searchable list, the loan page, and every step its state allows.

The loan page offers exactly the steps that the permission table lets the
user's role take on a loan in its status (`offered`); each posts to
``/f/<f>/loans/<no>/<action>``, is parsed by the API's schema for that step
and runs the same service. A
township officer sees and acts on their own township's loans only: any
other loan number in the URL is a 404 page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import abort, g, render_template, url_for
from marshmallow import Schema, fields, validate

from ledger import dates, permissions
from ledger.labels import GROUND as GROUND_LABELS
from ledger.labels import PROGRESS
from ledger.labels import STATUS as STATUS_LABELS
from ledger.permissions import Action
from ledger.read import loans as loan_reads
from ledger.read import setup
from ledger.read import visits as visit_reads
from ledger.schedule import MAX_INSTALMENTS, make_schedule
from ledger.services import guarantees, loans, proposals, visits
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
from shell.schemas.visits import VisitIn
from web.blueprint import EVERYONE, bp, page
from web.choices import choices
from web.forms import FormState, blank, prefixed, search_form, submit
from web.pagination import PER_PAGE, PageQuery, sought


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


class VisitForm(VisitIn):
    """The loan comes from the page, not the form."""

    loan = fields.String(load_default="")


def _record_visit(uow: Any, f: str, no: str, data: dict[str, Any]) -> Any:
    data = {name: value for name, value in data.items() if name != "loan"}
    return visits.record_visit(uow, g.actor, f, no, **data)


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
class Step:
    """One step on the loan page: parsed how, done by which service.

    Who may take it, and in which loan states, is the permission table's
    (`ledger.permissions`): the page offers a step exactly when `offered`
    says the service would accept it.
    """

    action: Action
    title: str
    schema: type[Schema]
    run: Callable[[Any, str, str, dict[str, Any]], Any]
    #: False for a step taken now and then (folded under 其他操作), never the one awaited.
    primary: bool = True

    @property
    def name(self) -> str:
        """The step's path on the loan page, ``/f/<f>/loans/<no>/<name>``."""
        return self.action.value

    def awaited(self, status: str) -> bool:
        """Shown open: the loan is in the first state the step starts from.

        A disbursed loan may take a further disbursement, but what it awaits is
        its repayment; a closed loan may take a recovery, but rarely does.
        """
        states = permissions.TABLE[self.action].states
        return self.primary and bool(states) and states[0].value == status


def _service(service: Callable[..., Any]) -> Callable[[Any, str, str, dict[str, Any]], Any]:
    return lambda uow, f, no, data: service(uow, g.actor, f, no, **data)


ACTIONS = {
    step.name: step
    for step in (
        Step(Action.VERIFY, "入户核查", VerificationIn, _service(loans.verify_loan)),
        Step(Action.APPROVE, "审定", ApprovalForm, _approve),
        Step(Action.CONTRACT, "签订合同", ContractIn, _service(loans.sign_contract)),
        Step(Action.DISBURSE, "发放", MoneyIn, _service(loans.disburse_loan)),
        Step(Action.REPAY, "收回还款", MoneyIn, _service(loans.repay_loan)),
        Step(
            Action.PROPOSE_WRITE_OFF,
            "申请核销",
            WriteOffForm,
            _for_loan(proposals.propose_write_off),
            primary=False,
        ),
        Step(
            Action.PROPOSE_EXTENSION,
            "申请展期",
            ExtensionForm,
            _propose_extension,
            primary=False,
        ),
        Step(
            Action.PROPOSE_PROJECT_CHANGE,
            "申请项目变更",
            ProjectChangeForm,
            _for_loan(proposals.propose_project_change),
            primary=False,
        ),
        Step(
            Action.CHANGE_LIAISON,
            "变更联系人",
            LiaisonChangeIn,
            _service(guarantees.change_liaison),
            primary=False,
        ),
        Step(
            Action.CALL_GUARANTEE,
            "担保代偿",
            MoneyIn,
            _service(guarantees.call_guarantee),
            primary=False,
        ),
        Step(Action.RECOVER, "核销收回", MoneyIn, _service(proposals.record_recovery)),
        # Monthly, from the contract on: its own short page too (web.views.visits).
        Step(Action.VISIT, "登记走访", VisitForm, _record_visit, primary=False),
    )
}


def offered(role: str, status: str) -> list[Step]:
    """The steps the loan page offers `role` on a loan in `status`."""
    return [step for step in ACTIONS.values() if permissions.allows(role, step.action, status)]


class ListForm(LoanFilter, PageQuery):
    """The list's filters as typed in the page's search form."""

    overdue = fields.Boolean(load_default=False)
    q = fields.String(validate=validate.Length(max=50))


@bp.route("/f/<f>/loans", endpoint="loans")
@page(*EVERYONE)
def loans_list(f: str) -> Any:
    query, form = search_form(ListForm(), {"page": 1})
    with get_db().read() as session:
        total, found = loan_reads.loan_page(
            session,
            g.actor,
            f,
            **_filters(query),
            after=query.get("after"),
            offset=(query["page"] - 1) * PER_PAGE,
            limit=PER_PAGE,
        )
    return render_template(
        "web/loans.html",
        title="借款",
        fund=f,
        form=form,
        listing=sought(total, found),
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
    return loan_reads.loans(session, g.actor, f, **_filters(query))


def _filters(query: dict[str, Any]) -> dict[str, Any]:
    """The list's filters as the loan reads take them."""
    return {
        "township": query.get("township"),
        "status": query.get("status"),
        "batch": query.get("batch"),
        "overdue_on": dates.today() if query.get("overdue") else None,
        "search": query.get("q"),
    }


def _loan_page(f: str, no: str, forms: dict[str, FormState] | None = None) -> Any:
    actor = g.actor
    with get_db().read() as session:
        detail = loan_reads.loan(session, actor, f, no)
        visited = visit_reads.loan_visits(session, actor, f, no)
        steps = offered(actor.role, detail.status)
        names = {step.name for step in steps}
        # The select boxes' options, read only when a form on the page needs them.
        liaisons = (
            setup.liaisons(session, actor, f, detail.township).all(session)
            if names & {"contract", "liaison-change", "visit"}
            else []
        )
    today = dates.today().isoformat()
    states = {step.name: blank(**_suggested(step.name, detail, today)) for step in steps}
    states.update(forms or {})
    prefixed(states)
    return render_template(
        "web/loan.html",
        title=f"借款 {no}",
        fund=f,
        loan=detail,
        visits=visited,
        primary=[step for step in steps if step.awaited(detail.status)],
        secondary=[step for step in steps if not step.awaited(detail.status)],
        forms=states,
        liaison_options=[(person.id, person.name) for person in liaisons],
        grounds=list(GROUND_LABELS.items()),
        progress_options=list(PROGRESS.items()),
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
    if action == "disbursement":  # the whole approved amount, unless part was paid out
        return {"date": today, "amount": detail.approved if detail.status == "contracted" else ""}
    if action == "write-off":
        return {"date": today, "amount": detail.outstanding}
    if action == "extension":
        return {"date": today, "count": 1, "every_months": 12}
    if action == "liaison-change":  # effective today: the current liaison answered until now
        return {"effective_on": today}
    if action == "visit":
        return suggested_visit(detail)
    return {"date": today}


def suggested_visit(detail: Any) -> dict[str, Any]:
    """A visit today by the liaison answering for the loan today (none before its contract)."""
    today = dates.today()
    current = [a for a in detail.liaisons if a.effective_on <= today]
    liaison = max(current, key=lambda a: a.effective_on).liaison_id if current else ""
    return {"visited_on": today.isoformat(), "liaison": liaison, "days": 1}


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
    check_role(g.actor, step.action.roles)
    return submit(
        step.schema(),
        lambda uow, data: step.run(uow, f, no, data),
        done=lambda _: url_for("web.loan", f=f, no=no),
        notice=lambda result: _notice(step, no, result),
        target=f"fund:{f}/loan:{no}",
        redraw=lambda state: _loan_page(f, no, {step.name: state}),
    )


def _notice(step: Step, no: str, result: Any) -> str:
    voucher = getattr(result, "voucher", None)
    return f"借款 {no}:{step.title}已记录" + (f",凭证 {voucher}" if voucher else "")
