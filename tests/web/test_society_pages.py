"""A village mutual-aid society's pages (SPEC §13): each renders a built society's real
figures, each form posts through its service (good path and refusal, with the service's
Chinese message), and a user of another county, a township officer or a revolving fund's
URL gets no society.

The society lives in a database of its own (not the demo's), so the other web tests'
fund lists are not changed by it. The tests that only read share one society, built once;
a test that writes has a society of its own (`fresh`), so every test passes alone or in
any order.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

from ledger.actors import SYSTEM, Actor
from ledger.db import Database
from ledger.models import AuditRecord
from ledger.programmes import MUTUAL_AID
from ledger.programmes.mutual_aid import reads, services, yearend
from ledger.read.listing import Listing
from ledger.schema import upgrade as migrate
from ledger.services import counties, users
from ledger.services.funds import open_fund
from shell.app import create_app
from tests.conftest import isolated_url
from tests.factories import ADMIN, committing, make_id_number
from tests.mutual_aid.society import RULES as SOCIETY_RULES
from tests.web.conftest import CHEAP, Browser
from tests.web.test_browser import CHROMIUM
from tests.web.test_pages import error_beside
from web.views import societies as society_views

PER_PAGE_IN_USE = society_views.PER_PAGE

PASSWORD = "correct horse battery"
COUNTY, OTHER = "340401", "340402"
S, REVOLVING = "ZHS-LIJIA", "ZZJ-1"
#: The test societies' 章程 from 2024-02-01.
RULES: dict[str, Any] = {"effective_on": date(2024, 2, 1), **SOCIETY_RULES}


@dataclass(frozen=True)
class World:
    app: Any
    db: Database
    #: Member ids by name.
    members: dict[str, int]
    #: The repaid loan, the overdue one.
    repaid: str
    overdue: str


def people() -> dict[str, tuple[str, str | None, str | None, str | None]]:
    """username -> (role, region, fund granted, township)."""
    return {
        "kuaiji": ("clerk", COUNTY, S, None),
        "chuna": ("cashier", COUNTY, S, None),
        "lishi": ("approver", COUNTY, S, None),
        "xianzhang": ("leader", COUNTY, None, None),
        "shenji": ("auditor", COUNTY, None, None),
        "other-leader": ("leader", OTHER, None, None),
        "other-cashier": ("cashier", OTHER, "ZHS-OTHER", None),
        "xiangzhen": ("township", COUNTY, REVOLVING, f"{COUNTY}100"),
    }


def build(db: Database) -> tuple[dict[str, int], str, str]:
    """Two counties, a revolving fund, and 李家村's society: its 章程 of 2024-02-01, two
    groups of three, a loan repaid with its fee and one overdue in group G1."""
    clerk, cashier, approver = (
        Actor(n, r) for n, r in (("kuaiji", "clerk"), ("chuna", "cashier"), ("lishi", "approver"))
    )
    with committing(db) as uow:
        for code, name in ((COUNTY, "李家县"), (OTHER, "外县")):
            counties.add_county(uow, actor=SYSTEM, code=code, name=name)
        open_fund(uow, actor=ADMIN, code=REVOLVING, name="党员周转金", county=COUNTY)
        for code, name, county in (
            (S, "李家村扶贫互助社", COUNTY),
            ("ZHS-OTHER", "外村互助社", OTHER),
        ):
            open_fund(
                uow,
                actor=ADMIN,
                code=code,
                name=name,
                opened_on=date(2024, 1, 1),
                county=county,
                kind=MUTUAL_AID,
            )
        services.receive_fiscal_capital(uow, cashier, S, on=date(2024, 1, 2), amount="100000.00")
        services.add_rules(uow, clerk, S, **RULES)
        members = {}
        for group, names in (
            ("G1", ("王大", "王二", "王三")),
            ("G2", ("李一", "李二", "李三", "李四")),
        ):
            services.add_group(uow, clerk, S, code=group)
            for name in names:
                members[name] = services.join(
                    uow,
                    clerk,
                    S,
                    name=name,
                    id_number=make_id_number(),
                    poor=name == "王大",
                    joined_on=date(2024, 2, 1),
                    group=group,
                ).id
        services.allocate_share(
            uow, clerk, S, members["王大"], on=date(2024, 2, 1), amount="1000.00"
        )
        for name in ("王二", "王三", "李一", "李二", "李三", "李四"):
            services.buy_share(uow, cashier, S, members[name], on=date(2024, 2, 1), amount="500.00")
        nos = []
        for name, amount, day in (
            ("王大", "3000.00", date(2024, 2, 5)),
            ("王二", "1500.00", date(2024, 2, 5)),
        ):
            loan = services.apply_for_loan(
                uow,
                clerk,
                S,
                member=members[name],
                amount=amount,
                term_months=6,
                purpose="养猪",
                applied_on=day,
            )
            services.post_notice(uow, clerk, S, loan.no, on=day)
            services.approve_loan(uow, approver, S, loan.no, on=date(2024, 2, 10))
            services.pay_out(uow, cashier, S, loan.no, on=date(2024, 2, 10))
            nos.append(loan.no)
        # 30 days on 3000.00 at 5‰ a month: 15.00; then 30 days on 2000.00: 10.00.
        services.repay(uow, cashier, S, nos[0], on=date(2024, 3, 11), amount="1015.00")
        services.repay(uow, cashier, S, nos[0], on=date(2024, 4, 10), amount="2010.00")
        services.pay_expense(
            uow, cashier, S, on=date(2024, 7, 1), amount="5.00", purpose="账本", approved_by="lishi"
        )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(users, "HASHER", CHEAP)
        with committing(db) as uow:
            for name, (role, region, fund, town) in people().items():
                users.create_user(
                    uow,
                    username=name,
                    password=PASSWORD,
                    role=role,
                    region=region,
                    fund_code=fund,
                    township_code=town,
                )
    return members, nos[0], nos[1]


@contextmanager
def built(directory: Path) -> Iterator[World]:
    """`build`'s society in a database of its own, and the app on it."""
    with isolated_url(directory) as url:
        db = Database.connect(url)
        migrate(db.engine)
        members, repaid, overdue = build(db)
        app = create_app({"DATABASE_URL": url, "TESTING": True, "SECRET_KEY": "test-key"})
        try:
            yield World(app, db, members, repaid, overdue)
        finally:
            app.extensions["ledger_db"].engine.dispose()
            db.engine.dispose()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The society as `build` leaves it, for the tests that only read (or are refused)."""
    with built(tmp_path_factory.mktemp("society-web")) as made:
        yield made


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[World]:
    """A society of the test's own, for a test that writes."""
    with built(tmp_path) as made:
        yield made


