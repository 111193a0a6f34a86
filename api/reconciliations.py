"""Township and bank reconciliation 对账."""

from __future__ import annotations

from api.pagination import Blueprint

blp = Blueprint(
    "reconciliations",
    __name__,
    url_prefix="/api/v1/funds/<f>",
    description="Township and bank reconciliation 对账",
)
