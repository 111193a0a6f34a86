"""The society's PDFs, read back: a small society's year with figures worked by hand.

A society of 100,000.00 under the default 章程 (7 days' notice, 6‰ a month, 9‰ overdue),
a group of five who bought 1,000.00 each; 5,000.00 lent on 2024-02-10 for 12 months,
1,000.00 repaid on 2024-03-11 (30 days' fee 30.00 first, then 970.00 of principal);
a second loan applied for and published on 2024-03-04, awaiting approval.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ledger.actors import Actor
from ledger.errors import RecordNotFound, RegionNotFound
from ledger.programmes.mutual_aid import reads, yearend
from ledger.programmes.mutual_aid import services as society
from reports.society_distribution import render_distribution_table
from reports.society_member import render_member_statement
from reports.society_monthly import render_monthly_report
from reports.society_notice import render_loan_notice
from reports.society_rollup import render_society_rollup
from tests.factories import committing
from tests.mutual_aid.society import APPROVER, CASHIER, CLERK, lend, make_group_of, make_society
from tests.reports import pdf
from tests.reports.conftest import GENERATED

D = Decimal
LEADER = Actor("lingdao", "leader")


@pytest.fixture
def year(db):
    fund = make_society(db)
    members = make_group_of(db, fund)
    loan = lend(db, fund, members[0])
    with committing(db) as uow:
        society.repay(uow, CASHIER, fund.code, loan.no, on=date(2024, 3, 11), amount="1000.00")
        waiting = society.apply_for_loan(
            uow,
            CLERK,
            fund.code,
            member=members[1].id,
            amount="2000.00",
            term_months=6,
            purpose="种植花椒",
            applied_on=date(2024, 3, 1),
        )
        society.post_notice(uow, CLERK, fund.code, waiting.no, on=date(2024, 3, 4))
    return fund, members, loan, waiting


def read(db, gather, *args):
    with db.read() as session:
        return gather(session, LEADER, *args)


def test_the_notice_lists_the_loans_on_notice_with_the_day_they_may_be_approved(db, year):
    fund, members, _, waiting = year
    notice = read(db, reads.loan_notice, fund.code, date(2024, 3, 5))
    [row] = notice.rows
    assert (row.no, row.amount, row.noticed_on, row.approvable_on) == (
        waiting.no,
        D("2000.00"),
        date(2024, 3, 4),
        date(2024, 3, 11),
    )
    assert (row.member, row.group, row.notice_days) == (members[1].name, "G1", 7)
    text = pdf.squeezed(render_loan_notice(notice, generated_at=GENERATED))
    assert f"{waiting.no}张三G12,000.006个月月6‰种植花椒2024-03-042024-03-11" in text
    assert "合计1笔2,000.00" in text
    fonts = pdf.fonts(render_loan_notice(notice))
    assert fonts and all(fonts.values())  # the CJK font, embedded
    # Before it was published, and once approved, it is not on the notice.
    assert read(db, reads.loan_notice, fund.code, date(2024, 3, 3)).rows == ()
    with committing(db) as uow:
        society.approve_loan(uow, APPROVER, fund.code, waiting.no, on=date(2024, 3, 11))
    assert read(db, reads.loan_notice, fund.code, date(2024, 3, 11)).rows == ()
    # The notice of a day before the approval is still the one that hung then.
    assert [r.no for r in read(db, reads.loan_notice, fund.code, date(2024, 3, 10)).rows] == [
        waiting.no
    ]


def test_a_members_statement_shows_shares_loan_and_repayment_fee_first(db, year):
    fund, members, loan, _ = year
    statement = read(db, reads.member_statement, fund.code, members[0].id, date(2024, 3, 31))
    assert [(s.on, s.kind, s.amount) for s in statement.shares] == [
        (date(2024, 1, 1), "入股", D("1000.00"))
    ]
    assert [(m.on, m.kind, m.principal, m.fee) for m in statement.movements] == [
        (date(2024, 2, 10), "放款", D("5000.00"), D("0.00")),
        (date(2024, 3, 11), "还款", D("970.00"), D("30.00")),
    ]
    [row] = statement.loans
    assert row.figures.principal_outstanding == D("4030.00")
    text = pdf.squeezed(render_member_statement(statement, generated_at=GENERATED))
    assert "2024-01-01入股1,000.00" in text
    assert f"{loan.no}还款970.0030.00" in text
    # After the year end the fee income is closed into the result; the fee paid still reads
    # from the repayments.
    with committing(db) as uow:
        yearend.distribute(uow, APPROVER, fund.code, 2024)
    later = read(db, reads.member_statement, fund.code, members[0].id, date(2025, 1, 31))
    text = pdf.squeezed(render_member_statement(later, generated_at=GENERATED))
    assert "借款中4,030.0030.00237.77" in text  # outstanding, fee paid, fee accrued to 12-31
    assert later.dividends_declared == later.dividends_unpaid == D("10.71")


def test_another_societys_member_is_not_found(db, year):
    fund, _, _, _ = year
    other = make_society(db)
    stranger = make_group_of(db, other, size=3)[0]
    with pytest.raises(RecordNotFound):
        read(db, reads.member_statement, fund.code, stranger.id)


def test_the_monthly_report_balances_by_source_with_fees_and_ages(db, year):
    fund, _, _, _ = year
    march = read(db, reads.monthly_report, fund.code, "2024-03")
    assert [(a.code, a.amount) for a in march.assets] == [
        ("1001", D("101000.00")),
        ("1201", D("4030.00")),
        ("1301", D("0.00")),
    ]
    capital = {line.code: line.amount for line in march.capital}
    assert capital == {
        "3001": D("100000.00"),
        "3002": D("5000.00"),
        "3003": D("0.00"),
        "3101": D("0.00"),
        "3102": D("0.00"),
        "3103": D("0.00"),
        "3201": D("30.00"),
    }
    fees, interest, expenses = march.income
    assert (fees.code, fees.month, fees.year) == ("4001", D("30.00"), D("30.00"))
    assert interest.year == expenses.year == D("0.00")
    assert [(a.loans, a.principal) for a in march.ages] == [(1, D("4030.00"))] + [
        (0, D("0.00"))
    ] * 4
    assert (march.members, march.poor_members) == (5, 0)
    text = pdf.squeezed(render_monthly_report(march, generated_at=GENERATED))
    assert "资产合计105,030.00" in text and "与资产合计相等" in text
    # Due 2025-02-10: on 2025-04-30 it is 79 days late.
    april = read(db, reads.monthly_report, fund.code, "2025-04")
    assert [(a.label, a.loans, a.principal) for a in april.ages if a.loans] == [
        ("逾期 31–90 天", 1, D("4030.00"))
    ]


def test_the_distribution_table_reads_back_what_was_distributed(db, year):
    fund, members, _, _ = year
    with pytest.raises(RecordNotFound):
        read(db, reads.distribution_table, fund.code, 2024)
    with committing(db) as uow:
        declared = yearend.distribute(uow, APPROVER, fund.code, 2024)
    table = read(db, reads.distribution_table, fund.code, 2024)
    read_back = table.distribution
    # 30.00 paid and 237.77 accrued to 31 December (4,030.00 × 6‰ × 295 / 30).
    assert (read_back.income, read_back.expenses, read_back.result) == (
        D("267.77"),
        D("0.00"),
        D("267.77"),
    )
    assert read_back == declared
    assert (
        (read_back.reserve, read_back.welfare, read_back.risk, read_back.staff)
        == (
            declared.reserve,
            declared.welfare,
            declared.risk,
            declared.staff,
        )
        == (D("80.35"), D("26.77"), D("80.33"), D("26.77"))
    )
    assert {d.member: d.dividend for d in table.dividends} == declared.dividends
    assert [(d.shares, d.dividend) for d in table.dividends] == [(D("1000.00"), D("10.71"))] * 5
    assert [(d.member, d.name) for d in table.dividends] == [(m.id, m.name) for m in members]
    text = pdf.squeezed(render_distribution_table(table, generated_at=GENERATED))
    assert "公积金30%80.35" in text and "风险准备金30%80.33" in text
    assert "社员分红20%53.55" in text and "合计100%267.77" in text


def test_the_roll_up_sums_the_societies_and_marks_the_overdue(db, year):
    fund, _, _, _ = year
    other = make_society(db, fiscal="50000.00")
    rollup = read(db, reads.county_societies, date(2025, 3, 1), fund.county_code)
    rows = {row.society.fund: row for row in rollup.rows}
    assert (rollup.region, rollup.as_of) == (fund.county_code, date(2025, 3, 1))
    assert rows[fund.code].loans_outstanding == rows[fund.code].overdue == D("4030.00")
    assert rows[other.code].fiscal_capital == D("50000.00")
    assert rollup.totals.fiscal_capital == sum((f.fiscal_capital for f in rows.values()), D(0))
    assert rollup.totals.members == sum(f.members for f in rows.values())
    # The 2024 fees (267.77) were closed on 31 December; 2025's to 1 March are not accrued yet.
    assert rows[fund.code].fee_income == D("0.00")
    before = read(db, reads.county_societies, date(2024, 3, 31), fund.county_code)
    mine = {row.society.fund: row for row in before.rows}[fund.code]
    assert (mine.loans_outstanding, mine.overdue, mine.fee_income) == (
        D("4030.00"),
        D("0.00"),
        D("30.00"),
    )
    text = pdf.squeezed(render_society_rollup(rollup, generated_at=GENERATED))
    assert "胡家湾" not in text and "某村扶贫互助社" in text and "4,030.00" in text
    # A user granted one society sees that one only.
    own = read_as(db, Actor("kuaiji", "clerk", fund_code=fund.code), fund.county_code)
    assert [row.society.fund for row in own.rows] == [fund.code]


def test_the_roll_up_counts_a_years_fees_after_its_year_end(db, year):
    fund, _, _, _ = year
    with committing(db) as uow:
        yearend.distribute(uow, APPROVER, fund.code, 2024)
    # On 31 December the close empties 4001; the year's fees (30.00 paid, 237.77 accrued)
    # are still the year's income.
    row = read(db, reads.county_societies, date(2024, 12, 31), fund.county_code).rows[0]
    assert row.fee_income == D("267.77")


def test_a_region_outside_the_readers_is_not_found(db, year):
    fund, _, _, _ = year
    outsider = Actor("lingdao-2", "leader", region="110101")
    with pytest.raises(RegionNotFound):
        read_as(db, outsider, fund.county_code)


def read_as(db, actor, region):
    with db.read() as session:
        return reads.county_societies(session, actor, region=region)
