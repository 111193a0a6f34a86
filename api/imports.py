"""Registration import 登记导入."""

from __future__ import annotations

from api.pagination import Blueprint

blp = Blueprint(
    "imports",
    __name__,
    url_prefix="/api/v1/funds/<f>",
    description="Registration import 登记导入",
)
