"""``/api/v1/funds/<f>/disasters``: disasters (灾害), assessed losses, and proposals for them.

The 7·8 hail and the 8·13 flood: record the event and the townships it
struck, the assessed loss of each loan's project (损失核定), then propose a
write-off or an extension for every loan struck at once; an approver decides
them (``/write-offs/decisions``, ``/extensions/{id}/decision``).
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.pagination import Blueprint, Page
from api.scope import COUNTY_READERS, in_fund
from ledger.permissions import Action
from ledger.read import disasters as disaster_reads
from ledger.read import proposals
from ledger.services import disasters
from shell.auth import current_actor
from shell.db import get_db
from shell.schemas.disasters import (
    DisasterExtensionsIn,
    DisasterIn,
    DisasterOut,
    DisasterWriteOffsIn,
    LossIn,
    LossOut,
)
from shell.schemas.proposals import ExtensionOut, WriteOffOut
from shell.writes import accepts_idempotency_key, commit_write

blp = Blueprint(
    "disasters",
    __name__,
    url_prefix="/api/v1/funds/<f>/disasters",
    description="Disasters 灾害 and their losses 损失核定",
)


@blp.route("")
class Disasters(MethodView):
    @in_fund(*COUNTY_READERS)
    @blp.response(200, DisasterOut(many=True))
    @blp.paginate(Page)
    def get(self, f: str) -> Any:
        """List the disasters with the townships they struck (灾害列表)"""
        with get_db().read() as session:
            return disaster_reads.disasters(session, current_actor(), f)

    @in_fund(Action.RECORD_DISASTER)
    @accepts_idempotency_key
    @blp.arguments(DisasterIn)
    @blp.response(201, DisasterOut)
    def post(self, data: dict[str, Any], f: str) -> Any:
        """Record a disaster and the townships it struck (登记灾害)"""
        actor = current_actor()
        return commit_write(
            lambda uow: disaster_reads.disaster_of(
                uow.session, disasters.record_disaster(uow, actor, f, **data)
            ),
            schema=DisasterOut(),
            target=f"fund:{f}/disaster:{data['code']}",
        )


@blp.route("/<code>")
class Disaster(MethodView):
    @in_fund(*COUNTY_READERS)
    @blp.response(200, DisasterOut)
    def get(self, f: str, code: str) -> Any:
        """One disaster (灾害)"""
        with get_db().read() as session:
            return disaster_reads.disaster(session, current_actor(), f, code)


@blp.route("/<code>/losses")
class Losses(MethodView):
    @in_fund(Action.REPORT_LOSS)
    @accepts_idempotency_key
    @blp.arguments(LossIn)
    @blp.response(201, LossOut)
    def post(self, data: dict[str, Any], f: str, code: str) -> Any:
        """Record the assessed loss of one loan's project in the disaster (损失核定)"""
        actor = current_actor()
        return commit_write(
            lambda uow: disaster_reads.loss(
                uow.session, disasters.record_loss(uow, actor, f, code, **data)
            ),
            schema=LossOut(),
            target=f"fund:{f}/disaster:{code}/loan:{data['loan']}",
        )


@blp.route("/<code>/write-offs")
class DisasterWriteOffs(MethodView):
    @in_fund(Action.PROPOSE_FOR_DISASTER)
    @accepts_idempotency_key
    @blp.arguments(DisasterWriteOffsIn)
    @blp.response(201, WriteOffOut(many=True))
    def post(self, data: dict[str, Any], f: str, code: str) -> Any:
        """Propose a write-off for every loan with a loss in the disaster (批量申请灾害核销)"""
        actor = current_actor()
        return commit_write(
            lambda uow: proposals.write_off_list(
                uow.session,
                disasters.propose_for_disaster(uow, actor, f, code, action="write_off", **data),
            ),
            schema=WriteOffOut(many=True),
            target=f"fund:{f}/disaster:{code}",
        )


@blp.route("/<code>/extensions")
class DisasterExtensions(MethodView):
    @in_fund(Action.PROPOSE_FOR_DISASTER)
    @accepts_idempotency_key
    @blp.arguments(DisasterExtensionsIn)
    @blp.response(201, ExtensionOut(many=True))
    def post(self, data: dict[str, Any], f: str, code: str) -> Any:
        """Propose an extension for every loan with a loss in the disaster (批量申请展期)"""
        actor = current_actor()
        return commit_write(
            lambda uow: proposals.extension_list(
                uow.session,
                disasters.propose_for_disaster(uow, actor, f, code, action="extension", **data),
            ),
            schema=ExtensionOut(many=True),
            target=f"fund:{f}/disaster:{code}",
        )
