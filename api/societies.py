"""``/api/v1/societies/<s>``: a village mutual-aid society's own resources (SPEC §13).

The ledger endpoints (accounts, trial balance, journals, periods) answer for a
society at ``/api/v1/funds/<s>/…`` unchanged; what is the society's own lives
here. A society passes the gate every fund passes (the user's grant and
county, `ledger.read.access.fund`), and a URL here naming a revolving fund is
a 404, as an unknown society.

Roles: the views admit the roles of the society's duties (钱账分管: the clerk
keeps rules, members, groups and loans; the cashier moves the money; the
approver approves loans, write-offs and the distribution), taken from the
services' `Duty` table, which checks them again; the county's leader and
auditor read.

``/api/v1/societies`` itself (`registry`) lists the societies the caller may
see side by side, with their figures as of a day, and opens one (whoever
opens funds: the county's administrator). A society's groups and members
arrive as sheets too, all or none, and each of its lists leaves as XLSX.

Audit: each society verb appends its own record to the society's audit chain
(whatever door called it), so the writes here pass ``audited_by_service``
and `commit_write` adds none: every write is audited once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.views import MethodView
from marshmallow import Schema

from api.exports import xlsx
from api.imports import SheetUpload
from api.pagination import Blueprint, Paging
from api.scope import gated
from api.uploads import MULTIPART, UploadBlueprint
from ledger import dates
from ledger.actors import Role
from ledger.db import UnitOfWork
from ledger.models import Journal
from ledger.permissions import Action
from ledger.programmes.mutual_aid import reads, services, sheets, yearend
from ledger.programmes.mutual_aid.services import APPROVE, CASH, CLOSE, LOANS, MEMBERS, RULES
from ledger.read.listing import Seek
from sheets import societies as society_sheets
from shell.auth import current_actor, require
from shell.db import get_db
from shell.downloads import XLSX, download, file_doc
from shell.schemas.books import PeriodOut
from shell.schemas.society import (
    DayIn,
    DistributionOut,
    DividendOut,
    FiguresOut,
    FiguresQuery,
    FiscalCapitalIn,
    InterestIn,
    RulesIn,
    RulesOut,
    SocietyDonationIn,
    SocietyExitIn,
    SocietyExitOut,
    SocietyExpenseIn,
    SocietyExpenseOut,
    SocietyGroupIn,
    SocietyGroupOut,
    SocietyImportOut,
    SocietyIn,
    SocietyLoanIn,
    SocietyLoanOut,
    SocietyMemberIn,
    SocietyMemberOut,
    SocietyQuery,
    SocietyRepaymentIn,
    SocietyRepaymentOut,
    SocietyRowOut,
    SocietyShareIn,
    SocietyShareOut,
    SocietyWriteOffIn,
    SubsidyIn,
    VoucherOut,
)
from shell.writes import accepts_idempotency_key, commit_write

blp = UploadBlueprint(
    "societies",
    __name__,
    url_prefix="/api/v1/societies/<s>",
    description="Village mutual-aid societies 村级扶贫互助社: rules, members, loans, year end",
)

#: ``/api/v1/societies``: the county's societies, listed and opened.
registry = Blueprint(
    "society-registry",
    __name__,
    url_prefix="/api/v1/societies",
    description="The county's village societies side by side, and opening one 成立互助社",
)

#: Who reads a society: its own clerk, cashier and approver, and the county's leader
#: and auditor.
SOCIETY_READERS = (Role.CLERK, Role.CASHIER, Role.APPROVER, Role.LEADER, Role.AUDITOR)
#: Who opens a society: whoever opens funds (the county's administrator).
OPENERS = Action.MANAGE_FUNDS.roles


@registry.route("")
class Societies(MethodView):
    @require(*SOCIETY_READERS, *OPENERS)
    @registry.arguments(SocietyQuery, location="query")
    @registry.response(200, SocietyRowOut(many=True))
    @registry.paginate(seek=True)
    def get(self, query: dict[str, Any], pagination_parameters: Paging) -> Any:
        """The societies the caller may see side by side, figures as of a day (互助社一览)"""
        as_of = query.get("as_of") or dates.today()
        actor = current_actor()
        return paged(
            pagination_parameters,
            lambda session, **page: reads.society_page(
                session, actor, as_of=as_of, region=query.get("region"), **page
            ),
        )

    @require(*OPENERS)
    @accepts_idempotency_key
    @registry.arguments(SocietyIn)
    @registry.response(201, SocietyRowOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Open a village society: its place, bank account (专户) and first 章程 (成立互助社)"""
        actor = current_actor()

        def work(uow: UnitOfWork) -> reads.SocietyRow:
            fund = services.open_society(uow, actor, **data)
            return reads.society_row(uow.session, fund, dates.today())

        return write(work, SocietyRowOut())


