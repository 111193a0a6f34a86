"""A village mutual-aid society's pages (村级扶贫互助社, SPEC §13), and the county's list of
its societies side by side.

A society's URLs are ``/s/<s>/…``: they pass the gate every fund passes and then the
kind (`reads.visible`), so a revolving fund there is a page that does not exist, as
another county's society is. The pages admit the society's three duties (the clerk
会计, the cashier 出纳, the committee's approver 理事会) and the county's readers; each
form is offered to the role whose duty it is (`services.Duty`). A form of one duty (the
章程, money in, the month close) is posted to a URL only that duty's role may use, so
anyone else gets 403; a URL shared by several duties' forms (a member's, a loan's
steps) leaves the refusal to the service itself, with its Chinese message (钱账分管). The
services audit themselves, on the society's chain, so the forms add no second record.

The registers (members, loans, expenses) are sought 50 rows at a time after the cursor
their 下一页 link carries (`ledger.read.listing`), with the count of the whole register.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from functools import wraps
from typing import Any, TypeVar

from flask import abort, g, render_template, url_for
from marshmallow import Schema, ValidationError, pre_load
from sqlalchemy.orm import Session

from ledger import dates
from ledger.actors import Role
from ledger.db import UnitOfWork
from ledger.money import fmt
from ledger.programmes.mutual_aid import reads, services, yearend
from ledger.programmes.mutual_aid.models import BP, PPM
from ledger.programmes.mutual_aid.services import (
    APPROVE,
    CASH,
    CLOSE,
    DISTRIBUTION_KEYS,
    LOANS,
    MEMBERS,
    RULES,
    Duty,
)
from ledger.read import books
from ledger.read.listing import Seek
from shell.db import get_db
from shell.fields import Message
from shell.schemas.society import (
    DayIn,
    FiscalCapitalIn,
    InterestIn,
    RulesIn,
    SocietyDonationIn,
    SocietyExitIn,
    SocietyExpenseIn,
    SocietyGroupIn,
    SocietyLoanIn,
    SocietyMemberIn,
    SocietyRepaymentIn,
    SocietyShareIn,
    SocietyWriteOffIn,
    SubsidyIn,
)
from web.blueprint import COUNTY, bp, page
from web.filters import scaled
from web.forms import FORM, FormState, Inputs, blank, prefixed, search_form, submit
from web.pagination import PER_PAGE, Listing, PageQuery, sought
from web.views.books import CloseForm

F = TypeVar("F", bound=Callable[..., Any])

#: Who reads a society: its clerk, cashier and approver, and the county's leader and auditor.
READERS = (Role.CLERK, Role.CASHIER, Role.APPROVER, Role.LEADER, Role.AUDITOR)
#: Who may post a society's forms; the service then checks the duty (钱账分管).
WRITERS = (Role.CLERK, Role.CASHIER, Role.APPROVER)
#: The duties a template asks about (``'cash' in duties``).
DUTIES: dict[str, Duty] = {
    "rules": RULES,
    "members": MEMBERS,
    "loans": LOANS,
    "approve": APPROVE,
    "cash": CASH,
    "close": CLOSE,
}
#: A loan's state as the pages name it.
STATE = {
    "applied": "已申请",
    "noticed": "公示中",
    "approved": "已审批",
    "lent": "已放款",
    "repaid": "已还清",
    "written_off": "已核销",
}


def society_page(*roles: str) -> Callable[[F], F]:
    """`page(*roles)` (sign-in, role, CSRF), then a 404 unless ``s`` is a society the user
    may see."""

    def decorator(view: F) -> F:
        @page(*roles)
        @wraps(view)
        def gated(s: str, **kwargs: Any) -> Any:
            with get_db().read() as session:
                reads.visible(session, g.actor, s)
            return view(s, **kwargs)

        return gated  # type: ignore[return-value]

    return decorator


def duties() -> set[str]:
    """The society duties of the signed-in user's role (the forms a page offers)."""
    return {name for name, duty in DUTIES.items() if g.actor.role in duty.roles}


