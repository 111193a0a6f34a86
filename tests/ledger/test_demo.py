"""The demo programme loads once, deterministically, and the queries reproduce it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from ledger import chart
from ledger.actors import Actor
from ledger.audit import verify
from ledger.db import Database
from ledger.demo import FUND, DemoRefused, load_demo
from ledger.models import (
    Account,
    AccountDailyTotal,
    AuditRecord,
    Disaster,
    LossReport,
    ProposalStatus,
    User,
    WriteOff,
)
from ledger.read.books import balance_mismatches, trial_balance
from ledger.read.fund import aging, fund_summary, recovery_table, township_positions
from ledger.schema import upgrade
from ledger.services import lookup
from tests.conftest import isolated_url

D = Decimal
CLERK = Actor("clerk", "clerk")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, int]]:
    with isolated_url(tmp_path_factory.mktemp("demo")) as url:
        db = Database.connect(url)
        upgrade(db.engine)
        load_demo(db)
        with db.read() as session:
            fund_id = lookup.fund(session, FUND).id
        yield db, fund_id
        db.engine.dispose()


def test_demo_refuses_a_non_empty_database(demo):
    db, _ = demo
    with pytest.raises(DemoRefused) as info:
        load_demo(db)
    assert "empty" in info.value.detail_en


def test_the_clerk_and_the_township_officer_are_granted_the_demo_fund(demo):
    db, _ = demo
    with db.read() as session:
        grants = dict(session.execute(select(User.username, User.fund_code)).all())
    assert grants == {
        "clerk": FUND,
        "hengshan": FUND,
        "approver": None,
        "leader": None,
        "admin": None,
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
    db, _ = demo
    with db.read() as session:
        records = session.scalars(select(AuditRecord)).all()
        assert [(r.seq, r.actor, r.action, r.target) for r in records] == [
            (1, "demo", "demo load", f"fund:{FUND}")
        ]
        assert '"loans":' in records[0].details
        assert verify(session).ok