@registry.route("/export.xlsx")
class SocietiesSheet(MethodView):
    @require(*SOCIETY_READERS, *OPENERS)
    @registry.arguments(SocietyQuery, location="query")
    @registry.doc(**file_doc(XLSX))
    def get(self, query: dict[str, Any]) -> Any:
        """The societies side by side as XLSX, figures as of a day (互助社一览)"""
        as_of = query.get("as_of") or dates.today()
        actor = current_actor()
        with get_db().replica_read() as read:
            rows = reads.society_list(read.session, actor, as_of, query.get("region"))
            body = society_sheets.societies_xlsx(rows)
        return download(
            body, f"societies-{as_of}.xlsx", zh=f"互助社一览-{as_of}.xlsx", age=read.age
        )


def in_society(*roles: str) -> Callable[[Any], Any]:
    """`require` the roles, then 404 unless the URL's society ``s`` exists for the caller."""
    return gated(roles, lambda session, actor, kwargs: reads.visible(session, actor, kwargs["s"]))


def write(work: Callable[[UnitOfWork], Any], schema: Schema) -> Any:
    """Commit one society verb; its service has audited it on the society's chain."""
    return commit_write(work, schema=schema, audited_by_service=True)


def society_id(session: Any, s: str) -> int:
    return services.society(session, s).id


def paged(paging: Paging, read: Callable[..., tuple[int, Seek[Any]]]) -> list[Any]:
    """One page of a list sought by cursor (`after`), or by number for old clients:
    `read(session, after=, offset=, limit=)` answers the count and the page."""
    with get_db().read() as session:
        total, page = read(
            session, after=paging.after, offset=paging.first_item, limit=paging.page_size
        )
    paging.item_count, paging.next = total, page.next
    return page.items


# --- rules, groups, members ---------------------------------------------------------------


@blp.route("/rules")
class Rules(MethodView):
    @in_society(*SOCIETY_READERS)
    @blp.response(200, RulesOut(many=True))
    def get(self, s: str) -> Any:
        """The 章程's versions, the oldest first (章程版本)"""
        with get_db().read() as session:
            return reads.rule_versions(session, society_id(session, s))

    @in_society(*RULES.roles)
    @accepts_idempotency_key
    @blp.arguments(RulesIn)
    @blp.response(201, RulesOut)
    def post(self, data: dict[str, Any], s: str) -> Any:
        """A new version of the 章程, in force from ``effective_on`` (修改章程)"""
        actor = current_actor()
        return write(
            lambda uow: reads.rules_version(services.add_rules(uow, actor, s, **data)), RulesOut()
        )


@blp.route("/groups")
class Groups(MethodView):
    @in_society(*SOCIETY_READERS)
    @blp.response(200, SocietyGroupOut(many=True))
    def get(self, s: str) -> Any:
        """The mutual-guarantee groups and their present members (联保小组)"""
        with get_db().read() as session:
            return reads.groups(session, society_id(session, s))

    @in_society(*MEMBERS.roles)
    @accepts_idempotency_key
    @blp.arguments(SocietyGroupIn)
    @blp.response(201, SocietyGroupOut)
    def post(self, data: dict[str, Any], s: str) -> Any:
        """Form a mutual-guarantee group (成立联保小组)"""
        actor = current_actor()
        return write(
            lambda uow: reads.GroupMembers(services.add_group(uow, actor, s, **data).code, []),
            SocietyGroupOut(),
        )


@blp.route("/members")
class Members(MethodView):
    @in_society(*SOCIETY_READERS)
    @blp.response(200, SocietyMemberOut(many=True))
    @blp.paginate(seek=True)
    def get(self, s: str, pagination_parameters: Paging) -> Any:
        """The register of members, in joining order (社员名册)"""
        return paged(
            pagination_parameters,
            lambda session, **page: reads.member_page(session, society_id(session, s), **page),
        )

    @in_society(*MEMBERS.roles)
    @accepts_idempotency_key
    @blp.arguments(SocietyMemberIn)
    @blp.response(201, SocietyMemberOut)
    def post(self, data: dict[str, Any], s: str) -> Any:
        """A household joins the society, into a group if named (入社)"""
        actor = current_actor()

        def work(uow: UnitOfWork) -> reads.MemberFigures:
            member = services.join(uow, actor, s, **data)
            return reads.member_figures(uow.session, member.fund_id, member)

        return write(work, SocietyMemberOut())


