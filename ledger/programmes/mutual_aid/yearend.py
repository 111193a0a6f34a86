"""The society's year end (收益分配), what it declared paid out, and bad loans written off.

At the year end the fees are accrued to 31 December, the year's income
(4001, 4002) and expenses (5001) are closed into the year's result (3201),
and a positive result is distributed by the percentages of the 章程 in force
on 31 December: 公积金 (3101), 公益金 (3102), 风险准备金 (3103), staff subsidies
(2202) and dividends (2201 per member, in proportion to each member's shares,
bought plus allocated, on that day). Every part is its share rounded down to
the fen; the fen left over go to 公积金, as SPEC §13 says. A loss stays in
3201, with nothing to distribute. A year is closed once: its row in
`SocietyYearEnd` says it was, whatever the year held. Its closing journal
(``year_end_close``, dated 31 December) empties the income and expense lines
whenever they hold anything, even when they cancel out; a year with neither
posts no journal and closes all the same, with a table of zeros. A fee span
that crosses the year end is income of the year its accrual is dated in.

Declared dividends and subsidies are then paid out of the bank account
(the last two of 封闭运行's outflows), never beyond what was declared; and a
bad loan is written off against the risk reserve (3103 / 1201, 1301), with
the approval document of the members' meeting and the county, never beyond
the reserve.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger import dates, validate
from ledger.actors import Actor
from ledger.db import UnitOfWork
from ledger.errors import InvalidField, MakerIsChecker
from ledger.models import Fund
from ledger.money import from_fen, to_fen
from ledger.posting import AccountRef, Line, credit, debit, journal
from ledger.programmes.mutual_aid import chart, templates
from ledger.programmes.mutual_aid.errors import (
    MoreThanDeclared,
    RiskReserveShort,
    YearNotDistributable,
)
from ledger.programmes.mutual_aid.models import (
    LoanState,
    ShareAllocation,
    SocietyMember,
    SocietyYearEnd,
)
from ledger.programmes.mutual_aid.services import (
    APPROVE,
    CASH,
    accrue_all,
    accrue_loan,
    amount_of,
    audit,
    locked_loan,
    may,
    post_draft,
    rules_on,
    society,
)
from ledger.read.books import balance, fen_sum, subaccount_balances

ZERO = Decimal("0.00")
YEAR_RESULT = AccountRef(chart.YEAR_RESULT)
CLOSED, DISTRIBUTED = "year_end_close", "distribution"
YEAR_END = dates.Step("年末", "the year's end")


@dataclass(frozen=True)
class Distribution:
    """The distribution table (收益分配表) of one year."""

    year: int
    income: Decimal
    expenses: Decimal
    result: Decimal
    reserve: Decimal
    welfare: Decimal
    risk: Decimal
    staff: Decimal
    #: Member id -> dividend declared.
    dividends: dict[int, Decimal]
    #: 年度结转: the journal closing income and expenses into 3201 (None: nothing to close).
    closing_voucher: str | None
    #: 收益分配: the journal distributing a positive result (None: nothing to distribute).
    voucher: str | None

    @property
    def vouchers(self) -> tuple[str, ...]:
        """The year end's journals, the closing first: what the printed table cites."""
        return tuple(v for v in (self.closing_voucher, self.voucher) if v is not None)


def _income_lines(session: Session, fund: Fund, day: date) -> tuple[list[Line], Decimal, Decimal]:
    """The lines closing income and expenses as of `day`, with the income and expense totals."""
    lines: list[Line] = []
    fees = subaccount_balances(session, fund.id, chart.FEE_INCOME, as_of=day)
    for no, row in sorted(fees.items()):
        if row.balance:
            lines.append(debit(AccountRef(chart.FEE_INCOME, no), row.balance, loan=no))
    interest = balance(session, fund.id, AccountRef(chart.BANK_INTEREST), as_of=day).balance
    if interest:
        lines.append(debit(AccountRef(chart.BANK_INTEREST), interest))
    expenses = balance(session, fund.id, AccountRef(chart.EXPENSES), as_of=day).balance
    if expenses:
        lines.append(credit(AccountRef(chart.EXPENSES), expenses))
    income = sum((row.balance for row in fees.values()), ZERO) + interest
    return lines, income, expenses