def the_rest_of_2024(world: World) -> None:
    """What the year end reads besides `build`: 李一 buys a share and 王大 is allocated one
    (2024-03-01), 20.00 is spent on 2024-08-01, and 李四 leaves on 2024-12-01."""
    clerk, cashier = Actor("kuaiji", "clerk"), Actor("chuna", "cashier")
    with committing(world.db) as uow:
        services.buy_share(
            uow, cashier, S, world.members["李一"], on=date(2024, 3, 1), amount="500.00"
        )
        services.allocate_share(
            uow, clerk, S, world.members["王大"], on=date(2024, 3, 1), amount="500.00"
        )
        services.pay_expense(
            uow,
            cashier,
            S,
            on=date(2024, 8, 1),
            amount="20.00",
            purpose="印公示表",
            approved_by="lishi",
        )
        services.leave(uow, cashier, S, world.members["李四"], on=date(2024, 12, 1))


def year_ended(world: World) -> World:
    """`the_rest_of_2024`, then the committee's year end: 9.91 of staff subsidies owed."""
    the_rest_of_2024(world)
    with committing(world.db) as uow:
        yearend.distribute(uow, Actor("lishi", "approver"), S, 2024)
    return world


def signed_in(world: World, username: str) -> Browser:
    user = Browser(world.app, S)
    assert user.login(username, PASSWORD).status_code == 303
    user.get(f"/s/{S}/rules")  # picks up the session's CSRF value (in the header's form)
    return user


def text(response: Any) -> str:
    """The page's main part, its tags dropped (what a reader sees)."""
    main = response.get_data(as_text=True).split('<main id="main">', 1)[-1]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def page(user: Browser, path: str, status: int = 200) -> str:
    response = user.get(f"/s/{S}/{path}")
    assert response.status_code == status, response.get_data(as_text=True)[:3000]
    return text(response)


# --- every page, with the society's figures ------------------------------------------------


def test_the_cashier_lands_on_the_societys_home_with_its_figures(world):
    user = signed_in(world, "chuna")
    landing = user.get("/")
    assert landing.status_code == 302 and landing.headers["Location"] == f"/s/{S}/"
    home = page(user, "")
    # capital by source, each its own figure: 100,000 fiscal, 3,000 bought (6 × 500).
    for figure in ("财政扶贫资金 100,000.00", "社员互助金(入股) 3,000.00", "捐赠资金 0.00"):
        assert figure in home
    assert "社员 7 户 其中建档立卡贫困户 1 户" in home
    # 王二's 1,500.00 is outstanding and, after its due date 2024-08-10, overdue.
    assert "借款余额 1,500.00" in home and "逾期本金 1,500.00" in home
    assert "每股金额 500.00 元" in home and "占用费月费率 5‰,逾期 7.5‰" in home
    assert "公积金 40%,公益金 10%,风险准备金 20%,管理人员补贴 10%,分红 20%" in home


