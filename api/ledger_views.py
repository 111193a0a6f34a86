"""The books of a fund: chart of accounts with balances, trial balance, journals, periods.

Read by the county (clerk, approver, leader); a township officer has no
access, since every one of these spans all townships. A clerk proposes the
red-ink reversal of a journal (红字冲销, decided under /reversals) and closes
a month (月结); an approver other than whoever closed it reopens a month.
The audit log (审计日志) is the auditors' and the county leader's read
(`ledger.read.audit`).
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.pagination import Blueprint, Paging, paginate_listing
from api.scope import COUNTY_READERS, EVERY_KIND, in_fund
from ledger.permissions import Action
from ledger.read import access, audit, books, journals, proposals
from ledger.services.periods import close_period, reopen_period
from ledger.services.reversals import propose_reversal
from shell.auth import current_actor
from shell.db import get_db
from shell.schemas.books import (
    AuditFilter,
    AuditRecordOut,
    ChartLineOut,
    JournalFilter,
    JournalOut,
    PeriodOut,
    ReopenIn,
    TrialBalanceOut,
    TrialBalanceQuery,
)
from shell.schemas.common import AsOfQuery
from shell.schemas.proposals import ReversalIn, ReversalOut
from shell.writes import accepts_idempotency_key, commit_write

blp = Blueprint(
    "books",
    __name__,
    url_prefix="/api/v1/funds/<f>",
    description="Accounts, trial balance, journals and periods 账簿",
)


@blp.route("/accounts")
class Accounts(MethodView):
    @in_fund(*COUNTY_READERS, kinds=EVERY_KIND)
    @blp.arguments(AsOfQuery, location="query")
    @blp.response(200, ChartLineOut(many=True))
    def get(self, query: dict[str, Any], f: str) -> Any:
        """The chart of accounts with turnover, balances and sub-accounts (科目余额)"""
        with get_db().read() as session:
            return books.accounts(session, current_actor(), f, **query)


@blp.route("/trial-balance")
class TrialBalance(MethodView):
    @in_fund(*COUNTY_READERS, kinds=EVERY_KIND)
    @blp.arguments(TrialBalanceQuery, location="query")
    @blp.response(200, TrialBalanceOut)
    def get(self, query: dict[str, Any], f: str) -> Any:
        """Turnover from `from` to `as_of` and balances per account; totals equal (试算平衡表)"""
        with get_db().read() as session:
            return books.trial_balance_of(session, current_actor(), f, **query)


@blp.route("/journals")
class Journals(MethodView):
    @in_fund(*COUNTY_READERS, kinds=EVERY_KIND)
    @blp.arguments(JournalFilter, location="query")
    @blp.response(200, JournalOut(many=True))
    @blp.paginate(seek=True)
    def get(self, query: dict[str, Any], f: str, pagination_parameters: Paging) -> Any:
        """Journals in voucher order, with their entries (记账凭证)"""
        paging = pagination_parameters
        with get_db().read() as session:
            total, page, paging.next = journals.journals(
                session,
                current_actor(),
                f,
                after=paging.after,
                offset=paging.first_item,
                limit=paging.page_size,
                **query,
            )
        paging.item_count = total
        return page


@blp.route("/audit")
class AuditLog(MethodView):
    @in_fund(Action.READ_AUDIT, kinds=EVERY_KIND)
    @blp.arguments(AuditFilter, location="query")
    @blp.response(200, AuditRecordOut(many=True))
    @blp.paginate(seek=True)
    def get(self, query: dict[str, Any], f: str, pagination_parameters: Paging) -> Any:
        """The fund's audit log in chain order: who did what, when, from where (审计日志)"""
        paging = pagination_parameters
        with get_db().read() as session:
            total, page, paging.next = audit.records(
                session,
                current_actor(),
                f,
                from_=query.get("from_"),
                to=query.get("to"),
                login=query.get("actor"),
                after=paging.after,
                offset=paging.first_item,
                limit=paging.page_size,
            )
        paging.item_count = total
        return page


@blp.route("/journals/<voucher>")
class Journal(MethodView):
    @in_fund(*COUNTY_READERS, kinds=EVERY_KIND)
    @blp.response(200, JournalOut)
    def get(self, f: str, voucher: str) -> Any:
        """One journal with its entries; ``account`` carries the sub-ledger key (凭证)"""
        with get_db().read() as session:
            return journals.journal(session, current_actor(), f, voucher)


@blp.route("/journals/<voucher>/reversal")
class Reversal(MethodView):
    @in_fund(Action.PROPOSE_REVERSAL, kinds=EVERY_KIND)
    @accepts_idempotency_key
    @blp.arguments(ReversalIn)
    @blp.response(201, ReversalOut)
    def post(self, data: dict[str, Any], f: str, voucher: str) -> Any:
        """Propose the red-ink reversal of a journal; an approver decides it (冲销申请)"""
        actor = current_actor()
        return commit_write(
            lambda uow: proposals.reversal(
                uow.session, propose_reversal(uow, actor, f, voucher, **data)
            ),
            schema=ReversalOut(),
            target=lambda row: f"fund:{f}/reversal:{row.id}",
        )


@blp.route("/periods")
class Periods(MethodView):
    @in_fund(*COUNTY_READERS, kinds=EVERY_KIND)
    @blp.response(200, PeriodOut(many=True))
    @blp.paginate()
    def get(self, f: str, pagination_parameters: Any) -> Any:
        """Months that were closed (and perhaps reopened) (会计期间)"""
        with get_db().read() as session:
            listing = books.periods(session, current_actor(), f)
            return paginate_listing(session, listing, pagination_parameters)


@blp.route("/periods/<period>/close")
class Close(MethodView):
    @in_fund(Action.CLOSE_PERIOD)
    @accepts_idempotency_key
    @blp.response(201, PeriodOut)
    def post(self, f: str, period: str) -> Any:
        """Check the trial balance and lock the month (月结)"""
        # The revolving fund's only: a society's month closes at
        # /api/v1/societies/<s>/periods/<period>/close, which accrues its fees first.
        actor = current_actor()
        return commit_write(
            lambda uow: close_period(
                uow, access.fund_id(uow.session, actor, f), period, actor=actor
            ),
            schema=PeriodOut(),
            target=f"fund:{f}/period:{period}",
        )


@blp.route("/periods/<period>/reopen")
class Reopen(MethodView):
    @in_fund(Action.REOPEN_PERIOD, kinds=EVERY_KIND)
    @accepts_idempotency_key
    @blp.arguments(ReopenIn)
    @blp.response(201, PeriodOut)
    def post(self, data: dict[str, Any], f: str, period: str) -> Any:
        """Unlock a closed month, with a reason; not by whoever closed it (反结账)"""
        actor = current_actor()
        return commit_write(
            lambda uow: reopen_period(
                uow, access.fund_id(uow.session, actor, f), period, actor=actor, **data
            ),
            schema=PeriodOut(),
            target=f"fund:{f}/period:{period}",
        )
