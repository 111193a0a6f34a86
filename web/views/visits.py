"""Visits (走访): record one on a short page (a phone's), the month's missing visits as a
township officer's to-do list, a liaison's year of visits, and the pairing cadres'
visits (联户干部入户) with their year against the yearly minimum.

The short page posts the loan page's own step (`web.views.loans`), so a visit is
parsed and recorded one way wherever it is entered; a cadre's visit is parsed by
the API's own schema and recorded by the same service.
"""

from __future__ import annotations

from typing import Any

from flask import g, render_template, request, url_for
from marshmallow import fields, validate

from ledger import dates
from ledger.errors import LedgerError
from ledger.labels import PROGRESS
from ledger.permissions import Action
from ledger.read import loans as loan_reads
from ledger.read import setup
from ledger.read import visits as read
from ledger.read.listing import MAX_CURSOR, Seek
from ledger.services import visits as service
from shell.db import get_db
from shell.schemas.overview import YearQuery
from shell.schemas.visits import CadreQuery, CadreVisitIn, MonthQuery
from web.blueprint import EVERYONE, bp, page
from web.choices import choices
from web.forms import FormState, form_page, search_form
from web.pagination import PER_PAGE, sought
from web.views.loans import ACTIONS, suggested_visit

STEP = ACTIONS[Action.VISIT.value]


class MonthPageQuery(MonthQuery):
    #: The cursor a page's "next" link carries (`ledger.read.listing`).
    after = fields.String(validate=validate.Length(max=MAX_CURSOR))


def _visit_page(f: str, no: str, form: FormState) -> Any:
    with get_db().read() as session:
        detail = loan_reads.loan(session, g.actor, f, no)
        people = setup.liaisons(session, g.actor, f, detail.township).all(session)
        liaison_options = [(person.id, person.name) for person in people]
    return render_template(
        "web/visit.html",
        title=f"登记走访 {no}",
        fund=f,
        loan=detail,
        form=form,
        liaison_options=liaison_options,
        progress_options=list(PROGRESS.items()),
    )


@bp.route("/f/<f>/loans/<no>/visit", methods=["GET", "POST"])
@page(Action.VISIT, loan=True)
def visit(f: str, no: str) -> Any:
    """Record a liaison's visit: today, by the loan's liaison, unless changed."""
    with get_db().read() as session:
        suggested = suggested_visit(loan_reads.loan(session, g.actor, f, no))
    return form_page(
        lambda state: _visit_page(f, no, state),
        STEP.schema(),
        lambda uow, data: STEP.run(uow, f, no, data),
        done=lambda visit: url_for("web.visits", f=f, month=dates.month_of(visit.visited_on)),
        notice=lambda visit: f"借款 {no}:{visit.visitor} {visit.visited_on} 的走访已登记",
        target=f"fund:{f}/loan:{no}",
        suggested=suggested,
    )


@bp.route("/f/<f>/visits")
@page(*EVERYONE)
def visits(f: str) -> Any:
    """本月未走访: the month's loans due a visit, per liaison, and those not visited yet."""
    query, form = search_form(MonthPageQuery(), {})
    with get_db().read() as session:
        try:
            month = read.month_page(session, g.actor, f, **query, limit=PER_PAGE)
        except LedgerError as error:
            if error.field != "month":
                raise  # another township's, or a cursor no page gave: the error page
            form.error("month", error.detail_zh)
            month = read.month_page(session, g.actor, f, **MonthQuery().load({}), limit=PER_PAGE)
    form.values = {"month": month.month, **form.values}  # the month shown, unless mistyped
    missing = month.due - month.done
    return render_template(
        "web/visits.html",
        title=f"{month.month} 未走访",
        fund=f,
        form=form,
        month=month,
        listing=sought(missing, Seek(month.missing, month.next)),
        **choices(f),
    )


@bp.route("/f/<f>/liaisons/<int:id>/visits")
@page(*EVERYONE)
def liaison_visits(f: str, id: int) -> Any:
    """A liaison's year: each month's loans due a visit, visited and missed."""
    query, form = search_form(YearQuery(), {})
    with get_db().read() as session:
        year = read.liaison_year(session, g.actor, f, id, **query)
    return render_template(
        "web/liaison_visits.html",
        title=f"{year.liaison} {year.year} 年走访",
        fund=f,
        form=form,
        year=year,
    )


@bp.route("/f/<f>/cadre-visits")
@page(*EVERYONE)
def cadre_visits(f: str) -> Any:
    """联户干部走访: each cadre's households this year against the minimum, behind first."""
    query, form = search_form(CadreQuery(), {})
    with get_db().read() as session:
        rows = read.cadre_years(session, g.actor, f, **query)
    return render_template(
        "web/cadre_visits.html",
        title=f"{query['year']} 年联户干部走访",
        fund=f,
        form=form,
        year=query["year"],
        visitor=query.get("visitor"),
        rows=rows,
        minimum=(read.CADRE_MIN_VISITS, read.CADRE_MIN_DAYS),
        **choices(f),
    )


def _cadre_visit_page(f: str, form: FormState) -> Any:
    with get_db().read() as session:
        homes = setup.households(session, g.actor, f).all(session)
        towns = {t.code: t.name for t in setup.townships(session, g.actor, f).all(session)}
    return render_template(
        "web/cadre_visit.html",
        title="登记联户干部走访",
        fund=f,
        form=form,
        household_options=[(h.id, f"{towns[h.township]} {h.village} {h.name}") for h in homes],
        progress_options=list(PROGRESS.items()),
    )


@bp.route("/f/<f>/cadre-visits/new", methods=["GET", "POST"])
@page(Action.VISIT)
def new_cadre_visit(f: str) -> Any:
    """Record a pairing cadre's visit: today, one day, the household and cadre if linked."""
    return form_page(
        lambda state: _cadre_visit_page(f, state),
        CadreVisitIn(),
        lambda uow, data: service.record_cadre_visit(uow, g.actor, f, **data),
        done=lambda visit: url_for(
            "web.cadre_visits", f=f, year=visit.visited_on.year, visitor=visit.visitor
        ),
        notice=lambda visit: f"{visit.visitor} {visit.visited_on} 入户 {visit.days} 天已登记",
        target=lambda visit: f"fund:{f}/household:{visit.household_id}",
        suggested={
            "visited_on": dates.today().isoformat(),
            "days": 1,
            **{k: v for k, v in request.args.items() if k in ("household", "visitor")},
        },
    )
