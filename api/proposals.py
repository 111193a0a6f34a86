"""Proposals decided by a second person: write-offs, extensions, project changes, reversals.

Write-offs (核销), extensions (展期), project changes (项目变更) and red-ink
reversals (冲销). A clerk (or an approver) proposes; an approver who is not
the proposer decides (四眼原则): deciding one's own proposal is a 403
``maker-is-checker``. An approved write-off posts its journal (5001 by
disaster, or 5002) and the decision carries its ``voucher``; an approved
extension adds a schedule version; an approved project change moves the
loan to the new project; an approved reversal posts the red-ink journal,
dated the decision day, and carries its ``voucher``.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.pagination import Blueprint, paginate_listing
from api.scope import COUNTY_READERS, in_fund
from ledger.permissions import Action
from ledger.read import proposals as proposal_reads
from ledger.services import proposals, reversals
from shell.auth import current_actor
from shell.db import get_db
from shell.schemas.proposals import (
    DecisionIn,
    ExtensionIn,
    ExtensionOut,
    ProjectChangeIn,
    ProjectChangeOut,
    ProposalFilter,
    ReversalFilter,
    ReversalOut,
    WriteOffBatchDecisionIn,
    WriteOffDecisionIn,
    WriteOffFilter,
    WriteOffIn,
    WriteOffOut,
)
from shell.writes import accepts_idempotency_key, commit_write

blp = Blueprint(
    "proposals",
    __name__,
    url_prefix="/api/v1/funds/<f>",
    description="Write-offs 核销, extensions 展期, project changes 项目变更 (maker ≠ checker)",
)


# --- write-offs -----------------------------------------------------------------


@blp.route("/write-offs")
class WriteOffs(MethodView):
    @in_fund(*COUNTY_READERS)
    @blp.arguments(WriteOffFilter, location="query")
    @blp.response(200, WriteOffOut(many=True))
    @blp.paginate()
    def get(self, query: dict[str, Any], f: str, pagination_parameters: Any) -> Any:
        """List write-off proposals and their decisions (核销登记簿)"""
        with get_db().read() as session:
            listing = proposal_reads.write_offs(session, current_actor(), f, **query)
            return paginate_listing(session, listing, pagination_parameters)

    @in_fund(Action.PROPOSE_WRITE_OFF)
    @accepts_idempotency_key
    @blp.arguments(WriteOffIn)
    @blp.response(201, WriteOffOut)
    def post(self, data: dict[str, Any], f: str) -> Any:
        """Propose writing off (part of) a loan; it is pending (待处理) until decided (申请核销)"""
        actor = current_actor()
        return commit_write(
            lambda uow: proposal_reads.write_off(
                uow.session, proposals.propose_write_off(uow, actor, f, **data)
            ),
            schema=WriteOffOut(),
            target=lambda row: f"fund:{f}/write-off:{row.id}",
        )


@blp.route("/write-offs/<int:id>/decision")
class WriteOffDecision(MethodView):
    @in_fund(Action.DECIDE_WRITE_OFF)
    @accepts_idempotency_key
    @blp.arguments(WriteOffDecisionIn)
    @blp.response(201, WriteOffOut)
    def post(self, data: dict[str, Any], f: str, id: int) -> Any:
        """Approve (posts the write-off) or reject a write-off (审批核销)"""
        actor = current_actor()
        return commit_write(
            lambda uow: proposal_reads.write_off(
                uow.session, proposals.decide_write_off(uow, actor, f, id, **data)
            ),
            schema=WriteOffOut(),
            target=f"fund:{f}/write-off:{id}",
        )


@blp.route("/write-offs/decisions")
class WriteOffDecisions(MethodView):
    @in_fund(Action.DECIDE_WRITE_OFF)
    @accepts_idempotency_key
    @blp.arguments(WriteOffBatchDecisionIn)
    @blp.response(201, WriteOffOut(many=True))
    def post(self, data: dict[str, Any], f: str) -> Any:
        """Decide many write-offs under one approval document, all or none (批量审批核销)"""
        actor = current_actor()
        ids = data.pop("ids")
        return commit_write(
            lambda uow: proposal_reads.write_off_list(
                uow.session, proposals.decide_many(uow, actor, f, ids, **data)
            ),
            schema=WriteOffOut(many=True),
            target=f"fund:{f}/write-offs:{','.join(map(str, ids))}",
        )


# --- extensions -----------------------------------------------------------------


@blp.route("/extensions")
class Extensions(MethodView):
    @in_fund(*COUNTY_READERS)
    @blp.arguments(ProposalFilter, location="query")
    @blp.response(200, ExtensionOut(many=True))
    @blp.paginate()
    def get(self, query: dict[str, Any], f: str, pagination_parameters: Any) -> Any:
        """List extension proposals and their decisions (展期申请)"""
        with get_db().read() as session:
            listing = proposal_reads.extensions(session, current_actor(), f, **query)
            return paginate_listing(session, listing, pagination_parameters)

    @in_fund(Action.PROPOSE_EXTENSION)
    @accepts_idempotency_key
    @blp.arguments(ExtensionIn)
    @blp.response(201, ExtensionOut)
    def post(self, data: dict[str, Any], f: str) -> Any:
        """Propose a new schedule for the whole outstanding of a loan (申请展期)"""
        actor = current_actor()
        return commit_write(
            lambda uow: proposal_reads.extension(
                uow.session, proposals.propose_extension(uow, actor, f, **data)
            ),
            schema=ExtensionOut(),
            target=lambda row: f"fund:{f}/extension:{row.id}",
        )


@blp.route("/extensions/<int:id>/decision")
class ExtensionDecision(MethodView):
    @in_fund(Action.DECIDE_EXTENSION)
    @accepts_idempotency_key
    @blp.arguments(DecisionIn)
    @blp.response(201, ExtensionOut)
    def post(self, data: dict[str, Any], f: str, id: int) -> Any:
        """Approve (a new schedule version from the decision date) or reject (审批展期)"""
        actor = current_actor()
        return commit_write(
            lambda uow: proposal_reads.extension(
                uow.session, proposals.decide_extension(uow, actor, f, id, **data)
            ),
            schema=ExtensionOut(),
            target=f"fund:{f}/extension:{id}",
        )


# --- project changes ------------------------------------------------------------


@blp.route("/project-changes")
class ProjectChanges(MethodView):
    @in_fund(*COUNTY_READERS)
    @blp.arguments(ProposalFilter, location="query")
    @blp.response(200, ProjectChangeOut(many=True))
    @blp.paginate()
    def get(self, query: dict[str, Any], f: str, pagination_parameters: Any) -> Any:
        """List project-change proposals and their decisions (项目变更)"""
        with get_db().read() as session:
            listing = proposal_reads.project_changes(session, current_actor(), f, **query)
            return paginate_listing(session, listing, pagination_parameters)

    @in_fund(Action.PROPOSE_PROJECT_CHANGE)
    @accepts_idempotency_key
    @blp.arguments(ProjectChangeIn)
    @blp.response(201, ProjectChangeOut)
    def post(self, data: dict[str, Any], f: str) -> Any:
        """Propose another project (type and description) for a loan (申请项目变更)"""
        actor = current_actor()
        return commit_write(
            lambda uow: proposal_reads.project_change(
                uow.session, proposals.propose_project_change(uow, actor, f, **data)
            ),
            schema=ProjectChangeOut(),
            target=lambda row: f"fund:{f}/project-change:{row.id}",
        )


@blp.route("/project-changes/<int:id>/decision")
class ProjectChangeDecision(MethodView):
    @in_fund(Action.DECIDE_PROJECT_CHANGE)
    @accepts_idempotency_key
    @blp.arguments(DecisionIn)
    @blp.response(201, ProjectChangeOut)
    def post(self, data: dict[str, Any], f: str, id: int) -> Any:
        """Approve (the loan takes the new project) or reject a project change (审批项目变更)"""
        actor = current_actor()
        return commit_write(
            lambda uow: proposal_reads.project_change(
                uow.session, proposals.decide_project_change(uow, actor, f, id, **data)
            ),
            schema=ProjectChangeOut(),
            target=f"fund:{f}/project-change:{id}",
        )


# --- reversals ------------------------------------------------------------------


@blp.route("/reversals")
class Reversals(MethodView):
    @in_fund(*COUNTY_READERS)
    @blp.arguments(ReversalFilter, location="query")
    @blp.response(200, ReversalOut(many=True))
    @blp.paginate()
    def get(self, query: dict[str, Any], f: str, pagination_parameters: Any) -> Any:
        """List reversal proposals and their decisions (冲销申请); propose one on the journal"""
        with get_db().read() as session:
            listing = proposal_reads.reversals(session, current_actor(), f, **query)
            return paginate_listing(session, listing, pagination_parameters)


@blp.route("/reversals/<int:id>/decision")
class ReversalDecision(MethodView):
    @in_fund(Action.DECIDE_REVERSAL)
    @accepts_idempotency_key
    @blp.arguments(DecisionIn)
    @blp.response(201, ReversalOut)
    def post(self, data: dict[str, Any], f: str, id: int) -> Any:
        """Approve (posts the red-ink journal, dated the decision) or reject (审批冲销)"""
        actor = current_actor()
        return commit_write(
            lambda uow: proposal_reads.reversal(
                uow.session, reversals.decide_reversal(uow, actor, f, id, **data)
            ),
            schema=ReversalOut(),
            target=f"fund:{f}/reversal:{id}",
        )
