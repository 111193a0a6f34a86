"""进展情况汇报 as a page: the progress report of a period, for leaders and the county
office, and a township officer's own township.

The page draws the same read as the PDF (`ledger.read.progress.progress_report`) and
links to the PDF of the same period; a period the read refuses (ending before it
starts, after today, or before the fund's first business day) is shown beside the
field with the year so far instead.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import g, render_template

from ledger.errors import LedgerError
from ledger.read import progress as read
from ledger.read.rates import percent
from shell.db import get_db
from shell.schemas.reports import ProgressQuery
from web.blueprint import EVERYONE, bp, page
from web.forms import search_form

PERIOD = ("start", "end")


@bp.route("/f/<f>/progress")
@page(*EVERYONE)
def progress(f: str) -> Any:
    query, form = search_form(ProgressQuery(), {})
    with get_db().read() as session:
        try:
            report = read.progress_report(session, g.actor, f, **query)
        except LedgerError as error:
            if error.field not in PERIOD:
                raise
            form.error(error.field, error.detail_zh)
            report = read.progress_report(session, g.actor, f, **ProgressQuery().load({}))
    form.values = {"start": report.start.isoformat(), "end": report.end.isoformat(), **form.values}
    return render_template(
        "web/progress.html",
        title="进展情况汇报",
        fund=f,
        form=form,
        report=report,
        # 走访率 as the PDF prints it: done ÷ due, per township and in total.
        visit_rates={
            v.township: percent(Decimal(v.done), Decimal(v.due))
            for v in (*report.visits, report.visits_total)
        },
    )
