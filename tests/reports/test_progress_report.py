"""进展情况汇报 as a PDF: title, period, sections and the key figures as text."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from ledger.money import fmt
from ledger.read.progress import progress_report
from reports.progress_report import render_progress_report
from tests.factories import CLERK_ACTOR
from tests.ledger.progress_world import build
from tests.reports import pdf
from tests.reports.conftest import CLERK, GENERATED

START, END = date(2007, 1, 1), date(2007, 12, 31)


@pytest.fixture
def printed(db):
    prog, _ = build(db)
    with db.read() as session:
        data = progress_report(session, CLERK_ACTOR, prog.code, start=START, end=END)
    return data, render_progress_report(data, generated_at=GENERATED)


def test_prints_title_period_and_sections(printed):
    _, document = printed
    text = pdf.squeezed(document)
    assert "测试周转金进展情况汇报" in text
    assert "期间:2007-01-01至2007-12-31" in text
    for section in (
        "一、总体情况",
        "二、本期借款发放情况",
        "三、计划完成情况",
        "四、回收情况及乡镇排名",
        "五、灾害情况",
        "六、联系人走访情况",
        "七、督查情况",
        "八、脱贫成效(2007年末)",
    ):
        assert section in text


def test_prints_the_key_figures_with_names_not_codes(printed):
    data, document = printed
    text = pdf.squeezed(document)
    assert "但家庙镇" in text and "衡山镇" in text and "第一批" in text
    # Township codes only inside loan numbers (1-340123001-0001), never in place of a name.
    assert "3401230" not in re.sub(r"\d+-\d{9}-\d{4}", "", text.replace(data.fund_code, ""))
    for amount in (
        data.activity.disbursed.amount,  # 9,000.00
        data.recovery.to_date.outstanding,  # 7,300.00
        data.disasters.total.assessed_loss,  # 1,700.00
        data.growth.total.at_year_end,  # 2,480.00
    ):
        assert fmt(amount) in text
    assert fmt(data.activity.disbursed.amount) == "9,000.00"
    assert "7·8风雹灾" in text and "挪作他用" in text
    # The ranking: T1 (100.00%) first, T2 with nothing due yet after it.
    assert text.index("1但家庙镇") < text.index("2衡山镇")
    assert "100.00%" in text


def test_renders_the_same_bytes_twice(printed):
    data, document = printed
    assert render_progress_report(data, generated_at=GENERATED) == document


def test_the_demos_2007_report_reproduces_the_countys(demo):
    """The seed's progress report (2007-12-28): 503 households, 1,000,000.00, 16 townships;
    the 7·8 and 8·13 disasters struck 82 households and 85 projects, 350,000.00 lost."""
    with demo.db.read() as session:
        data = progress_report(session, CLERK, demo.code, start=START, end=END)
    lent = data.activity.disbursed
    assert (lent.households, lent.amount) == (503, Decimal("1000000.00"))
    assert len([row for row in data.by_township if row.disbursed.households]) == 16
    hit = data.disasters.total
    assert (hit.households, hit.projects, hit.assessed_loss) == (82, 85, Decimal("350000.00"))
    # "被扶持的贫困党员大部分可望年底摆脱贫困": the year-end survey, approved by the 28th.
    assert data.outcome_year == 2007
    assert data.outcomes.total.out > data.outcomes.total.households / 2
    text = pdf.squeezed(render_progress_report(data, generated_at=GENERATED))
    for figure in ("503户", "1,000,000.00", "82", "85", "350,000.00"):
        assert figure in text, figure
