"""A society's printed reports, and the county's roll-up of its societies, as PDFs.

- ``/api/v1/societies/<s>/reports/loan-notice.pdf``: 借款公示表, to post in the village
- ``/api/v1/societies/<s>/reports/members/<id>/statement.pdf``: 社员对账单
- ``/api/v1/societies/<s>/reports/monthly.pdf?month=YYYY-MM``: 互助社月报
- ``/api/v1/societies/<s>/reports/distribution/<year>.pdf``: 收益分配表
- ``/api/v1/regions/<r>/reports/societies.pdf``: 村级扶贫互助社运行情况汇总表

A society's reports pass the society's gate (`api.societies.in_society`: a
society the caller may not see, or a revolving fund, is a 404) and are read
by whoever reads the society; the roll-up is the county's, for the readers of
a county's books, over the societies of a region inside theirs. Each gathers
its figures read-only with `ledger.programmes.mutual_aid.reads` and renders
them with `reports` outside the session (`api.reports.pdf`).
"""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView

from api.pagination import Blueprint
from api.regions import REFUSALS
from api.reports import pdf
from api.scope import COUNTY_READERS
from api.societies import SOCIETY_READERS, in_society
from ledger import dates
from ledger.programmes.mutual_aid import reads
from reports.society_distribution import render_distribution_table
from reports.society_member import render_member_statement
from reports.society_monthly import render_monthly_report
from reports.society_notice import render_loan_notice
from reports.society_rollup import render_society_rollup
from shell.auth import current_actor, require
from shell.downloads import PDF, file_doc
from shell.schemas.common import AsOfQuery
from shell.schemas.reports import MonthPdfQuery

blp = Blueprint(
    "society_reports",
    __name__,
    url_prefix="/api/v1",
    description="A village mutual-aid society's PDFs and the county's roll-up 互助社报表",
)


def pdf_response(view: Any) -> Any:
    return blp.doc(**file_doc(PDF))(view)


def _day(query: dict[str, Any]) -> str:
    return (query.get("as_of") or dates.today()).isoformat()


@blp.route("/societies/<s>/reports/loan-notice.pdf")
class LoanNotice(MethodView):
    @in_society(*SOCIETY_READERS)
    @blp.arguments(AsOfQuery, location="query")
    @pdf_response
    def get(self, query: dict[str, Any], s: str) -> Response:
        """借款公示表: the loans published and awaiting approval, to post in the village"""
        return pdf(
            lambda session: reads.loan_notice(session, current_actor(), s, query.get("as_of")),
            render_loan_notice,
            f"{s}-loan-notice-{_day(query)}",
            f"{s}-借款公示表-{_day(query)}",
        )


@blp.route("/societies/<s>/reports/members/<int:id>/statement.pdf")
class MemberStatement(MethodView):
    @in_society(*SOCIETY_READERS)
    @blp.arguments(AsOfQuery, location="query")
    @pdf_response
    def get(self, query: dict[str, Any], s: str, id: int) -> Response:
        """社员对账单: a member's shares, loans, fees, repayments and dividends"""
        return pdf(
            lambda session: reads.member_statement(
                session, current_actor(), s, id, query.get("as_of")
            ),
            render_member_statement,
            f"{s}-member-{id}-{_day(query)}",
            f"{s}-社员对账单-{id}-{_day(query)}",
        )


@blp.route("/societies/<s>/reports/monthly.pdf")
class MonthlyReport(MethodView):
    @in_society(*SOCIETY_READERS)
    @blp.arguments(MonthPdfQuery, location="query")
    @pdf_response
    @blp.doc(**REFUSALS)
    def get(self, query: dict[str, Any], s: str) -> Response:
        """互助社月报: the month-end balance sheet by capital source, fees and loans by age;
        from the society's first month to this one (this month: so far)"""
        month = query["month"]
        return pdf(
            lambda session: reads.monthly_report(session, current_actor(), s, month),
            render_monthly_report,
            f"{s}-month-{month}",
            f"{s}-互助社月报-{month}",
        )


@blp.route("/societies/<s>/reports/distribution/<int:year>.pdf")
class DistributionTable(MethodView):
    @in_society(*SOCIETY_READERS)
    @pdf_response
    @blp.doc(**REFUSALS)
    def get(self, s: str, year: int) -> Response:
        """收益分配表: a distributed year's result and where it went; 404 before the year end"""
        return pdf(
            lambda session: reads.distribution_table(session, current_actor(), s, year),
            render_distribution_table,
            f"{s}-distribution-{year}",
            f"{s}-收益分配表-{year}",
        )


@blp.route("/regions/<r>/reports/societies.pdf")
class Rollup(MethodView):
    @require(*COUNTY_READERS)
    @blp.arguments(AsOfQuery, location="query")
    @pdf_response
    @blp.doc(**REFUSALS)
    def get(self, query: dict[str, Any], r: str) -> Response:
        """互助社运行情况汇总表: the region's societies side by side, with a chart"""
        return pdf(
            lambda session: reads.county_societies(
                session, current_actor(), query.get("as_of"), region=r
            ),
            render_society_rollup,
            f"region-{r}-societies-{_day(query)}",
            f"{r}-村级扶贫互助社运行情况汇总表-{_day(query)}",
        )
