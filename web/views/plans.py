"""Plan against actual (计划完成情况): a year's plan per township and batch against the
households and money registered, approved and disbursed in it.

The plan itself is recorded and revised through the API (``POST /plans``); the
page shows the version in force on the as-of date.
"""

from __future__ import annotations

from typing import Any

from flask import g, render_template

from ledger.read import plans as read
from shell.db import get_db
from shell.schemas.plans import PlanActualQuery
from web.blueprint import EVERYONE, bp, page
from web.forms import search_form


@bp.route("/f/<f>/plans")
@page(*EVERYONE)
def plans(f: str) -> Any:
    query, form = search_form(PlanActualQuery(), {})
    with get_db().read() as session:
        report = read.plan_against_actual(session, g.actor, f, **query)
    return render_template(
        "web/plans.html", title=f"{report.year} 年计划完成情况", fund=f, form=form, report=report
    )