def shares_on(session: Session, fund: Fund, day: date) -> dict[int, int]:
    """Each member's shares (bought + allocated) in fen on `day`, members then in the society."""
    members = session.scalars(
        select(SocietyMember).where(
            SocietyMember.fund_id == fund.id,
            SocietyMember.joined_on <= day,
            (SocietyMember.left_on.is_(None)) | (SocietyMember.left_on > day),
        )
    ).all()
    bought = subaccount_balances(session, fund.id, chart.MEMBER_SHARES, as_of=day)
    allocated = dict(
        session.execute(
            select(ShareAllocation.member_id, fen_sum(ShareAllocation.amount))
            .where(ShareAllocation.fund_id == fund.id, ShareAllocation.allocated_on <= day)
            .group_by(ShareAllocation.member_id)
        ).all()
    )
    shares = {}
    for member in members:
        own = bought.get(str(member.id))
        total = to_fen((own.balance if own else ZERO) + allocated.get(member.id, ZERO))
        if total:
            shares[member.id] = total
    return shares


def year_end(year: object) -> date:
    """31 December of `year`, a year from 1901 to 9999; InvalidField otherwise."""
    if isinstance(year, bool) or not isinstance(year, int) or not 1900 < year < 10000:
        raise InvalidField("年度无效", "year must be a year such as 2024", field="year")
    return date(year, 12, 31)


def _part(total_fen: int, weight: int, whole: int) -> int:
    """`total_fen` × weight / whole, rounded down to the fen (the rest goes to 公积金)."""
    return total_fen * weight // whole


def distribute(uow: UnitOfWork, actor: Actor, fund_code: str, year: object) -> Distribution:
    """Close the year's income and expenses into 3201 and distribute a positive result.

    By the 理事会 (approver); dated 31 December, which must have passed and
    not be closed; once per year.
    """
    may(actor, APPROVE)
    session = uow.session
    fund = society(session, fund_code)
    day = year_end(year)
    dates.not_in_future(day, "year", YEAR_END)
    if session.get(SocietyYearEnd, (fund.id, day.year)) is not None:
        raise YearNotDistributable(
            f"{year} 年度已结转分配,不能再次分配",
            f"{year} was already closed and distributed; a year is distributed once",
            field="year",
        )
    # The row first: a second distribution racing this one fails on its key and is retried
    # into the refusal above.
    session.add(SocietyYearEnd(fund_id=fund.id, year=day.year))
    session.flush()
    accrue_all(uow, fund, actor, day)
    lines, income, expenses = _income_lines(session, fund, day)
    result = income - expenses
    closing_voucher = voucher = None
    if lines:
        closing = [*lines]
        if result:
            closing.append(
                credit(YEAR_RESULT, result) if result > 0 else debit(YEAR_RESULT, -result)
            )
        closing_voucher = post_draft(
            uow, fund, actor, journal(day, CLOSED, f"{year} 年度结转", closing)
        )
    table = _table(session, fund, day, income, expenses)
    if result > 0:
        lines = [
            debit(YEAR_RESULT, result),
            *(
                credit(AccountRef(code), amount)
                for code, amount in (
                    (chart.RESERVE, table.reserve),
                    (chart.WELFARE, table.welfare),
                    (chart.RISK_RESERVE, table.risk),
                    (chart.SUBSIDIES_PAYABLE, table.staff),
                )
                if amount
            ),
            *(
                credit(AccountRef(chart.DIVIDENDS_PAYABLE, str(member)), amount)
                for member, amount in sorted(table.dividends.items())
            ),
        ]
        voucher = post_draft(
            uow, fund, actor, journal(day, DISTRIBUTED, f"{year} 年度收益分配", lines)
        )
    table = replace(table, closing_voucher=closing_voucher, voucher=voucher)
    audit(
        session, fund, actor, "distribution", f"year:{year}", result=result, vouchers=table.vouchers
    )
    return table


def _table(
    session: Session, fund: Fund, day: date, income: Decimal, expenses: Decimal
) -> Distribution:
    """The parts of a positive result by the rules' percentages on `day`; the fen left over
    go to 公积金, and the dividends too when no member holds a share."""
    rules = rules_on(session, fund.id, day)
    total = max(to_fen(income - expenses), 0)
    welfare, risk, staff, pool = (
        _part(total, bp, 10_000)
        for bp in (rules.welfare_bp, rules.risk_bp, rules.staff_bp, rules.dividend_bp)
    )
    shares = shares_on(session, fund, day) if pool else {}
    all_shares = sum(shares.values())
    dividends = {m: _part(pool, s, all_shares) for m, s in shares.items()} if all_shares else {}
    reserve = total - welfare - risk - staff - sum(dividends.values())
    return Distribution(
        day.year,
        income,
        expenses,
        income - expenses,
        from_fen(reserve),
        from_fen(welfare),
        from_fen(risk),
        from_fen(staff),
        {m: from_fen(f) for m, f in dividends.items() if f},
        None,
        None,
    )


