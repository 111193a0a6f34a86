"""The demo programme: a county fund shaped like the 2007 county report.

One fund of 1,000,000.00 yuan from three budgets; 16 townships; batch 1 of
503 poor party-member households whose loans total the 1,000,000.00 that was
allocated, paid out by the end of April 2007; a year and a half of
repayments, some late; the 7·8 hail storm and the 8·13 flood striking 82
households and 85 projects with 350,000.00 yuan of assessed loss, answered
by write-offs and extensions that an approver decides; one guarantee called
on a liaison's salary and deducted; one liaison handing over to another;
money remitted back to the county; and batch 2 re-lent in 2009 from what
came back.

Around the money, the programme as the county runs it: the three-year plan
2007-2009 and its one revision; the liaisons' monthly visits to batch 1 from
May to December 2007, with a few liaisons skipping a few months; a scheduled
and an unscheduled inspection, whose diverted-money finding leads to a
recall; and the poverty line with each batch-1 household's income at
registration and at the end of 2007, most of them out of poverty by then.

Beside it, the second programme: the 61 village mutual-aid societies of the seed's
舟曲县 and their 2013 (`ledger.programmes.mutual_aid.demo`).

Everything goes through the same services as the API, as the users
``clerk`` and ``approver`` and, for visits and incomes, two officers of each
township (only 衡山镇's ``hengshan`` has a login); the load is deterministic (fixed seed) and runs
in a single database transaction, so it takes seconds and leaves either the
whole programme or nothing.
"""

from __future__ import annotations

import random
import secrets
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from ledger.actors import Actor
from ledger.audit import append_audit
from ledger.db import Database, UnitOfWork
from ledger.errors import Conflict
from ledger.identifiers import id_check_char
from ledger.models import (
    Disaster,
    Extension,
    Fund,
    GuaranteeCall,
    Household,
    Journal,
    Loan,
    LossReport,
    Township,
    WriteOff,
)
from ledger.money import split
from ledger.programmes.mutual_aid.demo import COUNTY as SOCIETIES_COUNTY
from ledger.programmes.mutual_aid.demo import load_societies
from ledger.read.fund import township_positions
from ledger.read.loans import LoanRow, loan_rows
from ledger.schedule import Instalment, make_schedule
from ledger.services import (
    disasters,
    funding,
    guarantees,
    inspections,
    loans,
    outcomes,
    plans,
    proposals,
    setup,
    visits,
)
from ledger.services.funds import open_fund
from ledger.services.periods import close_period
from ledger.services.users import FUND_BOUND_ROLES, create_user

FUND = "PPM2007"
FUND_NAME = "农村贫困党员脱贫工程专项扶持资金"
#: The programme was set up (立项) before its first appropriation arrived.
OPENED_ON = date(2007, 2, 1)
#: The county's loss assessment after each disaster (核灾), before the write-off proposals.
ASSESSED = {"0708": date(2007, 8, 20), "0813": date(2007, 8, 28)}
COUNTY = "341525"
SEED = 2007
CLERK = Actor("clerk", "clerk")
#: The audit log's name for whoever loads the demo.
LOADER = Actor("demo", "admin")
APPROVER = Actor("approver", "approver")

