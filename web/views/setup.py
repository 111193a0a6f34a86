"""Registration and money: households, loan applications, allocations and remittances,
liaisons, the poverty line, and the registration-sheet import."""

from __future__ import annotations

from typing import Any

from flask import abort, g, redirect, render_template, request, url_for

from ledger import dates
from ledger.db import MAX_RECORD_ID
from ledger.errors import NotFound, RowsRefused, SheetRefused
from ledger.money import fmt
from ledger.permissions import Action
from ledger.read import guarantees, outcomes
from ledger.read import setup as setup_reads
from ledger.registration_import import import_registrations
from ledger.services import funding, loans, setup
from ledger.services.guarantees import record_salary_deduction
from ledger.services.outcomes import set_poverty_line
from sheets import lists
from shell.auth import check_role
from shell.db import get_db
from shell.downloads import download
from shell.schemas.loans import LoanIn, MoneyIn
from shell.schemas.money import AllocationIn, RemittanceIn
from shell.schemas.outcomes import PovertyLineIn
from shell.schemas.setup import HouseholdIn
from shell.writes import commit_write
from web.blueprint import COUNTY, EVERYONE, bp, page
from web.choices import choices
from web.forms import FORM, FormState, blank, form_page, prefixed, search_form, submit
from web.pagination import PER_PAGE, PageQuery, sought
from web.session import flash


@bp.route("/f/<f>/households/new", methods=["GET", "POST"])
@page(Action.SET_UP)
def new_household(f: str) -> Any:
    def render(form: FormState) -> Any:
        return render_template(
            "web/household_new.html", title="登记农户", fund=f, form=form, **choices(f)
        )

    return form_page(
        render,
        HouseholdIn(),
        lambda uow, data: setup.add_household(uow, g.actor, f, **data),
        done=lambda person: url_for("web.new_loan", f=f, household=person.id),
        notice=lambda person: f"农户 {person.name} 已登记(编号 {person.id}),请为其登记借款申请",
        target=lambda person: f"fund:{f}/household:{person.id}",
        suggested={"party_member": "false"},
    )


@bp.route("/f/<f>/loans/new", methods=["GET", "POST"])
@page(Action.REGISTER)
def new_loan(f: str) -> Any:
    named, missing = _household(
        f, request.args.get("household", ""), request.args.get("id_number", "")
    )
    household = str(named.id) if named is not None else ""

    def render(form: FormState) -> Any:
        return render_template(
            "web/loan_new.html",
            title="登记借款",
            fund=f,
            form=form,
            named=named,
            missing=missing,
            **choices(f),
        )

    return form_page(
        render,
        LoanIn(),
        lambda uow, data: loans.register_loan(uow, g.actor, f, **data),
        done=lambda loan: url_for("web.loan", f=f, no=loan.registration_no),
        notice=lambda loan: f"借款申请已登记,登记编号 {loan.registration_no}",
        target=lambda loan: f"fund:{f}/loan:{loan.registration_no}",
        suggested={"household": household, "date": dates.today().isoformat()},
    )


def _household(f: str, record: str, id_number: str) -> tuple[Any, str | None]:
    """The household a loan is for, found by its number or its ID number; or why not."""
    with get_db().read() as session:
        if id_number.strip():
            found = setup_reads.households(session, g.actor, f, id_number=id_number).first(session)
            return (
                found,
                None if found else f"没有身份证号为 {id_number.strip()} 的农户,请先登记农户",
            )
        if record.isdigit() and int(record) <= MAX_RECORD_ID:
            try:
                return setup_reads.household(session, g.actor, f, int(record)), None
            except NotFound:
                return None, f"没有编号为 {record} 的农户"
    return None, None


@bp.route("/f/<f>/money", methods=["GET"])
@page(Action.ALLOCATE, Action.REMIT)
def money(f: str, forms: dict[str, FormState] | None = None) -> Any:
    today = dates.today().isoformat()
    own = g.actor.township_code or ""
    states = {
        "allocation": blank(date=today),
        "remittance": blank(date=today, township=own),
        **(forms or {}),
    }
    return render_template(
        "web/money.html", title="拨付与上缴", fund=f, forms=prefixed(states), **choices(f)
    )


MONEY = {
    "allocation": (Action.ALLOCATE, AllocationIn, funding.record_allocation, "拨付乡镇"),
    "remittance": (Action.REMIT, RemittanceIn, funding.record_remittance, "乡镇上缴"),
}


@bp.route("/f/<f>/money/<kind>", methods=["POST"])
@page(Action.ALLOCATE, Action.REMIT)
def money_movement(f: str, kind: str) -> Any:
    if kind not in MONEY:
        abort(404)
    action, schema, service, title = MONEY[kind]
    check_role(g.actor, action.roles)
    return submit(
        schema(),
        lambda uow, data: service(uow, g.actor, f, **data),
        done=lambda _: url_for("web.money", f=f),
        notice=lambda moved: f"{title} {fmt(moved.amount)} 元已记账,凭证 {moved.voucher}",
        target=f"fund:{f}/{kind}",
        redraw=lambda state: money(f, {kind: state}),
    )


