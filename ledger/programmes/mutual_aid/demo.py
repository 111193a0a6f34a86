"""The demo's village mutual-aid societies: the 61 of 舟曲县 in the seed.

The county put 13,100,000.00 yuan (1,310 万元) of fiscal poverty money into
61 new village societies (扶持新建了 61 个村级扶贫互助基金社): here 49 of
200,000.00 and 12 of 275,000.00. The villages' names are illustrative, the
townships 舟曲县's own. Each society, kept small so the demo loads in
seconds, has two mutual-guarantee groups of five households: the registered
poor households hold an allocated share (配股) out of the fiscal capital, the
others buy one. Through 2013 its members borrow, the fees accrue, the loans
are repaid (fee first, then principal), the bank pays interest and the
committee pays for its books; at the year end the result is distributed by
the 章程 and the dividends and subsidies paid. In one society one group
falls overdue (逾期): its loan is written off against the risk reserve in
March 2014, with the members' meeting's and the county's approval.

Everything goes through the society's services, as its clerk (会计), cashier
(出纳) and the committee's approver (理事会), three people (钱账分管), in the
demo's one unit of work.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import partial

from ledger.actors import Actor
from ledger.db import UnitOfWork
from ledger.identifiers import id_check_char
from ledger.models import Fund
from ledger.programmes import MUTUAL_AID
from ledger.programmes.mutual_aid import services, templates, yearend
from ledger.programmes.mutual_aid.models import SocietyLoan, SocietyMember, SocietyRules
from ledger.programmes.mutual_aid.rules import span_fee
from ledger.services.counties import add_county
from ledger.services.funds import open_fund

COUNTY = "623023"
COUNTY_NAME = "舟曲县"
SEED = 2013
#: 49 societies of 200,000.00 and 12 of 275,000.00: the seed's 1,310 万元.
SMALL, LARGE = Decimal("200000.00"), Decimal("275000.00")
FISCAL_TOTAL = Decimal("13100000.00")
SOCIETIES = 61
OPENED_ON = date(2013, 3, 1)
FUNDED_ON = date(2013, 3, 5)
JOINED_ON = date(2013, 3, 15)
YEAR = 2013
#: The society (by index) whose second group falls overdue, and its write-off.
OVERDUE = 14
WRITTEN_OFF_ON = date(2014, 3, 18)
#: What the overdue borrower never repaid of the principal.
LEFT_UNPAID = Decimal("100.00")
#: Dividends and subsidies declared for 2013 are paid out on this day.
PAID_ON = date(2014, 1, 15)
ZERO = Decimal("0.00")
WRITE_OFF_DOCUMENT = "社员大会决议(2014-02-26)及舟曲县扶贫办批复(舟扶办〔2014〕9号)"

#: Who opens the societies (as `ledger.demo` names its loader).
LOADER = Actor("demo", "admin")
CLERK = Actor("kuaiji", "clerk")
CASHIER = Actor("chuna", "cashier")
APPROVER = Actor("lishizhang", "approver")

#: 舟曲县's townships.
TOWNSHIPS = (
    "城关镇",
    "峰迭镇",
    "大川镇",
    "立节镇",
    "东山镇",
    "憨班镇",
    "巴藏镇",
    "曲告纳镇",
    "果耶镇",
    "大峪镇",
    "江盘镇",
    "插岗乡",
    "拱坝镇",
    "曲瓦乡",
    "武坪镇",
    "南峪乡",
    "博峪镇",
    "八楞乡",
    "坪定镇",
)
VILLAGE_WORDS = ("上河", "下河", "南山", "北山", "东坪", "西坪", "石门", "白杨", "杨家", "马家")
VILLAGE_ENDS = ("村", "坝村", "沟村", "湾村", "坪村", "山村", "河村")
SURNAMES = "王李张刘陈杨赵马何苏罗杜冯包闵"
GIVEN = "明华强军平刚勇杰涛秀英兰芳玉珍春荣云才福德林山成发全国贵"
PURPOSES = (
    "养牛 2 头",
    "养羊 10 只",
    "种植花椒",
    "种植核桃",
    "养猪 5 头",
    "开办农家乐",
    "购买农机",
)
#: One mutual-guarantee group a society, of four households (the 章程 allows 3 to 7);
#: the first two borrow.
GROUP = "G1"
MEMBERS = 4
BORROWERS = 2


@dataclass(frozen=True)
class SocietiesSummary:
    societies: int
    fiscal_capital: Decimal
    members: int
    loans: int


def society_code(index: int) -> str:
    return f"ZQ{index + 1:02d}"


def fiscal_amount(index: int) -> Decimal:
    """Every fifth society, from the fifth, is a large village: 12 of the 61."""
    return LARGE if index % 5 == 4 else SMALL


def society_name(index: int) -> str:
    village = VILLAGE_WORDS[index % len(VILLAGE_WORDS)] + VILLAGE_ENDS[index // len(VILLAGE_WORDS)]
    return f"{TOWNSHIPS[index % len(TOWNSHIPS)]}{village}扶贫互助社"


class _Village:
    """One society's year, step by step through the services."""

    def __init__(self, uow: UnitOfWork, rng: random.Random, index: int) -> None:
        self.uow, self.rng, self.index = uow, rng, index
        self.code = society_code(index)
        self.people = 0
        self.loans: list[SocietyLoan] = []
        self.table: yearend.Distribution | None = None

    def id_number(self) -> str:
        self.people += 1
        born = date(1950, 1, 1) + timedelta(days=self.rng.randrange(365 * 40))
        first17 = f"{COUNTY}{born:%Y%m%d}{self.people:03d}"
        return first17 + id_check_char(first17)

    def open(self) -> Fund:
        fund = open_fund(
            self.uow,
            actor=LOADER,
            code=self.code,
            name=society_name(self.index),
            opened_on=OPENED_ON,
            county=COUNTY,
            kind=MUTUAL_AID,
        )
        services.receive_fiscal_capital(
            self.uow,
            CASHIER,
            self.code,
            on=FUNDED_ON,
            amount=fiscal_amount(self.index),
            memo="县财政扶贫互助资金拨入",
        )
        return fund

    def members(self) -> list[SocietyMember]:
        """The group's households, about half of them poor with an allocated share (配股),
        the others having bought one (入股)."""
        rules = services.rules_on(self.uow.session, self.fund_id, JOINED_ON)
        services.add_group(self.uow, CLERK, self.code, code=GROUP)
        joined = []
        for k in range(MEMBERS):
            poor = k % 2 == 1 or self.rng.random() < 0.2
            member = services.join(
                self.uow,
                CLERK,
                self.code,
                name=self.rng.choice(SURNAMES) + "".join(self.rng.sample(GIVEN, 2)),
                id_number=self.id_number(),
                poor=poor,
                joined_on=JOINED_ON,
                group=GROUP,
            )
            if poor:
                services.allocate_share(
                    self.uow, CLERK, self.code, member.id, on=JOINED_ON, amount=rules.share_size
                )
            else:
                services.buy_share(
                    self.uow, CASHIER, self.code, member.id, on=JOINED_ON, amount=rules.share_size
                )
            joined.append(member)
        return joined

    @property
    def fund_id(self) -> int:
        return services.society(self.uow.session, self.code).id

    def lend(self, member: SocietyMember, applied_on: date, term: int) -> SocietyLoan:
        """Apply, publish the same day, approve after the notice days, pay out the day after."""
        loan = services.apply_for_loan(
            self.uow,
            CLERK,
            self.code,
            member=member.id,
            amount=f"{self.rng.randrange(10, 51) * 100}.00",
            term_months=term,
            purpose=self.rng.choice(PURPOSES),
            applied_on=applied_on,
        )
        services.post_notice(self.uow, CLERK, self.code, loan.no, on=applied_on)
        approved = applied_on + timedelta(days=8)
        services.approve_loan(self.uow, APPROVER, self.code, loan.no, on=approved)
        services.pay_out(self.uow, CASHIER, self.code, loan.no, on=approved + timedelta(days=1))
        self.loans.append(loan)
        return loan

    def owed(self, loan: SocietyLoan, on: date) -> Decimal:
        """Fee and principal owed on `on`: the fee accrued so far and the span still to accrue."""
        session = self.uow.session
        fund = services.society(session, self.code)
        rules = session.get_one(SocietyRules, loan.rules_id)
        principal = services.amount_of(session, fund, templates.loan_principal(loan.no))
        accrued = services.amount_of(session, fund, templates.fee_receivable(loan.no))
        assert loan.fee_accrued_to is not None and loan.due_on is not None  # lent
        span = span_fee(
            principal, loan.fee_accrued_to, on, loan.due_on, rules.fee_rate, rules.overdue_fee_rate
        )
        return principal + accrued + span.fee

    def repay(
        self, loan: SocietyLoan, on: date, *, amount: Decimal | None = None, keep: Decimal = ZERO
    ) -> None:
        """A repayment on `on`: `amount`, or everything owed but `keep` of the principal."""
        money = self.owed(loan, on) - keep if amount is None else amount
        services.repay(self.uow, CASHIER, self.code, loan.no, on=on, amount=money)

    def write_off(self, loan: SocietyLoan) -> None:
        yearend.write_off(
            self.uow, APPROVER, self.code, loan.no, on=WRITTEN_OFF_ON, document=WRITE_OFF_DOCUMENT
        )

    def expense(self) -> None:
        services.pay_expense(
            self.uow,
            CASHIER,
            self.code,
            on=date(2013, 6, 20),
            amount=f"{self.rng.randrange(2, 4) * 100}.00",
            purpose="购置账簿、公示栏",
            approved_by=APPROVER.username,
        )

    def interest(self) -> None:
        """活期存款 0.35% a year on the balance for the nine months, credited on 21 December."""
        fund = services.society(self.uow.session, self.code)
        bank = services.amount_of(self.uow.session, fund, templates.BANK)
        interest = (bank * Decimal("0.0035") * 9 / 12).quantize(Decimal("0.01"))
        services.record_bank_interest(
            self.uow, CASHIER, self.code, on=date(2013, 12, 21), amount=interest
        )

    def distribute(self) -> None:
        self.table = yearend.distribute(self.uow, APPROVER, self.code, YEAR)

    def pay_out_distribution(self) -> None:
        """The dividends declared paid to each member, and the staff subsidies."""
        assert self.table is not None  # distributed first
        for member in sorted(self.table.dividends):
            yearend.pay_dividend(self.uow, CASHIER, self.code, member, on=PAID_ON)
        if self.table.staff:
            yearend.pay_subsidy(self.uow, CASHIER, self.code, on=PAID_ON, amount=self.table.staff)