@blp.route("/members/<int:id>")
class Member(MethodView):
    @in_society(*SOCIETY_READERS)
    @blp.response(200, SocietyMemberOut)
    def get(self, s: str, id: int) -> Any:
        """One member with the shares bought and allocated (社员)"""
        with get_db().read() as session:
            return reads.member(session, society_id(session, s), id)


@blp.route("/members/<int:id>/shares")
class Shares(MethodView):
    @in_society(*CASH.roles, *MEMBERS.roles)
    @accepts_idempotency_key
    @blp.arguments(SocietyShareIn)
    @blp.response(201, SocietyShareOut)
    def post(self, data: dict[str, Any], s: str, id: int) -> Any:
        """Shares: bought in cash by the cashier (入股), or allocated to a poor member out of
        the fiscal capital by the clerk (``allocated``: 配股, no money moves)"""
        actor = current_actor()
        on, amount = data["on"], data["amount"]

        def work(uow: UnitOfWork) -> dict[str, Any]:
            if data["allocated"]:
                services.allocate_share(uow, actor, s, id, on=on, amount=amount)
                voucher = None
            else:
                voucher = services.buy_share(uow, actor, s, id, on=on, amount=amount)
            return {
                "member": id,
                "amount": amount,
                "allocated": data["allocated"],
                "voucher": voucher,
            }

        return write(work, SocietyShareOut())


@blp.route("/members/<int:id>/exit")
class Exit(MethodView):
    @in_society(*CASH.roles)
    @accepts_idempotency_key
    @blp.arguments(SocietyExitIn)
    @blp.response(201, SocietyExitOut)
    def post(self, data: dict[str, Any], s: str, id: int) -> Any:
        """退股: the member's own shares refunded, only when owing nothing"""
        actor = current_actor()
        return write(lambda uow: services.leave(uow, actor, s, id, **data), SocietyExitOut())


@blp.route("/members/<int:id>/dividends")
class Dividends(MethodView):
    @in_society(*CASH.roles)
    @accepts_idempotency_key
    @blp.arguments(DayIn)
    @blp.response(201, DividendOut)
    def post(self, data: dict[str, Any], s: str, id: int) -> Any:
        """Pay the member the dividends declared and unpaid (支付分红)"""
        actor = current_actor()

        def work(uow: UnitOfWork) -> dict[str, Any]:
            amount, voucher = yearend.pay_dividend(uow, actor, s, id, **data)
            return {"amount": amount, "voucher": voucher}

        return write(work, DividendOut())


# --- money in and out ------------------------------------------------------------------


def money_route(path: str, schema: type[Schema], verb: Callable[..., str], doc: str) -> None:
    """A POST that moves money by the cashier and answers its voucher."""

    @in_society(*CASH.roles)
    @accepts_idempotency_key
    @blp.arguments(schema)
    @blp.response(201, VoucherOut)
    def post(self: MethodView, data: dict[str, Any], s: str) -> Any:
        actor = current_actor()
        return write(lambda uow: {"voucher": verb(uow, actor, s, **data)}, VoucherOut())

    post.__doc__ = doc
    blp.route(path)(type(path.strip("/").title().replace("-", ""), (MethodView,), {"post": post}))


money_route(
    "/fiscal-capital",
    FiscalCapitalIn,
    services.receive_fiscal_capital,
    "财政扶贫资金 arrives: the society's, never refunded (财政资金到账)",
)
money_route("/donations", SocietyDonationIn, services.receive_donation, "A donation arrives (捐赠)")
money_route("/bank-interest", InterestIn, services.record_bank_interest, "Bank interest (存款利息)")
money_route(
    "/subsidies",
    SubsidyIn,
    yearend.pay_subsidy,
    "Staff subsidies declared by the distribution, paid (支付管理人员补贴)",
)


