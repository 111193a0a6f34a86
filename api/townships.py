"""``/api/v1/funds/<f>/townships``: the townships (乡镇) and their account with the county."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.pagination import Blueprint, paginate_listing
from api.scope import READERS, in_fund
from ledger.permissions import Action
from ledger.read import fund, setup
from ledger.services.setup import add_township
from shell.auth import current_actor
from shell.db import get_db
from shell.schemas.common import AsOfQuery
from shell.schemas.setup import TownshipFilter, TownshipIn, TownshipOut, TownshipPositionOut
from shell.writes import accepts_idempotency_key, commit_write

blp = Blueprint(
    "townships",
    __name__,
    url_prefix="/api/v1/funds/<f>/townships",
    description="Townships 乡镇 (a township officer sees their own only)",
)


@blp.route("")
class Townships(MethodView):
    @in_fund(*READERS)
    @blp.arguments(TownshipFilter, location="query")
    @blp.response(200, TownshipOut(many=True))
    @blp.paginate()
    def get(self, query: dict[str, Any], f: str, pagination_parameters: Any) -> Any:
        """List the fund's townships (乡镇列表)"""
        with get_db().read() as session:
            listing = setup.townships(session, current_actor(), f, **query)
            return paginate_listing(session, listing, pagination_parameters)

    @in_fund(Action.SET_UP)
    @accepts_idempotency_key
    @blp.arguments(TownshipIn)
    @blp.response(201, TownshipOut)
    def post(self, data: dict[str, Any], f: str) -> Any:
        """Register a township by its 9-digit code (登记乡镇)"""
        actor = current_actor()
        return commit_write(
            lambda uow: add_township(uow, actor, f, **data),
            schema=TownshipOut(),
            target=f"fund:{f}/township:{data['code']}",
        )


@blp.route("/<t>/position")
class Position(MethodView):
    @in_fund(*READERS)
    @blp.arguments(AsOfQuery, location="query")
    @blp.response(200, TownshipPositionOut)
    def get(self, query: dict[str, Any], f: str, t: str) -> Any:
        """A township's account with the county and the township check (乡镇往来)"""
        with get_db().read() as session:
            return fund.township_position(session, current_actor(), f, t, **query)
