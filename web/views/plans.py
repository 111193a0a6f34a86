"""Plans: plan against actual (计划完成情况), and recording and revising the plan itself.

A plan is entered as a table per batch: a row per township, a pair of
columns (households, amount) per year, as a county's planning sheet is laid
out. Each filled cell pair is one line of the API's ``lines``, parsed by the
same schema (`PlanIn`, `PlanRevisionIn`); a blank pair is no line. The
inputs are named ``h-<year>-<township>-<batch>`` (households) and
``a-…`` (amount), so an error about ``lines[i]`` is shown in its cell.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import zip_longest
from typing import Any

from flask import g, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from ledger import dates
from ledger.permissions import Action
from ledger.read import plans as read
from ledger.read import setup
from ledger.services import plans as service
from shell.db import get_db
from shell.schemas.plans import PlanActualQuery, PlanIn, PlanRevisionIn, PlanYearsQuery
from web.blueprint import EVERYONE, bp, page
from web.forms import FORM, FormState, Inputs, blank, search_form, submit, submitted_values

#: One cell pair of the table: year, township code, batch code.
Cell = tuple[int, str, str]
CELL = re.compile(r"^([ha])-([0-9]{4})-([^-]+)-(.+)$")
#: A line's field as the schema (``lines.3.amount``) or the service (``lines[3].amount``) names it.
LINE_FIELD = re.compile(r"^lines(?:\[([0-9]+)\]|\.([0-9]+))(?:\.(\w+))?$")
#: The service's messages start by naming the line (``lines[3].amount …``); a cell needs no name.
LINE_NAME = re.compile(r"^lines\[[0-9]+\](?:\.\w+)?[ :]")


def cell_name(kind: str, year: int, town: str, batch: str) -> str:
    """The input of a cell: kind ``h`` (households) or ``a`` (amount)."""
    return f"{kind}-{year}-{town}-{batch}"


@bp.route("/f/<f>/plans")
@page(*EVERYONE)
def plans(f: str) -> Any:
    query, form = search_form(PlanActualQuery(), {})
    with get_db().read() as session:
        report = read.plan_against_actual(session, g.actor, f, **query)
        made = read.plans(session, g.actor, f)
    return render_template(
        "web/plans.html",
        title=f"{report.year} 年计划完成情况",
        fund=f,
        form=form,
        report=report,
        plans=made,
    )


def _table(f: str) -> dict[str, Any]:
    """The entry table's rows and tables (the fund's townships and batches), its inputs' names."""
    with get_db().read() as session:
        return {
            "towns": setup.townships(session, g.actor, f).all(session),
            "batches": setup.batches(session, g.actor, f).all(session),
            "cell": cell_name,
        }


def _lines(form: MultiDict[str, str]) -> tuple[list[dict[str, Any]], list[Cell]]:
    """The plan's lines from the posted cells, in the table's order, and each line's cell.

    A cell sent twice (a tampered form) is two lines, which the service
    refuses as a duplicate; households are whole numbers for the strict
    schema, anything else is left for it to refuse.
    """
    typed: dict[Cell, dict[str, list[str]]] = {}
    for name in form:
        found = CELL.match(name)
        if found:
            kind, year, town, batch = found.groups()
            typed.setdefault((int(year), town, batch), {})[kind] = form.getlist(name)
    lines, cells = [], []
    for (year, town, batch), pair in typed.items():
        for h, a in zip_longest(pair.get("h", []), pair.get("a", []), fillvalue=""):
            h, a = h.strip(), a.strip()
            if not h and not a:
                continue
            line: dict[str, Any] = {"year": year, "township": town, "batch": batch}
            if h:
                line["households"] = int(h) if re.fullmatch(r"-?[0-9]{1,9}", h) else h
            if a:
                line["amount"] = a
            lines.append(line)
            cells.append((year, town, batch))
    return lines, cells


def _inputs(cells: list[Cell]) -> Inputs:
    """Where an error about a line is shown: its amount or households cell.

    An error about the line's year, township or batch (a tampered form)
    goes to the top of the form, since those are not inputs.
    """

    def inputs(field: str) -> str | None:
        if field == "lines":
            return FORM
        found = LINE_FIELD.match(field)
        if found is None:
            return None
        index, part = int(found[1] or found[2]), found[3]
        if index >= len(cells) or part in ("year", "township", "batch"):
            return FORM
        return cell_name("a" if part == "amount" else "h", *cells[index])

    return inputs