@blp.route("/expenses")
class Expenses(MethodView):
    @in_society(*SOCIETY_READERS)
    @blp.response(200, SocietyExpenseOut(many=True))
    @blp.paginate(seek=True)
    def get(self, s: str, pagination_parameters: Paging) -> Any:
        """The expenses the committee approved and the cashier paid (管理费用)"""

        return paged(
            pagination_parameters,
            lambda session, **page: reads.expense_page(session, society_id(session, s), **page),
        )

    @in_society(*CASH.roles)
    @accepts_idempotency_key
    @blp.arguments(SocietyExpenseIn)
    @blp.response(201, SocietyExpenseOut)
    def post(self, data: dict[str, Any], s: str) -> Any:
        """An expense the committee approved, paid; the approver is not the payer (支付费用)"""
        actor = current_actor()

        def work(uow: UnitOfWork) -> reads.ExpenseRow:
            voucher = services.pay_expense(uow, actor, s, **data)
            listing = reads.expenses_listing(society_id(uow.session, s))
            return listing.where(Journal.voucher_no == voucher).one(uow.session)

        return write(work, SocietyExpenseOut())


# --- loans ---------------------------------------------------------------------------------


@blp.route("/loans")
class Loans(MethodView):
    @in_society(*SOCIETY_READERS)
    @blp.response(200, SocietyLoanOut(many=True))
    @blp.paginate(seek=True)
    def get(self, s: str, pagination_parameters: Paging) -> Any:
        """The society's loans, in order of application (借款列表)"""
        return paged(
            pagination_parameters,
            lambda session, **page: reads.loan_page(session, society_id(session, s), **page),
        )

    @in_society(*LOANS.roles)
    @accepts_idempotency_key
    @blp.arguments(SocietyLoanIn)
    @blp.response(201, SocietyLoanOut)
    def post(self, data: dict[str, Any], s: str) -> Any:
        """A member applies, judged by the 章程 in force on ``applied_on`` (借款申请)"""
        actor = current_actor()

        def work(uow: UnitOfWork) -> reads.LoanRow:
            loan = services.apply_for_loan(uow, actor, s, **data)
            return reads.loan_row(uow.session, loan.fund_id, loan)

        return write(work, SocietyLoanOut())


@blp.route("/loans/<no>")
class Loan(MethodView):
    @in_society(*SOCIETY_READERS)
    @blp.response(200, SocietyLoanOut)
    def get(self, s: str, no: str) -> Any:
        """One loan with its principal outstanding and fees (借款)"""
        with get_db().read() as session:
            return reads.loan(session, society_id(session, s), no)


def loan_step(path: str, roles: tuple[str, ...], step: Callable[..., None], doc: str) -> None:
    """A POST that moves a loan a step on a date and answers the loan as it now stands."""

    @in_society(*roles)
    @accepts_idempotency_key
    @blp.arguments(DayIn)
    @blp.response(201, SocietyLoanOut)
    def post(self: MethodView, data: dict[str, Any], s: str, no: str) -> Any:
        actor = current_actor()

        def work(uow: UnitOfWork) -> reads.LoanRow:
            step(uow, actor, s, no, **data)
            return reads.loan(uow.session, society_id(uow.session, s), no)

        return write(work, SocietyLoanOut())

    post.__doc__ = doc
    name = "Loan" + path.strip("/").title().replace("-", "")
    blp.route(f"/loans/<no>{path}")(type(name, (MethodView,), {"post": post}))


loan_step("/notice", LOANS.roles, services.post_notice, "借款公示: the application is posted")
loan_step(
    "/approval",
    APPROVE.roles,
    services.approve_loan,
    "理事会 approval, after the 章程's notice days (审批)",
)
loan_step(
    "/disbursements",
    CASH.roles,
    services.pay_out,
    "放款 by the cashier, neither recorder nor approver; the term starts",
)


@blp.route("/loans/<no>/repayments")
class Repayments(MethodView):
    @in_society(*CASH.roles)
    @accepts_idempotency_key
    @blp.arguments(SocietyRepaymentIn)
    @blp.response(201, SocietyRepaymentOut)
    def post(self, data: dict[str, Any], s: str, no: str) -> Any:
        """A repayment: the fee accrued to this day is settled first, then principal (还款)"""
        actor = current_actor()
        return write(lambda uow: services.repay(uow, actor, s, no, **data), SocietyRepaymentOut())