def draw(template: str, s: str, title: str, **context: Any) -> str:
    """A society's page: its name in the heading, its menu, the user's duties."""
    with get_db().read() as session:
        name = services.society(session, s).name
    return render_template(
        f"web/societies/{template}.html",
        title=f"{title} · {name}",
        heading=title,
        society=s,
        society_name=name,
        duties=duties(),
        state_name=STATE,
        **context,
    )


def today() -> str:
    return dates.today().isoformat()


def post(
    schema: Schema,
    work: Callable[[UnitOfWork, dict[str, Any]], Any],
    *,
    done: str | Callable[[Any], str],
    notice: Callable[[Any], str],
    redraw: Callable[[FormState], Any],
    inputs: Inputs | None = None,
) -> Any:
    """Submit a society's form through its service, which audits the write itself."""
    return submit(
        schema,
        work,
        done=done if callable(done) else lambda _: done,
        notice=notice,
        target=None,
        redraw=redraw,
        inputs=inputs,
        audited_by_service=True,
    )


def register(session: Session, read: Callable[..., tuple[int, Seek[Any]]], fund_id: int) -> Listing:
    """The page of a register (`reads.member_page`, `loan_page`, `expense_page`) that the
    link asks for: after its cursor, or an old link's page number; with the count."""
    query, _ = search_form(PageQuery(), {"page": 1})
    total, found = read(
        session,
        fund_id,
        after=query.get("after"),
        offset=(query["page"] - 1) * PER_PAGE,
        limit=PER_PAGE,
    )
    return sought(total, found, PER_PAGE)


# --- the county's societies -------------------------------------------------------------


@bp.route("/societies")
@page(*COUNTY)
def societies() -> Any:
    """The figures at the end of today, overdue judged today; each county's roll-up PDF."""
    with get_db().read() as session:
        data = reads.county_societies(session, g.actor)
    counties = sorted({(row.society.county, row.society.county_name) for row in data.rows})
    return render_template(
        "web/societies/county.html", title="各互助社对照", data=data, counties=counties
    )


# --- a society's home and its 章程 ---------------------------------------------------------


#: The cashier's forms on the home page: money in, and the staff subsidies declared paid
#: out (a member's dividend is paid on the member's page): schema, verb, notice.
MONEY_FORMS: dict[str, tuple[type[Schema], Callable[..., str], str]] = {
    "fiscal-capital": (FiscalCapitalIn, services.receive_fiscal_capital, "财政扶贫资金已到账"),
    "donation": (SocietyDonationIn, services.receive_donation, "捐赠已到账"),
    "interest": (InterestIn, services.record_bank_interest, "存款利息已入账"),
    "subsidy": (SubsidyIn, yearend.pay_subsidy, "管理人员补贴已支付"),
}


def _home(s: str, forms: dict[str, FormState] | None = None) -> Any:
    day = dates.today()
    with get_db().read() as session:
        fund_id = services.society(session, s).id
        figures = reads.society_figures(session, fund_id, day)
        rules = reads.current_rules(session, fund_id, day)
        subsidies_owed = reads.subsidies_owed(session, fund_id)
    states = {kind: blank(date=today()) for kind in MONEY_FORMS} | (forms or {})
    return draw(
        "home",
        s,
        "互助社概况",
        figures=figures,
        rules=rules,
        today=day,
        subsidies_owed=subsidies_owed,
        forms=prefixed(states),
    )


@bp.route("/s/<s>/")
@society_page(*READERS)
def society(s: str) -> Any:
    """The figures now, overdue judged today, the 章程 in force today, the cashier's forms."""
    return _home(s)


@bp.route("/s/<s>/money/<kind>", methods=["POST"])
@society_page(*CASH.roles)
def society_money(s: str, kind: str) -> Any:
    if kind not in MONEY_FORMS:
        abort(404)
    schema, verb, title = MONEY_FORMS[kind]
    return post(
        schema(),
        lambda uow, data: verb(uow, g.actor, s, **data),
        done=url_for("web.society", s=s),
        notice=lambda voucher: f"{title},凭证 {voucher}",
        redraw=lambda state: _home(s, {kind: state}),
    )