TOWNSHIPS = (
    "衡山镇",
    "佛子岭镇",
    "下符桥镇",
    "但家庙镇",
    "与儿街镇",
    "大化坪镇",
    "漫水河镇",
    "上土市镇",
    "单龙寺镇",
    "磨子潭镇",
    "黑石渡镇",
    "诸佛庵镇",
    "落儿岭镇",
    "东西溪乡",
    "太平畈乡",
    "太阳乡",
)
#: (code, name, borrowing standard): the 借款标准 the leading group set.
PROJECT_TYPES = (
    ("fish", "水产养殖", "3000.00"),
    ("pig", "生猪养殖", "2500.00"),
    ("tea", "茶叶加工", "5000.00"),
    ("veg", "大棚蔬菜", "1500.00"),
    ("fungus", "灵芝种植", "3000.00"),
    ("cattle", "黄牛养殖", "4000.00"),
)
PROJECT_TEXT = {
    "fish": "承包水面养殖鱼虾",
    "pig": "生猪养殖 10 头",
    "tea": "购置茶叶加工机械",
    "veg": "大棚蔬菜 1 亩、西瓜 2 亩",
    "fungus": "种植灵芝 5000 袋",
    "cattle": "养殖黄牛 3 头",
}
SURNAMES = "王李张刘陈杨黄赵周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕储金"
GIVEN = "明华强军平刚勇杰涛超秀英兰芳玉珍春荣先长云尚为才勤财福寿德林山水成发全国富贵"
VILLAGES = ("黄檀树村", "凌家冲村", "康皮畈村", "古城村", "双河村", "佛子岭村", "石门村", "桃园村")
#: The seed's aquaculture 专业大户 (name, village) and township: the first fish project there.
ZHOU_QIN = ("周勤", "黄檀树村")
ZHOU_QIN_TOWNSHIP = "但家庙镇"
BATCH_1_TOTAL = Decimal("1000000.00")
#: Batch 1's liaisons visit monthly from the month after the money was paid out.
VISIT_MONTHS = range(5, 13)
#: The county's poverty line in 2007, net income per member (人均纯收入): the national
#: low-income line of 2007 (低收入标准, 1,067 yuan), not the absolute-poverty line
#: (绝对贫困标准, 785). The programme means to lift households out of poverty for good,
#: and the country soon merged its two lines at the higher one.
POVERTY_LINE = Decimal("1067.00")
POVERTY_LINE_FROM = date(2007, 1, 1)
HOUSEHOLDS_1 = 503
HOUSEHOLDS_2 = 120


class DemoRefused(Conflict):
    code = "demo-refused"
    title_zh = "数据库不是空的"
    title_en = "Database is not empty"


#: A demo user's region that is the fund's own county (the install's first), found on loading.
FUND_COUNTY = "fund"
#: Demo users (username, role, township, region): one of each role, 衡山镇's finance officer,
#: and 舟曲县's leader, who reads its 61 societies. The fund's leader and approver are
#: confined to the fund's county, so each lands on the fund as before the societies came.
DEMO_USERS = (
    ("clerk", "clerk", None, None),
    ("approver", "approver", None, FUND_COUNTY),
    ("leader", "leader", None, FUND_COUNTY),
    ("admin", "admin", None, None),
    ("hengshan", "township", f"{COUNTY}100", None),
    ("zhouqu", "leader", None, SOCIETIES_COUNTY),
)


@dataclass(frozen=True)
class DemoSummary:
    fund: str
    townships: int
    households: int
    loans: int
    journals: int
    #: 舟曲县's village mutual-aid societies (`ledger.programmes.mutual_aid.demo`).
    societies: int = 0
    #: (username, role, password): fresh random passwords, shown once to whoever loaded it.
    logins: tuple[tuple[str, str, str], ...] = ()