def _in_cells(state: FormState) -> FormState:
    """A cell's messages without the line's name, which the cell itself shows."""
    for name, messages in state.errors.items():
        if CELL.match(name):
            state.errors[name] = [LINE_NAME.sub("", m, count=1) for m in messages]
    return state


def _cells_of(lines: Iterable[read.PlanLineView]) -> dict[str, str]:
    values = {}
    for line in lines:
        at = (line.year, line.township, line.batch)
        values[cell_name("h", *at)] = str(line.planned.households)
        values[cell_name("a", *at)] = str(line.planned.amount)
    return values


# --- recording a plan ---------------------------------------------------------------------


def _new_page(f: str, state: FormState) -> Any:
    years_query, years_form = search_form(PlanYearsQuery(), {})
    years_form.prefix = "period-"  # its inputs' ids differ from the plan form's
    values = state.values
    first = _year(values.get("first_year"), years_query["first_year"])
    last = _year(values.get("last_year"), years_query["last_year"])
    years = list(range(first, max(first, min(last, first + service.MAX_PLAN_YEARS - 1)) + 1))
    state.values = {"first_year": first, "last_year": last, **values}
    return render_template(
        "web/plan_new.html",
        title="制定规划",
        fund=f,
        years_form=years_form,
        form=_in_cells(state),
        years=years,
        **_table(f),
    )


def _year(typed: Any, fallback: int) -> int:
    """The year a redrawn form was sent with, else the one asked for in the address."""
    return int(typed) if isinstance(typed, str) and typed.isdigit() else fallback


@bp.route("/f/<f>/plans/new")
@page(Action.PLAN)
def new_plan(f: str) -> Any:
    return _new_page(f, blank(date=dates.today().isoformat()))


@bp.route("/f/<f>/plans/new", methods=["POST"])
@page(Action.PLAN)
def record_plan(f: str) -> Any:
    lines, cells = _lines(request.form)
    return submit(
        PlanIn(),
        lambda uow, data: read.plan_at(
            uow.session, g.actor, f, service.record_plan(uow, g.actor, f, **data)
        ),
        done=lambda made: url_for("web.plan", f=f, first_year=made.first_year),
        notice=lambda made: f"{made.first_year}–{made.last_year} 年规划已制定",
        target=lambda made: f"fund:{f}/plan:{made.first_year}",
        redraw=lambda state: _new_page(f, state),
        values={**_fields(("first_year", "last_year", "name", "reason", "date")), "lines": lines},
        inputs=_inputs(cells),
    )


def _fields(names: Iterable[str]) -> dict[str, str]:
    typed = submitted_values()
    return {name: typed[name] for name in names if name in typed}


# --- a plan and its revisions -------------------------------------------------------------


def _plan_page(f: str, first_year: int, state: FormState | None = None) -> Any:
    with get_db().read() as session:
        shown = read.plan(session, g.actor, f, first_year)
    if state is None:
        state = blank(date=dates.today().isoformat(), **_cells_of(shown.lines))
    return render_template(
        "web/plan.html",
        title=f"{shown.name}({shown.first_year}–{shown.last_year} 年)",
        fund=f,
        plan=shown,
        form=_in_cells(state),
        years=list(range(shown.first_year, shown.last_year + 1)),
        **_table(f),
    )


@bp.route("/f/<f>/plans/<int:first_year>")
@page(*EVERYONE)
def plan(f: str, first_year: int) -> Any:
    return _plan_page(f, first_year)


@bp.route("/f/<f>/plans/<int:first_year>", methods=["POST"])
@page(Action.PLAN)
def revise_plan(f: str, first_year: int) -> Any:
    lines, cells = _lines(request.form)

    def revise(uow: Any, data: dict[str, Any]) -> Any:
        data.pop("first_year")
        return service.revise_plan(uow, g.actor, f, first_year, **data)

    return submit(
        PlanRevisionIn(),
        revise,
        done=lambda _: url_for("web.plan", f=f, first_year=first_year),
        notice=lambda revision: f"规划已调整为第 {revision.version} 版",
        target=f"fund:{f}/plan:{first_year}",
        redraw=lambda state: _plan_page(f, first_year, state),
        values={**_fields(("reason", "date")), "first_year": str(first_year), "lines": lines},
        inputs=_inputs(cells),
    )
