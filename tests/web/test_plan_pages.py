"""Recording and revising a plan on the page (a table per batch: townships by years),
its history, and who may."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal as D

from werkzeug.datastructures import MultiDict

from ledger.actors import Actor, Role
from ledger.models import PlanLine, PlanRevision
from ledger.money import fmt
from ledger.read import plans as plans_read
from tests.web.journeys import HENGSHAN, OTHER_TOWN
from tests.web.test_pages import count, error_beside
from tests.web.test_programme_pages import read

CLERK = Actor("clerk", Role.CLERK)
UNKNOWN_TOWN = "341525999"


def cell(kind: str, year: int, town: str, batch: str = "1") -> str:
    return f"{kind}-{year}-{town}-{batch}"


def plan_form(first: int, last: int, cells: dict[str, str], **fields: str) -> dict[str, str]:
    return {
        "first_year": str(first),
        "last_year": str(last),
        "name": "脱贫工程三年规划",
        "reason": "县领导组会议审定",
        "date": f"{first}-01-10",
        **fields,
        **cells,
    }


def value_of(html: str, name: str) -> str:
    return re.search(rf'<input id="{name}" name="{name}" type="text" value="([^"]*)"', html)[1]


def form_error(html: str) -> str:
    """The message at the top of the form (about no input of it)."""
    return re.search(r'<p class="error form-error" role="alert">(.*?)</p>', html, re.S)[1]


def test_a_clerk_records_a_plan_in_the_table_and_revises_it(browser, demo):
    clerk = browser("clerk")
    blank = clerk.get(clerk.f("plans/new?first_year=2013&last_year=2015"))
    assert blank.status_code == 200
    page = blank.get_data(as_text=True)
    for year in (2013, 2014, 2015):  # a column pair per year, a row per township, a table per batch
        for batch in ("1", "2"):
            assert f'id="{cell("h", year, HENGSHAN, batch)}"' in page
            assert f'id="{cell("a", year, OTHER_TOWN, batch)}"' in page
    assert 'aria-label="衡山镇 第一批(2007) 2013 年户数"' in page
    assert 'id="period-first_year" name="first_year" type="number" value="2013"' in page
    cells = {
        cell("h", 2013, HENGSHAN): "12",
        cell("a", 2013, HENGSHAN): "36000.00",
        cell("h", 2014, OTHER_TOWN, "2"): "5",
        cell("a", 2014, OTHER_TOWN, "2"): "10000",
        cell("h", 2015, OTHER_TOWN, "2"): "",  # a blank pair is no line
        cell("a", 2015, OTHER_TOWN, "2"): "",
    }
    done = clerk.post(clerk.f("plans/new"), plan_form(2013, 2015, cells))
    assert done.status_code == 303, done.get_data(as_text=True)
    assert done.headers["Location"] == clerk.f("plans/2013")

    made = read(demo, plans_read.plan, CLERK, demo.fund, 2013)
    assert [(line.year, line.township, line.batch) for line in made.lines] == [
        (2013, HENGSHAN, "1"),
        (2014, OTHER_TOWN, "2"),
    ]
    assert [(line.planned.households, line.planned.amount) for line in made.lines] == [
        (12, D("36000.00")),
        (5, D("10000.00")),
    ]
    page = clerk.get(clerk.f("plans/2013")).get_data(as_text=True)
    assert "2013–2015 年规划已制定" in page
    assert value_of(page, cell("h", 2013, HENGSHAN)) == "12"
    assert value_of(page, cell("a", 2013, HENGSHAN)) == "36000.00"
    assert value_of(page, cell("h", 2015, HENGSHAN)) == ""
    assert "现行第 1 版,2013-01-10 起执行" in page

    revised = clerk.post(
        clerk.f("plans/2013"),
        {
            **cells,
            cell("h", 2013, HENGSHAN): "15",
            cell("a", 2013, HENGSHAN): "45000.00",
            "reason": "追加扶持户",
            "date": "2013-06-01",
        },
    )
    assert revised.status_code == 303, revised.get_data(as_text=True)
    page = clerk.get(clerk.f("plans/2013")).get_data(as_text=True)
    assert "规划已调整为第 2 版" in page and "现行第 2 版,2013-06-01 起执行" in page
    history = re.search(r'<table aria-labelledby="history">.*?</table>', page, re.S)[0]
    rows = re.findall(
        r"<tr><td class=\"num\">(.*?)</td><td>(.*?)</td><td>(.*?)</td><td>(.*?)<", history
    )
    assert rows == [
        ("第 2 版(现行)", "2013-06-01", "clerk", "追加扶持户"),
        ("第 1 版", "2013-01-10", "clerk", "县领导组会议审定"),
    ]
    assert value_of(page, cell("a", 2013, HENGSHAN)) == "45000.00"

    # The leader reads the plan as lines; the township officer their own township's only.
    leader = browser("leader").get(clerk.f("plans/2013")).get_data(as_text=True)
    assert f'action="{clerk.f("plans/2013")}"' not in leader
    assert fmt(D("45000.00")) in leader and fmt(D("10000.00")) in leader
    own = browser("hengshan").get(clerk.f("plans/2013")).get_data(as_text=True)
    assert fmt(D("45000.00")) in own and fmt(D("10000.00")) not in own

    # Plan against actual lists the plan and compares 2013 with version 2.
    listing = clerk.get(clerk.f("plans?year=2013")).get_data(as_text=True)
    assert f'href="{clerk.f("plans/2013")}"' in listing
    assert "对照 2013 年起的三年规划(第 2 版)" in listing
    total = re.search(r"<tfoot>(.*?)</tfoot>", listing, re.S)[1]
    assert re.findall(r'<td class="num">([^<]*)</td>', total)[:2] == ["15", "45,000.00"]


def test_what_the_plan_form_refuses_beside_the_cell(browser, demo):
    clerk = browser("clerk")
    before = count(demo, PlanRevision), count(demo, PlanLine)
    good = {cell("h", 2016, HENGSHAN): "3", cell("a", 2016, HENGSHAN): "9000.00"}

    negative = clerk.post(
        clerk.f("plans/new"),
        plan_form(
            2016,
            2018,
            {**good, cell("h", 2017, OTHER_TOWN): "2", cell("a", 2017, OTHER_TOWN): "-100"},
        ),
    )
    assert negative.status_code == 422
    html = negative.get_data(as_text=True)
    assert error_beside(html, cell("a", 2017, OTHER_TOWN)) == "必须大于零"
    assert value_of(html, cell("a", 2017, OTHER_TOWN)) == "-100"  # as typed
    assert value_of(html, cell("h", 2016, HENGSHAN)) == "3"

    half = clerk.post(
        clerk.f("plans/new"),
        plan_form(
            2016, 2018, {**good, cell("h", 2017, OTHER_TOWN): "2", cell("a", 2017, OTHER_TOWN): ""}
        ),
    )
    assert half.status_code == 422
    assert (
        error_beside(half.get_data(as_text=True), cell("a", 2017, OTHER_TOWN)) == "缺少必填字段。"
    )

    unknown = clerk.post(
        clerk.f("plans/new"),
        plan_form(
            2016,
            2018,
            {**good, cell("h", 2016, UNKNOWN_TOWN): "1", cell("a", 2016, UNKNOWN_TOWN): "100"},
        ),
    )
    assert unknown.status_code == 422
    assert UNKNOWN_TOWN in form_error(unknown.get_data(as_text=True))

    # A cell sent twice (a tampered form) is two lines for the same township, batch and year.
    twice = clerk.client.post(
        clerk.f("plans/new"),
        data=MultiDict(
            [
                ("csrf_token", clerk.csrf),
                ("idempotency_key", uuid.uuid4().hex),
                *plan_form(2016, 2018, good).items(),
                (cell("h", 2016, HENGSHAN), "4"),
                (cell("a", 2016, HENGSHAN), "100"),
            ]
        ),
    )
    assert twice.status_code == 422
    assert "重复" in error_beside(twice.get_data(as_text=True), cell("h", 2016, HENGSHAN))

    overlap = clerk.post(
        clerk.f("plans/new"),
        plan_form(2008, 2010, {cell("h", 2008, HENGSHAN): "1", cell("a", 2008, HENGSHAN): "100"}),
    )
    assert overlap.status_code == 422
    assert "重叠" in error_beside(overlap.get_data(as_text=True), "first_year")

    unchanged = read(demo, plans_read.plan, CLERK, demo.fund, 2007)
    same = clerk.post(
        clerk.f("plans/2007"), {**cells_of(unchanged), "reason": "无变化", "date": "2009-01-05"}
    )
    assert same.status_code == 422
    assert "完全相同" in form_error(same.get_data(as_text=True))
    empty = clerk.post(clerk.f("plans/new"), plan_form(2016, 2018, {}))
    assert empty.status_code == 422
    assert (
        form_error(empty.get_data(as_text=True)).strip()
        == "规划至少应有一行:某年某乡镇某批次的户数和金额。"
    )
    assert (count(demo, PlanRevision), count(demo, PlanLine)) == before


def cells_of(plan) -> dict[str, str]:
    out = {}
    for line in plan.lines:
        out[cell("h", line.year, line.township, line.batch)] = str(line.planned.households)
        out[cell("a", line.year, line.township, line.batch)] = str(line.planned.amount)
    return out


def test_only_the_clerk_records_or_revises_a_plan(browser, demo):
    before = count(demo, PlanRevision)
    form = plan_form(2019, 2021, {cell("h", 2019, HENGSHAN): "1", cell("a", 2019, HENGSHAN): "100"})
    for who in ("approver", "leader", "hengshan"):
        user = browser(who)
        assert user.get(user.f("plans/new")).status_code == 403, who
        assert user.post(user.f("plans/new"), form).status_code == 403, who
        assert user.post(user.f("plans/2007"), {**form, "date": "2009-01-05"}).status_code == 403
        page = user.get(user.f("plans/2007")).get_data(as_text=True)
        assert "调整规划" not in page and "plans/new" not in page
    assert count(demo, PlanRevision) == before
