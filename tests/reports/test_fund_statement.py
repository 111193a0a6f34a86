"""周转金运行情况报告: the printed figures are the ledger's, on numbered pages, font embedded."""

from __future__ import annotations

from datetime import date

import pytest

from ledger import chart
from ledger.money import daxie, fmt
from ledger.read.books import trial_balance
from ledger.read.fund import RECOVERY_FIELDS, fund_statement, recovery_table, recovery_year
from ledger.read.plans import plan_against_actual
from reports.fund_statement import render_fund_statement
from tests.reports import pdf
from tests.reports.conftest import CLERK, GENERATED

pytestmark = pytest.mark.slow

YEAR_START, YEAR_END = date(2008, 1, 1), date(2008, 12, 31)
YEAR_END_2007 = date(2007, 12, 31)


@pytest.fixture(scope="module")
def statement(demo):
    with demo.db.read() as session:
        data = fund_statement(session, CLERK, demo.code, from_=YEAR_START, to=YEAR_END)
    return data, render_fund_statement(data, generated_at=GENERATED)


def test_kpis_are_the_ledgers_figures(demo, statement):
    data, document = statement
    s = data.summary
    with demo.db.read() as session:
        book = {
            r.code: r.balance for r in trial_balance(session, demo.fund_id, as_of=YEAR_END).rows
        }
    # The summary agrees with the book, and the PDF prints the summary.
    assert s.special_cash == book[chart.SPECIAL_ACCOUNT]
    assert s.township_cash == book[chart.TOWNSHIP_FUNDS]
    assert s.outstanding == book[chart.LOANS]
    assert s.liaison_receivable == book[chart.LIAISON_RECEIVABLE]
    assert s.written_off == book[chart.DISASTER_WRITE_OFFS] + book[chart.OTHER_WRITE_OFFS]
    assert s.capital == book[chart.CAPITAL]
    text = pdf.text(document)
    for amount in (
        s.capital,
        s.special_cash,
        s.outstanding,
        s.overdue_amount,
        s.written_off,
        s.recovered,
        s.disbursed_to_date,
        s.relending_capacity,
        *s.capital_by_source.values(),
    ):
        assert fmt(amount) in text
    assert f"{s.recovery_rate}%" in text
    assert f"{s.turnover} 次" in text
    assert f"{s.households_served:,} 户" in text
    assert "人民币" + daxie(s.capital) in text
    assert "人民币" + daxie(s.outstanding) in pdf.squeezed(document)
    assert "资金构成核对" in text and "相符" in text


def test_township_and_batch_tables_sum_to_their_totals(statement):
    data, document = statement
    groups = data.summary.by_township
    assert len(data.townships) == 16
    text = pdf.text(document)
    # A township's row and the total row are printed; the total is the sum of the rows.
    first = groups[0]
    assert fmt(first.outstanding) in text and first.name in text
    assert sum(g.outstanding for g in groups) == data.summary.outstanding
    assert sum(g.disbursed for g in data.summary.by_batch) == data.summary.disbursed_to_date
    assert fmt(sum(t.cash for t in data.townships)) in text


def test_recovery_table_twelve_columns_and_totals(demo, statement):
    data, document = statement
    assert data.recovery.year == 2008
    with demo.db.read() as session:
        assert recovery_year(session, demo.fund_id, date(2008, 6, 30)) == 2007
        direct = recovery_table(session, demo.fund_id, CLERK, 2008)
    assert direct == data.recovery
    total = data.recovery.total
    for name in RECOVERY_FIELDS:
        assert getattr(total, name) == sum(getattr(r, name) for r in data.recovery.rows)
    assert total.closing == total.opening + total.lent - total.written_off - total.recovered
    text = pdf.text(document)
    assert "周转金回收情况表(2008 年度)" in text
    assert "3=1+2-7-8" in text and "11=9÷5" in text and "12=10÷6" in text
    for name in RECOVERY_FIELDS:
        assert fmt(getattr(total, name)) in text, name
    assert f"{total.rate_this_year}%" in text and f"{total.rate_to_date}%" in text


