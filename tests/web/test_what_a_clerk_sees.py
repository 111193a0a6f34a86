"""What a clerk sees (issue 15): history in date order, repaid apart from written off,
names rather than codes, and the overview and dashboard as of a 截至 date.

A small county of its own (the factories' programme, in 2007-2009), so that
every figure is known: loan A was repaid 1,500 in 2008 and then had 1,500
written off with a 2007 date; loan B was repaid 1,000 in 2008 and 500 on
2009-06-01.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from ledger import dates
from ledger.db import Database
from ledger.money import cny
from ledger.schema import upgrade as migrate
from ledger.services import disasters, loans, proposals, users
from shell.app import create_app
from tests.conftest import isolated_url
from tests.factories import APPROVER, CLERK_ACTOR, committing, make_loan, make_programme
from tests.web.conftest import CHEAP, Browser

PASSWORD = "long enough pw"
HENGSHAN = "340123002"  # 衡山镇, the programme's second township


@dataclass(frozen=True)
class County:
    app: Any
    fund: str
    loan_a: str
    loan_b: str

    def browser(self, username: str) -> Browser:
        user = Browser(self.app, self.fund)
        assert user.login(username, PASSWORD).status_code == 303
        return user


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Iterator[County]:
    with isolated_url(tmp_path_factory.mktemp("clerk")) as url, pytest.MonkeyPatch.context() as mp:
        mp.setattr(users, "HASHER", CHEAP)
        db = Database.connect(url)
        migrate(db.engine)
        prog = make_programme(db)
        a = make_loan(db, prog).registration_no
        b = make_loan(db, prog, township=HENGSHAN).registration_no
        for no, amount, on in (
            (a, "1500.00", date(2008, 3, 20)),
            (b, "1000.00", date(2008, 3, 20)),
            (b, "500.00", date(2009, 6, 1)),
        ):
            with committing(db) as uow:
                loans.repay_loan(uow, CLERK_ACTOR, prog.code, no, on=on, amount=amount)
        # Entered after the 2008 repayments, dated 2007.
        with committing(db) as uow:
            row = proposals.propose_write_off(
                uow,
                CLERK_ACTOR,
                prog.code,
                loan=a,
                amount="1500.00",
                ground="death",
                reason="借款人病故",
                on=date(2007, 11, 20),
            )
        with committing(db) as uow:
            proposals.decide_write_off(
                uow,
                APPROVER,
                prog.code,
                row.id,
                approve=True,
                note="同意",
                on=date(2007, 12, 1),
                document_no="县政发[2007]9号",
            )
        with committing(db) as uow:
            disasters.record_disaster(
                uow,
                CLERK_ACTOR,
                prog.code,
                code="0708",
                name="7·8风雹灾",
                occurred_on=date(2008, 7, 8),
                kind="hail",
                townships=[HENGSHAN],
            )
        with committing(db) as uow:
            for name, role, town in (
                ("clerk", "clerk", None),
                ("leader", "leader", None),
                ("hengshan", "township", HENGSHAN),
            ):
                users.create_user(
                    uow, username=name, password=PASSWORD, role=role, township_code=town
                )
        db.engine.dispose()
        app = create_app({"DATABASE_URL": url, "TESTING": True, "SECRET_KEY": "test-key"})
        yield County(app, prog.code, a, b)
        app.extensions["ledger_db"].engine.dispose()


def cells(row: str) -> list[str]:
    """The text of each cell of a table row's HTML."""
    found = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in found]


def row_with_id(html: str, row_id: str) -> list[str]:
    row = re.search(rf'<tr id="{row_id}">(.*?)</tr>', html, re.S)
    assert row, f"no row {row_id}"
    return cells(row.group(1))


def row_starting(html: str, first: str) -> list[str]:
    """The cells of the first table row whose first cell reads `first`."""
    rows = (cells(row) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S))
    return next(row for row in rows if row and row[0] == first)


def text(user: Browser, path: str, **query: str) -> str:
    """The HTML of a page of the county's fund, e.g. ``text(clerk, "disasters")``."""
    return user.get(f"/f/{user.fund}/{path}", query_string=query).get_data(as_text=True)


def section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


# --- one loan ----------------------------------------------------------------------------


def test_the_history_is_in_business_date_order(county):
    html = text(county.browser("clerk"), f"loans/{county.loan_a}")
    rows = re.findall(r"<tr><td>(\d{4}-\d\d-\d\d)</td><td>([^<]+)</td>", section(html, "history"))
    assert [day for day, _ in rows] == sorted(day for day, _ in rows)
    assert rows[-3:] == [
        ("2007-11-20", "申请核销"),
        ("2007-12-01", "批准核销"),
        ("2008-03-20", "还款"),
    ]


def test_the_schedule_shows_repaid_and_written_off_apart(county):
    """The 2007 write-off settled the oldest instalments, the 2008 repayment the rest."""
    html = text(county.browser("clerk"), f"loans/{county.loan_a}")
    # 期次, 到期日, 应还, 已还, 已代偿, 已核销, 未还, 状态
    assert row_with_id(html, "instalment-1") == [
        "1",
        "2008-04-01",
        "1,000.00",
        "0.00",
        "0.00",
        "1,000.00",
        "0.00",
        "已核销",
    ]
    assert row_with_id(html, "instalment-2") == [
        "2",
        "2009-04-01",
        "1,000.00",
        "500.00",
        "0.00",
        "500.00",
        "0.00",
        "部分已还、部分核销",
    ]
    assert row_with_id(html, "instalment-3") == [
        "3",
        "2010-04-01",
        "1,000.00",
        "1,000.00",
        "0.00",
        "0.00",
        "0.00",
        "已还",
    ]
    # Loan B: 1,000 repaid, then 500 of the second instalment, which is overdue.
    html = text(county.browser("clerk"), f"loans/{county.loan_b}")
    assert row_with_id(html, "instalment-1")[-1] == "已还"
    assert row_with_id(html, "instalment-2")[-2:] == ["500.00", "部分已还、逾期"]
    assert row_with_id(html, "instalment-3")[-1] == "逾期"


