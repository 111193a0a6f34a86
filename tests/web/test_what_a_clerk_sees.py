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

from api import create_app
from ledger.db import Database
from ledger.money import cny
from ledger.schema import upgrade as migrate
from ledger.services import disasters, loans, proposals, users
from tests.conftest import isolated_url
from tests.factories import APPROVER, CLERK_ACTOR, make_loan, make_programme
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
            with db.uow() as uow:
                loans.repay_loan(uow, CLERK_ACTOR, prog.code, no, on=on, amount=amount)
        # Entered after the 2008 repayments, dated 2007.
        with db.uow() as uow:
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
        with db.uow() as uow:
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
        with db.uow() as uow:
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
        with db.uow() as uow:
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


def cells(html: str, row_id: str) -> list[str]:
    """The text of each cell of the table row with that id."""
    row = re.search(rf'<tr id="{row_id}">(.*?)</tr>', html, re.S)
    assert row, f"no row {row_id}"
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    ]


def section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


# --- one loan ----------------------------------------------------------------------------


def test_the_history_is_in_business_date_order(county):
    html = (
        county.browser("clerk")
        .get(f"/f/{county.fund}/loans/{county.loan_a}")
        .get_data(as_text=True)
    )
    rows = re.findall(r"<tr><td>(\d{4}-\d\d-\d\d)</td><td>([^<]+)</td>", section(html, "history"))
    assert [day for day, _ in rows] == sorted(day for day, _ in rows)
    assert rows[-3:] == [
        ("2007-11-20", "申请核销"),
        ("2007-12-01", "批准核销"),
        ("2008-03-20", "还款"),
    ]


def test_the_schedule_shows_repaid_and_written_off_apart(county):
    """The 2007 write-off settled the oldest instalments, the 2008 repayment the rest."""
    html = (
        county.browser("clerk")
        .get(f"/f/{county.fund}/loans/{county.loan_a}")
        .get_data(as_text=True)
    )
    # 期次, 到期日, 应还, 已还, 已代偿, 已核销, 未还, 状态
    assert cells(html, "instalment-1") == [
        "1",
        "2008-04-01",
        "1,000.00",
        "0.00",
        "0.00",
        "1,000.00",
        "0.00",
        "已核销",
    ]
    assert cells(html, "instalment-2") == [
        "2",
        "2009-04-01",
        "1,000.00",
        "500.00",
        "0.00",
        "500.00",
        "0.00",
        "部分已还、部分核销",
    ]
    assert cells(html, "instalment-3") == [
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
    html = (
        county.browser("clerk")
        .get(f"/f/{county.fund}/loans/{county.loan_b}")
        .get_data(as_text=True)
    )
    assert cells(html, "instalment-1")[-1] == "已还"
    assert cells(html, "instalment-2")[-2:] == ["500.00", "部分已还、逾期"]
    assert cells(html, "instalment-3")[-1] == "逾期"


# --- names where a person reads them ----------------------------------------------------


def test_pages_name_project_types_and_townships(county):
    clerk = county.browser("clerk")
    loan = clerk.get(f"/f/{county.fund}/loans/{county.loan_a}").get_data(as_text=True)
    assert "<dd>养猪 · 养猪 10 头</dd>" in loan and "pig ·" not in loan
    listed = cells(
        clerk.get(f"/f/{county.fund}/disasters")
        .get_data(as_text=True)
        .replace("<tr><td><a", '<tr id="d"><td><a', 1),
        "d",
    )
    assert listed[4] == "衡山镇"
    event = clerk.get(f"/f/{county.fund}/disasters/0708").get_data(as_text=True)
    assert "<dt>受灾乡镇</dt><dd>衡山镇</dd>" in event
    people = clerk.get(f"/f/{county.fund}/liaisons").get_data(as_text=True)
    assert "<td>但家庙镇</td>" in people and "<td>衡山镇</td>" in people
    assert f"<td>{HENGSHAN}</td>" not in people
    officer = county.browser("hengshan").get(f"/f/{county.fund}/").get_data(as_text=True)
    assert "(乡镇财政所 衡山镇)" in officer


# --- as of a date -------------------------------------------------------------------------

KPI = re.compile(r"<dt>([^<]+)</dt><dd class=\"num\">([^<]+)</dd>")


def kpis(html: str) -> dict[str, str]:
    return dict(KPI.findall(html))


def amount(text: str) -> Decimal:
    return cny(text.replace(",", ""))


def town_row(html: str, name: str) -> list[str]:
    return cells(html.replace(f"<tr><td>{name}</td>", f'<tr id="town"><td>{name}</td>', 1), "town")


@pytest.mark.parametrize(("who", "path"), [("clerk", ""), ("leader", "dashboard")])
def test_every_figure_is_as_of_the_date(county, who, path):
    """Before 2009-06-01, loan B owed 500 more and 衡山镇 held 500 less cash."""
    user = county.browser(who)
    url = f"/f/{county.fund}/{path}"
    today = user.get(url).get_data(as_text=True)
    before = user.get(url, query_string={"as_of": "2009-05-31"}).get_data(as_text=True)
    assert f'value="{date.today().isoformat()}"' in today and 'value="2009-05-31"' in before
    now, then = kpis(today), kpis(before)
    assert amount(then["借款余额"]) - amount(now["借款余额"]) == Decimal("500.00")
    assert amount(now["可周转资金(专户+乡镇)"]) - amount(then["可周转资金(专户+乡镇)"]) == Decimal(
        "500.00"
    )
    assert then["累计核销"] == now["累计核销"] == "1,500.00"
    # By township: only 衡山镇 moved; recovered 1,000 then, 1,500 now.
    assert town_row(before, "衡山镇")[2:4] == ["3,000.00", "1,000.00"]
    assert town_row(today, "衡山镇")[2:4] == ["3,000.00", "1,500.00"]
    assert town_row(before, "但家庙镇") == town_row(today, "但家庙镇")
    # Before the write-off's date it is not counted; before any loan, nothing is lent.
    early = kpis(user.get(url, query_string={"as_of": "2007-11-30"}).get_data(as_text=True))
    assert (early["累计核销"], early["借款余额"]) == ("0.00", "6,000.00")
    assert (
        kpis(user.get(url, query_string={"as_of": "2007-04-09"}).get_data(as_text=True))["借款余额"]
        == "0.00"
    )


@pytest.mark.parametrize("typed", ["2009-02-30", "31/05/2009", "yesterday"])
def test_a_bad_date_is_refused_beside_the_field_and_today_is_shown(county, typed):
    user = county.browser("leader")
    url = f"/f/{county.fund}/dashboard"
    response = user.get(url, query_string={"as_of": typed})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'<span class="error" id="as_of-error">日期[^<]+</span>', html)
    assert f'value="{typed}"' in html  # what was typed stays
    assert kpis(html) == kpis(user.get(url).get_data(as_text=True))


