"""The books: journals, one voucher and its red-ink reversal proposal, the trial balance,
and closing (or reopening) a month."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, g, render_template, url_for
from marshmallow import Schema, fields, validate

from ledger import dates
from ledger.labels import KIND
from ledger.permissions import Action
from ledger.read import access, books
from ledger.read import audit as audit_reads
from ledger.read import journals as journal_reads
from ledger.read.listing import Seek
from ledger.services.periods import PERIOD, close_period, reopen_period
from ledger.services.reversals import propose_reversal
from sheets import lists
from shell.auth import check_role
from shell.db import get_db
from shell.downloads import download
from shell.fields import Date, invalid
from shell.schemas.books import ReopenIn
from shell.schemas.proposals import ReversalIn
from web.blueprint import COUNTY, EVERY_KIND, bp, page
from web.forms import FormState, blank, prefixed, search_form, submit
from web.pagination import PER_PAGE, PageQuery, sought


class JournalSearch(PageQuery):
    from_ = Date(data_key="from")
    to = Date()
    kind = fields.String(validate=validate.Length(max=32))


@bp.route("/f/<f>/journals")
@page(*COUNTY, kinds=EVERY_KIND)
def journals(f: str) -> Any:
    query, form = search_form(JournalSearch(), {"page": 1})
    number = query.pop("page")
    with get_db().read() as session:
        total, rows, after = journal_reads.journals(
            session, g.actor, f, offset=(number - 1) * PER_PAGE, limit=PER_PAGE, **query
        )
    listing = sought(total, Seek(rows, after))
    # The export takes the same filters (every page of them), never an empty one.
    paging = ("page", "after")
    shown = {name: value for name, value in form.values.items() if name not in paging and value}
    return render_template(
        "web/journals.html",
        title="凭证",
        fund=f,
        form=form,
        listing=listing,
        kinds=list(KIND.items()),
        export=url_for("exports.Journals", f=f, **({} if form.refused else shown)),
    )


class AuditSearch(PageQuery):
    from_ = Date(data_key="from")
    to = Date()
    login = fields.String(data_key="actor", validate=validate.Length(max=64))


@bp.route("/f/<f>/audit")
@page(Action.READ_AUDIT, kinds=EVERY_KIND)
def audit(f: str) -> Any:
    """The fund's audit log (审计日志), a page at a time in chain order."""
    query, form = search_form(AuditSearch(), {"page": 1})
    number = query.pop("page")
    with get_db().read() as session:
        total, rows, after = audit_reads.records(
            session,
            g.actor,
            f,
            offset=(number - 1) * PER_PAGE,
            limit=PER_PAGE,
            **{k: v for k, v in query.items() if v},
        )
    listing = sought(total, Seek(rows, after))
    return render_template("web/audit.html", title="审计日志", fund=f, form=form, listing=listing)


def _voucher_page(f: str, voucher: str, form: FormState | None = None) -> Any:
    with get_db().read() as session:
        view = journal_reads.journal(session, g.actor, f, voucher)
    return render_template(
        "web/voucher.html",
        title=f"凭证 {voucher}",
        fund=f,
        journal=view,
        form=form or blank(date=dates.today().isoformat()),
    )


@bp.route("/f/<f>/journals/<voucher>")
@page(*COUNTY, kinds=EVERY_KIND)
def voucher(f: str, voucher: str) -> Any:
    return _voucher_page(f, voucher)


@bp.route("/f/<f>/journals/<voucher>/reversal", methods=["POST"])
@page(Action.PROPOSE_REVERSAL, kinds=EVERY_KIND)
def reversal(f: str, voucher: str) -> Any:
    return submit(
        ReversalIn(),
        lambda uow, data: propose_reversal(uow, g.actor, f, voucher, **data),
        done=lambda _: url_for("web.voucher", f=f, voucher=voucher),
        notice=lambda row: f"已申请冲销凭证 {voucher}(申请 {row.id}),待审批人审批",
        target=lambda row: f"fund:{f}/reversal:{row.id}",
        redraw=lambda state: _voucher_page(f, voucher, state),
    )


class TrialBalanceQuery(Schema):
    as_of = Date()
    from_ = Date(data_key="from")


@bp.route("/f/<f>/trial-balance")
@page(*COUNTY, kinds=EVERY_KIND)
def trial_balance(f: str) -> Any:
    query, form = search_form(TrialBalanceQuery(), {})
    with get_db().read() as session:
        balance = books.trial_balance_of(session, g.actor, f, **query)
    return render_template(
        "web/trial_balance.html", title="试算平衡表", fund=f, form=form, balance=balance
    )


def _month(value: str) -> None:
    """A period the month forms take: the message names the field and its form."""
    if not PERIOD.match(value):
        raise invalid("period must be YYYY-MM, the month 01-12", "会计期间应为 YYYY-MM,月份 01–12")


class CloseForm(Schema):
    period = fields.String(required=True, validate=_month)


def _periods_page(f: str, forms: dict[str, FormState] | None = None) -> Any:
    with get_db().read() as session:
        rows = books.periods(session, g.actor, f).all(session)
    last_month = dates.today().replace(day=1).toordinal() - 1
    states = {
        "close": blank(period=date.fromordinal(last_month).strftime("%Y-%m")),
        "reopen": blank(),
        **(forms or {}),
    }
    return render_template(
        "web/periods.html", title="结账", fund=f, rows=rows, forms=prefixed(states)
    )


@bp.route("/f/<f>/periods")
@page(*COUNTY)
def periods(f: str) -> Any:
    return _periods_page(f)


@bp.route("/f/<f>/periods.xlsx")
@page(*COUNTY)
def periods_xlsx(f: str) -> Any:
    with get_db().read() as session:
        rows = books.periods(session, g.actor, f).all(session)
    return download(lists.periods_xlsx(rows), f"{f}-periods.xlsx")


class ReopenForm(ReopenIn, CloseForm):
    pass


#: The month's two steps: who, parsed how, done by which service, and what the notice says.
PERIOD_STEPS = {
    "close": (Action.CLOSE_PERIOD, CloseForm, close_period, "已结账"),
    "reopen": (Action.REOPEN_PERIOD, ReopenForm, reopen_period, "已反结账"),
}


@bp.route("/f/<f>/periods/<step>", methods=["POST"])
@page(Action.CLOSE_PERIOD, Action.REOPEN_PERIOD)
def period_step(f: str, step: str) -> Any:
    if step not in PERIOD_STEPS:
        abort(404)
    action, schema, service, done_text = PERIOD_STEPS[step]
    actor = g.actor
    check_role(actor, action.roles)

    def work(uow: Any, data: dict[str, Any]) -> Any:
        period = data.pop("period")
        fund_id = access.fund_id(uow.session, actor, f)
        return service(uow, fund_id, period, actor=actor, **data)

    return submit(
        schema(),
        work,
        done=lambda _: url_for("web.periods", f=f),
        notice=lambda row: f"{row.period} {done_text}",
        target=lambda row: f"fund:{f}/period:{row.period}",
        redraw=lambda state: _periods_page(f, {step: state}),
    )
