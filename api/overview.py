"""The programme at a glance: fund summary, aging, recovery table, three-line report.

Computed by `ledger.read.fund` from the ledger and the schedules, so these
figures are the ones the PDF statements print. A township officer gets their
own township's aging, recovery table and three-line report; the fund
summary (capital, the special account) is the county's.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.pagination import Blueprint, Page, Paging
from api.scope import COUNTY_READERS, READERS, in_fund
from ledger.read import fund, loans
from shell.auth import current_actor
from shell.db import get_db
from shell.schemas.common import AsOfQuery
from shell.schemas.loans import ThreeLineIssueOut
from shell.schemas.overview import (
    AgingOut,
    AgingQuery,
    FundSummaryOut,
    RecoveryTableOut,
    YearQuery,
)

blp = Blueprint(
    "overview",
    __name__,
    url_prefix="/api/v1/funds/<f>",
    description="Fund summary, aging, recovery table, three-line report 统计",
)


@blp.route("/summary")
class Summary(MethodView):
    @in_fund(*COUNTY_READERS)
    @blp.arguments(AsOfQuery, location="query")
    @blp.response(200, FundSummaryOut)
    def get(self, query: dict[str, Any], f: str) -> Any:
        """Capital, cash, loans, risk, turnover and re-lending capacity (基金概况)"""
        with get_db().read() as session:
            return fund.summary(session, current_actor(), f, **query)


@blp.route("/aging")
class AgingReport(MethodView):
    @in_fund(*READERS)
    @blp.arguments(AgingQuery, location="query")
    @blp.response(200, AgingOut)
    @blp.paginate(seek=True)
    def get(self, query: dict[str, Any], f: str, pagination_parameters: Paging) -> Any:
        """Overdue loans by days overdue: 1–30, 31–90, 91–180, 181–365, 365+ (账龄)

        The buckets and totals are the whole fund's (or township's); `loans` is one page
        of the overdue loans, the next page's cursor in `next` and the Link header, their
        number in X-Total-Count and `overdue_loans`. The whole list is the aging PDF and
        XLSX.
        """
        paging = pagination_parameters
        with get_db().read() as session:
            report = fund.aging(
                session,
                current_actor(),
                f,
                **query,
                after=paging.after,
                offset=paging.first_item,
                limit=paging.page_size,
            )
        paging.item_count, paging.next = report.overdue_loans, report.next
        return report


@blp.route("/recovery-table")
class Recovery(MethodView):
    @in_fund(*READERS)
    @blp.arguments(YearQuery, location="query")
    @blp.response(200, RecoveryTableOut)
    def get(self, query: dict[str, Any], f: str) -> Any:
        """The fund recovery table for a year, by township (周转金回收情况表)"""
        with get_db().read() as session:
            return fund.recovery(session, current_actor(), f, **query)


@blp.route("/three-line-report")
class ThreeLines(MethodView):
    @in_fund(*READERS)
    @blp.response(200, ThreeLineIssueOut(many=True))
    @blp.paginate(Page)
    def get(self, f: str) -> Any:
        """Loans whose application, contract and IOU numbers are not one, and why (三线合一)"""
        with get_db().read() as session:
            return loans.three_lines(session, current_actor(), f)
