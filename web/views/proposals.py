"""Proposals waiting for a second person: write-offs, extensions, project changes,
recalls, reversals. An approver approves or rejects each with a note, never their own
(the services refuse it; the page does not offer it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import abort, g, render_template, url_for
from marshmallow import Schema

from ledger.permissions import Action
from ledger.read import proposals as proposal_reads
from ledger.services import inspections, proposals, reversals
from sheets import lists
from shell.auth import check_role
from shell.db import get_db
from shell.downloads import download
from shell.schemas.proposals import DecisionIn, WriteOffDecisionIn
from web.blueprint import COUNTY, bp, page
from web.forms import FormState, blank, prefixed, submit


@dataclass(frozen=True)
class Kind:
    title: str
    listed: Callable[..., Any]
    schema: type[Schema]
    decide: Callable[..., Any]
    action: Action


KINDS = {
    "write-offs": Kind(
        "核销",
        proposal_reads.write_offs,
        WriteOffDecisionIn,
        proposals.decide_write_off,
        Action.DECIDE_WRITE_OFF,
    ),
    "extensions": Kind(
        "展期",
        proposal_reads.extensions,
        DecisionIn,
        proposals.decide_extension,
        Action.DECIDE_EXTENSION,
    ),
    "project-changes": Kind(
        "项目变更",
        proposal_reads.project_changes,
        DecisionIn,
        proposals.decide_project_change,
        Action.DECIDE_PROJECT_CHANGE,
    ),
    "recalls": Kind(
        "提前收回",
        proposal_reads.recalls,
        DecisionIn,
        inspections.decide_recall,
        Action.DECIDE_RECALL,
    ),
    "reversals": Kind(
        "冲销",
        proposal_reads.reversals,
        DecisionIn,
        reversals.decide_reversal,
        Action.DECIDE_REVERSAL,
    ),
}


DECIDED = {"approved": "批准", "rejected": "驳回"}


def pending(session: Any, actor: Any, f: str) -> dict[str, list[Any]]:
    """Every proposal still waiting, by kind."""
    return {
        name: kind.listed(session, actor, f, status="proposed").all(session)
        for name, kind in KINDS.items()
    }


def _page(f: str, refused: tuple[str, int, FormState] | None = None) -> Any:
    with get_db().read() as session:
        waiting = pending(session, g.actor, f)
    forms = {(name, row.id): blank() for name, rows in waiting.items() for row in rows}
    if refused is not None:
        forms[refused[:2]] = refused[2]
    return render_template(
        "web/proposals.html",
        title="待审批",
        fund=f,
        waiting=waiting,
        kinds=KINDS,
        forms=prefixed(forms),
    )


@bp.route("/f/<f>/proposals", endpoint="proposals")
@page(*COUNTY)
def proposals_page(f: str) -> Any:
    return _page(f)


@bp.route("/f/<f>/proposals.xlsx")
@page(*COUNTY)
def proposals_xlsx(f: str) -> Any:
    with get_db().read() as session:
        waiting = pending(session, g.actor, f)
    titles = {name: f"{kind.title}申请" for name, kind in KINDS.items()}
    return download(lists.proposals_xlsx(waiting, titles), f"{f}-proposals.xlsx")


@bp.route("/f/<f>/proposals/<kind>/<int:id>", methods=["POST"])
@page(*(kind.action for kind in KINDS.values()))
def decide(f: str, kind: str, id: int) -> Any:
    if kind not in KINDS:
        abort(404)
    chosen = KINDS[kind]
    check_role(g.actor, chosen.action.roles)
    return submit(
        chosen.schema(),
        lambda uow, data: chosen.decide(uow, g.actor, f, id, **data),
        done=lambda _: url_for("web.proposals", f=f),
        notice=lambda row: f"{chosen.title}申请 {id} 已{DECIDED[row.status.value]}",
        target=f"fund:{f}/{kind[:-1]}:{id}",
        redraw=lambda state: _page(f, (kind, id, state)),
    )
