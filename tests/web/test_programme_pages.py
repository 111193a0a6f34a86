"""The programme's pages (issue 22): recording a visit, the month's missing visits,
a liaison's year, a loan's visits, the pairing cadres' visits and their year, plan
against actual, and inspections with their findings."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

from sqlalchemy import func, select

from ledger import dates
from ledger.actors import Actor, Role
from ledger.db import Database
from ledger.models import Finding, Loan, Visit
from ledger.money import fmt
from ledger.read import inspections as inspections_read
from ledger.read import plans as plans_read
from ledger.read import visits as visits_read
from tests.web.journeys import HENGSHAN, OTHER_TOWN, lend, register_household
from tests.web.test_pages import count, error_beside

TODAY = dates.today()
MONTH = dates.month_of(TODAY)
CLERK = Actor("clerk", Role.CLERK)


def read(demo, function, *args, **kwargs):
    """What the read side says, for the figures a page must show."""
    db = Database.connect(demo.url)
    try:
        with db.read() as session:
            return function(session, *args, **kwargs)
    finally:
        db.engine.dispose()


def selected(html: str, select_id: str) -> str:
    """The value of the selected option of the select box `select_id`."""
    box = re.search(rf'<select id="{select_id}".*?</select>', html, re.S).group(0)
    return re.search(r'<option value="([^"]*)" selected>', box).group(1)


def kpi(html: str, name: str) -> int:
    return int(re.search(rf'<dd class="num" id="{name}">(\d+)</dd>', html).group(1))


def test_a_visit_recorded_on_the_short_page_leaves_the_to_do_list(browser, demo):
    clerk, officer = browser("clerk"), browser("hengshan")
    no = lend(clerk, HENGSHAN)
    loan_page = clerk.get(clerk.f(f"loans/{no}")).get_data(as_text=True)
    assert f'action="/f/{clerk.fund}/loans/{no}/visit"' in loan_page  # the step is offered
    liaison = selected(loan_page, "visit-liaison")

    todo = officer.get(officer.f(f"visits?month={MONTH}")).get_data(as_text=True)
    assert f'href="/f/{officer.fund}/loans/{no}/visit">登记走访</a>' in todo
    before = read(demo, visits_read.month_visits, CLERK, demo.fund, MONTH, township=HENGSHAN)
    assert kpi(todo, "due") == before.due and kpi(todo, "missing") == before.due - before.done

    form = officer.get(officer.f(f"loans/{no}/visit")).get_data(as_text=True)
    assert selected(form, "liaison") == liaison  # the loan's liaison, preselected
    assert f'id="visited_on" name="visited_on" type="date" value="{TODAY.isoformat()}"' in form

    visits = count(demo, Visit)
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    visit = {"liaison": liaison, "progress": "progressing", "funds_as_approved": "true"}
    refused = officer.post(officer.f(f"loans/{no}/visit"), {**visit, "visited_on": tomorrow})
    assert refused.status_code == 422
    assert "今天" in error_beside(refused.get_data(as_text=True), "visited_on")
    no_progress = officer.post(
        officer.f(f"loans/{no}/visit"), {**visit, "progress": "", "visited_on": str(TODAY)}
    )
    assert no_progress.status_code == 422
    assert error_beside(no_progress.get_data(as_text=True), "progress")
    assert count(demo, Visit) == visits

    done = officer.post(
        officer.f(f"loans/{no}/visit"), {**visit, "visited_on": str(TODAY), "notes": "猪已出栏"}
    )
    assert done.status_code == 303, done.get_data(as_text=True)
    assert done.headers["Location"].endswith(f"/visits?month={MONTH}")
    assert count(demo, Visit) == visits + 1
    after = officer.get(done.headers["Location"]).get_data(as_text=True)
    assert "的走访已登记" in after
    assert f"/loans/{no}/visit" not in after
    assert kpi(after, "due") == before.due and kpi(after, "missing") == before.due - before.done - 1


def test_the_month_and_a_liaisons_year_show_the_reads_figures(browser, demo):
    clerk = browser("clerk")
    no = lend(clerk, OTHER_TOWN)
    page = clerk.get(clerk.f(f"visits?month={MONTH}&township={OTHER_TOWN}"))
    html = page.get_data(as_text=True)
    month = read(demo, visits_read.month_visits, CLERK, demo.fund, MONTH, township=OTHER_TOWN)
    assert (kpi(html, "due"), kpi(html, "done")) == (month.due, month.done)
    mine = next(v for v in month.missing if v.registration_no == no)
    # The township's counts (kept figures) agree with the loans computed one by one.
    row = re.search(rf'<tr id="township-{OTHER_TOWN}">.*?</tr>', html).group(0)
    assert re.findall(r'<td class="num[^"]*">(\d+)</td>', row) == [
        str(month.due),
        str(month.done),
        str(month.due - month.done),
    ]
    assert mine.township_name in row
    # The loan is listed with the liaison whose to-do it is.
    listed = re.search(rf"<tr>(?:(?!</tr>).)*{no}(?:(?!</tr>).)*</tr>", html, re.S).group(0)
    assert f"/liaisons/{mine.liaison_id}/visits" in listed

    year = clerk.get(clerk.f(f"liaisons/{mine.liaison_id}/visits?year={TODAY.year}"))
    text = year.get_data(as_text=True)
    assert year.status_code == 200
    mine_year = read(demo, visits_read.liaison_year, CLERK, demo.fund, mine.liaison_id, TODAY.year)
    assert len(mine_year.months) == TODAY.month
    this = re.search(rf'<tr id="month-{MONTH}">.*?</tr>', text, re.S).group(0)
    assert no in this
    assert f'<strong id="missing">{mine_year.missing}</strong>' in text
    liaison_page = clerk.get(clerk.f(f"liaisons/{mine.liaison_id}")).get_data(as_text=True)
    assert f"/liaisons/{mine.liaison_id}/visits" in liaison_page

    bad = clerk.get(clerk.f("visits?month=2026-13"))
    assert bad.status_code == 200
    assert error_beside(bad.get_data(as_text=True), "month")


def test_a_township_officer_sees_only_their_township(browser, demo):
    clerk, officer = browser("clerk"), browser("hengshan")
    other = lend(clerk, OTHER_TOWN)
    month = read(demo, visits_read.month_visits, CLERK, demo.fund, MONTH, township=OTHER_TOWN)
    stranger = next(v for v in month.missing if v.registration_no == other).liaison_id
    own = officer.get(officer.f(f"visits?month={MONTH}")).get_data(as_text=True)
    assert other not in own
    for path in (
        f"visits?township={OTHER_TOWN}",
        f"loans/{other}/visit",
        f"liaisons/{stranger}/visits",
    ):
        assert officer.get(officer.f(path)).status_code == 404, path
    posted = officer.post(
        officer.f(f"loans/{other}/visit"),
        {"liaison": str(stranger), "visited_on": str(TODAY), "progress": "behind"},
    )
    assert posted.status_code == 404


def test_plan_against_actual_shows_the_reads_figures(browser, demo):
    clerk, officer = browser("clerk"), browser("hengshan")
    lend(clerk, HENGSHAN, amount="2500.00")
    report = read(demo, plans_read.plan_against_actual, CLERK, demo.fund, TODAY.year)
    html = clerk.get(clerk.f(f"plans?year={TODAY.year}")).get_data(as_text=True)
    total = re.search(r"<tfoot>(.*?)</tfoot>", html, re.S).group(1)
    cells = re.findall(r'<td class="num">([^<]*)</td>', total)
    expected = [
        str(report.total.planned.households),
        fmt(report.total.planned.amount),
        str(report.total.registered.households),
        fmt(report.total.registered.amount),
        str(report.total.approved.households),
        fmt(report.total.approved.amount),
        str(report.total.disbursed.households),
        fmt(report.total.disbursed.amount),
    ]
    assert cells[:8] == expected
    assert report.total.disbursed.amount > 0
    names = {row.township_name for row in report.townships}
    own = officer.get(officer.f(f"plans?year={TODAY.year}")).get_data(as_text=True)
    hengshan = next(row for row in report.townships if row.township == HENGSHAN)
    assert hengshan.township_name in own
    assert all(name not in own for name in names - {hengshan.township_name})


def test_an_inspection_its_finding_and_its_closing(browser, demo):
    clerk, officer = browser("clerk"), browser("hengshan")
    no = lend(clerk, HENGSHAN)
    inspection = {
        "township": HENGSHAN,
        "date": TODAY.isoformat(),
        "kind": "unscheduled",
        "inspectors": "县扶贫办 张三、李四",
        "loans": f"{no}",
    }
    missing = clerk.post(clerk.f("inspections"), {**inspection, "inspectors": ""})
    assert missing.status_code == 422
    assert error_beside(missing.get_data(as_text=True), "inspection-inspectors")
    done = clerk.post(clerk.f("inspections"), inspection)
    assert done.status_code == 303, done.get_data(as_text=True)
    notice = clerk.get(clerk.f("inspections")).get_data(as_text=True)
    inspection_id = re.search(r"督查 (\d+) 已登记", notice).group(1)
    finding = {
        "inspection": inspection_id,
        "kind": "diverted",
        "description": "借款 2000 元用于建房",
        "responsible": "王乡长",
        "correct_by": (TODAY + timedelta(days=30)).isoformat(),
    }
    no_loan = clerk.post(clerk.f("inspections/findings"), {**finding, "loan": ""})
    assert no_loan.status_code == 422
    assert error_beside(no_loan.get_data(as_text=True), "finding-loan") == "该类问题须注明农户借款"
    found = clerk.post(clerk.f("inspections/findings"), {**finding, "loan": no})
    assert found.status_code == 303, found.get_data(as_text=True)
    page = clerk.get(clerk.f("inspections")).get_data(as_text=True)
    finding_id = re.search(r"问题 (\d+) 已登记", page).group(1)
    row = re.search(rf'<tr id="finding-{finding_id}">.*?</tr>', page, re.S).group(0)
    assert "挪作他用" in row and no in row and "王乡长" in row
    assert '<td class="num">0</td>' in row  # found today

    seen = officer.get(officer.f("inspections")).get_data(as_text=True)
    assert f'id="finding-{finding_id}"' in seen and "销号</button>" not in seen
    assert (
        officer.post(clerk.f(f"findings/{finding_id}/close"), {"evidence": "x"}).status_code == 403
    )

    bare = clerk.post(clerk.f(f"findings/{finding_id}/close"), {"evidence": "", "evidence_ref": ""})
    assert bare.status_code == 422
    assert error_beside(bare.get_data(as_text=True), f"close-{finding_id}-evidence").startswith(
        "销号须写明整改情况"
    )
    closed = clerk.post(
        clerk.f(f"findings/{finding_id}/close"),
        {"evidence": "已追回挪用资金", "evidence_ref": "整改-1"},
    )
    assert closed.status_code == 303, closed.get_data(as_text=True)
    after = clerk.get(clerk.f("inspections")).get_data(as_text=True)
    assert f'id="finding-{finding_id}"' not in after
    assert count(demo, Finding, Finding.id == int(finding_id), Finding.closed_on == TODAY) == 1


def test_the_to_do_lists_count_the_missing_visits_and_open_findings(browser, demo):
    clerk, officer = browser("clerk"), browser("hengshan")
    lend(clerk, HENGSHAN)
    hengshan = Actor("hengshan", Role.TOWNSHIP, township_code=HENGSHAN)
    for user, actor in ((clerk, CLERK), (officer, hengshan)):
        html = user.get(user.f()).get_data(as_text=True)
        month = read(demo, visits_read.month_visits, actor, demo.fund, MONTH)
        findings = read(demo, inspections_read.open_findings, actor, demo.fund)
        missing = re.search(r'<strong id="visits-missing">(\d+)</strong>', html).group(1)
        assert int(missing) == month.due - month.done > 0
        opened = re.search(r'<strong id="findings-open">(\d+)</strong>', html).group(1)
        assert int(opened) == len(findings)
    county = read(demo, visits_read.month_visits, CLERK, demo.fund, MONTH)
    own = read(demo, visits_read.month_visits, hengshan, demo.fund, MONTH)
    assert own.due < county.due  # the officer's count is their township's only


# --- a loan's visits ------------------------------------------------------------------


def visit_rows(html: str) -> list[str]:
    """The ids of the visits the loan page lists, in its order."""
    section = re.search(r'<h2 id="visits">.*?</section>', html, re.S).group(0)
    return re.findall(r'<tr id="visit-(\d+)">', section)


def test_the_loan_page_lists_its_visits_newest_first(browser, demo):
    clerk = browser("clerk")
    db = Database.connect(demo.url)
    try:
        with db.read() as session:  # a demo loan visited month by month in 2007
            no = session.scalar(
                select(Loan.registration_no)
                .join(Visit, Visit.loan_id == Loan.id)
                .group_by(Loan.registration_no)
                .having(func.count(Visit.id) >= 3)
                .order_by(Loan.registration_no)
                .limit(1)
            )
    finally:
        db.engine.dispose()
    seen = read(demo, visits_read.loan_visits, CLERK, demo.fund, no)
    html = clerk.get(clerk.f(f"loans/{no}")).get_data(as_text=True)
    assert visit_rows(html) == [str(v.id) for v in seen]
    days = [v.visited_on for v in seen]
    assert days == sorted(days, reverse=True) and len(days) >= 3
    newest = re.search(rf'<tr id="visit-{seen[0].id}">.*?</tr>', html, re.S).group(0)
    assert seen[0].visitor in newest and str(seen[0].visited_on) in newest
    assert seen[0].notes in newest


def test_a_visit_made_today_heads_the_loans_list(browser, demo):
    clerk = browser("clerk")
    no = lend(clerk, HENGSHAN)
    page = clerk.get(clerk.f(f"loans/{no}")).get_data(as_text=True)
    assert visit_rows(page) == [] and "尚无走访记录" in page
    assert f'href="/f/{clerk.fund}/loans/{no}/visit">登记走访</a>' in page
    liaison = selected(page, "visit-liaison")
    visit = {"liaison": liaison, "visited_on": str(TODAY), "funds_as_approved": "false"}
    done = clerk.post(
        clerk.f(f"loans/{no}/visit"), {**visit, "progress": "behind", "notes": "未建"}
    )
    assert done.status_code == 303, done.get_data(as_text=True)
    html = clerk.get(clerk.f(f"loans/{no}")).get_data(as_text=True)
    [made] = read(demo, visits_read.loan_visits, CLERK, demo.fund, no)
    assert visit_rows(html) == [str(made.id)]
    row = re.search(rf'<tr id="visit-{made.id}">.*?</tr>', html, re.S).group(0)
    assert "进度滞后" in row and "否" in row and "未建" in row
    # The leader reads it, with no link to record one.
    leader = browser("leader").get(clerk.f(f"loans/{no}")).get_data(as_text=True)
    assert visit_rows(leader) == [str(made.id)] and f"/loans/{no}/visit" not in leader


# --- pairing cadres ---------------------------------------------------------------------


def cadre_row(html: str, household: int) -> str:
    return re.search(rf'<tr data-household="{household}">.*?</tr>', html, re.S).group(0)


def test_a_cadre_visit_on_the_short_page_and_its_refusals(browser, demo):
    clerk, officer = browser("clerk"), browser("hengshan")
    home = register_household(clerk, HENGSHAN, name="金先长")
    elsewhere = register_household(clerk, OTHER_TOWN, name="邓为才")
    cadre = f"区农牧局 陈伟{uuid.uuid4().hex[:6]}"
    form = officer.get(officer.f(f"cadre-visits/new?household={home}&visitor={cadre}"))
    html = form.get_data(as_text=True)
    assert form.status_code == 200
    assert selected(html, "household") == str(home)
    assert f'value="{cadre}"' in html and f'value="{TODAY.isoformat()}"' in html
    assert f'<option value="{elsewhere}"' not in html  # another township's household
    good = {"household": str(home), "visitor": cadre, "visited_on": str(TODAY), "days": "3"}
    before = count(demo, Visit)
    for bad, field, words in (
        ({"days": "0"}, "days", "1–31"),
        ({"visited_on": str(TODAY + timedelta(days=1))}, "visited_on", "今天"),
        ({"household": str(elsewhere)}, "household", "不存在"),
        ({"visitor": ""}, "visitor", ""),
    ):
        refused = officer.post(officer.f("cadre-visits/new"), {**good, **bad})
        assert refused.status_code == 422, bad
        assert words in error_beside(refused.get_data(as_text=True), field), bad
    assert count(demo, Visit) == before
    assert browser("leader").get(officer.f("cadre-visits/new")).status_code == 403

    done = officer.post(officer.f("cadre-visits/new"), {**good, "notes": "帮助制定增收计划"})
    assert done.status_code == 303, done.get_data(as_text=True)
    assert count(demo, Visit) == before + 1
    year = officer.get(done.headers["Location"])
    text = year.get_data(as_text=True)
    assert "入户 3 天已登记" in text
    row = cadre_row(text, home)
    assert cadre in row and "金先长" in row and "还差 1 次" in row and "还差 4 天" in row


def test_a_cadres_year_shows_the_read_with_those_behind_first(browser, demo):
    clerk, officer = browser("clerk"), browser("hengshan")
    done_home = register_household(clerk, HENGSHAN, name="李满")
    short_home = register_household(clerk, HENGSHAN, name="王缺")
    cadre = f"县林业局 方芳{uuid.uuid4().hex[:6]}"
    year = TODAY.year - 1  # last year: two visits on two days, whatever today is
    for home, on, days in (
        (done_home, date(year, 3, 1), 4),
        (done_home, date(year, 9, 1), 3),
        (short_home, date(year, 9, 1), 6),
    ):
        posted = clerk.post(
            clerk.f("cadre-visits/new"),
            {"household": str(home), "visitor": cadre, "visited_on": str(on), "days": str(days)},
        )
        assert posted.status_code == 303, posted.get_data(as_text=True)
    rows = read(demo, visits_read.cadre_years, CLERK, demo.fund, year, visitor=cadre)
    assert [(r.household_id, r.meets_minimum) for r in rows] == [
        (short_home, False),
        (done_home, True),
    ]
    html = officer.get(officer.f(f"cadre-visits?year={year}&visitor={cadre}"))
    text = html.get_data(as_text=True)
    assert html.status_code == 200
    assert re.findall(r'<tr data-household="(\d+)">', text) == [str(short_home), str(done_home)]
    for r in rows:
        cells = re.findall(r'<td class="num">(\d+)</td>', cadre_row(text, r.household_id))
        assert cells == [str(r.visits), str(r.days)]
    assert "还差 1 次,还差 1 天" in cadre_row(text, short_home)
    assert '<span class="ok">达标</span>' in cadre_row(text, done_home)
    assert re.search(r'<strong id="behind">(\d+)</strong>', text).group(1) == "1"
    visits_page = officer.get(officer.f("visits")).get_data(as_text=True)
    assert f'href="/f/{officer.fund}/cadre-visits?year={TODAY.year}"' in visits_page
    assert officer.get(officer.f(f"cadre-visits?township={OTHER_TOWN}")).status_code == 404
