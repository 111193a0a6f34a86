"""``/api/v1/funds/<f>/visits``: liaisons' and pairing cadres' visits (走访), the
month's missing visits (a to-do list), a liaison's year and a loan's visits."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.pagination import Blueprint, Page
from api.scope import READERS, in_fund
from ledger.permissions import Action
from ledger.read import visits as visit_reads
from ledger.services import visits
from shell.auth import current_actor
from shell.db import get_db
from shell.schemas.overview import YearQuery
from shell.schemas.visits import (
    CadreQuery,
    CadreVisitIn,
    CadreYearOut,
    LiaisonYearOut,
    MonthQuery,
    MonthVisitsOut,
    VisitIn,
    VisitOut,
)
from shell.writes import accepts_idempotency_key, commit_write

blp = Blueprint(
    "visits",
    __name__,
    url_prefix="/api/v1/funds/<f>",
    description="Visits 走访: liaisons monthly, pairing cadres yearly",
)


@blp.route("/visits")
class Visits(MethodView):
    @in_fund(Action.VISIT)
    @accepts_idempotency_key
    @blp.arguments(VisitIn)
    @blp.response(201, VisitOut)
    def post(self, data: dict[str, Any], f: str) -> Any:
        """Record the liaison's visit to a loan's household (联系人到户走访)"""
        actor = current_actor()
        loan = data.pop("loan")
        return commit_write(
            lambda uow: visit_reads.visit_of(
                uow.session, visits.record_visit(uow, actor, f, loan, **data)
            ),
            schema=VisitOut(),
            target=f"fund:{f}/loan:{loan}",
        )


@blp.route("/loans/<no>/visits")
class LoanVisits(MethodView):
    @in_fund(*READERS)
    @blp.response(200, VisitOut(many=True))
    @blp.paginate(Page)
    def get(self, f: str, no: str) -> Any:
        """A loan's visits by its liaisons, newest first (走访记录)"""
        with get_db().read() as session:
            return list(visit_reads.loan_visits(session, current_actor(), f, no))


@blp.route("/visits/missing")
class MissingVisits(MethodView):
    @in_fund(*READERS)
    @blp.arguments(MonthQuery, location="query")
    @blp.response(200, MonthVisitsOut)
    def get(self, query: dict[str, Any], f: str) -> Any:
        """The month's loans due a visit, and those not visited yet, per liaison (待走访)"""
        with get_db().read() as session:
            return visit_reads.month_visits(session, current_actor(), f, **query)


@blp.route("/liaisons/<int:id>/visits")
class LiaisonVisits(MethodView):
    @in_fund(*READERS)
    @blp.arguments(YearQuery, location="query")
    @blp.response(200, LiaisonYearOut)
    def get(self, query: dict[str, Any], f: str, id: int) -> Any:
        """A liaison's visits over a year: each month's loans due, visited and missed"""
        with get_db().read() as session:
            return visit_reads.liaison_year(session, current_actor(), f, id, **query)


@blp.route("/cadre-visits")
class CadreVisits(MethodView):
    @in_fund(*READERS)
    @blp.arguments(CadreQuery, location="query")
    @blp.response(200, CadreYearOut(many=True))
    @blp.paginate(Page)
    def get(self, query: dict[str, Any], f: str) -> Any:
        """Each pairing cadre's visits and days per household in a year, against the minimum"""
        with get_db().read() as session:
            return list(visit_reads.cadre_years(session, current_actor(), f, **query))

    @in_fund(Action.VISIT)
    @accepts_idempotency_key
    @blp.arguments(CadreVisitIn)
    @blp.response(201, VisitOut)
    def post(self, data: dict[str, Any], f: str) -> Any:
        """Record a pairing cadre's visit to a household (联户干部入户)"""
        actor = current_actor()
        return commit_write(
            lambda uow: visit_reads.visit_of(
                uow.session, visits.record_cadre_visit(uow, actor, f, **data)
            ),
            schema=VisitOut(),
            target=f"fund:{f}/household:{data['household']}",
        )
