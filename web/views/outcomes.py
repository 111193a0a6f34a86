"""Incomes (脱贫成效) of a township's households: income at registration and at a
year's end, each judged 贫困 / 脱贫 / 返贫 once approved, with the 专业户 flag.

A township officer records an income as the household's liaison reports it; a
second officer of the township approves it (the service refuses the recorder,
so the page shows 本人录入 instead of a button). The county reads any township.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import g, render_template, url_for

from ledger import dates
from ledger.models import IncomeKind
from ledger.money import fmt
from ledger.permissions import Action
from ledger.poverty import STATUS_ZH
from ledger.read import outcomes as read
from ledger.read import setup
from ledger.services import outcomes as service
from shell.db import get_db
from shell.schemas.outcomes import IncomeApprovalIn, IncomeIn, OutcomesQuery
from web.blueprint import EVERYONE, bp, page
from web.choices import choices
from web.forms import FormState, blank, prefixed, search_form, submit

KIND = {IncomeKind.REGISTRATION.value: "登记时", IncomeKind.YEAR_END.value: "年末"}


def _chosen() -> tuple[int, str | None, FormState]:
    """The year and township asked for; a township officer's own township always."""
    query, form = search_form(OutcomesQuery(), {})
    township = g.actor.township_code or query.get("township")
    return query["year"], township, form


def _page(f: str, year: int, township: str | None, search: FormState, forms: Any = None) -> Any:
    towns = choices(f)["town_options"]
    township = township or (towns[0][0] if towns else None)
    today = dates.today()
    with get_db().read() as session:
        incomes = read.township_incomes(session, g.actor, f, township, year) if township else None
        summary = read.out_of_poverty(session, g.actor, f, year, township=township)
        people = setup.liaisons(session, g.actor, f, township).all(session) if township else []
    waiting = [
        entry
        for row in (incomes.rows if incomes else ())
        for entry in (row.at_registration, row.year_end)
        if entry is not None and entry.approved_by is None
    ]
    default_day = min(today, date(year, 12, 31))
    states: dict[Any, FormState] = {
        "income": blank(
            kind=IncomeKind.YEAR_END.value, date=default_day.isoformat(), specialised="false"
        ),
        **{("approve", entry.id): blank(date=today.isoformat()) for entry in waiting},
        **(forms or {}),
    }
    search.values = {"year": str(year), "township": township or "", **search.values}
    return render_template(
        "web/incomes.html",
        title=f"{year} 年农户收入",
        fund=f,
        year=year,
        incomes=incomes,
        summary=summary.total,
        search=search,
        forms=prefixed(states),
        town_options=towns,
        household_options=[(row.household, f"{row.name}({row.village})") for row in incomes.rows]
        if incomes
        else [],
        liaison_options=[(person.id, person.name) for person in people],
        kind_options=list(KIND.items()),
        status_label=STATUS_ZH,
    )


@bp.route("/f/<f>/incomes")
@page(*EVERYONE)
def incomes(f: str) -> Any:
    year, township, search = _chosen()
    return _page(f, year, township, search)


@bp.route("/f/<f>/incomes", methods=["POST"])
@page(Action.RECORD_INCOME)
def record_income(f: str) -> Any:
    year, township, search = _chosen()
    return submit(
        IncomeIn(),
        lambda uow, data: service.record_income(uow, g.actor, f, **data),
        done=lambda row: url_for("web.incomes", f=f, year=row.year),
        notice=lambda row: f"收入已登记({row.on},{fmt(row.income)} 元),待另一位乡镇干部审核",
        target=lambda row: f"fund:{f}/income:{row.id}",
        redraw=lambda state: _page(f, year, township, search, {"income": state}),
    )


@bp.route("/f/<f>/incomes/<int:id>/approval", methods=["POST"])
@page(Action.APPROVE_INCOME)
def approve_income(f: str, id: int) -> Any:
    year, township, search = _chosen()
    return submit(
        IncomeApprovalIn(),
        lambda uow, data: service.approve_income(uow, g.actor, f, id, **data),
        done=lambda row: url_for("web.incomes", f=f, year=row.year),
        notice=lambda row: f"收入记录 {row.id} 已审核",
        target=f"fund:{f}/income:{id}",
        redraw=lambda state: _page(f, year, township, search, {("approve", id): state}),
    )
