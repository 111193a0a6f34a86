"""``/api/v1/funds/<f>/project-types``: project types and their borrowing standards (借款标准)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.pagination import Blueprint, paginate_listing
from api.scope import READERS, in_fund
from ledger.permissions import Action
from ledger.read import setup
from ledger.services.setup import add_project_type
from shell.auth import current_actor
from shell.db import get_db
from shell.schemas.setup import ProjectTypeIn, ProjectTypeOut
from shell.writes import accepts_idempotency_key, commit_write

blp = Blueprint(
    "project_types",
    __name__,
    url_prefix="/api/v1/funds/<f>/project-types",
    description="Project types 项目类型",
)


@blp.route("")
class ProjectTypes(MethodView):
    @in_fund(*READERS)
    @blp.response(200, ProjectTypeOut(many=True))
    @blp.paginate()
    def get(self, f: str, pagination_parameters: Any) -> Any:
        """List the project types (项目类型)"""
        with get_db().read() as session:
            listing = setup.project_types(session, current_actor(), f)
            return paginate_listing(session, listing, pagination_parameters)

    @in_fund(Action.SET_UP)
    @accepts_idempotency_key
    @blp.arguments(ProjectTypeIn)
    @blp.response(201, ProjectTypeOut)
    def post(self, data: dict[str, Any], f: str) -> Any:
        """Add a project type with its borrowing standard (新增项目类型)"""
        actor = current_actor()
        return commit_write(
            lambda uow: add_project_type(uow, actor, f, **data),
            schema=ProjectTypeOut(),
            target=f"fund:{f}/project-type:{data['code']}",
        )