@bp.route("/f/<f>/liaisons")
@page(*COUNTY, "township")
def liaisons(f: str) -> Any:
    """The liaisons a page at a time, each with what they answer for today, summed."""
    query, _ = search_form(PageQuery(), {"page": 1})
    with get_db().read() as session:
        total, found = guarantees.liaisons_page(
            session,
            g.actor,
            f,
            after=query.get("after"),
            offset=(query["page"] - 1) * PER_PAGE,
            limit=PER_PAGE,
        )
    return render_template(
        "web/liaisons.html", title="行政联系人", fund=f, listing=sought(total, found)
    )


@bp.route("/f/<f>/liaisons.xlsx")
@page(*COUNTY, "township")
def liaisons_xlsx(f: str) -> Any:
    with get_db().read() as session:
        people = guarantees.every_liaison(session, g.actor, f)
    return download(lists.liaisons_xlsx(people), f"{f}-liaisons.xlsx")


def _liaison_page(f: str, id: int, form: FormState | None = None) -> Any:
    with get_db().read() as session:
        exposure = guarantees.liaison_exposure(session, g.actor, f, id)
    return render_template(
        "web/liaison.html",
        title=f"联系人 {exposure.name}",
        fund=f,
        person=exposure,
        form=form or blank(date=dates.today().isoformat(), amount=exposure.owed or ""),
    )


@bp.route("/f/<f>/liaisons/<int:id>")
@page(*COUNTY, "township")
def liaison(f: str, id: int) -> Any:
    return _liaison_page(f, id)


@bp.route("/f/<f>/liaisons/<int:id>/salary-deductions", methods=["POST"])
@page(Action.DEDUCT_SALARY)
def salary_deduction(f: str, id: int) -> Any:
    return submit(
        MoneyIn(),
        lambda uow, data: record_salary_deduction(uow, g.actor, f, id, **data),
        done=lambda _: url_for("web.liaison", f=f, id=id),
        notice=lambda posted: f"工资代扣已记账,凭证 {posted.voucher}",
        target=f"fund:{f}/liaison:{id}",
        redraw=lambda state: _liaison_page(f, id, state),
    )


def _poverty_lines(f: str, form: FormState | None = None) -> Any:
    with get_db().read() as session:
        history = outcomes.lines(session, g.actor, f)
    return render_template(
        "web/poverty_lines.html",
        title="贫困线",
        fund=f,
        lines=history,
        form=form or blank(effective_from=f"{dates.today().year}-01-01"),
    )


@bp.route("/f/<f>/poverty-lines")
@page(*EVERYONE)
def poverty_lines(f: str) -> Any:
    return _poverty_lines(f)


@bp.route("/f/<f>/poverty-lines", methods=["POST"])
@page(Action.SET_POVERTY_LINE)
def new_poverty_line(f: str) -> Any:
    return submit(
        PovertyLineIn(),
        lambda uow, data: set_poverty_line(uow, g.actor, f, **data),
        done=lambda _: url_for("web.poverty_lines", f=f),
        notice=lambda line: f"自 {line.effective_from} 起贫困线为 {fmt(line.amount)} 元",
        target=lambda line: f"fund:{f}/poverty-line:{line.effective_from}",
        redraw=lambda state: _poverty_lines(f, state),
    )


@bp.route("/f/<f>/imports/registrations", methods=["GET", "POST"])
@page(Action.IMPORT)
def registration_import(f: str) -> Any:
    form = blank()
    rows: list[Any] = []
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            form.error("file", "请选择要导入的登记表(.xlsx)")
        else:
            data = upload.read()
            try:
                response = commit_write(
                    lambda uow: _imported(
                        import_registrations(uow, g.actor, f, data, today=dates.today())
                    ),
                    target=f"fund:{f}/imports/registrations",
                    details={"file": upload.filename, "bytes": len(data)},
                    key=request.form.get("idempotency_key") or None,
                )
            except RowsRefused as refused:
                form.error(FORM, refused.detail_zh)
                rows = list(refused.rows)
            except SheetRefused as refused:
                form.error("file", refused.detail_zh)
            else:
                flash(response.get_json()["notice"])
                return redirect(url_for("web.registration_import", f=f), code=303)
        return render_template(
            "web/import.html", title="导入登记表", fund=f, form=form, rows=rows
        ), 422
    return render_template("web/import.html", title="导入登记表", fund=f, form=form, rows=rows)


def _imported(result: Any) -> dict[str, str]:
    return {"notice": f"已导入 {result.households} 户、{result.loans} 笔借款申请"}
