"""What every template may use: amounts, Chinese labels, names, the user, the CSRF field."""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask import Flask, g, request

from ledger import labels
from ledger.dates import CST
from ledger.errors import NotFound
from ledger.money import fmt
from ledger.permissions import Action, allows
from ledger.read import setup
from shell.db import get_db
from web.session import csrf_token, notices

ROLE = {
    "clerk": "业务会计",
    "approver": "审批人",
    "leader": "领导",
    "auditor": "审计",
    "township": "乡镇财政所",
    "cashier": "出纳",
    "admin": "管理员",
}


def may(action: str) -> bool:
    """In a template: whether the signed-in user's role may do `action` (a form to show)."""
    actor = g.get("actor")
    return actor is not None and allows(actor.role, Action(action))


def cst(value: datetime) -> str:
    """An instant as a county reads it: Beijing time to the second (``2026-12-07 13:30:05``)."""
    return value.astimezone(CST).strftime("%Y-%m-%d %H:%M:%S")


def money(value: Decimal | None) -> str:
    """``1,234.50``; blank for no value (never a float: amounts are Decimal)."""
    return "" if value is None else fmt(value)


def scaled(value: Decimal, scale: int) -> str:
    """A fraction as a whole or decimal number of percent or per mille: ``0.40`` -> ``40``
    (a form's input shows it so too)."""
    text = format(value * scale, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent(value: Decimal) -> str:
    return scaled(value, 100) + "%"


def permille(value: Decimal) -> str:
    """A monthly rate as the 章程 states it: ``0.006`` -> ``6‰``."""
    return scaled(value, 1000) + "‰"


def _names() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """The page's fund's township, project-type and batch names by code, read once per request."""
    if "names" not in g:
        towns: dict[str, str] = {}
        kinds: dict[str, str] = {}
        batches: dict[str, str] = {}
        fund = (request.view_args or {}).get("f")
        if fund is not None and g.get("actor") is not None:
            with get_db().read() as session, suppress(NotFound):  # its own 404 page
                for names, read in (
                    (towns, setup.townships),
                    (kinds, setup.project_types),
                    (batches, setup.batches),
                ):
                    for row in read(session, g.actor, fund).all(session):
                        names[row.code] = row.name
        g.names = (towns, kinds, batches)
    return g.names  # type: ignore[no-any-return]


def town(code: str | None) -> str:
    """A township by its name (衡山镇), where a person reads it; the code if it has none."""
    return labels.label(_names()[0], code)


def project_type(code: str | None) -> str:
    """A project type by its name (蔬菜种植), not its code (veg)."""
    return labels.label(_names()[1], code)


def batch(code: str | None) -> str:
    """A batch by its name (第一批(2007)), not its code (1)."""
    return labels.label(_names()[2], code)


def register(app: Flask) -> None:
    app.add_template_filter(money, "money")
    app.add_template_filter(cst, "cst")
    app.add_template_filter(percent, "percent")
    app.add_template_filter(permille, "permille")
    app.add_template_filter(town, "town")
    app.add_template_filter(project_type, "project_type")
    app.add_template_filter(batch, "batch_name")
    for name, mapping in (
        ("status", labels.STATUS),
        ("kind", labels.KIND | labels.SOCIETY_KIND),
        ("action", labels.ACTION),
        ("proposal", labels.PROPOSAL),
        ("ground", labels.GROUND),
        ("bucket", labels.BUCKET),
        ("disaster_kind", labels.DISASTER_KIND),
        ("progress", labels.PROGRESS),
        ("finding_kind", labels.FINDING_KIND),
        ("role", ROLE),
    ):
        app.add_template_filter(lambda code, m=mapping: labels.label(m, code), name)

    @app.context_processor
    def _common() -> dict[str, Any]:
        return {"actor": g.get("actor"), "csrf_token": csrf_token, "notices": notices, "may": may}
