"""PDF statements 报表 (SPEC §6)."""

from __future__ import annotations

from api.pagination import Blueprint

blp = Blueprint(
    "reports",
    __name__,
    url_prefix="/api/v1/funds/<f>",
    description="PDF statements 报表 (SPEC §6)",
)