@blp.route("/loans/<no>/write-off")
class WriteOff(MethodView):
    @in_society(*APPROVE.roles)
    @accepts_idempotency_key
    @blp.arguments(SocietyWriteOffIn)
    @blp.response(201, VoucherOut)
    def post(self, data: dict[str, Any], s: str, no: str) -> Any:
        """A bad loan written off against the risk reserve, with the approvals named (核销)"""
        actor = current_actor()
        return write(
            lambda uow: {"voucher": yearend.write_off(uow, actor, s, no, **data)}, VoucherOut()
        )


# --- sheets in and out ------------------------------------------------------------------


def import_route(path: str, verb: Callable[..., sheets.Imported], doc: str) -> None:
    """A POST taking a sheet whose rows are imported all or none by the clerk."""

    @in_society(*MEMBERS.roles)
    @accepts_idempotency_key
    @blp.arguments(SheetUpload, location=MULTIPART)
    @blp.response(201, SocietyImportOut)
    def post(self: MethodView, upload: dict[str, Any], s: str) -> Any:
        actor = current_actor()
        data = upload["file"].read()
        return write(lambda uow: verb(uow, actor, s, data), SocietyImportOut())

    post.__doc__ = doc
    name = "Import" + path.rsplit("/", 1)[-1].title()
    blp.route(path)(type(name, (MethodView,), {"post": post}))


import_route(
    "/imports/groups",
    sheets.import_groups,
    "Import the groups a sheet lists (小组编号), all or none (导入联保小组)",
)
import_route(
    "/imports/members",
    sheets.import_members,
    "Import the members a sheet lists (姓名, 身份证号, 贫困户, 联保小组, 入社日期), all or none"
    " (导入社员名册)",
)


def export_route(name: str, zh: str, build: Callable[[Any, int], bytes], doc: str) -> None:
    """A GET answering one of the society's lists as XLSX."""

    @in_society(*SOCIETY_READERS)
    @blp.doc(**file_doc(XLSX))
    def get(self: MethodView, s: str) -> Any:
        return xlsx(s, name, zh, build)

    get.__doc__ = doc
    blp.route(f"/exports/{name}.xlsx")(type(f"Export{name.title()}", (MethodView,), {"get": get}))


export_route(
    "members",
    "社员名册",
    lambda session, fund_id: society_sheets.members_xlsx(
        reads.members_figures(session, fund_id, reads.members_listing(fund_id).all(session))
    ),
    "The register of members as XLSX (社员名册)",
)
export_route(
    "groups",
    "联保小组",
    lambda session, fund_id: society_sheets.groups_xlsx(
        reads.groups(session, fund_id), reads.member_names(session, fund_id)
    ),
    "The groups and their members as XLSX (联保小组)",
)
export_route(
    "loans",
    "借款台账",
    lambda session, fund_id: society_sheets.loans_xlsx(
        reads.loan_rows(session, fund_id, reads.loans_listing(fund_id).all(session)),
        reads.member_names(session, fund_id),
    ),
    "The loans with their figures as XLSX (借款台账)",
)
export_route(
    "expenses",
    "管理费用",
    lambda session, fund_id: society_sheets.expenses_xlsx(
        reads.expenses_listing(fund_id).all(session)
    ),
    "The approved expenses as XLSX (管理费用)",
)


# --- month close, year end, figures ---------------------------------------------------------


@blp.route("/periods/<period>/close")
class CloseMonth(MethodView):
    @in_society(*CLOSE.roles)
    @accepts_idempotency_key
    @blp.response(201, PeriodOut)
    def post(self, s: str, period: str) -> Any:
        """月结: the fees accrued to the month's last day, then the month closed"""
        actor = current_actor()
        return write(lambda uow: services.close_month(uow, actor, s, period), PeriodOut())


@blp.route("/distributions/<int:year>")
class Distribution(MethodView):
    @in_society(*APPROVE.roles)
    @accepts_idempotency_key
    @blp.response(201, DistributionOut)
    def post(self, s: str, year: int) -> Any:
        """收益分配: the year's result distributed by the 章程's percentages"""
        actor = current_actor()
        return write(lambda uow: yearend.distribute(uow, actor, s, year), DistributionOut())


@blp.route("/summary")
class Summary(MethodView):
    @in_society(*SOCIETY_READERS)
    @blp.arguments(FiguresQuery, location="query")
    @blp.response(200, FiguresOut)
    def get(self, query: dict[str, Any], s: str) -> Any:
        """The society's figures: capital by source, members, loans, overdue, fees (概况)"""
        with get_db().read() as session:
            return reads.society_figures(
                session, society_id(session, s), query.get("as_of") or dates.today()
            )
