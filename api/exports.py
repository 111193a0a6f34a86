"""Spreadsheet exports 导出."""

from __future__ import annotations

from api.pagination import Blueprint

blp = Blueprint(
    "exports",
    __name__,
    url_prefix="/api/v1/funds/<f>",
    description="Spreadsheet exports 导出",
)