@dataclass(frozen=True)
class Typed:
    """A fraction of the 章程 as its form takes it: in ‰ (the rates) or % (the shares)."""

    #: What the clerk calls it (the refusal names it so).
    label: str
    #: What the fraction is multiplied by to give the typed number: 1000 or 100.
    scale: int
    #: The service's range, 0 to `high`, and its grain, 1/`units` (`rules_settings`).
    high: Decimal
    units: Decimal

    @property
    def sign(self) -> str:
        return "%" if self.scale == 100 else "‰"

    @property
    def decimals(self) -> int:
        return len(str(int(self.units / self.scale))) - 1

    def refusal(self, name: str, value: object) -> Message | None:
        """Why the typed `value` is not a number this setting takes, in the form's units."""
        top = scaled(self.high, self.scale)
        if not isinstance(value, str) or not NUMBER.fullmatch(value):
            example = "40" if self.scale == 100 else "6"
            return Message(
                f"{name} must be a number of {self.sign} (e.g. {example})",
                f"{self.label}应为以 {self.sign} 计的数字(如 {example})",
            )
        number = Decimal(value)
        grain = number * self.units / self.scale
        if not 0 <= number <= self.high * self.scale or grain != grain.to_integral_value():
            return Message(
                f"{name} must be from 0 to {top} {self.sign} with at most {self.decimals} decimals",
                f"{self.label}应在 0–{top}{self.sign} 之间,最多 {self.decimals} 位小数",
            )
        return None


#: The 章程 form's rates in per mille and its distribution in percent, as the page shows
#: them (a share is of the whole: at most 1).
SCALES = {
    "fee_rate_monthly": Typed("占用费月费率", 1000, services.FEE_RATE_MAX, PPM),
    "overdue_fee_rate_monthly": Typed("逾期占用费月费率", 1000, services.FEE_RATE_MAX, PPM),
    "reserve": Typed("公积金比例", 100, Decimal(1), BP),
    "welfare": Typed("公益金比例", 100, Decimal(1), BP),
    "risk": Typed("风险准备金比例", 100, Decimal(1), BP),
    "staff": Typed("管理人员补贴比例", 100, Decimal(1), BP),
    "dividend": Typed("分红比例", 100, Decimal(1), BP),
}
#: What a typed rate or share may look like before its range is checked.
NUMBER = re.compile(r"-?[0-9]{1,6}(\.[0-9]{1,6})?")


class RulesForm(RulesIn):
    """The 章程 form: `RulesIn` with the rates typed in ‰ and the distribution in %; a
    number out of the service's range is refused here, in those units."""

    @pre_load
    def fractions(self, typed: dict[str, Any], **_: Any) -> dict[str, Any]:
        data, shares, errors = dict(typed), {}, {}
        for name, setting in SCALES.items():
            if name not in data:
                continue  # a missing share is the schema's to name
            value = data.pop(name)
            refusal = setting.refusal(name, value)
            if refusal is not None:
                errors[name] = refusal
                continue
            fraction = str(Decimal(value) / setting.scale)
            (shares if name in DISTRIBUTION_KEYS else data)[name] = fraction
        if errors:
            raise ValidationError(errors)
        return {**data, "distribution": shares}


def _rules_input(name: str) -> str:
    """Where a refusal of the 章程 form shows: the distribution's sum above the form, a
    share beside its own input."""
    return FORM if name == "distribution" else name.removeprefix("distribution.")


