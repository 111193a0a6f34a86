"""What every template may use: amounts, Chinese labels, the user, the CSRF field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Flask, g

from ledger.money import fmt
from reports import labels
from web.session import csrf_token, notices

ROLE = {
    "clerk": "业务会计",
    "approver": "审批人",
    "leader": "领导",
    "township": "乡镇财政所",
    "admin": "管理员",
}


def money(value: Decimal | None) -> str:
    """``1,234.50``; blank for no value (never a float: amounts are Decimal)."""
    return "" if value is None else fmt(value)


def register(app: Flask) -> None:
    app.add_template_filter(money, "money")
    for name, mapping in (
        ("status", labels.STATUS),
        ("kind", labels.KIND),
        ("action", labels.ACTION),
        ("proposal", labels.PROPOSAL),
        ("ground", labels.GROUND),
        ("bucket", labels.BUCKET),
        ("disaster_kind", labels.DISASTER_KIND),
        ("role", ROLE),
    ):
        app.add_template_filter(lambda code, m=mapping: labels.label(m, code), name)

    @app.context_processor
    def _common() -> dict[str, Any]:
        return {"actor": g.get("actor"), "csrf_token": csrf_token, "notices": notices}
