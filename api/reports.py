"""The printed reports (SPEC §6) as PDF downloads: statements, forms, books.

Each handler gathers the report's figures read-only with `ledger.read`
in one read session and renders them with `reports` outside it. Who may
read what is the gatherer's business as much as the decorator's: another
township's statement, loan or liaison is a 404 (the gatherer looks the
record up as the caller), and a township officer asking for a county-wide
report is refused. Query strings are validated first, so a bad date is a
422 naming it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Response
from flask.views import MethodView

from api.pagination import Blueprint
from api.scope import COUNTY_READERS, READERS, in_fund
from ledger import dates
from ledger.read import books, disasters, fund, guarantees, journals, loans
from ledger.read.progress import progress_report
from reports.aging import render_aging
from reports.disaster_form import render_disaster_form
from reports.fonts import register_cjk_font
from reports.fund_statement import render_fund_statement
from reports.liaison_statement import render_liaison_statement
from reports.loan_statement import render_loan_statement
from reports.progress_report import render_progress_report
from reports.subledger import render_subledger
from reports.township_statement import render_township_statement
from reports.trial_balance import render_trial_balance
from reports.voucher import render_vouchers
from shell.auth import current_actor
from shell.db import get_db
from shell.downloads import PDF, download, file_doc
from shell.schemas.reports import (
    AgingPdfQuery,
    AsOfPdfQuery,
    PeriodQuery,
    ProgressQuery,
    TrialBalancePdfQuery,
    VouchersPdfQuery,
)

blp = Blueprint(
    "reports",
    __name__,
    url_prefix="/api/v1/funds/<f>/reports",
    description="PDF statements, forms and books 报表 (SPEC §6)",
)


def pdf_response(view: Any) -> Any:
    """Document a view's 200 as a PDF (flask-smorest passes the `Response` through)."""
    return blp.doc(**file_doc(PDF))(view)


def pdf(gather: Callable[[Any], Any], render: Callable[..., bytes], name: str, zh: str) -> Response:
    """Gather read-only, render outside the session, answer as `name`.pdf (Chinese: `zh`.pdf).

    The figures may come from the read replica (their age in the answer's
    header). Without the CJK font this is a 503 naming the package, before any work.
    """
    register_cjk_font()
    with get_db().replica_read() as read:
        data = gather(read.session)
    return download(render(data), f"{name}.pdf", zh=f"{zh}.pdf", inline=True, age=read.age)


def _stamp(day: date | None) -> str:
    return (day or dates.today()).isoformat()


@blp.route("/fund-statement.pdf")
class FundStatement(MethodView):
    @in_fund(*COUNTY_READERS)
    @blp.arguments(PeriodQuery, location="query")
    @pdf_response
    def get(self, query: dict[str, Any], f: str) -> Response:
        """周转金运行情况报告: the leaders' fund statement for a period or as of a past date"""
        return pdf(
            lambda s: fund.fund_statement(s, current_actor(), f, **query),
            render_fund_statement,
            f"{f}-fund-statement-{_stamp(query.get('to'))}",
            f"{f}-周转金运行情况报告-{_stamp(query.get('to'))}",
        )


@blp.route("/progress.pdf")
class Progress(MethodView):
    @in_fund(*READERS)
    @blp.arguments(ProgressQuery, location="query")
    @pdf_response
    def get(self, query: dict[str, Any], f: str) -> Response:
        """进展情况汇报: the programme over a period (a quarter, a year); a township's own"""
        start, end = query["start"], query["end"]
        return pdf(
            lambda s: progress_report(s, current_actor(), f, start=start, end=end),
            render_progress_report,
            f"{f}-progress-{start.isoformat()}-{end.isoformat()}",
            f"{f}-进展情况汇报-{start.isoformat()}-{end.isoformat()}",
        )


@blp.route("/townships/<t>/reconciliation.pdf")
class TownshipStatement(MethodView):
    @in_fund(*READERS)
    @blp.arguments(PeriodQuery, location="query")
    @pdf_response
    def get(self, query: dict[str, Any], f: str, t: str) -> Response:
        """乡镇对账单: the county's view of one township's account, with signature lines"""
        return pdf(
            lambda s: fund.township_statement(s, current_actor(), f, t, **query),
            render_township_statement,
            f"{f}-{t}-reconciliation-{_stamp(query.get('to'))}",
            f"{f}-{t}-乡镇对账单-{_stamp(query.get('to'))}",
        )