def pay_dividend(
    uow: UnitOfWork, actor: Actor, fund_code: str, member_id: int, *, on: object
) -> tuple[Decimal, str]:
    """Pay a member the dividends declared and not yet paid (2201 member / 1001)."""
    may(actor, CASH)
    session = uow.session
    fund = society(session, fund_code)
    day = dates.business_day(on, "date", dates.POSTING)
    owed_to = AccountRef(chart.DIVIDENDS_PAYABLE, str(member_id))
    owed = amount_of(session, fund, owed_to)
    if not owed:
        raise MoreThanDeclared(
            f"社员 {member_id} 没有应付未付的分红",
            f"member {member_id} has no dividend declared and unpaid",
            field="member",
        )
    draft = journal(
        day,
        "dividend_paid",
        f"支付社员 {member_id} 分红",
        [debit(owed_to, owed), credit(templates.BANK, owed)],
    )
    voucher = post_draft(uow, fund, actor, draft)
    audit(session, fund, actor, "dividend paid", f"member:{member_id}", amount=owed)
    return owed, voucher


def pay_subsidy(
    uow: UnitOfWork, actor: Actor, fund_code: str, *, on: object, amount: object
) -> str:
    """Pay staff subsidies (管理人员补贴) declared by a distribution (2202 / 1001), no more."""
    may(actor, CASH)
    session = uow.session
    fund = society(session, fund_code)
    day = dates.business_day(on, "date", dates.POSTING)
    money = validate.amount(amount, "amount")
    payable = AccountRef(chart.SUBSIDIES_PAYABLE)
    owed = amount_of(session, fund, payable)
    if money > owed:
        raise MoreThanDeclared(
            f"补贴 {money} 超过应付管理人员补贴 {owed}",
            f"a subsidy of {money} exceeds the {owed} declared and unpaid",
            field="amount",
        )
    draft = journal(
        day,
        "subsidy_paid",
        "支付管理人员补贴",
        [debit(payable, money), credit(templates.BANK, money)],
    )
    voucher = post_draft(uow, fund, actor, draft)
    audit(session, fund, actor, "subsidy paid", f"voucher:{voucher}", amount=money)
    return voucher


def write_off(
    uow: UnitOfWork, actor: Actor, fund_code: str, no: str, *, on: object, document: str
) -> str:
    """核销: a lent loan's principal and accrued fee against the risk reserve (3103 / 1201, 1301).

    By the 理事会 (approver), not the one who recorded the loan, citing the
    approval document of the members' meeting and the county; never beyond
    the risk reserve. The fee is accrued to the day first, so nothing owed
    is left behind.
    """
    may(actor, APPROVE)
    session = uow.session
    fund = society(session, fund_code)
    loan = locked_loan(session, fund, no, LoanState.LENT, "核销", "write it off")
    day = dates.business_day(on, "date", dates.WRITE_OFF)
    document = validate.text(document, "document", max_length=100)
    if actor.username == loan.recorded_by:
        raise MakerIsChecker(
            "受理借款的人不能核销同一笔借款", "the one who recorded the loan cannot write it off"
        )
    accrue_loan(uow, fund, actor, loan, day)
    principal = amount_of(session, fund, templates.loan_principal(no))
    fee = amount_of(session, fund, templates.fee_receivable(no))
    reserve = amount_of(session, fund, AccountRef(chart.RISK_RESERVE))
    if principal + fee > reserve:
        raise RiskReserveShort(
            f"核销 {principal + fee}(本金 {principal},占用费 {fee})超过风险准备金 {reserve}",
            f"writing off {principal + fee} (principal {principal}, fee {fee}) exceeds "
            f"the risk reserve {reserve}",
            field="loan",
        )
    lines = [
        debit(AccountRef(chart.RISK_RESERVE), principal + fee, loan=no),
        credit(templates.loan_principal(no), principal, loan=no),
    ]
    if fee:
        lines.append(credit(templates.fee_receivable(no), fee, loan=no))
    voucher = post_draft(
        uow, fund, actor, journal(day, "write_off", f"核销 {no}:{document}", lines)
    )
    loan.state = LoanState.WRITTEN_OFF
    session.flush()
    audit(session, fund, actor, "write-off", f"loan:{no}", document=document, voucher=voucher)
    return voucher
