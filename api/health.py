"""``GET /api/v1/health``: is the service up, and which database does it use."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import text

from api import get_db

blp = Blueprint("health", __name__, url_prefix="/api/v1/health", description="Service health")


class HealthSchema(Schema):
    status = fields.String(required=True, metadata={"example": "ok"})
    database = fields.String(required=True, metadata={"example": "sqlite"})


@blp.route("")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    def get(self) -> dict[str, str]:
        """Answer ok after a round trip to the database."""
        with get_db().read() as session:
            session.execute(text("SELECT 1"))
            name = session.get_bind().dialect.name
        return {"status": "ok", "database": name}