def _rules_page(s: str, form: FormState | None = None) -> Any:
    day = dates.today()
    with get_db().read() as session:
        fund_id = services.society(session, s).id
        versions = reads.rule_versions(session, fund_id)
        current = reads.current_rules(session, fund_id, day)
    suggested: dict[str, Any] = {"effective_on": today()}
    if current is not None:  # the next version starts as a copy of the one in force
        fractions = {
            "fee_rate_monthly": current.fee_rate_monthly,
            "overdue_fee_rate_monthly": current.overdue_fee_rate_monthly,
            **current.distribution,
        }
        suggested |= {
            name: getattr(current, name)
            for name in RulesIn().fields
            if name not in ("effective_on", "distribution", *SCALES)
        } | {name: scaled(fractions[name], typed.scale) for name, typed in SCALES.items()}
    return draw(
        "rules", s, "章程版本", versions=versions, today=day, form=form or blank(**suggested)
    )


@bp.route("/s/<s>/rules")
@society_page(*READERS)
def society_rules(s: str) -> Any:
    return _rules_page(s)


@bp.route("/s/<s>/rules", methods=["POST"])
@society_page(*RULES.roles)
def society_add_rules(s: str) -> Any:
    return post(
        RulesForm(),
        lambda uow, data: services.add_rules(uow, g.actor, s, **data),
        done=url_for("web.society_rules", s=s),
        notice=lambda rules: f"章程新版本已录入,自 {rules.effective_on} 起生效",
        redraw=lambda state: _rules_page(s, state),
        inputs=_rules_input,
    )


# --- members and groups ----------------------------------------------------------------------


def _members_page(s: str, form: FormState | None = None) -> Any:
    with get_db().read() as session:
        fund_id = services.society(session, s).id
        listing = register(session, reads.member_page, fund_id)
        groups = reads.groups(session, fund_id)
    return draw(
        "members",
        s,
        "社员名册",
        listing=listing,
        group_options=[(group.code, group.code) for group in groups],
        form=form or blank(date=today(), poor="false"),
    )


@bp.route("/s/<s>/members")
@society_page(*READERS)
def society_members(s: str) -> Any:
    return _members_page(s)


@bp.route("/s/<s>/members", methods=["POST"])
@society_page(*WRITERS)
def society_join(s: str) -> Any:
    return post(
        SocietyMemberIn(),
        lambda uow, data: services.join(uow, g.actor, s, **data),
        done=lambda member: url_for("web.society_member", s=s, id=member.id),
        notice=lambda member: f"{member.name} 已入社(社员编号 {member.id})",
        redraw=lambda state: _members_page(s, state),
    )


def _member_page(s: str, id: int, forms: dict[str, FormState] | None = None) -> Any:
    with get_db().read() as session:
        fund_id = services.society(session, s).id
        member = reads.member(session, fund_id, id)
        rules = reads.current_rules(session, fund_id, dates.today())
    states = {
        "share": blank(date=today()),
        "allocation": blank(date=today()),
        "exit": blank(date=today()),
        "dividend": blank(date=today()),
        **(forms or {}),
    }
    return draw(
        "member", s, f"社员 {member.name}", member=member, rules=rules, forms=prefixed(states)
    )


@bp.route("/s/<s>/members/<int:id>")
@society_page(*READERS)
def society_member(s: str, id: int) -> Any:
    return _member_page(s, id)


def _shares(allocated: bool) -> Callable[..., Any]:
    """入股 (the cashier's, money in) or 配股 (the clerk's, no money moves)."""

    def work(uow: UnitOfWork, s: str, id: int, data: dict[str, Any]) -> Decimal:
        verb = services.allocate_share if allocated else services.buy_share
        verb(uow, g.actor, s, id, on=data["on"], amount=data["amount"])
        return data["amount"]  # type: ignore[no-any-return]

    return work


def _exit(uow: UnitOfWork, s: str, id: int, data: dict[str, Any]) -> Decimal:
    return services.leave(uow, g.actor, s, id, **data).refund


def _dividend(uow: UnitOfWork, s: str, id: int, data: dict[str, Any]) -> Decimal:
    return yearend.pay_dividend(uow, g.actor, s, id, **data)[0]


#: A member's forms: the schema, the verb (returning the amount moved) and the notice.
MEMBER_FORMS: dict[str, tuple[type[Schema], Callable[..., Decimal], str]] = {
    "share": (SocietyShareIn, _shares(allocated=False), "入股"),
    "allocation": (SocietyShareIn, _shares(allocated=True), "配股"),
    "exit": (SocietyExitIn, _exit, "退股,退还股金"),
    "dividend": (DayIn, _dividend, "支付分红"),
}


