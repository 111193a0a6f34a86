"""Disasters: record one, enter the assessed losses, and propose the batch write-off or
extension for every loan it struck."""

from __future__ import annotations

from typing import Any

from flask import abort, g, render_template, request, url_for

from ledger import dates
from ledger.labels import DISASTER_KIND
from ledger.permissions import Action
from ledger.read import disasters as disaster_reads
from ledger.read import proposals
from ledger.services import disasters as service
from sheets import lists
from shell.auth import check_role
from shell.db import get_db
from shell.downloads import download
from shell.schemas.disasters import DisasterExtensionsIn, DisasterIn, DisasterWriteOffsIn, LossIn
from web.blueprint import COUNTY, bp, page
from web.choices import choices
from web.forms import FormState, blank, prefixed, submit, submitted_values


def _list_page(f: str, form: FormState | None = None) -> Any:
    actor = g.actor
    with get_db().read() as session:
        events = disaster_reads.disasters(session, actor, f)
    return render_template(
        "web/disasters.html",
        title="灾害",
        fund=f,
        events=events,
        form=form or blank(date=dates.today().isoformat(), townships=[]),
        **choices(f),
        kinds=list(DISASTER_KIND.items()),
    )


@bp.route("/f/<f>/disasters")
@page(*COUNTY)
def disasters(f: str) -> Any:
    return _list_page(f)


@bp.route("/f/<f>/disasters.xlsx")
@page(*COUNTY)
def disasters_xlsx(f: str) -> Any:
    with get_db().read() as session:
        events = disaster_reads.disasters(session, g.actor, f)
    return download(lists.disasters_xlsx(events), f"{f}-disasters.xlsx")


@bp.route("/f/<f>/disasters", methods=["POST"])
@page(Action.RECORD_DISASTER)
def new_disaster(f: str) -> Any:
    values = {**submitted_values(), "townships": request.form.getlist("townships")}
    return submit(
        DisasterIn(),
        lambda uow, data: service.record_disaster(uow, g.actor, f, **data),
        done=lambda event: url_for("web.disaster", f=f, code=event.code),
        notice=lambda event: f"灾害 {event.name} 已登记,请逐户登记损失核定",
        target=lambda event: f"fund:{f}/disaster:{event.code}",
        redraw=lambda state: _list_page(f, state),
        values=values,
    )


def _disaster_page(f: str, code: str, forms: dict[str, FormState] | None = None) -> Any:
    actor = g.actor
    with get_db().read() as session:
        event = disaster_reads.disaster(session, actor, f, code)
        write_offs = proposals.write_offs(session, actor, f, disaster=code).all(session)
    today = dates.today().isoformat()
    states = {
        "loss": blank(assessed_on=today),
        "write-offs": blank(date=today, share="full"),
        "extensions": blank(date=today, months=12),
        **(forms or {}),
    }
    return render_template(
        "web/disaster.html",
        title=f"灾害 {event.name}",
        fund=f,
        event=event,
        write_offs=write_offs,
        forms=prefixed(states),
    )


@bp.route("/f/<f>/disasters/<code>")
@page(*COUNTY)
def disaster(f: str, code: str) -> Any:
    return _disaster_page(f, code)


@bp.route("/f/<f>/disasters/<code>/write-offs.xlsx")
@page(*COUNTY)
def disaster_write_offs_xlsx(f: str, code: str) -> Any:
    with get_db().read() as session:
        event = disaster_reads.disaster(session, g.actor, f, code)
        rows = proposals.write_offs(session, g.actor, f, disaster=code).all(session)
    return download(
        lists.write_offs_xlsx(f"{event.name}核销", rows), f"{f}-disaster-{code}-write-offs.xlsx"
    )


STEPS = {
    "loss": (Action.REPORT_LOSS, LossIn, "损失核定已登记"),
    "write-offs": (Action.PROPOSE_FOR_DISASTER, DisasterWriteOffsIn, "已为受灾借款申请核销"),
    "extensions": (Action.PROPOSE_FOR_DISASTER, DisasterExtensionsIn, "已为受灾借款申请展期"),
}


def _run(f: str, code: str, step: str, uow: Any, data: dict[str, Any]) -> Any:
    if step == "loss":
        return service.record_loss(uow, g.actor, f, code, **data)
    action = "write_off" if step == "write-offs" else "extension"
    return service.propose_for_disaster(uow, g.actor, f, code, action=action, **data)


def _notice(step: str, result: Any) -> str:
    text = STEPS[step][2]
    return f"{text}({len(result)} 笔),待审批人审批" if isinstance(result, list) else text


@bp.route("/f/<f>/disasters/<code>/<step>", methods=["POST"])
@page(Action.REPORT_LOSS, Action.PROPOSE_FOR_DISASTER)
def disaster_step(f: str, code: str, step: str) -> Any:
    if step not in STEPS:
        abort(404)
    check_role(g.actor, STEPS[step][0].roles)
    return submit(
        STEPS[step][1](),
        lambda uow, data: _run(f, code, step, uow, data),
        done=lambda _: url_for("web.disaster", f=f, code=code),
        notice=lambda result: _notice(step, result),
        target=f"fund:{f}/disaster:{code}",
        redraw=lambda state: _disaster_page(f, code, {step: state}),
    )
