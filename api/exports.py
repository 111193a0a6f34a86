"""Spreadsheet exports 导出 (XLSX): loans, journals, trial balance, aging, recovery table,
plan against actual.

The same figures as the JSON and the PDFs, from the same queries. A
township officer exports their own township's loans, aging, recovery
table and plan against actual; journals and the trial balance span the
whole fund and are the county's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response
from flask.views import MethodView

from api.pagination import Blueprint
from api.scope import COUNTY_READERS, EVERY_KIND, READERS, in_fund
from ledger import dates
from ledger.read import access, books, journals, plans
from ledger.read.fund import aging, recovery_table
from ledger.read.loans import loan_rows
from sheets import plans as plan_sheets
from sheets import tables
from shell.auth import current_actor
from shell.db import get_db
from shell.downloads import XLSX, download, file_doc
from shell.schemas.books import JournalFilter, TrialBalanceQuery
from shell.schemas.common import AsOfQuery
from shell.schemas.overview import YearQuery
from shell.schemas.plans import PlanActualQuery

blp = Blueprint(
    "exports",
    __name__,
    url_prefix="/api/v1/funds/<f>/exports",
    description="Spreadsheet exports 导出 (XLSX)",
)


def xlsx(f: str, name: str, zh: str, build: Callable[[Any, int], bytes]) -> Response:
    """Build the workbook from one read session, maybe on the replica (its age in a header);
    answer it as `f-name.xlsx` (Chinese `f-zh`)."""
    with get_db().replica_read() as read:
        body = build(read.session, access.fund_id(read.session, current_actor(), f))
    return download(body, f"{f}-{name}.xlsx", zh=f"{f}-{zh}.xlsx", age=read.age)


@blp.route("/loans.xlsx")
class Loans(MethodView):
    @in_fund(*READERS)
    @blp.arguments(AsOfQuery, location="query")
    @blp.doc(**file_doc(XLSX))
    def get(self, query: dict[str, Any], f: str) -> Response:
        """The loan register (借款台账) with figures as of a date; a township's own loans"""
        return xlsx(
            f,
            "loans",
            "借款台账",
            lambda s, fund_id: tables.loans_xlsx(
                loan_rows(s, fund_id, current_actor(), as_of=query.get("as_of"))
            ),
        )


@blp.route("/journals.xlsx")
class Journals(MethodView):
    @in_fund(*COUNTY_READERS, kinds=EVERY_KIND)
    @blp.arguments(JournalFilter, location="query")
    @blp.doc(**file_doc(XLSX))
    def get(self, query: dict[str, Any], f: str) -> Response:
        """Journals with their entries, one line per entry (记账凭证)"""
        return xlsx(
            f,
            "journals",
            "记账凭证",
            lambda s, _: tables.journals_xlsx(
                journals.journals(s, current_actor(), f, limit=None, **query)[1]
            ),
        )


@blp.route("/trial-balance.xlsx")
class TrialBalance(MethodView):
    @in_fund(*COUNTY_READERS, kinds=EVERY_KIND)
    @blp.arguments(TrialBalanceQuery, location="query")
    @blp.doc(**file_doc(XLSX))
    def get(self, query: dict[str, Any], f: str) -> Response:
        """The trial balance (试算平衡表)"""
        return xlsx(
            f,
            "trial-balance",
            "试算平衡表",
            lambda s, _: tables.trial_balance_xlsx(
                books.trial_balance_of(s, current_actor(), f, **query)
            ),
        )


@blp.route("/aging.xlsx")
class Aging(MethodView):
    @in_fund(*READERS)
    @blp.arguments(AsOfQuery, location="query")
    @blp.doc(**file_doc(XLSX))
    def get(self, query: dict[str, Any], f: str) -> Response:
        """Loans by aging bucket (账龄分析表); a township's own"""
        day = query.get("as_of") or dates.today()
        return xlsx(
            f,
            f"aging-{day}",
            f"账龄分析表-{day}",
            lambda s, _: tables.aging_xlsx(aging(s, current_actor(), f, as_of=day)),
        )


@blp.route("/recovery-table.xlsx")
class Recovery(MethodView):
    @in_fund(*READERS)
    @blp.arguments(YearQuery, location="query")
    @blp.doc(**file_doc(XLSX))
    def get(self, query: dict[str, Any], f: str) -> Response:
        """The 12-column recovery table (周转金回收情况表) of a year; a township's own row"""
        year = query["year"]
        return xlsx(
            f,
            f"recovery-{year}",
            f"周转金回收情况表-{year}",
            lambda s, fund_id: tables.recovery_xlsx(
                recovery_table(s, fund_id, current_actor(), year)
            ),
        )


@blp.route("/plan-against-actual.xlsx")
class PlanAgainstActual(MethodView):
    @in_fund(*READERS)
    @blp.arguments(PlanActualQuery, location="query")
    @blp.doc(**file_doc(XLSX))
    def get(self, query: dict[str, Any], f: str) -> Response:
        """A year's plan against registered, approved, disbursed (计划完成情况); a township's own"""
        year = query["year"]
        return xlsx(
            f,
            f"plan-against-actual-{year}",
            f"计划完成情况-{year}",
            lambda s, _: plan_sheets.plan_against_actual_xlsx(
                plans.plan_against_actual(s, current_actor(), f, **query)
            ),
        )
