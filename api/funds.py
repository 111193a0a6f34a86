"""``/api/v1/funds``: the funds (周转金) an administrator opens, and their limits."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.pagination import Blueprint, paginate_listing
from api.scope import COUNTY_READERS, in_fund
from ledger.permissions import Action
from ledger.read import setup
from ledger.services.funds import open_fund
from ledger.services.setup import update_settings
from shell.auth import current_actor, require
from shell.db import get_db
from shell.schemas.funds import FundIn, FundOut, SettingsIn, SettingsOut
from shell.writes import accepts_idempotency_key, commit_write

blp = Blueprint(
    "funds", __name__, url_prefix="/api/v1/funds", description="Funds and their limits 基金"
)


@blp.route("")
class Funds(MethodView):
    @require("admin")
    @blp.response(200, FundOut(many=True))
    @blp.paginate()
    def get(self, pagination_parameters: Any) -> Any:
        """List the funds (基金列表)"""
        with get_db().read() as session:
            return paginate_listing(session, setup.funds(current_actor()), pagination_parameters)

    @require("admin")
    @accepts_idempotency_key
    @blp.arguments(FundIn)
    @blp.response(201, FundOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Open a fund with the standard chart of accounts (开设基金)"""
        actor = current_actor()
        return commit_write(
            lambda uow: setup.fund_row(uow.session, open_fund(uow, actor=actor, **data)),
            schema=FundOut(),
            target=f"fund:{data['code']}",
        )


@blp.route("/<f>/settings")
class Settings(MethodView):
    @in_fund(*COUNTY_READERS, "admin")
    @blp.response(200, SettingsOut)
    def get(self, f: str) -> Any:
        """The fund's limits: maximum loan and term, deduction cap, fee rate (限额)"""
        with get_db().read() as session:
            return setup.limits(session, current_actor(), f)

    @in_fund(Action.MANAGE_FUNDS)
    @blp.arguments(SettingsIn)
    @blp.response(200, SettingsOut)
    def patch(self, data: dict[str, Any], f: str) -> Any:
        """Change some of the fund's limits (修改限额)"""
        actor = current_actor()
        return commit_write(
            lambda uow: setup.limits_of(update_settings(uow, actor, f, **data)),
            schema=SettingsOut(),
            status=200,
            target=f"fund:{f}/settings",
        )
