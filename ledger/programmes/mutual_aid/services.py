"""A society's verbs: opening one, rules, groups, members and shares, loans, money in and out.

Each takes a unit of work and an `Actor`, checks the actor's duty (钱账分管:
the clerk 会计 keeps members, groups, loans and rules, the cashier 出纳 moves
the money, the committee's approver 理事会 approves loans; the one who
records a loan, approves it and pays it out are three people), validates,
posts through the core's `journals.post` (which holds every journal of a
society to 封闭运行), appends a record to the society's audit chain and
flushes; its caller commits.

A loan is judged by the 章程 version in force on its application date, and
keeps that version's fee rates for its whole life.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ledger import dates, validate
from ledger.actors import Actor
from ledger.audit import append_audit
from ledger.db import UnitOfWork
from ledger.errors import (
    DuplicateKey,
    FundNotFound,
    InvalidField,
    InvalidTransition,
    LedgerError,
    MakerIsChecker,
    Overpayment,
    RecordNotFound,
    RoleNotAllowed,
)
from ledger.identifiers import check_id_number
from ledger.models import Fund, Period
from ledger.posting import DEBIT, AccountRef, JournalDraft
from ledger.programmes import MUTUAL_AID
from ledger.programmes.mutual_aid import templates
from ledger.programmes.mutual_aid.errors import (
    AllocationRefused,
    CharterLimit,
    GroupOverdue,
    MemberOwes,
    NotAMember,
    NoticeNotServed,
    NotInGroup,
)
from ledger.programmes.mutual_aid.models import (
    BP,
    PPM,
    LoanState,
    ShareAllocation,
    SocietyExpense,
    SocietyGroup,
    SocietyLoan,
    SocietyMember,
    SocietyProfile,
    SocietyRules,
)
from ledger.programmes.mutual_aid.rules import add_months, span_fee
from ledger.read.books import balance, fen_sum, month_end
from ledger.services import journals, lookup, periods
from ledger.services.funds import open_fund

CLERK, CASHIER, APPROVER = "clerk", "cashier", "approver"


@dataclass(frozen=True)
class Duty:
    """A society's verb and the roles that may do it (钱账分管)."""

    zh: str
    en: str
    roles: tuple[str, ...]


RULES = Duty("修改章程", "change the society's rules", (CLERK,))
MEMBERS = Duty("管理社员和联保小组", "keep members and groups", (CLERK,))
LOANS = Duty("受理和公示借款", "record and publish loans", (CLERK,))
APPROVE = Duty("审批借款", "approve loans", (APPROVER,))
CASH = Duty("收付资金", "move the society's money", (CASHIER,))
CLOSE = Duty("计提占用费和月结", "accrue fees and close the month", (CLERK,))

Step = dates.Step
JOINED = Step("入社日", "joining date")
SHARE = Step("入股日", "share date")
ALLOCATED = Step("配股日", "allocation date")
LEFT = Step("退股日", "exit date")
APPLIED = Step("申请日", "application date")
NOTICED = Step("公示日", "notice date")
APPROVED = Step("审批日", "approval date")
PAID_OUT = Step("放款日", "payout date")
REPAID = Step("还款日", "repayment date")
ACCRUED = Step("占用费已计提至", "the day the fee is accrued to")

GROUP_CODE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
DISTRIBUTION_KEYS = ("reserve", "welfare", "risk", "staff", "dividend")
#: The highest monthly fee rate a 章程 may set (100‰), normal or overdue.
FEE_RATE_MAX = Decimal("0.1")


def may(actor: Actor, duty: Duty) -> None:
    """Refuse unless the actor's role has this duty in the society."""
    if actor.role not in duty.roles:
        raise RoleNotAllowed(
            f"角色 {actor.role} 无权{duty.zh}(钱账分管)",
            f"role {actor.role} may not {duty.en} (needs {' or '.join(duty.roles)}; "
            "cash and books are kept apart)",
        )


def society(session: Session, code: str) -> Fund:
    """The society (a fund of kind mutual_aid) by code; any other fund is not one."""
    fund = lookup.fund(session, code)
    if fund.kind != MUTUAL_AID:
        raise FundNotFound(f"互助社 {code} 不存在", f"society {code} does not exist", field="fund")
    return fund


def audit(
    session: Session, fund: Fund, actor: Actor, action: str, target: str, **details: Any
) -> None:
    """Append the write's record to the society's own audit chain (its fund code)."""
    append_audit(
        session,
        chain=fund.code,
        actor=actor,
        action=f"society {action}",
        target=target,
        details=details,
    )


def post_journal(
    uow: UnitOfWork, fund: Fund, actor: Actor, draft: JournalDraft
) -> journals.PostedJournal:
    """Post through the core, which holds the draft to 封闭运行."""
    return journals.post(uow, fund.id, draft, actor=actor.username)


