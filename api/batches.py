"""``/api/v1/funds/<f>/batches``: lending batches (批次) and their budgets."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.pagination import Blueprint, paginate_listing
from api.scope import READERS, in_fund
from ledger.permissions import Action
from ledger.read import setup
from ledger.services.setup import add_batch
from shell.auth import current_actor
from shell.db import get_db
from shell.schemas.setup import BatchIn, BatchOut
from shell.writes import accepts_idempotency_key, commit_write

blp = Blueprint(
    "batches", __name__, url_prefix="/api/v1/funds/<f>/batches", description="Batches 批次"
)


@blp.route("")
class Batches(MethodView):
    @in_fund(*READERS)
    @blp.response(200, BatchOut(many=True))
    @blp.paginate()
    def get(self, f: str, pagination_parameters: Any) -> Any:
        """List the lending batches (批次)"""
        with get_db().read() as session:
            listing = setup.batches(session, current_actor(), f)
            return paginate_listing(session, listing, pagination_parameters)

    @in_fund(Action.SET_UP)
    @accepts_idempotency_key
    @blp.arguments(BatchIn)
    @blp.response(201, BatchOut)
    def post(self, data: dict[str, Any], f: str) -> Any:
        """Add a lending batch with its budget (新增批次)"""
        actor = current_actor()
        return commit_write(
            lambda uow: add_batch(uow, actor, f, **data),
            schema=BatchOut(),
            target=f"fund:{f}/batch:{data['code']}",
        )
