"""The demo's 61 societies of 舟曲县: 13,100,000.00 of fiscal capital, a year of loans,
one overdue group written off against the risk reserve, and the 2013 distribution done."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from ledger.actors import Actor
from ledger.audit import verify
from ledger.db import Database
from ledger.models import Fund
from ledger.programmes import MUTUAL_AID
from ledger.programmes.mutual_aid import reads
from ledger.programmes.mutual_aid.demo import (
    COUNTY,
    FISCAL_TOTAL,
    LEFT_UNPAID,
    OVERDUE,
    society_code,
)
from ledger.programmes.mutual_aid.models import (
    LoanState,
    ShareAllocation,
    SocietyLoan,
    SocietyMember,
)
from ledger.read.books import balance_mismatches, trial_balance

D = Decimal
LEADER = Actor("leader", "leader")
YEAR_END = date(2013, 12, 31)
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(loaded_demo: Database) -> Database:
    """The demo the run loads once (`load_demo` loads the societies beside the revolving
    fund): building the 61 societies again here cost a minute, several under load."""
    return loaded_demo


def test_61_societies_hold_13_100_000_of_fiscal_capital(demo):
    with demo.read() as session:
        rollup = reads.county_societies(session, LEADER, YEAR_END, region=COUNTY)
        assert len(rollup.rows) == 61
        assert rollup.totals.fiscal_capital == D("13100000.00") == FISCAL_TOTAL
        amounts = sorted(row.fiscal_capital for row in rollup.rows)
        assert amounts == [D("200000.00")] * 49 + [D("275000.00")] * 12
        assert {row.society.county_name for row in rollup.rows} == {"舟曲县"}
        # Four households a society, the poor with an allocated share, the others a bought one.
        assert rollup.totals.members == 244
        poor = session.scalar(select(func.count()).where(SocietyMember.poor))
        allocated = session.scalar(select(func.count(func.distinct(ShareAllocation.member_id))))
        assert rollup.totals.poor_members == poor == allocated
        assert rollup.totals.member_shares == D(1000) * (244 - poor)


def test_every_book_balances_and_every_chain_verifies(demo):
    with demo.read() as session:
        funds = session.scalars(select(Fund.id).where(Fund.kind == MUTUAL_AID)).all()
        assert len(funds) == 61
        for fund_id in funds:
            assert trial_balance(session, fund_id).totals.balanced
            assert balance_mismatches(session, fund_id) == []
        assert verify(session).ok


def test_one_group_falls_overdue_and_is_written_off_against_the_risk_reserve(demo):
    late = society_code(OVERDUE)
    with demo.read() as session:
        rollup = reads.county_societies(session, LEADER, YEAR_END, region=COUNTY)
        overdue = {row.society.fund: row.overdue for row in rollup.rows if row.overdue}
        assert overdue == {late: LEFT_UNPAID}
        loans = session.scalars(
            select(SocietyLoan.state).join(Fund, Fund.id == SocietyLoan.fund_id)
        ).all()
        assert len(loans) == 122
        numbered = session.execute(
            select(SocietyLoan.applied_on).order_by(SocietyLoan.fund_id, SocietyLoan.no)
        ).scalars()
        by_fund = session.execute(
            select(SocietyLoan.applied_on).order_by(SocietyLoan.fund_id, SocietyLoan.applied_on)
        ).scalars()
        assert list(numbered) == list(by_fund)  # loan numbers follow the application dates
        assert loans.count(LoanState.WRITTEN_OFF) == 1
        assert loans.count(LoanState.REPAID) == 121
        after = reads.society_figures(
            session, reads.visible(session, LEADER, late).id, date(2014, 3, 31)
        )
        assert (after.loans_outstanding, after.overdue) == (D("0.00"), D("0.00"))
        statement = reads.member_statement(
            session, LEADER, late, _borrower(session, late), date(2014, 3, 31)
        )
        [written_off] = [m for m in statement.movements if m.kind == "核销"]
        assert written_off.principal == LEFT_UNPAID and written_off.fee > 0


def _borrower(session, code: str) -> int:
    return session.scalar(
        select(SocietyLoan.member_id)
        .join(Fund, Fund.id == SocietyLoan.fund_id)
        .where(Fund.code == code, SocietyLoan.state == LoanState.WRITTEN_OFF)
    )


def test_the_2013_distribution_is_done_in_every_society(demo):
    with demo.read() as session:
        for index in range(61):
            table = reads.distribution_table(session, LEADER, society_code(index), 2013)
            done = table.distribution
            assert done.result > 0
            parts = done.reserve + done.welfare + done.risk + done.staff
            assert parts + sum((d.dividend for d in table.dividends), D(0)) == done.result
            assert table.percentages["risk"] == D("0.3")
        # Dividends and subsidies declared were paid out on 2014-01-15.
        figures = reads.county_societies(session, LEADER, date(2014, 1, 31), region=COUNTY)
        assert figures.totals.reserves > 0
