"""The demo programme loads once, deterministically, and the queries reproduce it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from ledger import chart
from ledger.actors import Actor
from ledger.audit import verify
from ledger.db import Database
from ledger.demo import FUND, POVERTY_LINE, VISIT_MONTHS, ZHOU_QIN, DemoRefused, load_demo
from ledger.models import (
    Account,
    AccountDailyTotal,
    AuditRecord,
    Disaster,
    Finding,
    Household,
    IncomeRecord,
    Inspection,
    LossReport,
    ProposalStatus,
    Recall,
    User,
    Visit,
    WriteOff,
)
from ledger.read import inspections, outcomes, plans, visits
from ledger.read.books import balance_mismatches, trial_balance
from ledger.read.fund import aging, fund_summary, recovery_table, township_positions
from ledger.read.loans import loan_rows
from ledger.services import lookup
from tests.ledger.kept_figures import assert_kept_matches

D = Decimal
CLERK = Actor("clerk", "clerk")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(loaded_demo: Database) -> tuple[Database, int]:
    with loaded_demo.read() as session:
        return loaded_demo, lookup.fund(session, FUND).id


def test_demo_refuses_a_non_empty_database(demo):
    db, _ = demo
    with pytest.raises(DemoRefused) as info:
        load_demo(db)
    assert "empty" in info.value.detail_en


def test_the_clerk_and_the_township_officer_are_granted_the_demo_fund(demo):
    db, _ = demo
    with db.read() as session:
        grants = {
            name: (fund, region)
            for name, fund, region in session.execute(
                select(User.username, User.fund_code, User.region)
            )
        }
        home = lookup.fund(session, FUND).county_code
    # The fund's leader and approver see its county only (one fund, as before the
    # societies); 舟曲县's leader reads the societies.
    assert grants == {
        "clerk": (FUND, None),
        "hengshan": (FUND, None),
        "approver": (None, home),
        "leader": (None, home),
        "admin": (None, None),
        "zhouqu": (None, "623023"),
    }


def test_book_balances(demo):
    db, fund_id = demo
    with db.read() as session:
        assert trial_balance(session, fund_id).totals.balanced
        assert balance_mismatches(session, fund_id) == []


def test_fund_shape_matches_the_county_report(demo):
    db, fund_id = demo
    with db.read() as session:
        summary = fund_summary(session, fund_id, CLERK, as_of=date(2007, 4, 30))
        assert summary.capital == D("1000000.00")
        assert len(summary.by_township) == 16
        batch_1 = {g.key: g for g in summary.by_batch}["1"]
        assert (batch_1.loans, batch_1.disbursed) == (503, D("1000000.00"))
        assert summary.households_served == 503
        positions = township_positions(session, fund_id, CLERK, as_of=date(2007, 4, 30))
        # Batch 1's disbursements total exactly what was allocated.
        assert (
            sum(p.allocated for p in positions)
            == sum(p.disbursed for p in positions)
            == D("1000000.00")
        )
        assert all(p.balanced for p in positions)
        losses = session.execute(
            select(func.count(LossReport.id), func.count(func.distinct(LossReport.loan_id)))
        ).one()
        assert tuple(losses) == (85, 82)
        assessed = session.scalars(select(LossReport.assessed_loss)).all()
        assert sum(assessed, D("0.00")) == D("350000.00")
        assert session.scalar(select(func.count(Disaster.id))) == 2


def test_write_offs_and_revolving(demo):
    db, fund_id = demo
    with db.read() as session:
        summary = fund_summary(session, fund_id, CLERK)
        approved = session.scalars(
            select(WriteOff.amount).where(WriteOff.status == ProposalStatus.APPROVED)
        ).all()
        assert summary.written_off == sum(approved, D("0.00")) > 0
        assert (
            session.scalar(
                select(func.count(WriteOff.id)).where(WriteOff.status == ProposalStatus.REJECTED)
            )
            == 1
        )
        # Batch 2 was lent from recovered money, so cumulative lending exceeds capital.
        assert summary.disbursed_to_date > summary.capital
        assert summary.turnover > 1
        assert (
            summary.special_cash
            + summary.township_cash
            + summary.outstanding
            + summary.liaison_receivable
            + summary.written_off
        ) == summary.capital
        table = recovery_table(session, fund_id, CLERK, 2008)
        assert table.total.closing == (
            table.total.opening + table.total.lent - table.total.written_off - table.total.recovered
        )
        report = aging(session, CLERK, FUND, as_of=date(2008, 12, 31))
        assert report.loans and sum(b.loans for b in report.buckets) == len(report.loans)


def test_cash_never_goes_negative_on_any_day(demo):
    """The story is told in date order: no township sends back money it has not yet collected."""
    db, fund_id = demo
    with db.read() as session:
        rows = session.execute(
            select(
                Account.code,
                Account.subkey,
                AccountDailyTotal.day,
                AccountDailyTotal.debit,
                AccountDailyTotal.credit,
            )
            .join(AccountDailyTotal, AccountDailyTotal.account_id == Account.id)
            .where(
                Account.fund_id == fund_id,
                Account.code.in_([chart.SPECIAL_ACCOUNT, chart.TOWNSHIP_FUNDS]),
            )
            .order_by(Account.id, AccountDailyTotal.day)
        ).all()
    running: dict[tuple[str, str], Decimal] = {}
    overdrawn = []
    for code, key, day, debit, credit in rows:
        held = running[code, key] = running.get((code, key), D("0.00")) + debit - credit
        if held < 0:
            overdrawn.append((code, key, day, held))
    assert len(running) == 17  # the special account and 16 townships
    assert overdrawn == []


def test_the_load_is_one_audited_write(demo):
    """On the fund's chain; each society's verbs audit themselves on the society's own."""
    db, _ = demo
    with db.read() as session:
        records = session.scalars(select(AuditRecord).where(AuditRecord.chain == FUND)).all()
        assert [(r.seq, r.actor, r.action, r.target) for r in records] == [
            (1, "demo", "demo load", f"fund:{FUND}")
        ]
        assert '"loans":' in records[0].details
        assert '"societies":61' in records[0].details
        assert verify(session).ok