@blp.route("/loans/<no>/statement.pdf")
class LoanStatement(MethodView):
    @in_fund(*READERS, loan=True)
    @blp.arguments(AsOfPdfQuery, location="query")
    @pdf_response
    def get(self, query: dict[str, Any], f: str, no: str) -> Response:
        """借款人对账单: a household's loan, schedule, movements and outstanding"""
        return pdf(
            lambda s: loans.loan_statement(s, current_actor(), f, no, **query),
            render_loan_statement,
            f"{f}-loan-{no}",
            f"{f}-借款人对账单-{no}",
        )


@blp.route("/liaisons/<int:id>/guarantee.pdf")
class LiaisonStatement(MethodView):
    @in_fund(*READERS)
    @blp.arguments(AsOfPdfQuery, location="query")
    @pdf_response
    def get(self, query: dict[str, Any], f: str, id: int) -> Response:
        """联系人担保责任单: the loans a liaison answers for, calls, deductions, handovers"""
        return pdf(
            lambda s: guarantees.liaison_statement(s, current_actor(), f, id, **query),
            render_liaison_statement,
            f"{f}-liaison-{id}",
            f"{f}-联系人担保责任单-{id}",
        )


@blp.route("/disasters/<code>.pdf")
class DisasterForm(MethodView):
    @in_fund(*COUNTY_READERS)
    @pdf_response
    def get(self, f: str, code: str) -> Response:
        """灾害核销审批表: a disaster's losses, write-off proposals and decisions"""
        return pdf(
            lambda s: disasters.disaster_form(s, current_actor(), f, code),
            render_disaster_form,
            f"{f}-disaster-{code}",
            f"{f}-灾害核销审批表-{code}",
        )


@blp.route("/trial-balance.pdf")
class TrialBalance(MethodView):
    @in_fund(*COUNTY_READERS)
    @blp.arguments(TrialBalancePdfQuery, location="query")
    @pdf_response
    def get(self, query: dict[str, Any], f: str) -> Response:
        """试算平衡表: opening, turnover from `from` and balance at `as_of` per account"""
        as_of = query.pop("as_of", None)
        return pdf(
            lambda s: books.trial_balance_of(s, current_actor(), f, as_of=as_of, **query),
            render_trial_balance,
            f"{f}-trial-balance-{_stamp(as_of)}",
            f"{f}-试算平衡表-{_stamp(as_of)}",
        )


@blp.route("/accounts/<account>/subledger.pdf")
class Subledger(MethodView):
    @in_fund(*COUNTY_READERS)
    @blp.arguments(PeriodQuery, location="query")
    @pdf_response
    def get(self, query: dict[str, Any], f: str, account: str) -> Response:
        """明细账余额表: every sub-account of one chart line with its period and balances"""
        return pdf(
            lambda s: books.subledger_listing(s, current_actor(), f, account, **query),
            render_subledger,
            f"{f}-subledger-{account}-{_stamp(query.get('to'))}",
            f"{f}-明细账-{account}-{_stamp(query.get('to'))}",
        )


@blp.route("/aging.pdf")
class Aging(MethodView):
    @in_fund(*READERS)
    @blp.arguments(AgingPdfQuery, location="query")
    @pdf_response
    def get(self, query: dict[str, Any], f: str) -> Response:
        """账龄分析表: overdue loans by bucket, fund-wide or one township (a township's own)"""
        return pdf(
            lambda s: fund.aging(s, current_actor(), f, **query),
            render_aging,
            f"{f}-aging-{_stamp(query.get('as_of'))}",
            f"{f}-账龄分析表-{_stamp(query.get('as_of'))}",
        )


@blp.route("/vouchers.pdf")
class Vouchers(MethodView):
    @in_fund(*COUNTY_READERS)
    @blp.arguments(VouchersPdfQuery, location="query")
    @pdf_response
    def get(self, query: dict[str, Any], f: str) -> Response:
        """记账凭证: every voucher of a month, red-ink reversals in red"""
        return pdf(
            lambda s: journals.voucher_prints(s, current_actor(), f, **query),
            render_vouchers,
            f"{f}-vouchers-{query['period']}",
            f"{f}-记账凭证-{query['period']}",
        )


@blp.route("/vouchers/<voucher>.pdf")
class Voucher(MethodView):
    @in_fund(*COUNTY_READERS)
    @pdf_response
    def get(self, f: str, voucher: str) -> Response:
        """记账凭证: one voucher as printed"""
        return pdf(
            lambda s: journals.voucher_prints(s, current_actor(), f, vouchers=[voucher]),
            render_vouchers,
            f"{f}-voucher-{voucher}",
            f"{f}-记账凭证-{voucher}",
        )