def test_the_rules_page_lists_every_version_newest_first(world):
    rules = page(signed_in(world, "xianzhang"), "rules")
    assert rules.index("2024-02-01 起生效 现行") < rules.index("2024-01-01 起生效")
    assert "单笔借款上限 3,000.00 元,且不超过股金的 3 倍" in rules


def test_the_register_names_members_with_their_groups_and_shares(world):
    auditor = signed_in(world, "shenji")
    assert "shenji(审计)" in auditor.get(f"/s/{S}/members").get_data(as_text=True)
    register = page(auditor, "members")
    assert "共 7 户" in register
    assert f"{world.members['王大']} 王大 是 G1 2024-02-01 0.00 1,000.00 在社" in register
    assert f"{world.members['李三']} 李三 否 G2 2024-02-01 500.00 0.00 在社" in register
    assert "社员入社" not in register  # the auditor reads only


def test_groups_name_their_members(world):
    groups = page(signed_in(world, "kuaiji"), "groups")
    assert "G1 3 王大 、 王二 、 王三" in groups and "G2 4 李一 、 李二 、 李三 、 李四" in groups
    assert "每组 3–5 户" in groups


def test_the_loan_list_names_borrowers_and_marks_the_overdue(world):
    user = signed_in(world, "xianzhang")
    loans = page(user, "loans")
    assert (
        f"{world.repaid} 王大 3,000.00 6 个月 养猪 2024-02-05 2024-02-10 2024-08-10 已还清 "
        "0.00 0.00 25.00"
    ) in loans
    assert f"{world.overdue} 王二 1,500.00 6 个月 养猪" in loans and "已放款(逾期)" in loans
    loan = page(user, f"loans/{world.repaid}")
    assert "申请日 2024-02-05 公示日 2024-02-05 审批日 2024-02-10 放款日 2024-02-10" in loan
    assert "已收占用费 25.00 元" in loan


def test_expenses_are_listed_with_their_total(world):
    expenses = page(signed_in(world, "lishi"), "expenses")
    assert "2024-07-01 记-2024-07-0001 账本 lishi chuna 5.00" in expenses  # approver, payer
    assert "合计 5.00" in expenses


def test_the_county_sees_its_societies_side_by_side_and_no_other_countys(world):
    user = signed_in(world, "xianzhang")
    chooser = text(user.get("/"))
    assert "李家村扶贫互助社(ZHS-LIJIA) 互助社" in chooser and "各互助社对照" in chooser
    listed = text(user.get("/societies"))
    assert "共 1 个" in listed and "外村互助社" not in listed
    assert "李家村扶贫互助社 李家县 100,000.00 3,000.00 0.00 0.00 7 1 1,500.00 1,500.00" in listed
    assert "合计 100,000.00 3,000.00 0.00 0.00 7 1 1,500.00 1,500.00" in listed


def test_the_demos_zhouqu_reads_its_61_societies_and_the_funds_leader_none(browser):
    zhouqu = browser("zhouqu")
    listed = text(zhouqu.get("/societies"))
    assert "共 61 个" in listed and "合计 13,100,000.00" in listed
    assert "ZQ01" in zhouqu.get("/societies").get_data(as_text=True)
    assert zhouqu.get("/s/ZQ01/").status_code == 200
    # The fund's leader is confined to the fund's county: no society there.
    leader = browser("leader")
    assert "没有可查阅的互助社" in text(leader.get("/societies"))
    assert leader.get("/s/ZQ01/").status_code == 404


# --- who may see a society ----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["", "members", "loans", "rules", "distributions"])
def test_another_countys_users_find_no_society(world, path):
    for name in ("other-leader", "other-cashier"):
        assert page(signed_in(world, name), path, 404)


def test_a_township_officer_is_refused_and_a_revolving_fund_is_no_society(world):
    assert "无权访问" in page(signed_in(world, "xiangzhen"), "", 403)
    leader = signed_in(world, "xianzhang")
    assert leader.get(f"/s/{REVOLVING}/").status_code == 404
    assert leader.get(f"/s/{REVOLVING}/members").status_code == 404


@pytest.mark.parametrize("path", ["loans", "dashboard", "statements", "periods", "visits"])
def test_the_revolving_funds_pages_do_not_exist_for_a_society(world, path):
    assert signed_in(world, "xianzhang").get(f"/f/{S}/{path}").status_code == 404


