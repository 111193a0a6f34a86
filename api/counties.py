"""``/api/v1/counties``: the counties (区县) that own funds, added by an administrator."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.pagination import Blueprint, paginate_listing
from ledger.read import setup
from ledger.services.counties import add_county
from shell.auth import current_actor, require
from shell.db import get_db
from shell.schemas.funds import CountyIn, CountyOut
from shell.writes import accepts_idempotency_key, commit_write

blp = Blueprint("counties", __name__, url_prefix="/api/v1/counties", description="Counties 区县")


@blp.route("")
class Counties(MethodView):
    @require("admin")
    @blp.response(200, CountyOut(many=True))
    @blp.paginate()
    def get(self, pagination_parameters: Any) -> Any:
        """List the counties in the caller's region (区县列表)"""
        with get_db().read() as session:
            return paginate_listing(session, setup.counties(current_actor()), pagination_parameters)

    @require("admin")
    @accepts_idempotency_key
    @blp.arguments(CountyIn)
    @blp.response(201, CountyOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Add a county (新增区县)"""
        actor = current_actor()
        return commit_write(
            lambda uow: setup.county_row(uow.session, add_county(uow, actor=actor, **data)),
            schema=CountyOut(),
            target=f"county:{data['code']}",
        )
