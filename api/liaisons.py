"""``/api/v1/funds/<f>/liaisons``: liaisons (行政联系人), their exposure and salary deductions."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.pagination import Blueprint, paginate_listing
from api.scope import READERS, in_fund
from ledger.permissions import Action
from ledger.read import guarantees, setup
from ledger.services.guarantees import record_salary_deduction
from ledger.services.setup import add_liaison
from shell.auth import current_actor
from shell.db import get_db
from shell.schemas.common import AsOfQuery
from shell.schemas.loans import MoneyIn, SalaryDeductionOut
from shell.schemas.setup import LiaisonExposureOut, LiaisonIn, LiaisonOut, TownshipFilter
from shell.writes import accepts_idempotency_key, commit_write

blp = Blueprint(
    "liaisons",
    __name__,
    url_prefix="/api/v1/funds/<f>/liaisons",
    description="Liaisons 行政联系人 and their salary guarantee",
)


@blp.route("")
class Liaisons(MethodView):
    @in_fund(*READERS)
    @blp.arguments(TownshipFilter, location="query")
    @blp.response(200, LiaisonOut(many=True))
    @blp.paginate()
    def get(self, query: dict[str, Any], f: str, pagination_parameters: Any) -> Any:
        """List the liaisons (联系人列表)"""
        with get_db().read() as session:
            listing = setup.liaisons(session, current_actor(), f, **query)
            return paginate_listing(session, listing, pagination_parameters)

    @in_fund(Action.SET_UP)
    @accepts_idempotency_key
    @blp.arguments(LiaisonIn)
    @blp.response(201, LiaisonOut)
    def post(self, data: dict[str, Any], f: str) -> Any:
        """Register a liaison with the monthly salary that guarantees their loans (登记联系人)"""
        actor = current_actor()
        return commit_write(
            lambda uow: setup.liaison_row(uow.session, add_liaison(uow, actor, f, **data)),
            schema=LiaisonOut(),
            target=lambda row: f"fund:{f}/liaison:{row.id}",
        )


@blp.route("/<int:id>")
class Liaison(MethodView):
    @in_fund(*READERS)
    @blp.arguments(AsOfQuery, location="query")
    @blp.response(200, LiaisonExposureOut)
    def get(self, query: dict[str, Any], f: str, id: int) -> Any:
        """A liaison's exposure: the loans they answer for, called and deducted (担保责任)"""
        with get_db().read() as session:
            return guarantees.liaison_exposure(session, current_actor(), f, id, **query)


@blp.route("/<int:id>/salary-deductions")
class SalaryDeductions(MethodView):
    @in_fund(Action.DEDUCT_SALARY)
    @accepts_idempotency_key
    @blp.arguments(MoneyIn)
    @blp.response(201, SalaryDeductionOut)
    def post(self, data: dict[str, Any], f: str, id: int) -> Any:
        """Record a deduction received from the liaison's salary (工资代扣)"""
        actor = current_actor()
        return commit_write(
            lambda uow: guarantees.salary_deduction(
                uow.session, f, record_salary_deduction(uow, actor, f, id, **data)
            ),
            schema=SalaryDeductionOut(),
            target=f"fund:{f}/liaison:{id}",
        )
