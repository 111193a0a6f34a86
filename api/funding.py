"""Money in and down: appropriations (拨入), allocations to townships (拨付), remittances (上缴).

Each posts one journal and answers 201 with the movement and its voucher.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.pagination import Blueprint
from api.scope import in_fund
from ledger.permissions import Action
from ledger.services.funding import record_allocation, record_appropriation, record_remittance
from shell.auth import current_actor
from shell.schemas.money import AllocationIn, AppropriationIn, MovementOut, RemittanceIn
from shell.writes import accepts_idempotency_key, commit_write

blp = Blueprint(
    "money",  # the published OpenAPI tag and endpoint names, unchanged by the module name
    __name__,
    url_prefix="/api/v1/funds/<f>",
    description="Money in and down 拨入、拨付、上缴",
)


def _target(f: str) -> Any:
    return lambda movement: f"fund:{f}/journal:{movement.voucher}"


@blp.route("/appropriations")
class Appropriations(MethodView):
    @in_fund(Action.APPROPRIATE)
    @accepts_idempotency_key
    @blp.arguments(AppropriationIn)
    @blp.response(201, MovementOut)
    def post(self, data: dict[str, Any], f: str) -> Any:
        """Record money received into the special account as fund capital (拨入)"""
        actor = current_actor()
        return commit_write(
            lambda uow: record_appropriation(uow, actor, f, **data),
            schema=MovementOut(),
            target=_target(f),
        )


@blp.route("/allocations")
class Allocations(MethodView):
    @in_fund(Action.ALLOCATE)
    @accepts_idempotency_key
    @blp.arguments(AllocationIn)
    @blp.response(201, MovementOut)
    def post(self, data: dict[str, Any], f: str) -> Any:
        """Send money from the special account to a township finance office (拨付乡镇)"""
        actor = current_actor()
        return commit_write(
            lambda uow: record_allocation(uow, actor, f, **data),
            schema=MovementOut(),
            target=_target(f),
        )


@blp.route("/remittances")
class Remittances(MethodView):
    @in_fund(Action.REMIT)
    @accepts_idempotency_key
    @blp.arguments(RemittanceIn)
    @blp.response(201, MovementOut)
    def post(self, data: dict[str, Any], f: str) -> Any:
        """A township sends collected money back to the special account (上缴)

        A township officer may remit only for their own township (another
        township is 404, as if it did not exist).
        """
        actor = current_actor()
        return commit_write(
            lambda uow: record_remittance(uow, actor, f, **data),
            schema=MovementOut(),
            target=_target(f),
        )
