"""Outcomes on the pages: the poverty line set by the clerk with its history, and a
township's incomes: recorded by one officer, approved by a second (the recorder
sees 本人录入 and no button), each approved income's status shown by name."""

from __future__ import annotations

import re
import uuid
from datetime import date

from ledger import dates
from ledger.actors import Actor, Role
from ledger.db import Database
from ledger.models import IncomeRecord
from ledger.money import fmt
from ledger.poverty import STATUS_ZH
from ledger.read import outcomes as outcomes_read
from ledger.services import users
from tests.factories import committing
from tests.web.conftest import CHEAP, Browser
from tests.web.journeys import HENGSHAN, OTHER_TOWN, lend
from tests.web.test_pages import count, error_beside
from tests.web.test_programme_pages import read

TODAY = dates.today()
CLERK = Actor("clerk", Role.CLERK)
OFFICER = Actor("hengshan", Role.TOWNSHIP, township_code=HENGSHAN)


def second_officer(web_app, demo) -> Browser:
    """Another officer of 衡山镇, signed in: the one who approves what `hengshan` records."""
    name, password = f"fenguan-{uuid.uuid4().hex[:6]}", "correct horse battery"
    db = Database.connect(demo.url)
    try:
        original, users.HASHER = users.HASHER, CHEAP
        with committing(db) as uow:
            users.create_user(
                uow,
                username=name,
                password=password,
                role="township",
                township_code=HENGSHAN,
                fund_code=demo.fund,
            )
    finally:
        users.HASHER = original
        db.engine.dispose()
    person = Browser(web_app, demo.fund)
    assert person.login(name, password).status_code == 303
    person.get(person.f("incomes"))
    return person


def test_the_poverty_line_and_its_history(browser, demo):
    clerk, officer = browser("clerk"), browser("hengshan")
    page = clerk.get(clerk.f("poverty-lines")).get_data(as_text=True)
    for line in read(demo, outcomes_read.lines, CLERK, demo.fund):
        row = re.search(rf'<tr id="line-{line.effective_from}">.*?</tr>', page, re.S).group(0)
        assert fmt(line.amount) in row
    taken = read(demo, outcomes_read.lines, CLERK, demo.fund)[-1].effective_from.isoformat()
    twice = clerk.post(clerk.f("poverty-lines"), {"effective_from": taken, "amount": "1200.00"})
    assert twice.status_code == 422
    assert "已设定" in error_beside(twice.get_data(as_text=True), "effective_from")
    bad = clerk.post(clerk.f("poverty-lines"), {"effective_from": "2031-01-01", "amount": "-5"})
    assert bad.status_code == 422 and error_beside(bad.get_data(as_text=True), "amount")

    later = date(TODAY.year + 2, 1, 1).isoformat()  # announced ahead of time
    done = clerk.post(clerk.f("poverty-lines"), {"effective_from": later, "amount": "2300.00"})
    assert done.status_code == 303, done.get_data(as_text=True)
    page = clerk.get(clerk.f("poverty-lines")).get_data(as_text=True)
    assert f"自 {later} 起贫困线为 2,300.00 元" in page
    dates_shown = re.findall(r'<tr id="line-([0-9-]+)">', page)
    assert dates_shown[0] == later and dates_shown == sorted(dates_shown, reverse=True)

    seen = officer.get(officer.f("poverty-lines")).get_data(as_text=True)
    assert f'id="line-{later}"' in seen and "设定</button>" not in seen
    refused = officer.post(officer.f("poverty-lines"), {"effective_from": "2032-01-01"})
    assert refused.status_code == 403