def load_societies(uow: UnitOfWork) -> SocietiesSummary:
    """The 61 societies and their 2013, and the one write-off of 2014."""
    add_county(uow, actor=LOADER, code=COUNTY, name=COUNTY_NAME)
    rng = random.Random(SEED)
    members = loans = 0
    for index in range(SOCIETIES):
        village = _Village(uow, rng, index)
        village.open()
        joined = village.members()
        members += len(joined)
        _year(village, joined, overdue=index == OVERDUE)
        loans += len(village.loans)
    return SocietiesSummary(SOCIETIES, FISCAL_TOTAL, members, loans)


def _year(village: _Village, members: list[SocietyMember], *, overdue: bool) -> None:
    """Two loans in spring, repaid at their due dates (the second in two instalments); an
    expense, the bank's interest, the distribution, its dividends and subsidies paid; all in
    the order of their dates. In the overdue society the first loan is never quite repaid."""
    rng = village.rng
    steps: list[tuple[date, int, Callable[[], object]]] = []

    def then(on: date, step: Callable[[], object]) -> None:
        steps.append((on, len(steps), step))

    # Applications in the order of their dates, so the loans' numbers follow them.
    applications = sorted(
        (date(2013, 4, 1) + timedelta(days=10 * k + rng.randrange(20)), k) for k in range(BORROWERS)
    )
    for applied, k in applications:
        member = members[k]
        late = overdue and k == 0
        loan = village.lend(member, applied, 6 if late else rng.choice((6, 8, 10, 12)))
        assert loan.due_on is not None  # lent
        if late:
            # 逾期: all but LEFT_UNPAID of the principal back a month early, the rest never;
            # written off against the risk reserve once the year has made one.
            early = loan.due_on - timedelta(days=30)
            then(early, partial(village.repay, loan, early, keep=LEFT_UNPAID))
            then(WRITTEN_OFF_ON, partial(village.write_off, loan))
            continue
        if k == 1:
            early = loan.due_on - timedelta(days=60)
            then(early, partial(village.repay, loan, early, amount=Decimal("500.00")))
        then(loan.due_on, partial(village.repay, loan, loan.due_on))
    then(date(2013, 6, 20), village.expense)
    then(date(2013, 12, 21), village.interest)
    then(date(2013, 12, 31), village.distribute)
    then(PAID_ON, village.pay_out_distribution)
    for _, _, step in sorted(steps, key=lambda s: (s[0], s[1])):
        step()