def test_the_books_pages_serve_a_society_under_its_own_menu(world):
    approver = signed_in(world, "lishi")
    journals = text(approver.get(f"/f/{S}/journals"))
    assert "2024-01-02 财政扶贫资金到账 收到财政扶贫资金 100,000.00" in journals
    assert "2024-07-01 管理费用 账本 5.00" in journals
    header = approver.get(f"/f/{S}/trial-balance").get_data(as_text=True).split("<main", 1)[0]
    assert f'href="/s/{S}/loans"' in header and f'href="/f/{S}/loans"' not in header


def test_a_reader_may_not_post(world):
    leader = signed_in(world, "xianzhang")
    page(leader, "groups")
    assert leader.post(f"/s/{S}/groups", {"code": "G9"}).status_code == 403


# --- the forms: the good path, and the service's refusal ---------------------------------------


def post(user: Browser, path: str, data: dict[str, Any]) -> Any:
    return user.post(f"/s/{S}/{path}", data)


def redirected(response: Any) -> str:
    assert response.status_code == 303, text(response)[:3000]
    return response.headers["Location"]


def refused(response: Any, message: str) -> None:
    assert response.status_code == 422, text(response)[:3000]
    assert message in text(response), text(response)[:3000]


def audits(world: World) -> int:
    with world.db.read() as session:
        return session.query(AuditRecord).filter(AuditRecord.chain == S).count()


def test_forming_a_group_and_joining_it(fresh):
    clerk = signed_in(fresh, "kuaiji")
    page(clerk, "groups")
    before = audits(fresh)
    assert redirected(post(clerk, "groups", {"code": "G3"})) == f"/s/{S}/groups"
    assert audits(fresh) == before + 1  # audited once, by the service
    assert "G3 0 暂无组员" in page(clerk, "groups")
    refused(post(clerk, "groups", {"code": "G3"}), "小组 G3 已存在")

    person = {"name": "赵四", "id_number": make_id_number(), "poor": "true", "group": "G3"}
    joined = redirected(post(clerk, "members", {**person, "date": "2024-03-01"}))
    assert "赵四 已入社" in page(clerk, joined.split(f"/s/{S}/", 1)[1])
    refused(
        post(clerk, "members", {**person, "date": "2024-03-01"}),
        f"身份证号 {person['id_number']} 已是本社社员",
    )


def test_shares_bought_by_the_cashier_allocated_by_the_clerk(fresh):
    member = fresh.members["李一"]
    cashier, clerk = signed_in(fresh, "chuna"), signed_in(fresh, "kuaiji")
    path = f"members/{member}"
    assert "入股(出纳收款)" in page(cashier, path) and "配股(" not in page(cashier, path)
    redirected(post(cashier, f"{path}/share", {"amount": "500.00", "date": "2024-03-01"}))
    assert "入股金额 1,000.00 元" in page(cashier, path)
    refused(
        post(cashier, f"{path}/share", {"amount": "300.00", "date": "2024-03-01"}),
        "入股金额 300.00 不是章程每股金额(share_size)500.00 的整数倍",
    )
    # 配股 is for registered poor households only; the clerk's, and no money moves.
    refused(
        post(
            clerk,
            f"{path}/allocation",
            {"amount": "500.00", "date": "2024-03-01", "allocated": "true"},
        ),
        "不是建档立卡贫困户,不能配股",
    )
    poor = fresh.members["王大"]
    redirected(
        post(
            clerk,
            f"members/{poor}/allocation",
            {"amount": "500.00", "date": "2024-03-01", "allocated": "true"},
        )
    )
    assert "配股金额 1,500.00 元" in page(clerk, f"members/{poor}")
    # 钱账分管: the clerk may not take a member's money.
    refused(
        post(clerk, f"{path}/share", {"amount": "500.00", "date": "2024-03-01"}),
        "角色 clerk 无权收付资金(钱账分管)",
    )


def test_leaving_refunds_own_shares_and_is_refused_while_the_group_is_overdue(fresh):
    cashier = signed_in(fresh, "chuna")
    refused(
        post(cashier, f"members/{fresh.members['王三']}/exit", {"date": "2024-12-01"}),
        f"联保小组有逾期借款 {fresh.overdue},组员不能退股",
    )
    refused(
        post(cashier, f"members/{fresh.members['王二']}/exit", {"date": "2024-12-01"}),
        f"社员 王二 尚有借款 {fresh.overdue} 未结清,不能退股",
    )
    leaver = fresh.members["李四"]
    redirected(post(cashier, f"members/{leaver}/exit", {"date": "2024-12-01"}))
    assert "退社日期 2024-12-01" in page(cashier, f"members/{leaver}")


