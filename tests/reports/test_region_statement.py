"""各区县周转金运行情况对照表: each county's row and the totals as the overview gives them,
on numbered landscape pages with the font embedded and the chart in vector graphics."""

from __future__ import annotations

from datetime import date

from ledger.actors import Actor
from ledger.money import fmt
from ledger.read.regions import overview
from reports.region_statement import render_region_statement
from tests.ledger.region_world import NAMES, build_province
from tests.reports import pdf
from tests.reports.conftest import GENERATED

LEADER = Actor("province-leader", "leader", region="63")


def test_the_statement_prints_every_county_and_the_totals(db):
    build_province(db)
    with db.read() as session:
        data = overview(session, LEADER, "63", date(2008, 7, 1))
    document = render_region_statement(data, generated_at=GENERATED)
    text = pdf.text(document)
    squeezed = pdf.squeezed(document)
    assert "各区县周转金运行情况对照表" in text and "截至 2008-07-01" in text
    ours = [c for c in data.counties if c.county in NAMES]
    assert len(ours) == len(NAMES)
    for county in ours:
        assert county.name in squeezed and county.county in text
    t = data.totals
    for amount in (t.appropriated, t.disbursed, t.recovered, t.outstanding, t.overdue):
        assert fmt(amount) in text, amount
    assert f"{t.recovery_rate}%" in text and f"{t.turnover} 次" in text
    assert pdf.assert_numbered(document) >= 1
    pdf.assert_embedded(document)
    assert pdf.images(document) == 0  # the chart is drawn, not pasted
    assert render_region_statement(data, generated_at=GENERATED) == document


def test_a_region_without_lending_still_prints(db):
    build_province(db)
    with db.read() as session:
        data = overview(session, LEADER, "6302", date(2007, 1, 1))
    text = pdf.text(render_region_statement(data, generated_at=GENERATED))
    assert "乐都区" in text and "合计" in text and "—" in text