def test_aging_buckets_and_chart(statement):
    data, document = statement
    a = data.aging
    # Buckets only (no list of loans), and the same overdue figures as the summary.
    assert a.loans == () and a.overdue_loans == data.summary.overdue_loans > 0
    assert a.overdue_amount == data.summary.overdue_amount
    text = pdf.text(document)
    assert fmt(a.overdue_amount) in text and "365 天以上" in text
    # The chart is drawn, not pasted in as a picture.
    assert "各乡镇借款余额与逾期金额" in text and "万元" in text
    assert pdf.images(document) == 0


def test_pages_are_numbered_and_fonts_embedded(statement):
    _, document = statement
    assert pdf.assert_numbered(document) >= 3
    pdf.assert_embedded(document)
    text = pdf.text(document)
    assert "周转金运行情况报告" in text
    assert "农村贫困党员脱贫工程专项扶持资金(PPM2007)" in text
    assert "期间:2008-01-01 至 2008-12-31" in text
    assert "编制时间:2009-01-05 09:30(北京时间)" in text  # 01:30 UTC
    assert "编制人" in text and "审核人" in text


def test_audit_chain_head_is_printed(statement):
    data, document = statement
    assert data.audit_hash in pdf.text(document).replace("\n", "")


def test_same_data_same_bytes(statement):
    data, document = statement
    assert render_fund_statement(data, generated_at=GENERATED) == document


def test_as_of_a_past_date(demo):
    """After batch 1 was paid out: the capital lent once, 503 households."""
    with demo.db.read() as session:
        data = fund_statement(session, CLERK, demo.code, to=date(2007, 4, 30))
    text = pdf.text(render_fund_statement(data, generated_at=GENERATED))
    assert "截至 2007-04-30" in text
    assert data.summary.disbursed_to_date == data.summary.capital
    assert "503 户" in text
    assert "累计资金运动" in text
    # The recovery table of a year that is not over as of the date is the year before.
    assert data.recovery.year == 2006


def test_plan_against_actual_of_the_statements_year(demo):
    """2007: each township's plan for batch 1 against what was registered, approved, paid."""
    with demo.db.read() as session:
        data = fund_statement(session, CLERK, demo.code, from_=date(2007, 1, 1), to=YEAR_END_2007)
        direct = plan_against_actual(session, CLERK, demo.code, 2007, as_of=YEAR_END_2007)
    [report] = data.plans
    assert report == direct and report.plan_version == 1
    text = pdf.squeezed(render_fund_statement(data, generated_at=GENERATED))
    assert "八、计划完成情况" in text and "2007年(对照2007年起的规划第1版)" in text
    total = report.total
    assert total.planned.households == 503 and total.disbursed.households == 503
    printed = "".join(
        f"{t.households:,}{fmt(t.amount)}"
        for t in (total.planned, total.registered, total.approved, total.disbursed)
    )
    assert f"合计{printed}{total.disbursed_share}%" in text
    town = report.townships[0]
    assert f"{town.township_name}{town.planned.households:,}{fmt(town.planned.amount)}" in text


def test_a_year_the_plan_left_empty_and_a_year_without_a_plan(demo, statement):
    data, document = statement
    [report] = data.plans  # 2008: the revision moved batch 2 whole to 2009
    assert (report.plan_version, report.townships) == (2, ())
    text = pdf.squeezed(document)
    assert "2008年:规划第2版未安排扶持户,也没有登记、审定或发放。" in text
    with demo.db.read() as session:
        later = fund_statement(
            session, CLERK, demo.code, from_=date(2010, 1, 1), to=date(2010, 12, 31)
        )
    assert [r.plan_version for r in later.plans] == [None]
    text = pdf.squeezed(render_fund_statement(later, generated_at=GENERATED))
    assert "八、计划完成情况2010年没有制定计划,不作对照。" in text
    assert "发放占计划" not in text  # no empty table