class _Loader:
    """Runs the programme step by step; every step is one service call.

    The steps share one unit of work and only flush: the demo is all or
    nothing, and `load_demo` commits once at the end.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self.work = uow
        self.session = uow.session
        self.rng = random.Random(SEED)
        #: The follow-up (visits, inspections, incomes) draws from a stream of its own,
        #: so the money's story is the same with or without it.
        self.follow_up = random.Random(SEED + 1)
        self.people = 0
        #: The household of the seed's 专业大户, once registered.
        self.zhou_qin: int | None = None
        #: What the steps made, kept alive: the session holds its rows only weakly, and
        #: held, the services' thousands of lookups by id need not ask the database.
        self.held: list[object] = []

    def run(self, service, *args, **kwargs):
        made = service(self.work, *args, **kwargs)
        self.held.append(made)
        return made

    def id_number(self, township_index: int) -> str:
        self.people += 1
        born = date(1935, 1, 1) + timedelta(days=self.rng.randrange(365 * 45))
        first17 = f"{COUNTY}{born:%Y%m%d}{self.people % 1000:03d}"
        return first17 + id_check_char(first17)

    def name(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(self.rng.sample(GIVEN, self.rng.choice((1, 2))))


def load_demo(db: Database) -> DemoSummary:
    """Load the demo programme into an empty database, in one transaction."""
    with db.read() as session:
        if session.scalar(select(Fund.id).limit(1)) is not None:
            raise DemoRefused(
                "数据库中已有基金,演示数据只能装入空数据库",
                "the database already holds a fund; the demo loads only into an empty database",
            )
    with db.uow() as uow:
        loader = _Loader(uow)
        summary = _load(loader)
        home = uow.session.scalar(select(Fund.county_code).where(Fund.code == FUND))
        logins = tuple(
            (
                name,
                role,
                _demo_user(loader, name, role, township, home if at == FUND_COUNTY else at),
            )
            for name, role, township, at in DEMO_USERS
        )
        # One write, one audit record: who loaded the demo and what it holds.
        append_audit(
            uow.session,
            chain=FUND,
            actor=LOADER,
            action="demo load",
            target=f"fund:{FUND}",
            details={
                "townships": summary.townships,
                "households": summary.households,
                "loans": summary.loans,
                "journals": summary.journals,
                "societies": summary.societies,
                "users": [name for name, *_ in DEMO_USERS],
            },
        )
        uow.commit()
    return replace(summary, logins=logins)


def _demo_user(
    ld: _Loader, username: str, role: str, township: str | None, region: str | None
) -> str:
    password = secrets.token_urlsafe(9)
    ld.run(
        create_user,
        username=username,
        password=password,
        role=role,
        township_code=township,
        fund_code=FUND if role in FUND_BOUND_ROLES else None,
        region=region,
    )
    return password


def _load(ld: _Loader) -> DemoSummary:
    ld.run(open_fund, actor=LOADER, code=FUND, name=FUND_NAME, opened_on=OPENED_ON)
    for on, amount, source in (
        (date(2007, 3, 1), "400000.00", "county"),
        (date(2007, 3, 5), "300000.00", "city"),
        (date(2007, 3, 8), "300000.00", "province"),
    ):
        ld.run(
            funding.record_appropriation,
            CLERK,
            FUND,
            on=on,
            amount=amount,
            source=source,
            memo=f"拨入 {dict(county='县级', city='市级', province='省级')[source]}财政扶持资金",
        )
    towns = [f"{COUNTY}{100 + i:03d}" for i in range(len(TOWNSHIPS))]
    liaisons: dict[str, list[int]] = {}
    for code, name in zip(towns, TOWNSHIPS, strict=True):
        ld.run(setup.add_township, CLERK, FUND, code=code, name=name)
        liaisons[code] = [
            ld.run(
                setup.add_liaison,
                CLERK,
                FUND,
                name=ld.name(),
                township=code,
                monthly_salary=f"{ld.rng.randrange(1500, 2700, 50)}.00",
                phone=f"13{ld.rng.randrange(5, 10)}{ld.rng.randrange(10**8):08d}",
            ).id
            for _ in range(3)
        ]
    for code, name, standard in PROJECT_TYPES:
        ld.run(
            setup.add_project_type, CLERK, FUND, code=code, name=name, borrowing_standard=standard
        )
    ld.run(setup.add_batch, CLERK, FUND, code="1", name="第一批(2007)", budget=BATCH_1_TOTAL)
    batch_1 = _lend(ld, "1", towns, liaisons, HOUSEHOLDS_1, BATCH_1_TOTAL, year=2007)
    _repay(ld, batch_1, until=date(2008, 12, 31))
    _disasters(ld, towns, batch_1)
    _guarantee_and_handover(ld, liaisons)
    _remit(ld, towns, date(2008, 12, 25))
    for month in range(3, 13):
        ld.run(close_period, _fund_id(ld), f"2007-{month:02d}", actor=CLERK)
    ld.run(setup.add_batch, CLERK, FUND, code="2", name="第二批(2009 周转)", budget="240000.00")
    batch_2 = _lend(ld, "2", towns, liaisons, HOUSEHOLDS_2, Decimal("240000.00"), year=2009)
    _plan(ld, towns, batch_1, batch_2)
    _follow_up(ld, towns)
    session = ld.session
    fund_id = _fund_id(ld)
    # The second programme, in a county of its own: opened after the fund, which goes to
    # the install's only county.
    societies = load_societies(ld.work)
    return DemoSummary(
        FUND,
        *(
            session.scalar(select(func.count()).select_from(model).where(model.fund_id == fund_id))
            for model in (Township, Household, Loan, Journal)
        ),
        societies=societies.societies,
    )


def _fund_id(ld: _Loader) -> int:
    session = ld.session
    return session.scalar(select(Fund.id).where(Fund.code == FUND))


def _amounts(ld: _Loader, kinds: list[tuple[str, Decimal]], total: Decimal) -> list[Decimal]:
    """Amounts in hundreds within each standard, summing exactly to `total`."""
    amounts = [min(standard, Decimal(ld.rng.randrange(8, 31) * 100)) for _, standard in kinds]
    step = Decimal(100)
    while (gap := total - sum(amounts)) != 0:
        index = ld.rng.randrange(len(amounts))
        standard = kinds[index][1]
        if gap > 0 and amounts[index] + step <= standard:
            amounts[index] += min(step, gap)
        elif gap < 0 and amounts[index] - step >= 500:
            amounts[index] -= min(step, -gap)
    return amounts


def _lend(
    ld: _Loader,
    batch: str,
    towns: list[str],
    liaisons: dict[str, list[int]],
    count: int,
    total: Decimal,
    *,
    year: int,
) -> list[tuple[str, str, list[Instalment]]]:
    """Register, verify, approve, contract, allocate and disburse a batch."""
    kinds = [ld.rng.choice(PROJECT_TYPES) for _ in range(count)]
    amounts = _amounts(ld, [(code, Decimal(standard)) for code, _, standard in kinds], total)
    places = [towns[i % len(towns)] for i in range(count)]
    ld.rng.shuffle(places)
    base = date(year, 3, 10)
    lent = []
    for (kind, _, _), amount, town in zip(kinds, amounts, places, strict=True):
        # Drawn in this order whatever the name, so the programme's figures stay as they were.
        name, id_number, village = (
            ld.name(),
            ld.id_number(towns.index(town)),
            ld.rng.choice(VILLAGES),
        )
        named = (
            ld.zhou_qin is None
            and (batch, kind) == ("1", "fish")
            and TOWNSHIPS[towns.index(town)] == ZHOU_QIN_TOWNSHIP
        )
        if named:
            name, village = ZHOU_QIN
        household = ld.run(
            setup.add_household,
            CLERK,
            FUND,
            name=name,
            id_number=id_number,
            township=town,
            village=village,
            party_member=True,
        ).id
        if named:
            ld.zhou_qin = household
        loan = ld.run(
            loans.register_loan,
            CLERK,
            FUND,
            household=household,
            batch=batch,
            project_type=kind,
            project=PROJECT_TEXT[kind],
            requested_amount=str(amount),
            on=base,
        )
        no = loan.registration_no
        ld.run(
            loans.verify_loan,
            CLERK,
            FUND,
            no,
            visited_on=base + timedelta(days=10),
            visitor="县领导组办公室第" + "一二三四五"[len(lent) % 5] + "组",
            eligible=True,
        )
        schedule = list(make_schedule(amount, first_due=date(year, 12, 31), count=2))
        ld.run(
            loans.approve_loan,
            CLERK,
            FUND,
            no,
            approved_amount=str(amount),
            schedule=[(i.due_date, i.amount) for i in schedule],
            on=date(year, 4, 5),
        )
        ld.run(
            loans.sign_contract,
            CLERK,
            FUND,
            no,
            contract_no=no,
            iou_no=no,
            liaison=ld.rng.choice(liaisons[town]),
            technical_lead="农技站技术员",
            signed_on=date(year, 4, 10),
        )
        lent.append((no, town, schedule, amount))
    per_town: dict[str, Decimal] = defaultdict(Decimal)
    for _, town, _, amount in lent:
        per_town[town] += amount
    for town in towns:
        ld.run(
            funding.record_allocation,
            CLERK,
            FUND,
            on=date(year, 4, 15),
            township=town,
            amount=str(per_town[town]),
            batch=batch,
        )
    for index, (no, _, _, amount) in enumerate(lent):
        ld.run(
            loans.disburse_loan,
            CLERK,
            FUND,
            no,
            on=date(year, 4, 20 + index % 10),
            amount=str(amount),
        )
    return [(no, town, schedule) for no, town, schedule, _ in lent]


def _repay(ld: _Loader, lent: list[tuple[str, str, list[Instalment]]], *, until: date) -> None:
    """Most households pay each instalment on time, some late, some in part, a few not at all."""
    for no, _, schedule in lent:
        habit = ld.rng.random()
        for instalment in schedule:
            if instalment.due_date > until or habit < 0.06:
                continue  # the fish died / the household left: nothing paid
            late = timedelta(
                days=ld.rng.randrange(-40, 5) if habit > 0.25 else ld.rng.randrange(20, 120)
            )
            on = min(instalment.due_date + late, until)
            share = (
                instalment.amount
                if habit > 0.15
                else (instalment.amount / 2).quantize(Decimal("0.01"))
            )
            try:
                ld.run(loans.repay_loan, CLERK, FUND, no, on=on, amount=str(share))
            except Conflict:
                break  # closed or written off meanwhile


def _disasters(
    ld: _Loader, towns: list[str], lent: list[tuple[str, str, list[Instalment]]]
) -> None:
    """7·8 hail and 8·13 flood: 85 loss reports on 82 loans, 350,000.00 assessed."""
    hail_towns, flood_towns = towns[:6], towns[4:11]
    ld.run(
        disasters.record_disaster,
        CLERK,
        FUND,
        code="0708",
        name="7·8风雹灾",
        occurred_on=date(2007, 7, 8),
        kind="hail",
        townships=hail_towns,
    )
    ld.run(
        disasters.record_disaster,
        CLERK,
        FUND,
        code="0813",
        name="8·13洪灾",
        occurred_on=date(2007, 8, 13),
        kind="flood",
        townships=flood_towns,
    )
    hail = [x for x in lent if x[1] in hail_towns][:45]
    flood = [x for x in lent if x[1] in flood_towns and x not in hail][:37]
    both = [x for x in hail if x[1] in flood_towns][:3]  # struck twice: 85 projects, 82 homes
    reports = [("0708", x) for x in hail] + [("0813", x) for x in flood + both]
    weights = [ld.rng.randrange(40, 100) for _ in reports]
    losses = split(Decimal("350000.00"), weights)
    for (code, (no, _, _)), loss in zip(reports, losses, strict=True):
        ld.run(
            disasters.record_loss,
            CLERK,
            FUND,
            code,
            loan=no,
            assessed_loss=str(loss),
            inspector="县农委 核灾组",
            assessed_on=ASSESSED[code],
        )
    ld.run(
        disasters.propose_for_disaster,
        CLERK,
        FUND,
        "0708",
        action="write_off",
        on=date(2007, 9, 10),
        reason="7·8风雹灾项目毁损,无保险",
        write_off_share="loss",
        extension_months=12,
    )
    ld.run(
        disasters.propose_for_disaster,
        CLERK,
        FUND,
        "0813",
        action="extension",
        on=date(2007, 9, 12),
        reason="8·13洪灾,项目恢复生产需展期",
        write_off_share="loss",
        extension_months=12,
    )
    session = ld.session
    write_offs, extensions = (
        session.scalars(
            select(model.id).where(model.fund_id == _fund_id(ld)).order_by(model.id)
        ).all()
        for model in (WriteOff, Extension)
    )
    ld.run(
        proposals.decide_many,
        APPROVER,
        FUND,
        write_offs[1:],
        approve=True,
        note="经领导组审定,同意核销",
        on=date(2007, 9, 28),
        document_no="霍脱贫〔2007〕12号",
    )
    ld.run(
        proposals.decide_write_off,
        APPROVER,
        FUND,
        write_offs[0],
        approve=False,
        note="项目已恢复,不予核销",
        on=date(2007, 9, 28),
        document_no=None,
    )
    for extension in extensions:
        ld.run(
            proposals.decide_extension,
            APPROVER,
            FUND,
            extension,
            approve=True,
            note="同意展期一年",
            on=date(2007, 9, 28),
        )


def _guarantee_and_handover(ld: _Loader, liaisons: dict[str, list[int]]) -> None:
    """One guarantee called on an overdue loan and deducted monthly; one liaison hand-over."""
    session = ld.session
    rows = loan_rows(session, _fund_id(ld), CLERK, as_of=date(2008, 3, 1))
    overdue = [
        r
        for r in rows
        if r.overdue_days > 30 and r.status == "disbursed" and r.pending_write_off == 0
    ]
    target = overdue[0]
    call = ld.run(
        guarantees.call_guarantee,
        APPROVER,
        FUND,
        target.registration_no,
        on=date(2008, 3, 1),
        amount=str(target.overdue_amount),
    )
    month = date(2008, 4, 10)
    left = call.amount
    while left > 0:
        part = min(left, call.monthly_cap)
        ld.run(
            guarantees.record_salary_deduction,
            CLERK,
            FUND,
            call.liaison_id,
            on=month,
            amount=str(part),
        )
        left -= part
        month = date(month.year + month.month // 12, month.month % 12 + 1, 10)
    handed = next(
        r
        for r in rows
        if r.status == "disbursed"
        and r.outstanding > 0
        and r.registration_no != target.registration_no
    )
    no, town, current = handed.registration_no, handed.township, handed.liaison_id
    successor = next(i for i in liaisons[town] if i != current)
    ld.run(
        guarantees.change_liaison,
        CLERK,
        FUND,
        no,
        effective_on=date(2008, 6, 1),
        liaison=successor,
        reason="原联系人调任县直单位,责任移交(不脱钩)",
    )


def _remit(ld: _Loader, towns: list[str], on: date) -> None:
    """Each township sends what it collected back to the special account."""
    session = ld.session
    # As of the remittance date: repayments the loader records later (dated
    # after `on`) must not be sent back before they arrive.
    positions = township_positions(session, _fund_id(ld), CLERK, as_of=on)
    held = {p.code: p.cash for p in positions}
    for town in towns:
        if held[town] > 0:
            ld.run(
                funding.record_remittance, CLERK, FUND, on=on, township=town, amount=str(held[town])
            )


def _plan(
    ld: _Loader,
    towns: list[str],
    batch_1: list[tuple[str, str, list[Instalment]]],
    batch_2: list[tuple[str, str, list[Instalment]]],
) -> None:
    """The leading group's three-year plan of February 2007, and its revision.

    2007 plans batch 1 as it was lent, township by township; batch 2 was
    planned over 2008 and 2009 at 2,000.00 a household, then moved whole to
    2009, when batch 1's second instalments had come back.
    """
    first: dict[str, list] = {town: [0, Decimal("0.00")] for town in towns}
    for _, town, schedule in batch_1:
        first[town][0] += 1
        first[town][1] += sum(i.amount for i in schedule)
    second = {town: sum(1 for _, t, _ in batch_2 if t == town) for town in towns}
    each = Decimal("2000.00")

    def line(year: int, town: str, batch: str, households: int, amount: Decimal) -> dict:
        return {
            "year": year,
            "township": town,
            "batch": batch,
            "households": households,
            "amount": str(amount),
        }

    year_1 = [line(2007, town, "1", *first[town]) for town in towns]
    spread = [
        line(year, town, "2", n, n * each)
        for town in towns
        for year, n in ((2008, second[town] // 2), (2009, second[town] - second[town] // 2))
    ]
    ld.run(
        plans.record_plan,
        CLERK,
        FUND,
        first_year=2007,
        last_year=2009,
        name="农村贫困党员脱贫工程三年规划(2007—2009)",
        lines=year_1 + spread,
        reason="县领导组 2007 年第一次会议审定",
        on=date(2007, 2, 15),
    )
    ld.run(
        plans.revise_plan,
        CLERK,
        FUND,
        2007,
        lines=year_1 + [line(2009, town, "2", second[town], second[town] * each) for town in towns],
        reason="第一批借款第二期 2008 年末到期,回收后第二批于 2009 年周转",
        on=date(2008, 11, 20),
    )


def _officers(town: str) -> tuple[Actor, Actor]:
    """A township's two people: the finance officer who records, a second who approves.

    Only 衡山镇's officer has a demo login; the others' names stand in the records.
    """
    recorder = "hengshan" if town == f"{COUNTY}100" else f"{town}-caizheng"
    return (
        Actor(recorder, "township", town, fund_code=FUND),
        Actor(f"{town}-fenguan", "township", town, fund_code=FUND),
    )


def _follow_up(ld: _Loader, towns: list[str]) -> None:
    """Batch 1 in 2007 as the county followed it: visits, inspections, incomes."""
    session, rng = ld.session, ld.follow_up
    fund_id = _fund_id(ld)
    # Each loan with its liaison of 2007 (before the 2008 hand-over).
    rows = loan_rows(session, fund_id, CLERK, as_of=date(2007, 12, 31), batch="1")
    struck = dict(
        session.execute(
            select(LossReport.loan_id, func.min(Disaster.occurred_on))
            .join(Disaster, Disaster.id == LossReport.disaster_id)
            .group_by(LossReport.loan_id)
        ).all()
    )
    called = set(session.scalars(select(GuaranteeCall.loan_id)))
    now = {r.loan_id: r for r in loan_rows(session, fund_id, CLERK, batch="1")}
    # The household that built a house with its loan: never paid, never struck,
    # never called on, so a recall takes all it owes; outside 衡山镇.
    diverted = next(
        r
        for r in rows
        if r.township != towns[0]
        and r.loan_id not in struck
        and r.loan_id not in called
        and now[r.loan_id].status == "disbursed"
        and now[r.loan_id].figures.settled == 0
    )
    scheduled = sorted(
        (r for r in rows if r.township == towns[0] and r.loan_id not in struck),
        key=lambda r: r.registration_no,
    )[:8]
    changed = scheduled[1]
    # Loans whose money was not used as approved, from which month.
    misused = {diverted.loan_id: 6} | {
        r.loan_id: rng.randrange(7, 11) for r in rng.sample(rows, 4) if r is not diverted
    }
    _visits(ld, rows, struck, misused, changed.loan_id)
    _inspect(ld, towns[0], scheduled, changed, diverted, rows)
    _incomes(ld, rows, struck, diverted.loan_id)


def _visits(
    ld: _Loader,
    rows: list[LoanRow],
    struck: dict[int, date],
    misused: dict[int, int],
    changed: int,
) -> None:
    """Monthly visits, May to December 2007; four liaisons skip two or three months."""
    rng = ld.follow_up
    liaisons = sorted({r.liaison_id for r in rows})
    skipping = {
        person: set(rng.sample(VISIT_MONTHS, rng.randrange(2, 4)))
        for person in rng.sample(liaisons, 4)
    }
    for month in VISIT_MONTHS:
        for r in rows:
            if month in skipping.get(r.liaison_id, ()):
                continue
            progress, notes = "progressing", ""
            hit = struck.get(r.loan_id)
            if hit is not None and month > hit.month:
                progress = "failed" if r.loan_id % 2 else "behind"
                notes = "受灾后项目毁损" if progress == "failed" else "受灾后正在恢复生产"
            elif r.loan_id == changed and month >= 8:
                progress, notes = "changed", "未经批准改养土鸡"
            elif rng.random() < 0.08:
                progress, notes = "behind", "进度滞后,已督促"
            as_approved = month < misused.get(r.loan_id, 13)
            if not as_approved:
                notes = "借款未按批准项目使用,已报乡镇"
            ld.run(
                visits.record_visit,
                _officers(r.township)[0],
                FUND,
                r.registration_no,
                liaison=r.liaison_id,
                visited_on=date(2007, month, rng.randrange(1, 29)),
                progress=progress,
                funds_as_approved=as_approved,
                notes=notes,
            )


def _inspect(
    ld: _Loader,
    hengshan: str,
    scheduled: list[LoanRow],
    changed: LoanRow,
    diverted: LoanRow,
    rows: list[LoanRow],
) -> None:
    """A scheduled inspection of 衡山镇 and an unscheduled one where the money was diverted.

    The first finds the books not matching (closed with evidence) and a
    project changed without approval (still open); the second finds the
    diverted loan, which the clerk proposes to recall and the approver recalls.
    """
    first = ld.run(
        inspections.record_inspection,
        CLERK,
        FUND,
        township=hengshan,
        on=date(2007, 10, 16),
        kind="scheduled",
        inspectors="县扶贫办、县财政局联合检查组",
        loans=[r.registration_no for r in scheduled],
        notes="第三季度定期检查:到户查验资金到位、使用和项目进展",
    )
    mismatch = ld.run(
        inspections.record_finding,
        CLERK,
        FUND,
        first.id,
        kind="records_mismatch",
        description="乡镇财政所台账少记 1 笔还款,与县级台账不符",
        responsible="衡山镇财政所",
        correct_by=date(2007, 11, 15),
    )
    ld.run(
        inspections.record_finding,
        CLERK,
        FUND,
        first.id,
        kind="project_changed",
        loan=changed.registration_no,
        description=f"农户未经批准将「{changed.project}」改为养土鸡",
        responsible="衡山镇扶贫专干",
        correct_by=date(2007, 12, 31),
    )
    ld.run(
        inspections.close_finding,
        CLERK,
        FUND,
        mismatch.id,
        on=date(2007, 11, 10),
        evidence="财政所已补记还款,与县级台账逐户核对一致",
        evidence_ref="衡财〔2007〕31号",
    )
    neighbours = [r for r in rows if r.township == diverted.township and r is not diverted][:4]
    second = ld.run(
        inspections.record_inspection,
        CLERK,
        FUND,
        township=diverted.township,
        on=date(2007, 11, 13),
        kind="unscheduled",
        inspectors="县扶贫办督查组",
        loans=[diverted.registration_no] + [r.registration_no for r in neighbours],
        notes="联系人走访报告借款未按批准项目使用,不定期督查",
    )
    finding = ld.run(
        inspections.record_finding,
        CLERK,
        FUND,
        second.id,
        kind="diverted",
        loan=diverted.registration_no,
        description=f"借款 {diverted.approved} 元用于翻建住房,未用于批准的项目",
        responsible=f"{diverted.township_name}财政所",
        correct_by=date(2007, 12, 31),
    )
    recall = ld.run(
        inspections.propose_recall,
        CLERK,
        FUND,
        loan=diverted.registration_no,
        finding=finding.id,
        reason="挪用扶持资金,按管理办法提前收回",
        on=date(2007, 11, 20),
    )
    ld.run(
        inspections.decide_recall,
        APPROVER,
        FUND,
        recall.id,
        approve=True,
        note="同意提前收回",
        on=date(2007, 11, 28),
    )


def _incomes(ld: _Loader, rows: list[LoanRow], struck: dict[int, date], diverted: int) -> None:
    """The poverty line, and each batch-1 household's income at registration and end of 2007.

    All were poor when registered; by the year end most are out, except
    households whose project failed after a disaster, the diverted loan's
    and a few others; some fish, pig, cattle and tea households became 专业户.
    """
    session, rng = ld.session, ld.follow_up
    ld.run(
        outcomes.set_poverty_line,
        CLERK,
        FUND,
        effective_from=POVERTY_LINE_FROM,
        amount=str(POVERTY_LINE),
    )
    homes = dict(
        session.execute(
            select(Loan.id, Loan.household_id).where(Loan.id.in_([r.loan_id for r in rows]))
        ).all()
    )

    def year_end(r: LoanRow) -> tuple[int, bool]:
        if homes[r.loan_id] == ld.zhou_qin:
            return 6800, True
        if r.loan_id == diverted or (r.loan_id in struck and r.loan_id % 2):
            return rng.randrange(700, 1060), False
        roll = rng.random()
        if roll < 0.04 and r.project_type in ("fish", "pig", "cattle", "tea"):
            return rng.randrange(3000, 5200), True
        if roll < 0.10:
            return rng.randrange(800, 1060), False
        return rng.randrange(1100, 2600), False

    for kind, on, approved_on in (
        ("registration", date(2007, 3, 10), date(2007, 3, 25)),
        # 年底入户调查: surveyed in December, approved by the county report of 2007-12-28.
        ("year_end", date(2007, 12, 20), date(2007, 12, 28)),
    ):
        for r in rows:
            income, specialised = (
                (rng.randrange(480, 1000), False) if kind == "registration" else year_end(r)
            )
            recorder, approver = _officers(r.township)
            record = ld.run(
                outcomes.record_income,
                recorder,
                FUND,
                household=homes[r.loan_id],
                kind=kind,
                on=on,
                income=f"{income}.00",
                specialised=specialised,
                liaison=None if kind == "registration" else r.liaison_id,
            )
            ld.run(outcomes.approve_income, approver, FUND, record.id, on=approved_on)
