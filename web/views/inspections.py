"""Inspections (督查): the open findings by age, recording an inspection and its
findings, closing (销号) a finding with evidence, and proposing to recall
(提前收回) a loan whose money a finding says was diverted.

The county (clerk, approver) inspects, closes and proposes recalls, which an
approver decides on the proposals page; a township officer sees their own
township's findings. The forms parse with the API's schemas; every rule is the
service's (`ledger.services.inspections`).
"""

from __future__ import annotations

import re
from typing import Any

from flask import g, render_template, url_for
from marshmallow import fields, post_load

from ledger import dates
from ledger.labels import FINDING_KIND, INSPECTION_KIND
from ledger.permissions import Action
from ledger.read import inspections as read
from ledger.services import inspections as service
from shell.db import get_db
from shell.schemas.common import ident
from shell.schemas.inspections import CloseIn, FindingIn, InspectionIn
from shell.schemas.proposals import RecallIn
from web.blueprint import EVERYONE, bp, page
from web.choices import choices
from web.forms import FormState, blank, prefixed, submit

#: Loan numbers typed in one box: separated by spaces, commas or 、.
SEPARATORS = re.compile(r"[\s,,、;;]+")


class InspectionForm(InspectionIn):
    """The API's inspection, with the loans visited typed in one box."""

    loans = fields.String(load_default="")

    @post_load
    def _split(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {**data, "loans": [no for no in SEPARATORS.split(data["loans"]) if no]}


class FindingForm(FindingIn):
    """The API's finding, with the inspection chosen on the form instead of in the URL."""

    inspection = ident(required=True)


#: The finding is the one in the URL.
RECALL_FORM = RecallIn(exclude=("finding",))


def _page(f: str, forms: dict[Any, FormState] | None = None) -> Any:
    with get_db().read() as session:
        findings = read.open_findings(session, g.actor, f)
        done = read.inspections(session, g.actor, f)
    states: dict[Any, FormState] = {
        "inspection": blank(kind="unscheduled", date=dates.today().isoformat()),
        "finding": blank(inspection=done[0].id if done else ""),
        **{("close", one.id): blank() for one in findings},
        **{("recall", one.id): blank(loan=one.loan) for one in findings if one.recallable},
        **(forms or {}),
    }
    return render_template(
        "web/inspections.html",
        title="督查",
        fund=f,
        findings=findings,
        inspections=done,
        forms=prefixed(states),
        inspection_options=[
            (one.id, f"{one.id} · {one.inspected_on} {one.township_name}") for one in done
        ],
        inspection_kinds=list(INSPECTION_KIND.items()),
        inspection_label=INSPECTION_KIND,
        finding_kinds=list(FINDING_KIND.items()),
        finding_label=FINDING_KIND,
        **choices(f),
    )


@bp.route("/f/<f>/inspections")
@page(*EVERYONE)
def inspections(f: str) -> Any:
    return _page(f)


@bp.route("/f/<f>/inspections", methods=["POST"])
@page(Action.INSPECT)
def new_inspection(f: str) -> Any:
    return submit(
        InspectionForm(),
        lambda uow, data: service.record_inspection(uow, g.actor, f, **data),
        done=lambda _: url_for("web.inspections", f=f) + "#finding",
        notice=lambda one: f"督查 {one.id} 已登记,请登记发现的问题",
        target=lambda one: f"fund:{f}/inspection:{one.id}",
        redraw=lambda state: _page(f, {"inspection": state}),
    )


@bp.route("/f/<f>/inspections/findings", methods=["POST"])
@page(Action.INSPECT)
def new_finding(f: str) -> Any:
    def record(uow: Any, data: dict[str, Any]) -> Any:
        inspection = data.pop("inspection")
        return service.record_finding(uow, g.actor, f, inspection, **data)

    return submit(
        FindingForm(),
        record,
        done=lambda _: url_for("web.inspections", f=f),
        notice=lambda one: f"问题 {one.id} 已登记,整改期限 {one.correct_by}",
        target=lambda one: f"fund:{f}/finding:{one.id}",
        redraw=lambda state: _page(f, {"finding": state}),
    )


@bp.route("/f/<f>/findings/<int:id>/close", methods=["POST"])
@page(Action.CLOSE_FINDING)
def close_finding(f: str, id: int) -> Any:
    return submit(
        CloseIn(),
        lambda uow, data: service.close_finding(uow, g.actor, f, id, **data),
        done=lambda _: url_for("web.inspections", f=f),
        notice=lambda one: f"问题 {one.id} 已于 {one.closed_on} 销号",
        target=f"fund:{f}/finding:{id}",
        redraw=lambda state: _page(f, {("close", id): state}),
    )


@bp.route("/f/<f>/findings/<int:id>/recall", methods=["POST"])
@page(Action.PROPOSE_RECALL)
def propose_recall(f: str, id: int) -> Any:
    return submit(
        RECALL_FORM,
        lambda uow, data: service.propose_recall(uow, g.actor, f, finding=id, **data),
        done=lambda _: url_for("web.inspections", f=f),
        notice=lambda row: f"提前收回申请 {row.id} 已提出,待审批人审批",
        target=lambda row: f"fund:{f}/recall:{row.id}",
        redraw=lambda state: _page(f, {("recall", id): state}),
    )
