"""``/api/v1/funds/<f>/plans``: the three-year plan (三年规划), its revisions, and
plan against actual (计划完成情况) per township and year."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.pagination import Blueprint, Page
from api.scope import READERS, in_fund
from ledger.permissions import Action
from ledger.read import plans as plan_reads
from ledger.services import plans
from shell.auth import current_actor
from shell.db import get_db
from shell.schemas.common import AsOfQuery
from shell.schemas.plans import (
    PlanActualQuery,
    PlanAgainstActualOut,
    PlanIn,
    PlanOut,
    PlanRevisionIn,
)
from shell.writes import accepts_idempotency_key, commit_write

blp = Blueprint(
    "plans",
    __name__,
    url_prefix="/api/v1/funds/<f>",
    description="Plans 三年规划 and plan against actual 计划完成情况",
)


@blp.route("/plans")
class Plans(MethodView):
    @in_fund(*READERS)
    @blp.arguments(AsOfQuery, location="query")
    @blp.response(200, PlanOut(many=True))
    @blp.paginate(Page)
    def get(self, query: dict[str, Any], f: str) -> Any:
        """The fund's plans as in force on a date; a township officer sees their own lines"""
        with get_db().read() as session:
            return plan_reads.plans(session, current_actor(), f, **query)

    @in_fund(Action.PLAN)
    @accepts_idempotency_key
    @blp.arguments(PlanIn)
    @blp.response(201, PlanOut)
    def post(self, data: dict[str, Any], f: str) -> Any:
        """Record a plan with each year's figures per township and batch (制定规划)"""
        actor = current_actor()
        return commit_write(
            lambda uow: plan_reads.plan_at(
                uow.session, actor, f, plans.record_plan(uow, actor, f, **data)
            ),
            schema=PlanOut(),
            target=f"fund:{f}/plan:{data['first_year']}",
        )


@blp.route("/plans/revisions")
class PlanRevisions(MethodView):
    @in_fund(Action.PLAN)
    @accepts_idempotency_key
    @blp.arguments(PlanRevisionIn)
    @blp.response(201, PlanOut)
    def post(self, data: dict[str, Any], f: str) -> Any:
        """Revise a plan: a new version restating all its lines, from its date (调整规划)"""
        actor = current_actor()
        first_year = data.pop("first_year")
        return commit_write(
            lambda uow: plan_reads.plan_at(
                uow.session, actor, f, plans.revise_plan(uow, actor, f, first_year, **data)
            ),
            schema=PlanOut(),
            target=f"fund:{f}/plan:{first_year}",
        )


@blp.route("/plan-against-actual")
class PlanAgainstActual(MethodView):
    @in_fund(*READERS)
    @blp.arguments(PlanActualQuery, location="query")
    @blp.response(200, PlanAgainstActualOut)
    def get(self, query: dict[str, Any], f: str) -> Any:
        """A year's plan against registered, approved and disbursed, per township and batch"""
        with get_db().read() as session:
            return plan_reads.plan_against_actual(session, current_actor(), f, **query)
