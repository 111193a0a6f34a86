"""``GET /api/v1/health``: is the service up, which database does it use, can it print PDFs."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import text

from reports.fonts import CJKFontMissing, register_cjk_font
from shell.db import get_db

blp = Blueprint("health", __name__, url_prefix="/api/v1/health", description="Service health")


class PdfHealthSchema(Schema):
    ok = fields.Boolean(required=True, metadata={"description": "PDF 报表可以生成 / PDFs render"})
    missing = fields.String(
        allow_none=True,
        metadata={"description": "缺少的软件包 / the package to install", "example": None},
    )
    detail = fields.String(allow_none=True, metadata={"description": "what is wrong, in English"})


class HealthSchema(Schema):
    status = fields.String(required=True, metadata={"example": "ok"})
    database = fields.String(required=True, metadata={"example": "sqlite"})
    pdf = fields.Nested(PdfHealthSchema, required=True)


def pdf_health() -> dict[str, Any]:
    """Whether the PDF reports can be set: their CJK font is found and embeddable."""
    try:
        register_cjk_font()
    except CJKFontMissing as missing:
        return {"ok": False, "missing": missing.package, "detail": str(missing)}
    return {"ok": True, "missing": None, "detail": None}


@blp.route("")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    def get(self) -> dict[str, Any]:
        """Answer ok after a round trip to the database; say whether PDFs can be rendered."""
        with get_db().read() as session:
            session.execute(text("SELECT 1"))
            name = session.get_bind().dialect.name
        return {"status": "ok", "database": name, "pdf": pdf_health()}