def test_a_loan_from_application_to_repayment_by_three_people(fresh):
    clerk, approver, cashier = (signed_in(fresh, n) for n in ("kuaiji", "lishi", "chuna"))
    borrower = fresh.members["李三"]
    # G1 has an overdue loan: its members cannot borrow (联保).
    refused(
        post(
            clerk,
            "loans",
            {
                "member": fresh.members["王三"],
                "amount": "1000.00",
                "term_months": "6",
                "purpose": "种菜",
                "applied_on": "2025-03-01",
            },
        ),
        "联保小组有逾期借款",
    )
    refused(
        post(
            clerk,
            "loans",
            {
                "member": borrower,
                "amount": "3500.00",
                "term_months": "6",
                "purpose": "种菜",
                "applied_on": "2025-03-01",
            },
        ),
        "借款 3500.00 超过章程单笔借款上限(loan_cap)3000.00",
    )
    location = redirected(
        post(
            clerk,
            "loans",
            {
                "member": borrower,
                "amount": "1500.00",
                "term_months": "6",
                "purpose": "种菜",
                "applied_on": "2025-03-01",
            },
        )
    )
    no = location.rsplit("/", 1)[1]
    steps = f"loans/{no}"
    assert "公示日期" in page(clerk, steps) and "审批日期" not in page(clerk, steps)
    # Only the clerk publishes: the cashier posting the step gets the service's refusal.
    refused(
        post(cashier, f"{steps}/notice", {"date": "2025-03-02"}),
        "角色 cashier 无权受理和公示借款(钱账分管)",
    )
    redirected(post(clerk, f"{steps}/notice", {"date": "2025-03-02"}))
    refused(
        post(approver, f"{steps}/approval", {"date": "2025-03-05"}),
        "章程规定公示 5 天(notice_days)后方可审批",
    )
    redirected(post(approver, f"{steps}/approval", {"date": "2025-03-07"}))
    refused(
        post(approver, f"{steps}/disbursement", {"date": "2025-03-07"}),
        "角色 approver 无权收付资金(钱账分管)",
    )
    redirected(post(cashier, f"{steps}/disbursement", {"date": "2025-03-10"}))
    # 30 days on 1,500.00 at 5‰ a month: 7.50 of fee first, then principal.
    refused(
        post(cashier, f"{steps}/repayment", {"date": "2025-04-09", "amount": "1600.00"}),
        "超过应还占用费 7.50 与本金 1500.00 之和",
    )
    redirected(post(cashier, f"{steps}/repayment", {"date": "2025-04-09", "amount": "507.50"}))
    loan = page(cashier, steps)
    assert "已放款" in loan and "放款日 2025-03-10 到期日 2025-09-10" in loan
    assert "本金余额 1,000.00 元 应收占用费 0.00 元 已收占用费 7.50 元" in loan


def test_an_expense_the_payer_approved_is_refused(fresh):
    cashier = signed_in(fresh, "chuna")
    refused(
        post(
            cashier,
            "expenses",
            {
                "amount": "20.00",
                "purpose": "印公示表",
                "approved_by": "chuna",
                "date": "2024-08-01",
            },
        ),
        "费用的审批人与付款人不能是同一人(钱账分管)",
    )
    redirected(
        post(
            cashier,
            "expenses",
            {
                "amount": "20.00",
                "purpose": "印公示表",
                "approved_by": "lishi",
                "date": "2024-08-01",
            },
        )
    )
    assert "2024-08-01" in page(cashier, "expenses") and "合计 25.00" in page(cashier, "expenses")


def test_the_year_end_distribution_by_the_committee(fresh):
    the_rest_of_2024(fresh)
    approver, cashier = signed_in(fresh, "lishi"), signed_in(fresh, "chuna")
    assert "结转并分配 2024 年度收益" in page(approver, "distributions")
    assert "结转并分配" not in page(cashier, "distributions")
    refused(post(cashier, "distributions/2024", {}), "角色 cashier 无权审批借款(钱账分管)")
    redirected(post(approver, "distributions/2024", {}))
    table = page(approver, "distributions")
    # Fees of 2024: 王大's 25.00; 王二's 1,500.00 for 182 days at 5‰ a month (45.50) and,
    # after 2024-08-10, 143 days at 7.5‰ (53.625, 53.63); less 25.00 of expenses: 99.13.
    # By 40/10/20/10/20 %, each part rounded down to the fen; the dividends' 19.82 by the
    # shares held on 31 December (4,500.00: 李四 left), 19.80; the 0.02 left to 公积金.
    assert "2024 124.13 25.00 99.13 39.69 9.91 19.82 9.91 19.80" in table
    refused(post(approver, "distributions/2024", {}), "2024 年度已结转分配")
    # The year end closed the fee income; the fee 王大 paid is still what he paid.
    assert "已收占用费 25.00 元" in page(approver, f"loans/{fresh.repaid}")


def pdf_links(user: Browser, path: str) -> list[str]:
    """The PDF links of the page at `path`, as a clerk would click them."""
    html = user.get(path).get_data(as_text=True)
    return [link.replace("&amp;", "&") for link in re.findall(r'href="([^"]+\.pdf[^"]*)"', html)]