def test_the_demo_townships_2007_incomes_as_the_read_has_them(browser, demo):
    officer = browser("hengshan")
    page = officer.get(officer.f("incomes?year=2007")).get_data(as_text=True)
    report = read(demo, outcomes_read.township_incomes, OFFICER, demo.fund, HENGSHAN, 2007)
    summary = read(demo, outcomes_read.out_of_poverty, OFFICER, demo.fund, 2007).total
    assert f"<h1>{report.name} 2007 年农户收入</h1>" in page
    assert re.search(r'<span class="num" id="line">([^<]+)</span>', page).group(1) == fmt(
        report.line
    )
    for name in ("households", "out", "back", "poor", "specialised"):
        shown = re.search(rf'<dd class="num" id="{name}">(\d+)</dd>', page).group(1)
        assert int(shown) == getattr(summary, name), name
    assert summary.out > 0
    surveyed = [r for r in report.rows if r.at_registration and r.year_end]
    assert len(surveyed) == summary.households
    for row in surveyed[:5]:
        html = re.search(rf'<tr id="household-{row.household}">.*?</tr>', page, re.S).group(0)
        for entry in (row.at_registration, row.year_end):
            assert fmt(entry.income) in html
            assert STATUS_ZH[entry.status] in html
    # another township asked for: the officer still sees their own
    other = officer.get(officer.f(f"incomes?year=2007&township={OTHER_TOWN}"))
    assert f"<h1>{report.name} 2007 年农户收入</h1>" in other.get_data(as_text=True)


def test_an_income_recorded_by_one_officer_and_approved_by_another(browser, web_app, demo):
    clerk, officer = browser("clerk"), browser("hengshan")
    checker = second_officer(web_app, demo)
    lend(clerk, HENGSHAN)  # a new 王小二 with a registered loan, so with outcomes to follow
    year = TODAY.year
    page = officer.get(officer.f(f"incomes?year={year}")).get_data(as_text=True)
    home = re.search(r'<option value="(\d+)">王小二', page).group(1)
    body = {
        "household": home,
        "kind": "year_end",
        "date": TODAY.isoformat(),
        "income": "not money",
        "specialised": "true",
    }
    bad = officer.post(officer.f(f"incomes?year={year}"), body)
    assert bad.status_code == 422 and error_beside(bad.get_data(as_text=True), "income-income")
    done = officer.post(officer.f(f"incomes?year={year}"), {**body, "income": "4800.00"})
    assert done.status_code == 303, done.get_data(as_text=True)
    mine = officer.get(officer.f(f"incomes?year={year}")).get_data(as_text=True)
    assert "待另一位乡镇干部审核" in mine
    twice = officer.post(officer.f(f"incomes?year={year}"), {**body, "income": "4900.00"})
    assert twice.status_code == 422
    assert "年末收入" in error_beside(twice.get_data(as_text=True), "income-date")
    assert count(demo, IncomeRecord, IncomeRecord.household_id == int(home)) == 1

    row = re.search(rf'<tr id="household-{home}">.*?</tr>', mine, re.S).group(0)
    assert "4,800.00" in row and "待审核" in row and "本人录入" in row
    assert "审核</button>" not in row
    income = re.search(r'id="income-(\d+)"', row).group(1)
    own = officer.post(officer.f(f"incomes/{income}/approval"), {"date": TODAY.isoformat()})
    assert own.status_code == 422
    assert "须由他人审核" in own.get_data(as_text=True)

    county = clerk.get(clerk.f(f"incomes?year={year}&township={HENGSHAN}")).get_data(as_text=True)
    assert f'id="household-{home}"' in county
    assert "登记</button>" not in county and "审核</button>" not in county
    assert clerk.post(clerk.f(f"incomes/{income}/approval"), {"date": "x"}).status_code == 403
    elsewhere = read(demo, outcomes_read.township_incomes, CLERK, demo.fund, OTHER_TOWN, 2007)
    other = elsewhere.rows[0].at_registration.id
    hidden = checker.post(checker.f(f"incomes/{other}/approval"), {"date": TODAY.isoformat()})
    assert hidden.status_code == 404  # another township's income reads as none at all

    theirs = checker.get(checker.f(f"incomes?year={year}")).get_data(as_text=True)
    row = re.search(rf'<tr id="household-{home}">.*?</tr>', theirs, re.S).group(0)
    assert "审核</button>" in row
    approved = checker.post(checker.f(f"incomes/{income}/approval"), {"date": TODAY.isoformat()})
    assert approved.status_code == 303, approved.get_data(as_text=True)
    after = checker.get(checker.f(f"incomes?year={year}")).get_data(as_text=True)
    row = re.search(rf'<tr id="household-{home}">.*?</tr>', after, re.S).group(0)
    line = read(demo, outcomes_read.township_incomes, OFFICER, demo.fund, HENGSHAN, year).line
    assert line < 4800 and STATUS_ZH["out"] in row
    assert "专业户" in row and "待审核" not in row