# --- names where a person reads them ----------------------------------------------------


def test_pages_name_project_types_batches_and_townships(county):
    clerk = county.browser("clerk")
    loan = text(clerk, f"loans/{county.loan_a}")
    assert "<dd>养猪 · 养猪 10 头</dd>" in loan and "pig ·" not in loan
    assert "<dt>批次</dt><dd>第一批</dd>" in loan
    assert "<td>第一批</td>" in text(clerk, "loans")
    assert row_starting(text(clerk, "disasters"), "0708")[4] == "衡山镇"
    assert "<dt>受灾乡镇</dt><dd>衡山镇</dd>" in text(clerk, "disasters/0708")
    people = text(clerk, "liaisons")
    assert "<td>但家庙镇</td>" in people and "<td>衡山镇</td>" in people
    assert f"<td>{HENGSHAN}</td>" not in people
    assert "(乡镇财政所 衡山镇)" in text(county.browser("hengshan"), "")


def test_a_fund_the_officer_may_not_see_is_still_a_plain_404(county):
    """The header names the officer's township from the page's fund: none here."""
    response = county.browser("hengshan").get("/f/NO-SUCH-FUND/")
    assert response.status_code == 404
    assert "(乡镇财政所 340123002)" in response.get_data(as_text=True)


def test_vouchers_are_filtered_by_a_kind_named_in_chinese(county):
    html = text(county.browser("clerk"), "journals", kind="write_off")
    assert '<option value="write_off" selected>核销</option>' in html
    assert '<option value="repayment">收回借款</option>' in html
    assert "如 repayment" not in html
    assert re.findall(r"<td>\d{4}-\d\d-\d\d</td><td>([^<]+)</td>", html) == ["核销"]


# --- as of a date -------------------------------------------------------------------------

KPI = re.compile(r'<dt>([^<]+)</dt><dd class="num">([\d,]+\.\d\d)</dd>')
CAPACITY = "可周转资金(专户+乡镇)"


def kpis(html: str) -> dict[str, Decimal]:
    """The page's key amounts by their label."""
    return {name: cny(value.replace(",", "")) for name, value in KPI.findall(html)}


@pytest.mark.parametrize(("who", "path"), [("clerk", ""), ("leader", "dashboard")])
def test_every_figure_is_as_of_the_date(county, who, path):
    """Before 2009-06-01, loan B owed 500 more and 衡山镇 held 500 less cash."""
    user = county.browser(who)
    today, before = text(user, path), text(user, path, as_of="2009-05-31")
    assert f'value="{dates.today().isoformat()}"' in today and 'value="2009-05-31"' in before
    now, then = kpis(today), kpis(before)
    assert then["借款余额"] - now["借款余额"] == Decimal("500.00")
    assert now[CAPACITY] - then[CAPACITY] == Decimal("500.00")
    assert then["累计核销"] == now["累计核销"] == Decimal("1500.00")
    # By township (笔数, 累计发放, 已收回, ...): only 衡山镇 moved, by that repayment.
    assert row_starting(before, "衡山镇")[2:4] == ["3,000.00", "1,000.00"]
    assert row_starting(today, "衡山镇")[2:4] == ["3,000.00", "1,500.00"]
    assert row_starting(before, "但家庙镇") == row_starting(today, "但家庙镇")
    # The write-off counts from its date; before the disbursements nothing is lent.
    early = kpis(text(user, path, as_of="2007-11-30"))
    assert (early["累计核销"], early["借款余额"]) == (Decimal("0.00"), Decimal("6000.00"))
    assert kpis(text(user, path, as_of="2007-04-09"))["借款余额"] == Decimal("0.00")


@pytest.mark.parametrize("typed", ["2009-02-30", "31/05/2009", "yesterday"])
def test_a_bad_date_is_refused_beside_the_field_and_today_is_shown(county, typed):
    user = county.browser("leader")
    response = user.get(f"/f/{county.fund}/dashboard", query_string={"as_of": typed})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'<span class="error" id="as_of-error">日期[^<]+</span>', html)
    assert f'value="{typed}"' in html  # what was typed stays
    assert kpis(html) == kpis(text(user, "dashboard"))


def test_the_township_page_is_as_of_the_date_too(county):
    officer = county.browser("hengshan")
    now, then = kpis(text(officer, "")), kpis(text(officer, "", as_of="2009-05-31"))
    assert now["已收回"] - then["已收回"] == Decimal("500.00")
    assert then["借款余额"] - now["借款余额"] == Decimal("500.00")


def test_the_statement_link_is_as_of_the_same_date(county):
    leader = county.browser("leader")
    pdf = f"/api/v1/funds/{county.fund}/reports/fund-statement.pdf"
    assert f'href="{pdf}"' in text(leader, "dashboard")
    assert f'href="{pdf}?to=2009-05-31"' in text(leader, "dashboard", as_of="2009-05-31")