def test_each_page_links_the_pdf_a_clerk_prints_from_it(fresh):
    """The loan notice from the loans, a member's statement from the member, the month's
    report from 月结 (any month, picked), the distribution table from the year's row and the
    county's roll-up from the side-by-side list: each link answers its PDF to the session."""
    year_ended(fresh)
    clerk, county = signed_in(fresh, "kuaiji"), signed_in(fresh, "xianzhang")
    member = fresh.members["王大"]
    links = {
        f"/s/{S}/loans": f"/api/v1/societies/{S}/reports/loan-notice.pdf",
        f"/s/{S}/members/{member}": f"/api/v1/societies/{S}/reports/members/{member}/statement.pdf",
        f"/s/{S}/distributions": f"/api/v1/societies/{S}/reports/distribution/2024.pdf",
    }
    for path, pdf in links.items():
        assert pdf_links(clerk, path) == [pdf], path
    month = clerk.get(f"/s/{S}/periods").get_data(as_text=True)
    assert f'action="/api/v1/societies/{S}/reports/monthly.pdf"' in month
    assert 'type="month" name="month"' in month
    (rollup,) = pdf_links(county, "/societies")
    assert rollup.startswith("/api/v1/regions/") and "/reports/societies.pdf?as_of=" in rollup
    for user, pdf in (
        *((clerk, pdf) for pdf in links.values()),
        (clerk, f"/api/v1/societies/{S}/reports/monthly.pdf?month=2024-08"),
        (county, rollup),
    ):
        response = user.get(pdf)
        assert response.status_code == 200, (pdf, response.get_data(as_text=True)[:500])
        assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF"), pdf


# --- the forms of one duty: 章程, money in, the month close (403 for any other role) ---------


def figure(page_text: str, label: str) -> str:
    """The amount a page shows after `label` (``财政扶贫资金 100,000.00``)."""
    found = re.search(re.escape(label) + r" (-?[0-9,]+\.[0-9]{2})", page_text)
    assert found, page_text[:3000]
    return found.group(1)


def versions(world: World) -> list[Any]:
    with world.db.read() as session:
        return reads.rule_versions(session, services.society(session, S).id)


RULES_FORM = {
    "effective_on": "2025-06-01",
    "share_size": "500.00",
    "loan_cap": "5000.00",
    "loan_share_multiple": "4",
    "max_term_months": "12",
    "fee_rate_monthly": "6",
    "overdue_fee_rate_monthly": "9.5",
    "notice_days": "5",
    "group_min": "3",
    "group_max": "5",
    "reserve": "30",
    "welfare": "10",
    "risk": "20",
    "staff": "10",
    "dividend": "30",
}


def test_the_clerk_adds_a_rules_version_typed_in_permille_and_percent(fresh):
    clerk, cashier, leader = (signed_in(fresh, n) for n in ("kuaiji", "chuna", "xianzhang"))
    form = clerk.get(f"/s/{S}/rules").get_data(as_text=True)
    # The form starts as a copy of the version in force: 5‰, 7.5‰, 40 %.
    for name, value in (("fee_rate_monthly", "5"), ("overdue_fee_rate_monthly", "7.5")):
        assert f'name="{name}" type="text" value="{value}"' in form
    assert 'name="reserve" type="text" value="40"' in form
    assert "录入新的章程版本" not in page(cashier, "rules")
    assert post(cashier, "rules", RULES_FORM).status_code == 403
    assert post(leader, "rules", RULES_FORM).status_code == 403
    before = len(versions(fresh))
    refused(post(clerk, "rules", {**RULES_FORM, "dividend": "20"}), "合计应为 100%")
    # A rate or share refused in the units the clerk typed it in, beside its input.
    for name, typed, message in (
        ("fee_rate_monthly", "0,6", "占用费月费率应为以 ‰ 计的数字(如 6)"),
        ("fee_rate_monthly", "-1", "占用费月费率应在 0–100‰ 之间,最多 3 位小数"),
        ("overdue_fee_rate_monthly", "100.5", "逾期占用费月费率应在 0–100‰ 之间,最多 3 位小数"),
        ("overdue_fee_rate_monthly", "9.0005", "逾期占用费月费率应在 0–100‰ 之间,最多 3 位小数"),
        ("reserve", "150", "公积金比例应在 0–100% 之间,最多 2 位小数"),
        ("risk", "二十", "风险准备金比例应为以 % 计的数字(如 40)"),
        ("dividend", "-30", "分红比例应在 0–100% 之间,最多 2 位小数"),
        ("welfare", "10.005", "公益金比例应在 0–100% 之间,最多 2 位小数"),
    ):
        wrong = post(clerk, "rules", {**RULES_FORM, name: typed})
        assert wrong.status_code == 422
        assert error_beside(wrong.get_data(as_text=True), name) == message
        assert "之间的小数" not in text(wrong)  # not the service's fraction
    refused(
        post(clerk, "rules", {**RULES_FORM, "group_min": "6"}), "联保小组最少人数不能大于最多人数"
    )
    refused(
        post(clerk, "rules", {**RULES_FORM, "effective_on": "2024-02-01"}),
        "2024-02-01 生效的章程版本已存在",
    )
    assert len(versions(fresh)) == before  # every refusal changed nothing
    assert redirected(post(clerk, "rules", RULES_FORM)) == f"/s/{S}/rules"
    added = versions(fresh)[-1]
    assert added.fee_rate_monthly == Decimal("0.006")
    assert added.overdue_fee_rate_monthly == Decimal("0.0095")
    assert added.distribution["reserve"] == Decimal("0.3")
    rules = page(clerk, "rules")
    assert "章程新版本已录入,自 2025-06-01 起生效" in rules
    # Newest first; the new one is in force today.
    assert rules.index("2025-06-01 起生效 现行") < rules.index("2024-02-01 起生效")
    assert (
        "占用费月费率 6‰,逾期 9.5‰" in rules
        and "单笔借款上限 5,000.00 元,且不超过股金的 4 倍" in rules
    )
    assert "公积金 30%,公益金 10%,风险准备金 20%,管理人员补贴 10%,分红 30%" in rules


