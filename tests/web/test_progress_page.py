"""进展情况汇报 as a page: the same read as the PDF, its period picker, a township
officer's own township, and the links a leader follows to it."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from ledger import dates
from ledger.actors import Actor, Role
from ledger.money import fmt
from ledger.read import progress as progress_read
from ledger.read.rates import percent
from tests.web.journeys import HENGSHAN
from tests.web.test_pages import error_beside
from tests.web.test_programme_pages import read

CLERK = Actor("clerk", Role.CLERK)
OFFICER = Actor("hengshan", Role.TOWNSHIP, township_code=HENGSHAN)
#: The demo's programme year and half the next: lending, visits, disasters, inspections
#: (their findings due by 2007's end, so overdue by the period's) and 2007's incomes.
YEAR = {"start": date(2007, 1, 1), "end": date(2008, 6, 30)}
QUERY = "progress?start=2007-01-01&end=2008-06-30"


def text_of(html: str, element_id: str) -> str:
    return re.search(rf'id="{element_id}">([^<]*)<', html).group(1)


def table(html: str, table_id: str) -> str:
    return re.search(rf'<table id="{table_id}">.*?</table>', html, re.S).group(0)


def cells(row: str) -> list[str]:
    return re.findall(r'<td class="num[^"]*">([^<]*)</td>', row)


def test_the_page_shows_the_reads_figures(browser, demo):
    leader = browser("leader")
    report = read(demo, progress_read.progress_report, CLERK, demo.fund, **YEAR)
    html = leader.get(leader.f(QUERY)).get_data(as_text=True)
    t = report.recovery.to_date
    assert text_of(html, "registered") == str(report.activity.registered.households)
    assert text_of(html, "disbursed") == str(report.activity.disbursed.households)
    assert text_of(html, "recovered") == fmt(report.recovery.recovered)
    assert text_of(html, "disbursed-to-date") == fmt(t.disbursed)
    assert text_of(html, "outstanding") == fmt(t.outstanding)
    assert text_of(html, "recovery-rate") == f"{report.recovery.recovery_rate}%"
    assert text_of(html, "hit") == str(report.disasters.total.households)
    assert text_of(html, "visits-missing") == str(report.visits_total.missing)
    assert text_of(html, "out") == str(report.outcomes.total.out)
    assert text_of(html, "findings-open") == str(len(report.inspections.open))
    assert report.activity.disbursed.households > 0 and report.disasters.total.households > 0
    assert report.outcome_year == 2007 and report.outcomes.total.out > 0

    # The townships ranked as the read ranks them, by name, with the read's figures.
    ranked = table(html, "recovery")
    assert re.findall(r'<tr id="rank-(\d+)">', ranked) == [r.township for r in report.townships]
    first = report.townships[0]
    row = re.search(rf'<tr id="rank-{first.township}">.*?</tr>', ranked, re.S).group(0)
    assert f"<td>{first.name}</td>" in row
    assert cells(row) == [
        fmt(first.repaid),
        fmt(first.called),
        fmt(first.written_off),
        fmt(first.to_date.disbursed),
        fmt(first.to_date.recovered),
        fmt(first.to_date.outstanding),
        fmt(first.to_date.overdue_amount),
        f"{first.recovery_rate}%",
    ]
    lending = re.search(r"<tfoot>.*?</tfoot>", table(html, "lending-townships"), re.S).group(0)
    a = report.activity
    assert cells(lending) == [
        str(a.registered.households),
        fmt(a.registered.amount),
        str(a.approved.households),
        fmt(a.approved.amount),
        str(a.disbursed.households),
        fmt(a.disbursed.amount),
    ]
    visits = re.search(r"<tfoot>.*?</tfoot>", table(html, "visits"), re.S).group(0)
    total = report.visits_total
    rate = percent(Decimal(total.done), Decimal(total.due))
    assert cells(visits) == [str(total.due), str(total.done), str(total.missing), f"{rate}%"]
    assert 0 < total.done < total.due  # some visits made, some missing
    disasters = re.search(r"<tfoot>.*?</tfoot>", table(html, "disasters"), re.S).group(0)
    d = report.disasters.total
    assert cells(disasters) == [
        str(d.households),
        str(d.projects),
        fmt(d.assessed_loss),
        fmt(d.written_off),
    ]

    # Open findings as of the end, those past their date marked.
    findings = table(html, "findings")
    assert re.findall(r'<tr id="finding-(\d+)"', findings) == [
        str(f.id) for f in report.inspections.open
    ]
    for f in report.inspections.open:
        row = re.search(rf'<tr id="finding-{f.id}"[^>]*>.*?</tr>', findings, re.S).group(0)
        assert (' class="red"' in row) == f.overdue and ("已逾期" in row) == f.overdue
    assert any(f.overdue for f in report.inspections.open)

    # The PDF of the same period.
    pdf = f"/api/v1/funds/{leader.fund}/reports/progress.pdf?start=2007-01-01&amp;end=2008-06-30"
    assert f'href="{pdf}"' in html


def test_the_year_so_far_by_default_and_a_bad_period_beside_its_field(browser):
    clerk = browser("clerk")
    today = dates.today()
    html = clerk.get(clerk.f("progress")).get_data(as_text=True)
    assert f"{today.year}-01-01 至 {today}" in html
    assert f'id="start" name="start" type="date" value="{today.year}-01-01"' in html
    backwards = clerk.get(clerk.f("progress?start=2007-12-31&end=2007-01-01"))
    assert backwards.status_code == 200
    text = backwards.get_data(as_text=True)
    assert "早于起始日期" in error_beside(text, "end")
    assert f"{today.year}-01-01 至 {today}" in text  # the year so far instead
    assert 'value="2007-01-01"' in text  # what was typed stays in the field
    future = clerk.get(clerk.f(f"progress?end={date(today.year + 1, 1, 1)}"))
    assert "今天" in error_beside(future.get_data(as_text=True), "end")
    mistyped = clerk.get(clerk.f("progress?start=2007-02-30"))
    assert error_beside(mistyped.get_data(as_text=True), "start")


def test_a_township_officer_reads_their_own_townships_report(browser, demo):
    clerk, officer = browser("clerk"), browser("hengshan")
    county = read(demo, progress_read.progress_report, CLERK, demo.fund, **YEAR)
    own = read(demo, progress_read.progress_report, OFFICER, demo.fund, **YEAR)
    html = officer.get(officer.f(QUERY)).get_data(as_text=True)
    assert re.findall(r'<tr id="rank-(\d+)">', table(html, "recovery")) == [HENGSHAN]
    assert re.findall(r'<tr id="visits-(\d+)">', table(html, "visits")) == [HENGSHAN]
    assert text_of(html, "outstanding") == fmt(own.recovery.to_date.outstanding)
    assert own.recovery.to_date.outstanding < county.recovery.to_date.outstanding
    others = {r.name for r in county.townships} - {r.name for r in own.townships}
    assert others and not [name for name in others if name in html]
    # The findings it lists are its own loans'; another township's loan is a 404.
    theirs = [f.loan for f in own.inspections.open if f.loan]
    stranger = next(f.loan for f in county.inspections.open if f.township != HENGSHAN and f.loan)
    assert stranger not in html
    for no in theirs:
        assert officer.get(officer.f(f"loans/{no}")).status_code == 200
    assert officer.get(officer.f(f"loans/{stranger}")).status_code == 404
    assert clerk.get(clerk.f(f"loans/{stranger}")).status_code == 200


def test_a_leader_finds_the_report_from_the_menu_and_the_dashboard(browser):
    for who in ("leader", "clerk", "hengshan"):
        user = browser(who)
        home = user.get(user.f("dashboard" if who == "leader" else "")).get_data(as_text=True)
        assert f'href="/f/{user.fund}/progress">进展汇报</a>' in home, who
    leader = browser("leader")
    dashboard = leader.get(leader.f("dashboard")).get_data(as_text=True)
    statements = leader.get(leader.f("statements")).get_data(as_text=True)
    assert dashboard.count(f'href="/f/{leader.fund}/progress"') == 2  # the menu and the page
    assert f'href="/f/{leader.fund}/progress"' in statements
