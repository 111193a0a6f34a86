"""``/api/v1/funds/<f>/households``: the borrowing households (贫困户)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.pagination import Blueprint, paginate_listing
from api.scope import READERS, in_fund
from ledger.permissions import Action
from ledger.read import setup
from ledger.services.setup import add_household
from shell.auth import current_actor
from shell.db import get_db
from shell.schemas.setup import HouseholdFilter, HouseholdIn, HouseholdOut
from shell.writes import accepts_idempotency_key, commit_write

blp = Blueprint(
    "households",
    __name__,
    url_prefix="/api/v1/funds/<f>/households",
    description="Households 农户 (a township officer sees their own only)",
)


@blp.route("")
class Households(MethodView):
    @in_fund(*READERS)
    @blp.arguments(HouseholdFilter, location="query")
    @blp.response(200, HouseholdOut(many=True))
    @blp.paginate(seek=True)
    def get(self, query: dict[str, Any], f: str, pagination_parameters: Any) -> Any:
        """List the households (农户列表)"""
        with get_db().read() as session:
            listing = setup.households(session, current_actor(), f, **query)
            return paginate_listing(session, listing, pagination_parameters)

    @in_fund(Action.SET_UP)
    @accepts_idempotency_key
    @blp.arguments(HouseholdIn)
    @blp.response(201, HouseholdOut)
    def post(self, data: dict[str, Any], f: str) -> Any:
        """Register a household; the ID number is checked per GB 11643 (登记农户)"""
        actor = current_actor()
        return commit_write(
            lambda uow: setup.household_row(uow.session, add_household(uow, actor, f, **data)),
            schema=HouseholdOut(),
            target=lambda row: f"fund:{f}/household:{row.id}",
        )


@blp.route("/<int:id>")
class Household(MethodView):
    @in_fund(*READERS)
    @blp.response(200, HouseholdOut)
    def get(self, f: str, id: int) -> Any:
        """One household (农户)"""
        with get_db().read() as session:
            return setup.household(session, current_actor(), f, id)
