"""Inspections (督查): the open findings by age, recording an inspection and its
findings, and closing (销号) a finding with evidence.

The county (clerk, approver) inspects and closes; a township officer sees their own
township's findings. There is no API for inspections yet, so the forms' schemas
live here; every rule is the service's (`ledger.services.inspections`).
"""

from __future__ import annotations

import re
from typing import Any

from flask import g, render_template, url_for
from marshmallow import Schema, fields, post_load, validate

from ledger import dates
from ledger.labels import FINDING_KIND, INSPECTION_KIND
from ledger.permissions import Action
from ledger.read import inspections as read
from ledger.services import inspections as service
from shell.db import get_db
from shell.fields import Date
from shell.schemas.common import business_date, ident, text
from web.blueprint import EVERYONE, bp, page
from web.choices import choices
from web.forms import FormState, blank, prefixed, submit

#: Loan numbers typed in one box: separated by spaces, commas or 、.
SEPARATORS = re.compile(r"[\s,,、;;]+")


class InspectionForm(Schema):
    township = text(9)
    on = business_date(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(list(INSPECTION_KIND)))
    inspectors = text(200)
    loans = fields.String(load_default="")
    notes = text(2000, required=False, load_default="")

    @post_load
    def _split(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {**data, "loans": [no for no in SEPARATORS.split(data["loans"]) if no]}


class FindingForm(Schema):
    inspection = ident(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(list(FINDING_KIND)))
    loan = fields.String(load_default=None)
    description = text(2000)
    responsible = text(50)
    correct_by = Date(required=True)


class CloseForm(Schema):
    on = business_date()
    evidence = text(2000, required=False, load_default=None)
    evidence_ref = text(100, required=False, load_default=None)


def _page(f: str, forms: dict[Any, FormState] | None = None) -> Any:
    with get_db().read() as session:
        findings = read.open_findings(session, g.actor, f)
        done = read.inspections(session, g.actor, f)
    states: dict[Any, FormState] = {
        "inspection": blank(kind="unscheduled", date=dates.today().isoformat()),
        "finding": blank(inspection=done[0].id if done else ""),
        **{("close", one.id): blank() for one in findings},
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
        CloseForm(),
        lambda uow, data: service.close_finding(uow, g.actor, f, id, **data),
        done=lambda _: url_for("web.inspections", f=f),
        notice=lambda one: f"问题 {one.id} 已于 {one.closed_on} 销号",
        target=f"fund:{f}/finding:{id}",
        redraw=lambda state: _page(f, {("close", id): state}),
    )