@bp.route("/s/<s>/members/<int:id>/<kind>", methods=["POST"])
@society_page(*WRITERS)
def society_member_form(s: str, id: int, kind: str) -> Any:
    if kind not in MEMBER_FORMS:
        abort(404)
    schema, work, title = MEMBER_FORMS[kind]
    return post(
        schema(),
        lambda uow, data: work(uow, s, id, data),
        done=url_for("web.society_member", s=s, id=id),
        notice=lambda amount: f"已{title} {fmt(amount)} 元",
        redraw=lambda state: _member_page(s, id, {kind: state}),
    )


def _groups_page(s: str, form: FormState | None = None) -> Any:
    with get_db().read() as session:
        fund_id = services.society(session, s).id
        groups = reads.groups(session, fund_id)
        names = reads.member_names(session, fund_id)
        rules = reads.current_rules(session, fund_id, dates.today())
    return draw(
        "groups", s, "联保小组", groups=groups, names=names, rules=rules, form=form or blank()
    )


@bp.route("/s/<s>/groups")
@society_page(*READERS)
def society_groups(s: str) -> Any:
    return _groups_page(s)


@bp.route("/s/<s>/groups", methods=["POST"])
@society_page(*WRITERS)
def society_new_group(s: str) -> Any:
    return post(
        SocietyGroupIn(),
        lambda uow, data: services.add_group(uow, g.actor, s, **data),
        done=url_for("web.society_groups", s=s),
        notice=lambda group: f"联保小组 {group.code} 已成立",
        redraw=lambda state: _groups_page(s, state),
    )


# --- loans ---------------------------------------------------------------------------------


def _loans_page(s: str, form: FormState | None = None) -> Any:
    with get_db().read() as session:
        fund_id = services.society(session, s).id
        listing = register(session, reads.loan_page, fund_id)
        names = reads.member_names(session, fund_id)
        present = reads.present_members(session, fund_id)
    return draw(
        "loans",
        s,
        "互助借款",
        listing=listing,
        names=names,
        today=dates.today(),
        member_options=[
            (
                m.id,
                f"{m.name}({m.group or '未入组'},入股 {fmt(m.shares_bought)}"
                f",配股 {fmt(m.shares_allocated)})",
            )
            for m in present
        ],
        form=form or blank(applied_on=today()),
    )


@bp.route("/s/<s>/loans")
@society_page(*READERS)
def society_loans(s: str) -> Any:
    return _loans_page(s)


@bp.route("/s/<s>/loans", methods=["POST"])
@society_page(*WRITERS)
def society_apply(s: str) -> Any:
    return post(
        SocietyLoanIn(),
        lambda uow, data: services.apply_for_loan(uow, g.actor, s, **data),
        done=lambda loan: url_for("web.society_loan", s=s, no=loan.no),
        notice=lambda loan: f"借款申请已受理,编号 {loan.no}",
        redraw=lambda state: _loans_page(s, state),
    )


#: A loan's steps: the schema, the verb, the notice; offered by state and duty (loan.html).
STEPS: dict[str, tuple[type[Schema], Callable[..., Any], str]] = {
    "notice": (DayIn, services.post_notice, "借款已公示"),
    "approval": (DayIn, services.approve_loan, "借款已审批"),
    "disbursement": (DayIn, services.pay_out, "借款已放款"),
    "repayment": (SocietyRepaymentIn, services.repay, "还款已入账"),
    "write-off": (SocietyWriteOffIn, yearend.write_off, "借款已核销"),
}


def _loan_page(s: str, no: str, forms: dict[str, FormState] | None = None) -> Any:
    with get_db().read() as session:
        fund_id = services.society(session, s).id
        loan = reads.loan(session, fund_id, no)
        borrower = reads.member(session, fund_id, loan.member)
    states = {step: blank(date=today()) for step in STEPS} | (forms or {})
    return draw(
        "loan",
        s,
        f"借款 {no}",
        loan=loan,
        borrower=borrower,
        today=dates.today(),
        forms=prefixed(states),
    )


