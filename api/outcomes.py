"""``/api/v1/funds/<f>/...``: outcomes (脱贫成效): the county's poverty line, households'
incomes recorded and approved in the township, and who is out of poverty.

The clerk sets the poverty line with the day it takes effect. A township
officer records a household's income at registration or at a year end,
and a second officer of that township approves it (the recorder cannot);
only approved incomes count, each judged 贫困 / 脱贫 / 返贫 against the line
in force on its date.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.pagination import Blueprint, Page
from api.scope import READERS, in_fund
from ledger.permissions import Action
from ledger.read import outcomes as outcome_reads
from ledger.services import outcomes
from shell.auth import current_actor
from shell.db import get_db
from shell.schemas.outcomes import (
    IncomeApprovalIn,
    IncomeIn,
    IncomeOut,
    IncomeStatusOut,
    OutcomesOut,
    OutcomesQuery,
    PovertyLineIn,
    PovertyLineOut,
    TownshipIncomesOut,
)
from shell.schemas.overview import YearQuery
from shell.writes import accepts_idempotency_key, commit_write

blp = Blueprint(
    "outcomes",
    __name__,
    url_prefix="/api/v1/funds/<f>",
    description="Outcomes 脱贫成效: poverty line 贫困线, incomes 收入, out of poverty 脱贫",
)


@blp.route("/poverty-lines")
class PovertyLines(MethodView):
    @in_fund(*READERS)
    @blp.response(200, PovertyLineOut(many=True))
    @blp.paginate(Page)
    def get(self, f: str) -> Any:
        """The poverty lines by the day each takes effect, the latest first (贫困线)"""
        with get_db().read() as session:
            return list(outcome_reads.lines(session, current_actor(), f))

    @in_fund(Action.SET_POVERTY_LINE)
    @accepts_idempotency_key
    @blp.arguments(PovertyLineIn)
    @blp.response(201, PovertyLineOut)
    def post(self, data: dict[str, Any], f: str) -> Any:
        """Set the poverty line in force from a day until a later one (设定贫困线)"""
        actor = current_actor()
        return commit_write(
            lambda uow: outcome_reads.line_of(outcomes.set_poverty_line(uow, actor, f, **data)),
            schema=PovertyLineOut(),
            target=f"fund:{f}/poverty-line:{data['effective_from']}",
        )


@blp.route("/incomes")
class Incomes(MethodView):
    @in_fund(Action.RECORD_INCOME)
    @accepts_idempotency_key
    @blp.arguments(IncomeIn)
    @blp.response(201, IncomeOut)
    def post(self, data: dict[str, Any], f: str) -> Any:
        """Record a household's income at registration or a year end; it awaits approval"""
        actor = current_actor()
        return commit_write(
            lambda uow: outcome_reads.income_of(
                uow.session, actor, f, outcomes.record_income(uow, actor, f, **data)
            ),
            schema=IncomeOut(),
            target=lambda row: f"fund:{f}/income:{row.id}",
        )


@blp.route("/incomes/<int:id>/approval")
class IncomeApproval(MethodView):
    @in_fund(Action.APPROVE_INCOME)
    @accepts_idempotency_key
    @blp.arguments(IncomeApprovalIn)
    @blp.response(201, IncomeOut)
    def post(self, data: dict[str, Any], f: str, id: int) -> Any:
        """Approve an income another officer of the township recorded (审核收入)"""
        actor = current_actor()
        return commit_write(
            lambda uow: outcome_reads.income_of(
                uow.session, actor, f, outcomes.approve_income(uow, actor, f, id, **data)
            ),
            schema=IncomeOut(),
            target=f"fund:{f}/income:{id}",
        )


@blp.route("/households/<int:id>/outcomes")
class HouseholdOutcomes(MethodView):
    @in_fund(*READERS)
    @blp.response(200, IncomeStatusOut(many=True))
    def get(self, f: str, id: int) -> Any:
        """A household's approved incomes, oldest first, each with the line and its status"""
        with get_db().read() as session:
            return list(outcome_reads.household_outcomes(session, current_actor(), f, id))


@blp.route("/townships/<t>/incomes")
class TownshipIncomes(MethodView):
    @in_fund(*READERS, township=True)
    @blp.arguments(YearQuery, location="query")
    @blp.response(200, TownshipIncomesOut)
    def get(self, query: dict[str, Any], f: str, t: str) -> Any:
        """A township's households: income at registration and at the year's end, approved
        or awaiting approval"""
        with get_db().read() as session:
            return outcome_reads.township_incomes(session, current_actor(), f, t, **query)


@blp.route("/outcomes")
class Outcomes(MethodView):
    @in_fund(*READERS)
    @blp.arguments(OutcomesQuery, location="query")
    @blp.response(200, OutcomesOut)
    def get(self, query: dict[str, Any], f: str) -> Any:
        """Per township at a year's end: households out of poverty (脱贫), poor, back (返贫)"""
        with get_db().read() as session:
            year = query.pop("year")
            return outcome_reads.out_of_poverty(session, current_actor(), f, year, **query)
