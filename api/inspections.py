"""``/api/v1/funds/<f>/inspections``: the county's inspections (督查) of a township,
their findings, closing (销号) with evidence, the open findings by age, and
recalls (提前收回) of a loan whose money a finding says was diverted.

The county (clerk, approver) inspects and closes; a township officer reads
their own township's inspections and findings. A recall is a proposal like
the others in `api.proposals`: a clerk or an approver proposes it on a
diverted-money finding, another approver decides it (四眼原则); approved,
the loan falls due on the decision day.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.pagination import Blueprint, Page, paginate_listing
from api.scope import COUNTY_READERS, READERS, in_fund
from ledger.permissions import Action
from ledger.read import inspections as inspection_reads
from ledger.read import proposals as proposal_reads
from ledger.services import inspections
from shell.auth import current_actor
from shell.db import get_db
from shell.schemas.inspections import (
    CloseIn,
    FindingIn,
    FindingOut,
    InspectionIn,
    InspectionOut,
    OpenFindingOut,
    OpenFindingsQuery,
)
from shell.schemas.proposals import DecisionIn, ProposalFilter, RecallIn, RecallOut
from shell.writes import accepts_idempotency_key, commit_write

blp = Blueprint(
    "inspections",
    __name__,
    url_prefix="/api/v1/funds/<f>",
    description="Inspections 督查, findings and closing 销号, recalls 提前收回 (maker ≠ checker)",
)


@blp.route("/inspections")
class Inspections(MethodView):
    @in_fund(*READERS)
    @blp.response(200, InspectionOut(many=True))
    @blp.paginate(Page)
    def get(self, f: str) -> Any:
        """The inspections, latest first; a township officer sees their own township's"""
        with get_db().read() as session:
            return list(inspection_reads.inspections(session, current_actor(), f))

    @in_fund(Action.INSPECT)
    @accepts_idempotency_key
    @blp.arguments(InspectionIn)
    @blp.response(201, InspectionOut)
    def post(self, data: dict[str, Any], f: str) -> Any:
        """Record an inspection of a township and the households it visited (登记督查)"""
        actor = current_actor()
        return commit_write(
            lambda uow: inspection_reads.inspection_of(
                uow.session, inspections.record_inspection(uow, actor, f, **data)
            ),
            schema=InspectionOut(),
            target=lambda row: f"fund:{f}/inspection:{row.id}",
        )


@blp.route("/inspections/<int:id>/findings")
class Findings(MethodView):
    @in_fund(*READERS)
    @blp.response(200, FindingOut(many=True))
    def get(self, f: str, id: int) -> Any:
        """An inspection's findings, open or closed, in the order recorded"""
        with get_db().read() as session:
            return list(inspection_reads.findings(session, current_actor(), f, id))

    @in_fund(Action.INSPECT)
    @accepts_idempotency_key
    @blp.arguments(FindingIn)
    @blp.response(201, FindingOut)
    def post(self, data: dict[str, Any], f: str, id: int) -> Any:
        """Record what the inspection found, who corrects it and by when (登记问题)"""
        actor = current_actor()
        return commit_write(
            lambda uow: inspection_reads.finding_of(
                uow.session, inspections.record_finding(uow, actor, f, id, **data)
            ),
            schema=FindingOut(),
            target=lambda row: f"fund:{f}/finding:{row.id}",
        )


@blp.route("/findings/open")
class OpenFindings(MethodView):
    @in_fund(*READERS)
    @blp.arguments(OpenFindingsQuery, location="query")
    @blp.response(200, OpenFindingOut(many=True))
    @blp.paginate(Page)
    def get(self, query: dict[str, Any], f: str) -> Any:
        """The findings open on a date, oldest first, with their age (未销号问题)"""
        with get_db().read() as session:
            return list(inspection_reads.open_findings(session, current_actor(), f, **query))


@blp.route("/findings/<int:id>/close")
class CloseFinding(MethodView):
    @in_fund(Action.CLOSE_FINDING)
    @accepts_idempotency_key
    @blp.arguments(CloseIn)
    @blp.response(201, FindingOut)
    def post(self, data: dict[str, Any], f: str, id: int) -> Any:
        """Close a finding with evidence of its correction, once (销号)"""
        actor = current_actor()
        return commit_write(
            lambda uow: inspection_reads.finding_of(
                uow.session, inspections.close_finding(uow, actor, f, id, **data)
            ),
            schema=FindingOut(),
            target=f"fund:{f}/finding:{id}",
        )


@blp.route("/recalls")
class Recalls(MethodView):
    @in_fund(*COUNTY_READERS)
    @blp.arguments(ProposalFilter, location="query")
    @blp.response(200, RecallOut(many=True))
    @blp.paginate()
    def get(self, query: dict[str, Any], f: str, pagination_parameters: Any) -> Any:
        """List recall proposals and their decisions (提前收回申请)"""
        with get_db().read() as session:
            listing = proposal_reads.recalls(session, current_actor(), f, **query)
            return paginate_listing(session, listing, pagination_parameters)

    @in_fund(Action.PROPOSE_RECALL)
    @accepts_idempotency_key
    @blp.arguments(RecallIn)
    @blp.response(201, RecallOut)
    def post(self, data: dict[str, Any], f: str) -> Any:
        """Propose recalling a loan on a finding that its money was diverted (申请提前收回)"""
        actor = current_actor()
        return commit_write(
            lambda uow: proposal_reads.recall(
                uow.session, inspections.propose_recall(uow, actor, f, **data)
            ),
            schema=RecallOut(),
            target=lambda row: f"fund:{f}/recall:{row.id}",
        )


@blp.route("/recalls/<int:id>/decision")
class RecallDecision(MethodView):
    @in_fund(Action.DECIDE_RECALL)
    @accepts_idempotency_key
    @blp.arguments(DecisionIn)
    @blp.response(201, RecallOut)
    def post(self, data: dict[str, Any], f: str, id: int) -> Any:
        """Approve (everything owed falls due on the decision day) or reject (审批提前收回)"""
        actor = current_actor()
        return commit_write(
            lambda uow: proposal_reads.recall(
                uow.session, inspections.decide_recall(uow, actor, f, id, **data)
            ),
            schema=RecallOut(),
            target=f"fund:{f}/recall:{id}",
        )
