"""The landing pages: the working overview and to-do list, the leader's dashboard, downloads.

The overview and the dashboard take a 截至 date (``?as_of=YYYY-MM-DD``, default
today) and every money figure on them is as of the end of that day, read as
the fund-statement PDF reads it. The to-do counts are the loans' and
proposals' state now: there is nothing to do in the past. The leaders'
dashboard may be read on the replica (and then says how old it is); the
clerk's overview, checked right after a write, always reads the primary.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask import g, render_template

from ledger import dates
from ledger.read import fund, inspections, loans, visits
from shell.db import get_db
from shell.schemas.common import AsOfQuery
from web.blueprint import COUNTY, EVERYONE, bp, page
from web.forms import FormState, search_form
from web.views.proposals import pending

#: The dashboard chart's longest bar, in SVG units.
BAR_WIDTH = 400
ZERO = Decimal("0.00")

#: The to-do list: loans waiting for the clerk, by the status they wait in.
WAITING = (
    ("applied", "待核查"),
    ("verified", "待审定"),
    ("approved", "待签合同"),
    ("contracted", "待发放"),
)


def as_of_form() -> tuple[date | None, FormState]:
    """The page's 截至 date (None: today, on the running totals) and its form.

    A refused date is shown beside the field with today's figures.
    """
    query, form = search_form(AsOfQuery(), {})
    as_of = query.get("as_of")
    if not form.refused:
        form.values = {"as_of": (as_of or dates.today()).isoformat()}
    return as_of, form


def programme_todo(session: Any, actor: Any, f: str) -> dict[str, int]:
    """This month's missing visits and the open inspection findings, now."""
    due, done = visits.this_month(session, actor, f)
    return {
        "visits_missing": due - done,
        "findings_open": len(inspections.open_findings(session, actor, f)),
    }


@bp.route("/f/<f>/")
@page("clerk", "approver", "township")
def overview(f: str) -> Any:
    actor = g.actor
    as_of, form = as_of_form()
    with get_db().read() as session:
        if actor.is_township:
            counts = loans.loan_counts(session, actor, f, ("disbursed",))
            position = fund.township_position(session, actor, f, actor.township_code, as_of)
            return render_template(
                "web/township.html",
                title="本乡镇",
                fund=f,
                form=form,
                as_of=as_of,
                position=position,
                counts=counts,
                **programme_todo(session, actor, f),
            )
        counts = loans.loan_counts(session, actor, f, (status for status, _ in WAITING))
        summary = fund.summary(session, actor, f, as_of)
        three_lines = loans.three_lines(session, actor, f)
        waiting_decision = sum(len(rows) for rows in pending(session, actor, f).values())
        todo = programme_todo(session, actor, f)
    return render_template(
        "web/overview.html",
        title="概况与待办",
        fund=f,
        form=form,
        as_of=as_of,
        summary=summary,
        waiting=[(status, label, counts.get(status, 0)) for status, label in WAITING],
        three_lines=three_lines,
        pending=waiting_decision,
        **todo,
    )


@bp.route("/f/<f>/dashboard")
@page(*COUNTY)
def dashboard(f: str) -> Any:
    as_of, form = as_of_form()
    with get_db().replica_read() as read:
        summary = fund.summary(read.session, g.actor, f, as_of)
    towns = summary.by_township
    largest = max((town.outstanding for town in towns), default=ZERO) or Decimal(1)
    bars = [
        (town, _bar(town.outstanding, largest), _bar(town.overdue_amount, largest))
        for town in towns
    ]
    return render_template(
        "web/dashboard.html",
        title="基金概况",
        fund=f,
        form=form,
        as_of=as_of,
        summary=summary,
        bars=bars,
        data_age=read.age,
    )


def _bar(amount: Decimal, largest: Decimal) -> Decimal:
    """A bar's length in the chart's units (the largest township is BAR_WIDTH), from Decimals."""
    return (amount * BAR_WIDTH / largest).quantize(Decimal("0.1"))


@bp.route("/f/<f>/statements")
@page(*EVERYONE)
def statements(f: str) -> Any:
    return render_template(
        "web/statements.html", title="报表下载", fund=f, today=dates.today().isoformat()
    )