def test_money_in_and_the_subsidies_declared_paid_by_the_cashier(fresh):
    year_ended(fresh)
    cashier, clerk, approver = (signed_in(fresh, n) for n in ("chuna", "kuaiji", "lishi"))
    home = page(cashier, "")
    assert "资金收付(出纳)" in home and "资金收付" not in page(clerk, "")
    for kind in ("fiscal-capital", "donation", "interest", "subsidy"):
        for other in (clerk, approver):
            assert (
                post(other, f"money/{kind}", {"amount": "1.00", "date": "2025-05-06"}).status_code
                == 403
            )
    assert post(cashier, "money/loan", {"amount": "1.00", "date": "2025-05-06"}).status_code == 404

    # Bad input: the page again, the message beside the field, no figure changed.
    bank = figure(home, "银行存款(专户)")
    refused(
        post(cashier, "money/fiscal-capital", {"amount": "100.001", "date": "2025-05-06"}),
        "金额格式无效:只能是数字,最多两位小数",
    )
    no_donor = {"amount": "100.00", "donor": "", "date": "2025-05-06"}
    refused(post(cashier, "money/donation", no_donor), "捐赠人 * 缺少必填字段")
    refused(
        post(cashier, "money/interest", {"amount": "-3.00", "date": "2025-05-06"}),
        "金额必须大于零",
    )
    assert figure(page(cashier, ""), "银行存款(专户)") == bank

    redirected(
        post(
            cashier,
            "money/fiscal-capital",
            {"amount": "50000.00", "memo": "县财政局拨款", "date": "2025-05-06"},
        )
    )
    redirected(
        post(
            cashier,
            "money/donation",
            {"amount": "2000.00", "donor": "县农商银行", "date": "2025-05-06"},
        )
    )
    redirected(post(cashier, "money/interest", {"amount": "12.34", "date": "2025-05-06"}))
    home = page(cashier, "")
    assert "存款利息已入账,凭证 记-2025-05-" in home
    assert figure(home, "财政扶贫资金") == "150,000.00"
    assert figure(home, "捐赠资金") == "2,000.00"
    added = Decimal("52012.34")
    assert Decimal(figure(home, "银行存款(专户)").replace(",", "")) == (
        Decimal(bank.replace(",", "")) + added
    )

    # The year end declared 9.91 of staff subsidies: no more can be paid.
    assert figure(home, "应付管理人员补贴") == "9.91"
    refused(
        post(cashier, "money/subsidy", {"amount": "20.00", "date": "2025-05-06"}),
        "补贴 20.00 超过应付管理人员补贴 9.91",
    )
    redirected(post(cashier, "money/subsidy", {"amount": "9.91", "date": "2025-05-06"}))
    assert figure(page(cashier, ""), "应付管理人员补贴") == "0.00"