def test_the_township_page_is_as_of_the_date_too(county):
    officer = county.browser("hengshan")
    url = f"/f/{county.fund}/"
    now = kpis(officer.get(url).get_data(as_text=True))
    then = kpis(officer.get(url, query_string={"as_of": "2009-05-31"}).get_data(as_text=True))
    assert amount(now["已收回"]) - amount(then["已收回"]) == Decimal("500.00")
    assert amount(then["借款余额"]) - amount(now["借款余额"]) == Decimal("500.00")


def test_the_statement_link_is_as_of_the_same_date(county):
    user = county.browser("leader")
    url = f"/f/{county.fund}/dashboard"
    pdf = f"/api/v1/funds/{county.fund}/reports/fund-statement.pdf"
    assert f'href="{pdf}"' in user.get(url).get_data(as_text=True)
    dated = user.get(url, query_string={"as_of": "2009-05-31"}).get_data(as_text=True)
    assert f'href="{pdf}?to=2009-05-31"' in dated


def test_a_fund_the_officer_may_not_see_is_still_a_plain_404(county):
    """The header names the officer's township from the page's fund: none here."""
    response = county.browser("hengshan").get("/f/NO-SUCH-FUND/")
    assert response.status_code == 404
    assert "(乡镇财政所 340123002)" in response.get_data(as_text=True)


def test_vouchers_are_filtered_by_a_kind_named_in_chinese(county):
    clerk = county.browser("clerk")
    html = clerk.get(f"/f/{county.fund}/journals", query_string={"kind": "write_off"}).get_data(
        as_text=True
    )
    assert '<option value="write_off" selected>核销</option>' in html
    assert '<option value="repayment">收回借款</option>' in html
    assert "如 repayment" not in html
    listed = re.findall(r"<td>\d{4}-\d\d-\d\d</td><td>([^<]+)</td>", html)
    assert listed == ["核销"]