@bp.route("/s/<s>/loans/<no>")
@society_page(*READERS)
def society_loan(s: str, no: str) -> Any:
    return _loan_page(s, no)


@bp.route("/s/<s>/loans/<no>/<step>", methods=["POST"])
@society_page(*WRITERS)
def society_loan_step(s: str, no: str, step: str) -> Any:
    if step not in STEPS:
        abort(404)
    schema, verb, title = STEPS[step]
    return post(
        schema(),
        lambda uow, data: verb(uow, g.actor, s, no, **data),
        done=url_for("web.society_loan", s=s, no=no),
        notice=lambda _: title,
        redraw=lambda state: _loan_page(s, no, {step: state}),
    )


# --- the month close -----------------------------------------------------------------------


def _periods_page(s: str, form: FormState | None = None) -> Any:
    with get_db().read() as session:
        rows = books.periods(session, g.actor, s).all(session)
    last_month = dates.month_of(dates.today().replace(day=1) - timedelta(days=1))
    return draw("periods", s, "月结", rows=rows, form=form or blank(period=last_month))


@bp.route("/s/<s>/periods")
@society_page(*READERS)
def society_periods(s: str) -> Any:
    return _periods_page(s)


@bp.route("/s/<s>/periods", methods=["POST"])
@society_page(*CLOSE.roles)
def society_close_month(s: str) -> Any:
    return post(
        CloseForm(),
        lambda uow, data: services.close_month(uow, g.actor, s, data["period"]),
        done=url_for("web.society_periods", s=s),
        notice=lambda period: f"{period.period} 已月结,占用费已计提至月末",
        redraw=lambda state: _periods_page(s, state),
    )


# --- expenses and the year end ---------------------------------------------------------------


def _expenses_page(s: str, form: FormState | None = None) -> Any:
    with get_db().read() as session:
        fund_id = services.society(session, s).id
        listing = register(session, reads.expense_page, fund_id)
        total = reads.expense_total(session, fund_id)
    return draw(
        "expenses",
        s,
        "管理费用",
        listing=listing,
        total=total,
        form=form or blank(date=today()),
    )


@bp.route("/s/<s>/expenses")
@society_page(*READERS)
def society_expenses(s: str) -> Any:
    return _expenses_page(s)


@bp.route("/s/<s>/expenses", methods=["POST"])
@society_page(*WRITERS)
def society_pay_expense(s: str) -> Any:
    return post(
        SocietyExpenseIn(),
        lambda uow, data: services.pay_expense(uow, g.actor, s, **data),
        done=url_for("web.society_expenses", s=s),
        notice=lambda voucher: f"费用已支付,凭证 {voucher}",
        redraw=lambda state: _expenses_page(s, state),
    )


def _distributions_page(s: str, forms: dict[int, FormState] | None = None) -> Any:
    with get_db().read() as session:
        fund_id = services.society(session, s).id
        book = reads.year_end(session, fund_id, dates.today())
        rules = reads.current_rules(session, fund_id, dates.today())
    states = {year: blank() for year in book.open_years} | (forms or {})
    return draw("distributions", s, "年终收益分配", book=book, rules=rules, forms=prefixed(states))


@bp.route("/s/<s>/distributions")
@society_page(*READERS)
def society_distributions(s: str) -> Any:
    return _distributions_page(s)


@bp.route("/s/<s>/distributions/<int:year>", methods=["POST"])
@society_page(*WRITERS)
def society_distribute(s: str, year: int) -> Any:
    return post(
        Schema(),
        lambda uow, _: yearend.distribute(uow, g.actor, s, year),
        done=url_for("web.society_distributions", s=s),
        notice=lambda table: f"{table.year} 年度收益 {fmt(table.result)} 元已分配",
        redraw=lambda state: _distributions_page(s, {year: state}),
    )