def test_the_clerk_closes_a_month_its_fees_accrued_first(fresh):
    clerk, cashier = signed_in(fresh, "kuaiji"), signed_in(fresh, "chuna")
    assert "还没有月结" in page(cashier, "periods")
    assert "计提占用费并结账" not in page(cashier, "periods")
    assert post(cashier, "periods", {"period": "2025-01"}).status_code == 403
    fee = figure(page(clerk, f"loans/{fresh.overdue}"), "应收占用费")
    refused(post(clerk, "periods", {"period": "2025-13"}), "会计期间应为 YYYY-MM,月份 01–12")
    # A month not over yet: the refusal beside the month, naming its last day.
    future = post(clerk, "periods", {"period": "2099-01"})
    assert future.status_code == 422
    assert error_beside(future.get_data(as_text=True), "period").startswith(
        "会计期间末日 2099-01-31 晚于今天"
    )
    assert figure(page(clerk, f"loans/{fresh.overdue}"), "应收占用费") == fee
    assert "还没有月结" in page(clerk, "periods")

    assert redirected(post(clerk, "periods", {"period": "2025-01"})) == f"/s/{S}/periods"
    closed = page(clerk, "periods")
    assert "2025-01 已月结" in closed and "2025-01 已结账 kuaiji" in closed
    # 王二's 1,500.00, lent 2024-02-10, none of its fee accrued before: 182 days to its due
    # date at 5‰ a month (45.50), then 174 days to 2025-01-31 overdue at 7.5‰ (65.25).
    assert fee == "0.00"
    assert figure(page(clerk, f"loans/{fresh.overdue}"), "应收占用费") == "110.75"
    refused(post(clerk, "periods", {"period": "2025-01"}), "会计期间 2025-01 已结账")


def test_the_registers_are_sought_by_cursor_with_their_count(world, monkeypatch):
    """One row a page here (50 in use): each next page follows its link's cursor, and no
    page is read past an OFFSET (`Listing.page`)."""
    monkeypatch.setattr(society_views, "PER_PAGE", 1)

    def by_offset(*args: Any) -> None:
        raise AssertionError("a register's page was read by OFFSET")

    monkeypatch.setattr(Listing, "page", by_offset)
    user = signed_in(world, "shenji")
    with world.db.read() as session:
        fund_id = services.society(session, S).id
        members = reads.members_listing(fund_id).all(session)
        loans = reads.loans_listing(fund_id).all(session)
        expenses = reads.expenses_listing(fund_id).all(session)
    assert len(members) > 1  # so a 下一页 link is followed
    for path, rows, counted, cell in (
        ("members", members, f"共 {len(members)} 户", lambda row: f"{row.id} {row.name}"),
        ("loans", loans, f"共 {len(loans)} 笔", lambda row: row.no),
        ("expenses", expenses, f"共 {len(expenses)} 笔", lambda row: row.purpose),
    ):
        pages: list[list[str]] = []
        link: str | None = f"/s/{S}/{path}"
        while link:
            response = user.get(link)
            assert response.status_code == 200
            listed = text(response)
            assert counted in listed and f"{len(rows)} 页" in listed
            pages.append([cell(row) for row in rows if cell(row) in listed])
            body = response.get_data(as_text=True)
            found = re.search(r'<a rel="next" href="([^"]+)">下一页', body)
            link = found.group(1).replace("&amp;", "&") if found else None
        # Every row once, one a page, in the register's order.
        assert pages == [[cell(row)] for row in rows]
    assert PER_PAGE_IN_USE == 50
    assert user.get(f"/s/{S}/members?after=zzz").status_code == 400  # no cursor we gave


# --- in a real browser ---------------------------------------------------------------------


def test_the_cashier_takes_a_repayment_in_chromium(fresh):
    live = make_server("127.0.0.1", 0, fresh.app, threaded=True)
    thread = threading.Thread(target=live.serve_forever, daemon=True)
    thread.start()
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=["--no-sandbox"]
            )
            window = chromium.new_page(viewport={"width": 1366, "height": 768})
            errors: list[str] = []
            window.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            window.goto(f"http://127.0.0.1:{live.server_port}/login")
            window.get_by_label("用户名").fill("chuna")
            window.get_by_label("密码").fill(PASSWORD)
            window.get_by_label("密码").press("Enter")
            expect(window.locator("h1")).to_contain_text("李家村扶贫互助社")
            expect(window.locator("main")).to_contain_text("100,000.00")  # the fiscal capital
            window.get_by_role("link", name="借款", exact=True).click()
            window.get_by_role("link", name=fresh.overdue).click()
            expect(window.locator("h1")).to_contain_text("已放款(逾期)")
            window.get_by_label("金额(元)").fill("100.00")
            window.get_by_role("button", name="收款").click()
            expect(window.get_by_role("status")).to_contain_text("还款已入账")
            # The fee first: all 100.00 of it; principal untouched.
            expect(window.locator("main")).to_contain_text("本金余额1,500.00 元")
            expect(window.locator("main")).to_contain_text("已收占用费100.00 元")
            assert errors == []
            chromium.close()
    finally:
        live.shutdown()
        thread.join()