def post_draft(uow: UnitOfWork, fund: Fund, actor: Actor, draft: JournalDraft) -> str:
    """`post_journal`, answering the voucher."""
    return post_journal(uow, fund, actor, draft).voucher


def amount_of(session: Session, fund: Fund, ref: AccountRef) -> Decimal:
    """An account's balance now, on its normal side."""
    return balance(session, fund.id, ref).balance


# --- the rules (章程) --------------------------------------------------------


def rules_on(session: Session, fund_id: int, day: date) -> SocietyRules:
    """The 章程 version in force on `day`: the latest that took effect on or before it."""
    found = session.scalar(
        select(SocietyRules)
        .where(SocietyRules.fund_id == fund_id, SocietyRules.effective_on <= day)
        .order_by(SocietyRules.effective_on.desc())
        .limit(1)
    )
    if found is None:
        raise CharterLimit(
            f"{day} 没有生效的互助社章程", f"no version of the rules is in force on {day}"
        )
    return found


def _whole(value: object, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidField(
            f"{field} 应为 {low}–{high} 之间的整数",
            f"{field} must be a whole number from {low} to {high}",
            field=field,
        )
    return value


def _fraction(value: object, field: str, scale: Decimal, high: Decimal) -> int:
    """A fraction such as ``"0.006"`` in units of 1/`scale`; finer or out of [0, high] refused."""
    try:
        number = Decimal(value) if isinstance(value, str | Decimal) else None
    except ArithmeticError:
        number = None
    units = number * scale if number is not None and number.is_finite() else None
    if units is None or units != units.to_integral_value() or not 0 <= number <= high:
        raise InvalidField(
            f'{field} 应为 0–{high} 之间的小数(如 "0.006"),最多 {len(str(scale)) - 1} 位小数',
            f'{field} must be a fraction from 0 to {high} (e.g. "0.006") '
            f"with at most {len(str(scale)) - 1} decimals",
            field=field,
        )
    return int(units)


def add_rules(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    *,
    effective_on: object,
    **settings: Any,
) -> SocietyRules:
    """A new version of the 章程, in force from `effective_on` (loans already made keep theirs).

    The settings are `rules_settings`'.
    """
    may(actor, RULES)
    session = uow.session
    fund = society(session, fund_code)
    day = validate.day(effective_on, "effective_on")
    values = rules_settings(**settings)
    if session.scalar(
        select(SocietyRules.id).where(
            SocietyRules.fund_id == fund.id, SocietyRules.effective_on == day
        )
    ):
        raise DuplicateKey(
            f"{day} 生效的章程版本已存在",
            f"a version of the rules taking effect on {day} already exists",
            field="effective_on",
        )
    rules = SocietyRules(fund_id=fund.id, effective_on=day, recorded_by=actor.username, **values)
    session.add(rules)
    session.flush()
    audit(session, fund, actor, "rules", f"rules:{day}", effective_on=day)
    return rules


def rules_settings(
    *,
    share_size: object,
    loan_cap: object,
    loan_share_multiple: object,
    max_term_months: object,
    fee_rate_monthly: object,
    overdue_fee_rate_monthly: object,
    notice_days: object,
    group_min: object,
    group_max: object,
    distribution: Mapping[str, object],
) -> dict[str, object]:
    """A version of the 章程's settings, checked, as `SocietyRules` columns.

    Rates are monthly fractions (``"0.006"`` is 6‰ a month); the distribution
    gives 公积金, 公益金, 风险准备金, 管理人员补贴 and 分红 as fractions summing to 1.
    """
    if not isinstance(distribution, Mapping) or set(distribution) != set(DISTRIBUTION_KEYS):
        raise InvalidField(
            f"分配比例应包含且只包含 {', '.join(DISTRIBUTION_KEYS)}",
            f"distribution must give exactly {', '.join(DISTRIBUTION_KEYS)}",
            field="distribution",
        )
    shares = {
        f"{key}_bp": _fraction(distribution[key], f"distribution.{key}", BP, Decimal(1))
        for key in DISTRIBUTION_KEYS
    }
    if sum(shares.values()) != int(BP):
        raise InvalidField(
            "收益分配比例(公积金、公益金、风险准备金、管理人员补贴、分红)合计应为 100%",
            "the distribution (reserve, welfare, risk, staff, dividend) must sum to 100 %",
            field="distribution",
        )
    least = _whole(group_min, "group_min", 1, 50)
    most = _whole(group_max, "group_max", 1, 50)
    if least > most:
        raise InvalidField(
            "联保小组最少人数不能大于最多人数",
            "group_min cannot exceed group_max",
            field="group_min",
        )
    return {
        "share_size": validate.amount(share_size, "share_size"),
        "loan_cap": validate.amount(loan_cap, "loan_cap"),
        "loan_share_multiple": _whole(loan_share_multiple, "loan_share_multiple", 1, 100),
        "max_term_months": _whole(max_term_months, "max_term_months", 1, 60),
        "fee_rate_ppm": _fraction(fee_rate_monthly, "fee_rate_monthly", PPM, FEE_RATE_MAX),
        "overdue_fee_rate_ppm": _fraction(
            overdue_fee_rate_monthly, "overdue_fee_rate_monthly", PPM, FEE_RATE_MAX
        ),
        "notice_days": _whole(notice_days, "notice_days", 0, 90),
        "group_min": least,
        "group_max": most,
        **shares,
    }


# --- opening a society ---------------------------------------------------------

#: 专户账号: the digits a Chinese bank prints, 6 to 32 of them (spaces between groups allowed).
BANK_ACCOUNT = re.compile(r"^[0-9]{6,32}$")


def open_society(
    uow: UnitOfWork,
    actor: Actor,
    *,
    fund: str,
    name: str,
    county: str | None,
    village: str,
    township: str,
    bank: str,
    bank_account: str,
    opened_on: object,
    rules: Mapping[str, object] | None = None,
) -> Fund:
    """A county officer opens a village society (成立互助社): a fund of kind mutual_aid with
    its chart, its village, township and bank account (专户), and its first 章程 in force
    from `opened_on`: `rules` (as `rules_settings` takes them) or the model rules' defaults.

    Only a role that may open funds does (`Action.MANAGE_FUNDS`, `open_fund` checks).
    """
    try:
        opened = open_fund(
            uow,
            actor=actor,
            code=fund,
            name=name,
            opened_on=opened_on,
            county=county,
            kind=MUTUAL_AID,
        )
    except LedgerError as refusal:
        # A society's code is its fund's, named `fund` (SPEC §13): so is the refusal.
        if refusal.field == "code":
            refusal.field = "fund"
        raise
    session = uow.session
    account = "".join(bank_account.split()) if isinstance(bank_account, str) else ""
    if not BANK_ACCOUNT.match(account):
        raise InvalidField(
            "专户账号应为 6–32 位数字", "bank_account must be 6-32 digits", field="bank_account"
        )
    session.add(
        SocietyProfile(
            fund_id=opened.id,
            village=validate.text(village, "village", max_length=100),
            township=validate.text(township, "township", max_length=100),
            bank=validate.text(bank, "bank", max_length=100),
            bank_account=account,
        )
    )
    if rules is not None:
        # The kind's opening wrote the one version there is: the defaults, now replaced.
        first = session.scalars(select(SocietyRules).where(SocietyRules.fund_id == opened.id)).one()
        for column, value in rules_settings(**rules).items():
            setattr(first, column, value)
        first.recorded_by = actor.username
    session.flush()
    audit(session, opened, actor, "open", f"society:{opened.code}", village=village, bank=account)
    return opened


# --- groups and members ------------------------------------------------------


def add_group(uow: UnitOfWork, actor: Actor, fund_code: str, *, code: str) -> SocietyGroup:
    """A mutual-guarantee group (联保小组); members join it when they join the society."""
    may(actor, MEMBERS)
    session = uow.session
    fund = society(session, fund_code)
    if not isinstance(code, str) or not GROUP_CODE.match(code):
        raise InvalidField(
            "小组编号只能包含字母、数字、- 和 _,长度 1–16",
            "group code must be 1-16 letters, digits, '-' or '_'",
            field="code",
        )
    if _find_group(session, fund, code) is not None:
        raise DuplicateKey(f"小组 {code} 已存在", f"group {code} already exists", field="code")
    group = SocietyGroup(fund_id=fund.id, code=code)
    session.add(group)
    session.flush()
    audit(session, fund, actor, "group", f"group:{code}")
    return group


def _find_group(session: Session, fund: Fund, code: str) -> SocietyGroup | None:
    return session.scalar(
        select(SocietyGroup).where(SocietyGroup.fund_id == fund.id, SocietyGroup.code == code)
    )


def _group_size(session: Session, group_id: int, on: date) -> int:
    """Members of the group on `on`: joined by then and not left."""
    return session.scalar(
        select(func.count()).where(
            SocietyMember.group_id == group_id,
            SocietyMember.joined_on <= on,
            (SocietyMember.left_on.is_(None)) | (SocietyMember.left_on > on),
        )
    )


def join(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    *,
    name: str,
    id_number: str,
    poor: bool,
    joined_on: object,
    group: str | None = None,
) -> SocietyMember:
    """A household joins (入社), with its ID number checked per GB 11643, into a group if named."""
    may(actor, MEMBERS)
    session = uow.session
    fund = society(session, fund_code)
    name = validate.text(name, "name", max_length=50)
    id_number = check_id_number(id_number)
    poor = validate.flag(poor, "poor")
    day = dates.business_day(joined_on, "joined_on", JOINED)
    if session.scalar(
        select(SocietyMember.id).where(
            SocietyMember.fund_id == fund.id, SocietyMember.id_number == id_number
        )
    ):
        raise DuplicateKey(
            f"身份证号 {id_number} 已是本社社员",
            f"ID number {id_number} is already a member",
            field="id_number",
        )
    group_id = None
    if group is not None:
        found = _find_group(session, fund, group)
        if found is None:
            raise RecordNotFound(
                f"小组 {group} 不存在", f"group {group} does not exist", field="group"
            )
        limit = rules_on(session, fund.id, day).group_max
        if _group_size(session, found.id, day) >= limit:
            raise NotInGroup(
                f"小组 {group} 已有 {limit} 人,达到章程规定的联保小组最多人数(group_max)",
                f"group {group} already has {limit} members, the rules' group_max",
                field="group",
            )
        group_id = found.id
    member = SocietyMember(
        fund_id=fund.id,
        name=name,
        id_number=id_number,
        poor=poor,
        group_id=group_id,
        joined_on=day,
        recorded_by=actor.username,
    )
    session.add(member)
    session.flush()
    audit(session, fund, actor, "join", f"member:{member.id}", group=group, poor=poor)
    return member


def _member(session: Session, fund: Fund, member_id: object, on: date, step: Step) -> SocietyMember:
    """A member of the society on `on`: joined by then and not left; else refused."""
    found = (
        session.get(SocietyMember, member_id)
        if isinstance(member_id, int) and not isinstance(member_id, bool)
        else None
    )
    if found is None or found.fund_id != fund.id:
        raise RecordNotFound(
            f"社员 {member_id} 不存在", f"member {member_id} does not exist", field="member"
        )
    dates.not_before(on, found.joined_on, "date", step, JOINED)
    if found.left_on is not None:
        raise NotAMember(
            f"社员 {found.name} 已于 {found.left_on} 退社",
            f"member {found.name} left on {found.left_on}",
            field="member",
        )
    return found


def _held(query: Select[Any], fund_id: int) -> Select[Any]:
    """`query` over the allocated shares (配股) of members who have not left."""
    return query.join(SocietyMember, SocietyMember.id == ShareAllocation.member_id).where(
        ShareAllocation.fund_id == fund_id, SocietyMember.left_on.is_(None)
    )


def allocated(session: Session, fund_id: int, member_id: int | None = None) -> Decimal:
    """Allocated shares (配股) held by members who have not left; one member's if named."""
    query = _held(select(fen_sum(ShareAllocation.amount)), fund_id)
    if member_id is not None:
        query = query.where(ShareAllocation.member_id == member_id)
    return session.scalar(query)


def allocated_by_member(session: Session, fund_id: int) -> dict[int, Decimal]:
    """`allocated` per member, in one query (a page of the register)."""
    query = _held(select(ShareAllocation.member_id, fen_sum(ShareAllocation.amount)), fund_id)
    return dict(session.execute(query.group_by(ShareAllocation.member_id)).all())


def _whole_shares(amount: Decimal, rules: SocietyRules) -> None:
    if amount % rules.share_size:
        raise CharterLimit(
            f"入股金额 {amount} 不是章程每股金额(share_size){rules.share_size} 的整数倍",
            f"{amount} is not a whole number of shares of the rules' share_size {rules.share_size}",
            field="amount",
        )


def buy_share(
    uow: UnitOfWork, actor: Actor, fund_code: str, member_id: int, *, on: object, amount: object
) -> str:
    """入股: a member pays in whole shares (1001 / 3002 member); returns the voucher."""
    may(actor, CASH)
    session = uow.session
    fund = society(session, fund_code)
    day = dates.business_day(on, "date", SHARE)
    member = _member(session, fund, member_id, day, SHARE)
    money = validate.amount(amount, "amount")
    _whole_shares(money, rules_on(session, fund.id, day))
    voucher = post_draft(uow, fund, actor, templates.share_bought(day, member.id, money))
    audit(session, fund, actor, "share", f"member:{member.id}", amount=money, voucher=voucher)
    return voucher


def allocate_share(
    uow: UnitOfWork, actor: Actor, fund_code: str, member_id: int, *, on: object, amount: object
) -> ShareAllocation:
    """配股: whole shares for a registered poor member, out of the fiscal capital.

    Decision: no journal. The money is already in 3001 and stays the
    society's; the allocation is a register entry held against 3001, so the
    allocations of members still in the society never exceed the fiscal
    capital, and no money is created.
    """
    may(actor, MEMBERS)
    session = uow.session
    fund = society(session, fund_code)
    day = dates.business_day(on, "date", ALLOCATED)
    member = _member(session, fund, member_id, day, ALLOCATED)
    money = validate.amount(amount, "amount")
    if not member.poor:
        raise AllocationRefused(
            f"社员 {member.name} 不是建档立卡贫困户,不能配股",
            f"member {member.name} is not a registered poor household; only they get shares",
            field="member",
        )
    _whole_shares(money, rules_on(session, fund.id, day))
    fiscal = amount_of(session, fund, templates.FISCAL)
    held = allocated(session, fund.id)
    if held + money > fiscal:
        raise AllocationRefused(
            f"配股合计 {held + money} 将超过财政扶贫资金 {fiscal}",
            f"allocated shares would total {held + money}, more than the fiscal capital {fiscal}",
            field="amount",
        )
    row = ShareAllocation(
        fund_id=fund.id,
        member_id=member.id,
        allocated_on=day,
        amount=money,
        recorded_by=actor.username,
    )
    session.add(row)
    session.flush()
    audit(session, fund, actor, "allocation", f"member:{member.id}", amount=money)
    return row


def member_shares(session: Session, fund: Fund, member: SocietyMember) -> Decimal:
    """Bought (3002 member) plus allocated shares: what the loan multiple counts."""
    bought = amount_of(session, fund, templates.member_shares(member.id))
    return bought + allocated(session, fund.id, member.id)


@dataclass(frozen=True)
class Exit:
    """退股: the member's own shares refunded (allocated ones return to the pool)."""

    member: int
    refund: Decimal
    voucher: str | None


def leave(uow: UnitOfWork, actor: Actor, fund_code: str, member_id: int, *, on: object) -> Exit:
    """退股: refund the member's bought shares, only when they owe nothing and their group
    has no overdue loan; their allocated shares return to the pool."""
    may(actor, CASH)
    session = uow.session
    fund = society(session, fund_code)
    day = dates.business_day(on, "date", LEFT)
    member = _member(session, fund, member_id, day, LEFT)
    open_loans = session.scalars(
        select(SocietyLoan.no).where(
            SocietyLoan.member_id == member.id, SocietyLoan.state != LoanState.REPAID
        )
    ).all()
    if open_loans:
        raise MemberOwes(
            f"社员 {member.name} 尚有借款 {', '.join(open_loans)} 未结清,不能退股",
            f"member {member.name} still has loans {', '.join(open_loans)}; cannot leave",
            field="member",
        )
    if member.group_id is not None:
        _no_overdue_in_group(session, member.group_id, day, "退股", "leave")
    refund = amount_of(session, fund, templates.member_shares(member.id))
    voucher = None
    if refund:
        voucher = post_draft(uow, fund, actor, templates.share_refund(day, member.id, refund))
    member.left_on = day
    session.flush()
    audit(session, fund, actor, "exit", f"member:{member.id}", refund=refund, voucher=voucher)
    return Exit(member.id, refund, voucher)


# --- money in and out ----------------------------------------------------------


def receive_fiscal_capital(
    uow: UnitOfWork, actor: Actor, fund_code: str, *, on: object, amount: object, memo: str = ""
) -> str:
    """财政扶贫资金 arrives (1001 / 3001): the society's, never refunded."""
    memo = validate.text(memo, "memo", required=False)
    return _money_in(
        uow,
        actor,
        fund_code,
        on,
        amount,
        lambda day, money: templates.fiscal_capital(day, money, memo),
    )


def receive_donation(
    uow: UnitOfWork, actor: Actor, fund_code: str, *, on: object, amount: object, donor: str
) -> str:
    """捐赠 arrives (1001 / 3003 donor); the donor names its own sub-account."""
    donor = validate.text(donor, "donor", max_length=64)
    if "/" in donor:
        raise InvalidField("捐赠人不能包含 /", "donor must not contain '/'", field="donor")
    return _money_in(
        uow, actor, fund_code, on, amount, lambda day, money: templates.donation(day, donor, money)
    )


def record_bank_interest(
    uow: UnitOfWork, actor: Actor, fund_code: str, *, on: object, amount: object
) -> str:
    """存款利息 credited by the bank (1001 / 4002)."""
    return _money_in(uow, actor, fund_code, on, amount, templates.bank_interest)


def _money_in(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    on: object,
    amount: object,
    draft: Callable[[date, Decimal], JournalDraft],
) -> str:
    """Post money arriving in the bank account by the cashier; returns the voucher."""
    may(actor, CASH)
    session = uow.session
    fund = society(session, fund_code)
    posted = draft(dates.business_day(on, "date", dates.POSTING), validate.amount(amount, "amount"))
    voucher = post_draft(uow, fund, actor, posted)
    audit(session, fund, actor, posted.kind, f"voucher:{voucher}", amount=posted.total(DEBIT))
    return voucher


def pay_expense(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    *,
    on: object,
    amount: object,
    purpose: str,
    approved_by: str,
) -> str:
    """An expense the committee approved, paid (5001 / 1001); the approver is not the payer."""
    may(actor, CASH)
    session = uow.session
    fund = society(session, fund_code)
    day = dates.business_day(on, "date", dates.POSTING)
    money = validate.amount(amount, "amount")
    purpose = validate.text(purpose, "purpose", max_length=200)
    approved_by = validate.text(approved_by, "approved_by", max_length=64)
    if approved_by == actor.username:
        raise MakerIsChecker(
            "费用的审批人与付款人不能是同一人(钱账分管)",
            "the one who approved an expense cannot pay it (cash and books apart)",
            field="approved_by",
        )
    posted = post_journal(uow, fund, actor, templates.expense(day, money, purpose))
    session.add(
        SocietyExpense(
            fund_id=fund.id,
            journal_id=posted.id,
            paid_on=day,
            amount=money,
            purpose=purpose,
            approved_by=approved_by,
            paid_by=actor.username,
        )
    )
    session.flush()
    audit(
        session,
        fund,
        actor,
        "expense",
        f"voucher:{posted.voucher}",
        amount=money,
        approved_by=approved_by,
    )
    return posted.voucher


# --- loans -----------------------------------------------------------------------


def _overdue_in_group(session: Session, group_id: int, on: date) -> list[str]:
    """The group's loans overdue on `on`: lent, not repaid, due before it."""
    return list(
        session.scalars(
            select(SocietyLoan.no)
            .join(SocietyMember, SocietyMember.id == SocietyLoan.member_id)
            .where(
                SocietyMember.group_id == group_id,
                SocietyLoan.state == LoanState.LENT,
                SocietyLoan.due_on < on,
            )
            .order_by(SocietyLoan.no)
        )
    )


def _no_overdue_in_group(session: Session, group_id: int, on: date, zh: str, en: str) -> None:
    overdue = _overdue_in_group(session, group_id, on)
    if overdue:
        raise GroupOverdue(
            f"联保小组有逾期借款 {', '.join(overdue)},组员不能{zh}",
            f"the group has overdue loans {', '.join(overdue)}; its members cannot {en}",
            field="member",
        )


def apply_for_loan(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    *,
    member: int,
    amount: object,
    term_months: object,
    purpose: str,
    applied_on: object,
) -> SocietyLoan:
    """A member applies; judged now, and for life, by the 章程 in force on `applied_on`.

    Refused outside the rules: not a member, in no group or a group of a size
    outside the rules, a group with an overdue loan (联保), more than the
    per-loan cap or the multiple of the member's shares, a longer term.
    """
    may(actor, LOANS)
    session = uow.session
    fund = society(session, fund_code)
    day = dates.business_day(applied_on, "applied_on", APPLIED)
    borrower = _member(session, fund, member, day, APPLIED)
    money = validate.amount(amount, "amount")
    term = _whole(term_months, "term_months", 1, 600)
    purpose = validate.text(purpose, "purpose", max_length=200)
    rules = rules_on(session, fund.id, day)
    _check_group(session, borrower, rules, day)
    limit = min(rules.loan_cap, rules.loan_share_multiple * member_shares(session, fund, borrower))
    if money > rules.loan_cap:
        raise CharterLimit(
            f"借款 {money} 超过章程单笔借款上限(loan_cap){rules.loan_cap}",
            f"{money} exceeds the rules' per-loan cap (loan_cap) {rules.loan_cap}",
            field="amount",
        )
    if money > limit:
        raise CharterLimit(
            f"借款 {money} 超过社员股金的章程倍数(loan_share_multiple {rules.loan_share_multiple}"
            f" 倍):最多 {limit}",
            f"{money} exceeds {rules.loan_share_multiple} times the member's shares "
            f"(loan_share_multiple): at most {limit}",
            field="amount",
        )
    if term > rules.max_term_months:
        raise CharterLimit(
            f"借款期限 {term} 个月超过章程最长期限(max_term_months){rules.max_term_months} 个月",
            f"a term of {term} months exceeds the rules' max_term_months {rules.max_term_months}",
            field="term_months",
        )
    count = session.scalar(select(func.count()).where(SocietyLoan.fund_id == fund.id))
    loan = SocietyLoan(
        fund_id=fund.id,
        no=f"{day.year}-{count + 1:05d}",
        member_id=borrower.id,
        rules_id=rules.id,
        amount=money,
        term_months=term,
        purpose=purpose,
        applied_on=day,
        recorded_by=actor.username,
        state=LoanState.APPLIED,
    )
    session.add(loan)
    session.flush()
    audit(session, fund, actor, "loan application", f"loan:{loan.no}", amount=money, term=term)
    return loan


def _check_group(session: Session, member: SocietyMember, rules: SocietyRules, on: date) -> None:
    if member.group_id is None:
        raise NotInGroup(
            f"社员 {member.name} 不在联保小组,不能借款",
            f"member {member.name} is in no mutual-guarantee group",
            field="member",
        )
    size = _group_size(session, member.group_id, on)
    if not rules.group_min <= size <= rules.group_max:
        raise NotInGroup(
            f"联保小组现有 {size} 人,不在章程规定的 {rules.group_min}–{rules.group_max} 人"
            "(group_min, group_max)之内",
            f"the group has {size} members, outside the rules' group_min {rules.group_min} "
            f"and group_max {rules.group_max}",
            field="member",
        )
    _no_overdue_in_group(session, member.group_id, on, "借款", "borrow")


def locked_loan(
    session: Session, fund: Fund, no: str, state: LoanState, zh: str, en: str
) -> SocietyLoan:
    """The loan, row-locked, if it is in `state` (the step's one starting state)."""
    found = session.scalar(
        select(SocietyLoan)
        .where(SocietyLoan.fund_id == fund.id, SocietyLoan.no == no)
        .with_for_update()
    )
    if found is None:
        raise RecordNotFound(f"借款 {no} 不存在", f"loan {no} does not exist", field="loan")
    if found.state is not state:
        raise InvalidTransition(
            f"借款 {no} 当前状态为 {found.state.value},不能{zh}",
            f"loan {no} is {found.state.value}; cannot {en} (needs {state.value})",
            field="state",
        )
    return found


def post_notice(uow: UnitOfWork, actor: Actor, fund_code: str, no: str, *, on: object) -> None:
    """借款公示: the application is posted in the village; approval waits the notice days."""
    may(actor, LOANS)
    session = uow.session
    fund = society(session, fund_code)
    loan = locked_loan(session, fund, no, LoanState.APPLIED, "公示", "publish it")
    day = dates.business_day(on, "date", NOTICED)
    dates.not_before(day, loan.applied_on, "date", NOTICED, APPLIED)
    loan.state, loan.noticed_on = LoanState.NOTICED, day
    session.flush()
    audit(session, fund, actor, "loan notice", f"loan:{no}", on=day)


def approve_loan(uow: UnitOfWork, actor: Actor, fund_code: str, no: str, *, on: object) -> None:
    """理事会 approves after the notice days of the loan's 章程, not the one who recorded it;
    the group must still have no overdue loan."""
    may(actor, APPROVE)
    session = uow.session
    fund = society(session, fund_code)
    loan = locked_loan(session, fund, no, LoanState.NOTICED, "审批", "approve it")
    day = dates.business_day(on, "date", APPROVED)
    if actor.username == loan.recorded_by:
        raise MakerIsChecker(
            "受理借款的人不能审批同一笔借款(钱账分管)",
            "the one who recorded the loan cannot approve it",
        )
    rules = session.get_one(SocietyRules, loan.rules_id)
    assert loan.noticed_on is not None  # set with the NOTICED state
    if (day - loan.noticed_on).days < rules.notice_days:
        raise NoticeNotServed(
            f"借款 {no} 于 {loan.noticed_on} 公示,章程规定公示 {rules.notice_days} 天"
            f"(notice_days)后方可审批",
            f"loan {no} was published on {loan.noticed_on}; the rules' notice_days "
            f"({rules.notice_days}) must pass before approval",
            field="date",
        )
    member = session.get_one(SocietyMember, loan.member_id)
    _member(session, fund, member.id, day, APPROVED)
    _check_group(session, member, rules, day)
    loan.state, loan.approved_on, loan.approved_by = LoanState.APPROVED, day, actor.username
    session.flush()
    audit(session, fund, actor, "loan approval", f"loan:{no}", on=day)


def pay_out(uow: UnitOfWork, actor: Actor, fund_code: str, no: str, *, on: object) -> str:
    """放款 (1201 loan / 1001): by the cashier, neither recorder nor approver; the term starts."""
    may(actor, CASH)
    session = uow.session
    fund = society(session, fund_code)
    loan = locked_loan(session, fund, no, LoanState.APPROVED, "放款", "pay it out")
    day = dates.business_day(on, "date", PAID_OUT)
    dates.not_before(day, loan.approved_on, "date", PAID_OUT, APPROVED)
    if actor.username in (loan.recorded_by, loan.approved_by):
        raise MakerIsChecker(
            "受理或审批借款的人不能放款(钱账分管)",
            "the one who recorded or approved the loan cannot pay it out",
        )
    voucher = post_draft(uow, fund, actor, templates.loan_payout(day, loan.no, loan.amount))
    loan.state, loan.lent_on, loan.lent_by = LoanState.LENT, day, actor.username
    loan.due_on = add_months(day, loan.term_months)
    loan.fee_accrued_to = day
    session.flush()
    audit(session, fund, actor, "loan payout", f"loan:{no}", amount=loan.amount, voucher=voucher)
    return voucher


def accrue_loan(
    uow: UnitOfWork, fund: Fund, actor: Actor, loan: SocietyLoan, through: date
) -> bool:
    """Accrue the loan's usage fee for the days after its last accrual up to `through`;
    True if a fee was posted (a span too short to make a fen posts nothing)."""
    assert loan.fee_accrued_to is not None and loan.due_on is not None  # set at payout
    if through <= loan.fee_accrued_to:
        return False
    rules = uow.session.get_one(SocietyRules, loan.rules_id)
    principal = amount_of(uow.session, fund, templates.loan_principal(loan.no))
    fee = span_fee(
        principal,
        loan.fee_accrued_to,
        through,
        loan.due_on,
        rules.fee_rate,
        rules.overdue_fee_rate,
    ).fee
    if fee:
        post_draft(uow, fund, actor, templates.fee_accrual(through, loan.no, fee))
    loan.fee_accrued_to = through
    return bool(fee)


@dataclass(frozen=True)
class Repayment:
    """What a repayment settled: the fee first, then principal."""

    loan: str
    fee: Decimal
    principal: Decimal
    voucher: str


def repay(
    uow: UnitOfWork, actor: Actor, fund_code: str, no: str, *, on: object, amount: object
) -> Repayment:
    """A repayment: the fee is accrued to this day, then the money settles fee first, then
    principal (1001 / 1301, 1201); more than fee and principal owed is refused."""
    may(actor, CASH)
    session = uow.session
    fund = society(session, fund_code)
    loan = locked_loan(session, fund, no, LoanState.LENT, "还款", "repay it")
    day = dates.business_day(on, "date", REPAID)
    dates.not_before(day, loan.fee_accrued_to, "date", REPAID, ACCRUED)
    money = validate.amount(amount, "amount")
    accrue_loan(uow, fund, actor, loan, day)
    fee_due = amount_of(session, fund, templates.fee_receivable(no))
    principal_due = amount_of(session, fund, templates.loan_principal(no))
    if money > fee_due + principal_due:
        raise Overpayment(
            f"还款 {money} 超过应还占用费 {fee_due} 与本金 {principal_due} 之和",
            f"{money} exceeds the fee {fee_due} and principal {principal_due} owed",
            field="amount",
        )
    fee = min(money, fee_due)
    principal = money - fee
    voucher = post_draft(uow, fund, actor, templates.repayment(day, no, fee, principal))
    if principal == principal_due:
        loan.state = LoanState.REPAID
    session.flush()
    audit(session, fund, actor, "repayment", f"loan:{no}", fee=fee, principal=principal)
    return Repayment(no, fee, principal, voucher)


def accrue_fees(uow: UnitOfWork, actor: Actor, fund_code: str, *, period: str) -> int:
    """Accrue every lent loan's fee up to the last day of `period` (month close), a day
    that must be past; returns how many posted. A refusal names ``period``, the field the
    month close was given."""
    may(actor, CLOSE)
    fund = society(uow.session, fund_code)
    end = month_end(periods.check_period(period))
    day = dates.not_in_future(end, "period", dates.PERIOD_END)
    posted = accrue_all(uow, fund, actor, day)
    audit(uow.session, fund, actor, "fee accrual", f"through:{day}", journals=posted)
    return posted


def accrue_all(uow: UnitOfWork, fund: Fund, actor: Actor, day: date) -> int:
    """Accrue the fee of every loan lent and not repaid up to `day`; how many fees posted."""
    loans = uow.session.scalars(
        select(SocietyLoan)
        .where(
            SocietyLoan.fund_id == fund.id,
            SocietyLoan.state == LoanState.LENT,
            SocietyLoan.fee_accrued_to < day,
        )
        .order_by(SocietyLoan.id)
        .with_for_update()
    ).all()
    posted = sum(accrue_loan(uow, fund, actor, loan, day) for loan in loans)
    uow.session.flush()
    return posted


def close_month(uow: UnitOfWork, actor: Actor, fund_code: str, period: str) -> Period:
    """月结: the fees are accrued to the month's last day (which must be past), then the
    month is closed as any fund's is."""
    fund = society(uow.session, fund_code)
    accrue_fees(uow, actor, fund_code, period=period)
    return periods.close_period(uow, fund.id, period, actor=actor)