def test_the_three_year_plan_and_its_revision(demo):
    """2007 planned batch 1 as lent; batch 2, first spread over 2008-2009, was moved to 2009."""
    db, _ = demo
    with db.read() as session:

        def against(year: int, as_of: date):
            return plans.plan_against_actual(session, CLERK, FUND, year, as_of=as_of)

        first = against(2007, date(2007, 12, 31))
        assert first.plan_version == 1
        assert (first.total.planned.households, first.total.planned.amount) == (
            503,
            D("1000000.00"),
        )
        assert len(first.townships) == 16
        assert all(t.planned == t.disbursed == t.approved for t in first.townships)
        # Before the revision 2008 had half of batch 2; after it, none.
        assert against(2008, date(2008, 6, 30)).total.planned == plans.Tally(56, D("112000.00"))
        moved = against(2008, date(2008, 12, 31))
        assert (moved.plan_version, moved.total.planned) == (2, plans.Tally(0, D("0.00")))
        lent = against(2009, date(2009, 12, 31))
        assert lent.total.planned == lent.total.disbursed == plans.Tally(120, D("240000.00"))


def test_a_year_of_visits_with_some_missing(demo):
    """Every month from May to December, four liaisons skipping whole months."""
    db, _ = demo
    with db.read() as session:
        months = [visits.month_visits(session, CLERK, FUND, f"2007-{m:02d}") for m in VISIT_MONTHS]
        misused = session.scalar(
            select(func.count(func.distinct(Visit.loan_id))).where(
                Visit.funds_as_approved.is_(False)
            )
        )
    assert [(m.due, m.done, len(m.missing)) for m in months] == [
        (503, 503, 0),
        (503, 482, 21),
        (503, 470, 33),
        (503, 492, 11),
        (502, 489, 13),
        (502, 491, 11),
        (502, 479, 23),
        (502, 492, 10),
    ]
    skipped = {(m.month, p.liaison_id) for m in months for p in m.liaisons if p.done < p.due}
    assert len({liaison for _, liaison in skipped}) == 4
    # A liaison who skips a month visits none of their households that month.
    assert all(
        p.done == 0 for m in months for p in m.liaisons if (m.month, p.liaison_id) in skipped
    )
    assert misused == 5


def test_two_inspections_one_finding_closed_one_open_one_recall(demo):
    db, fund_id = demo
    with db.read() as session:
        kinds = session.execute(
            select(Inspection.kind, Inspection.township_id).order_by(Inspection.inspected_on)
        ).all()
        assert [k.value for k, _ in kinds] == ["scheduled", "unscheduled"]
        assert len({town for _, town in kinds}) == 2

        def still_open(on: date) -> list[tuple[str, str | None]]:
            found = inspections.open_findings(session, CLERK, FUND, as_of=on)
            return [(f.kind, f.loan) for f in found]

        before, after = still_open(date(2007, 11, 1)), still_open(date(2007, 12, 31))
        changed = before[1]
        assert [kind for kind, _ in before] == ["records_mismatch", "project_changed"]
        assert after[0] == changed and after[1][0] == "diverted"
        closed = session.scalars(select(Finding).where(Finding.closed_on.is_not(None))).one()
        assert (closed.kind.value, closed.closed_on) == ("records_mismatch", date(2007, 11, 10))
        assert closed.evidence and closed.evidence_ref
        recall = session.scalars(select(Recall)).one()
        assert (recall.status, recall.proposed_by, recall.decided_by) == (
            ProposalStatus.APPROVED,
            "clerk",
            "approver",
        )
        assert session.get_one(Finding, recall.finding_id).kind.value == "diverted"
        # Recalled on 28 November 2007, the whole loan is overdue from the next day.
        row = loan_rows(
            session, fund_id, CLERK, as_of=date(2007, 12, 31), registration_nos=[after[1][1]]
        )[0]
        assert (row.overdue_days, row.overdue_amount) == (33, row.approved)


def test_most_batch_1_households_are_out_of_poverty_by_the_end_of_2007(demo):
    db, _ = demo
    with db.read() as session:
        year_end = outcomes.out_of_poverty(session, CLERK, FUND, 2007).total
        assert (
            year_end.households,
            year_end.out,
            year_end.back,
            year_end.poor,
            year_end.specialised,
        ) == (503, 425, 0, 78, 21)
        zhou = session.scalars(
            select(Household).where(Household.name == ZHOU_QIN[0], Household.village == ZHOU_QIN[1])
        ).one()
        history = outcomes.household_outcomes(session, CLERK, FUND, zhou.id)
        assert [(h.kind, h.status, h.specialised, h.line) for h in history] == [
            ("registration", "poor", False, POVERTY_LINE),
            ("year_end", "out", True, POVERTY_LINE),
        ]
        # Every income is approved, each by a second officer of the household's township.
        people = session.execute(select(IncomeRecord.recorded_by, IncomeRecord.approved_by)).all()
        assert len(people) == 2 * 503
        assert all(approver and approver != recorder for recorder, approver in people)


def test_kept_figures_are_the_entries(demo):
    """Every posting, extension and recall of the demo kept its loans' figures and aging."""
    db, fund_id = demo
    days = (None, date(2007, 4, 30), date(2007, 12, 31), date(2008, 6, 30), date(2009, 6, 30))
    assert_kept_matches(db, fund_id, FUND, days)
