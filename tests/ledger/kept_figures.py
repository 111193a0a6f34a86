"""The kept figures against the figures computed from the entries (shared by the tests)."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger import chart, dates, positions
from ledger.db import Database
from ledger.models import Account, AgingNow, Liaison, Loan, LoanEvent, LoanPosition, Township
from ledger.read import access, books
from ledger.read import fund as fund_reads
from ledger.read import positions as kept_reads
from ledger.read.figures import LoanFigures, figures, schedules
from ledger.read.loans import LoanItem, LoanRow, loan_rows
from ledger.schedule import AGING_BUCKETS, settle
from tests.factories import CLERK_ACTOR

ZERO = Decimal("0.00")


def assert_kept_matches(db: Database, fund_id: int, fund_code: str, days: Iterable[date | None]):
    """Every kept figure, and `read.fund.aging` from them, equal what the entries give.

    Now (each loan's row, the township and batch totals) and as of each of
    `days` (None: the totals row; a date: the per-day sums up to it).
    """
    with db.read() as session:
        assert positions.check(session, fund_id) == []
        # The rows kept for now hold what is open: a row that came to zero went.
        assert (
            session.scalars(
                select(AgingNow).where(
                    AgingNow.fund_id == fund_id,
                    AgingNow.loans == 0,
                    AgingNow.outstanding == 0,
                    AgingNow.unpaid == 0,
                )
            ).all()
            == []
        )
        loans = session.execute(
            select(Loan.id, Loan.registration_no, Loan.township_id, Loan.batch_id).where(
                Loan.fund_id == fund_id
            )
        ).all()
        now = figures(session, fund_id)
        plans = schedules(session, [row.id for row in loans])
        kept = {
            row.loan_id: row
            for row in session.scalars(select(LoanPosition).where(LoanPosition.fund_id == fund_id))
        }
        for loan_id, no, _, _ in loans:
            want = now.get(no, LoanFigures())
            row = kept.get(loan_id)
            got = (
                (row.disbursed, row.repaid, row.guarantee_called, row.written_off, row.outstanding)
                if row
                else (ZERO,) * 5
            )
            assert got == (
                want.disbursed,
                want.repaid,
                want.guarantee_called,
                want.written_off,
                want.outstanding,
            ), no
            oldest = None
            if want.disbursed > 0 and loan_id in plans:
                plan = plans[loan_id]
                unpaid = [
                    s
                    for s in settle(plan.instalments, want.settled - plan.settled_before)
                    if not s.settled
                ]
                oldest = unpaid[0].due_date if unpaid else None
            assert (row.oldest_unpaid_due if row else None) == oldest, no
        towns = dict(session.execute(select(Township.id, Township.code)).all())
        for day in days:
            by_no = figures(session, fund_id, as_of=day)
            want_totals: dict[tuple[int, int], list] = defaultdict(lambda: [ZERO] * 5 + [0, 0])
            for _, no, town, batch in loans:
                f = by_no.get(no)
                if f is None:
                    continue
                values = want_totals[(town, batch)]
                for index, number in enumerate(
                    (f.disbursed, f.repaid, f.guarantee_called, f.written_off, f.outstanding)
                ):
                    values[index] += number
                values[5] += f.disbursed > 0
                values[6] += f.outstanding > 0
            expected = {
                key: kept_reads.KeptTotals(*values)
                for key, values in want_totals.items()
                if kept_reads.KeptTotals(*values) != kept_reads.KeptTotals()
            }
            assert kept_reads.totals(session, fund_id, as_of=day) == expected, day
            if day is not None:
                first = date(day.year, 1, 1)
                was = figures(session, fund_id, as_of=first - timedelta(days=1))
                lent = {
                    no: f.disbursed - was.get(no, LoanFigures()).disbursed
                    for no, f in by_no.items()
                }
                moved = figures(session, fund_id, from_=first, as_of=day)
                assert {no: f.disbursed for no, f in moved.items() if f.disbursed} == {
                    no: amount for no, amount in lent.items() if amount
                }, day
                for start in {first, day, date(2000, 1, 1)}:
                    assert _cells(kept_reads.activity(session, fund_id, start, day)) == (
                        activity_from_records(session, fund_id, start, day)
                    ), (start, day)
            assert_turnover_matches(session, fund_id, day)
            on = day or dates.today()
            computed = aging_from_entries(session, fund_code, on)
            kept_aging = kept_reads.aging(session, fund_id, as_of=on)
            for bucket in computed.buckets:
                parts = [
                    b for buckets in kept_aging.values() for b in buckets if b.label == bucket.label
                ]
                assert (
                    sum(b.loans for b in parts),
                    sum((b.overdue_amount for b in parts), ZERO),
                    sum((b.outstanding for b in parts), ZERO),
                ) == (bucket.loans, bucket.overdue_amount, bucket.outstanding), (on, bucket)
            assert fund_reads.aging(session, CLERK_ACTOR, fund_code, as_of=on) == computed, on
            for town_id in {town for town, _ in kept_aging}:
                mine = aging_from_entries(session, fund_code, on, towns[town_id])
                buckets = kept_reads.summed(b for (t, _), b in kept_aging.items() if t == town_id)
                assert buckets == mine.buckets, (on, towns[town_id])
                kept_town = fund_reads.aging(
                    session, CLERK_ACTOR, fund_code, as_of=on, township=towns[town_id]
                )
                assert kept_town == mine, (on, towns[town_id])
            assert fund_reads.fund_summary(session, fund_id, CLERK_ACTOR, as_of=day) == (
                summary_from_entries(session, fund_id, day)
            ), day
            every = fund_reads.township_positions(session, fund_id, CLERK_ACTOR, as_of=day)
            assert every == positions_from_entries(session, fund_id, day), day
            for town in session.scalars(select(Township).where(Township.fund_id == fund_id)):
                one = fund_reads.township_positions(
                    session, fund_id, CLERK_ACTOR, as_of=day, township=town
                )
                assert one == [p for p in every if p.code == town.code], (day, town.code)
        # Every year up to the latest day's: a posting or schedule version rewrites
        # its own year's kept column 9 and the later years' (`positions._recovered_of_due`).
        years = {day.year for day in days if day is not None}
        for year in range(min(years, default=1), max(years, default=0) + 1):
            assert fund_reads.recovery_table(session, fund_id, CLERK_ACTOR, year) == (
                recovery_from_entries(session, fund_id, year)
            ), year


def _cells(cells: list[kept_reads.ActivityCell]) -> dict:
    """(kind, township id, batch id) -> (households, amount), and (kind, township id) ->
    households, of `read.positions.activity`'s cells."""
    out: dict = {}
    for c in cells:
        out[(c.kind, c.township_id, c.batch_id)] = (c.households, c.amount)
        out[(c.kind, c.township_id)] = out.get((c.kind, c.township_id), 0) + c.new_in_township
    return {key: value for key, value in out.items() if value not in (0, (0, ZERO))}


def activity_from_records(session: Session, fund_id: int, first: date, last: date) -> dict:
    """`_cells` as the loans' events and entries say: the loans registered or approved from
    `first` to `last` (once each, at the amount asked or approved), and those whose principal
    disbursed in the period sums to anything; households counted once per cell and township."""
    loans = {loan.id: loan for loan in session.scalars(select(Loan).where(Loan.fund_id == fund_id))}
    counted: dict[tuple, set[int]] = defaultdict(set)
    money: dict[tuple, Decimal] = defaultdict(lambda: ZERO)

    def add(kind: str, loan: Loan, amount: Decimal, counts: bool) -> None:
        cell = (kind, loan.township_id, loan.batch_id)
        money[cell] += amount
        if counts:
            counted[cell].add(loan.household_id)
            counted[(kind, loan.township_id)].add(loan.household_id)

    events = session.execute(
        select(LoanEvent.loan_id, LoanEvent.action)
        .where(
            LoanEvent.loan_id.in_(list(loans)),
            LoanEvent.action.in_(["registered", "approved"]),
            LoanEvent.on.between(first, last),
        )
        .distinct()
    )
    for loan_id, action in events:
        loan = loans[loan_id]
        asked = loan.requested_amount if action == "registered" else loan.approved_amount
        add(action, loan, asked, True)
    by_no = {loan.registration_no: loan for loan in loans.values()}
    for no, f in figures(session, fund_id, from_=first, as_of=last).items():
        if f.disbursed:
            add("disbursed", by_no[no], f.disbursed, True)
    out: dict = {key: len(who) for key, who in counted.items() if len(key) == 2}
    for cell in money.keys() | {key for key in counted if len(key) == 3}:
        out[cell] = (len(counted.get(cell, ())), money[cell])
    return {key: value for key, value in out.items() if value not in (0, (0, ZERO))}


def _nonzero(turnover: dict) -> dict:
    """`turnover` without its zero figures (a kept day may net to zero, an aggregate of no
    entries is absent)."""
    kept = {key: {k: v for k, v in sums.items() if v} for key, sums in turnover.items()}
    return {key: sums for key, sums in kept.items() if sums}


def assert_turnover_matches(session: Session, fund_id: int, day: date | None) -> None:
    """The kept turnover by event kind equals the entries' (`books.by_event_kind`), up to
    `day` and in its year (the township and loan accounts, and every chart line)."""
    for code in (chart.TOWNSHIP_FUNDS, chart.LOANS):
        assert _nonzero(kept_reads.turnover(session, fund_id, code, as_of=day)) == _nonzero(
            books.turnover_by_kind(session, fund_id, code, as_of=day)
        ), (code, day)
    for first in (None, date(day.year, 1, 1) if day else None):
        query = books.by_event_kind(fund_id, Account.code, as_of=day, from_=first)
        want = {(code, kind, side): amount for code, kind, side, amount in session.execute(query)}
        got = kept_reads.chart_turnover(session, fund_id, first, day)
        assert {k: v for k, v in got.items() if v} == {k: v for k, v in want.items() if v}, (
            first,
            day,
        )


def aging_from_entries(
    session: Session, fund_code: str, as_of: date, township: str | None = None
) -> fund_reads.Aging:
    """`read.fund.aging` as it was computed before the kept figures: from every loan's entries."""
    header = access.fund(session, CLERK_ACTOR, fund_code)
    name = None
    if township is not None:
        name = session.scalar(
            select(Township.name).where(Township.fund_id == header.id, Township.code == township)
        )
    rows = loan_rows(session, header.id, CLERK_ACTOR, as_of=as_of, township=township)
    lent = [r for r in rows if r.figures.disbursed > 0]
    owners = dict(session.execute(select(Loan.id, Loan.household_id)).all())
    overdue = tuple(
        LoanItem(**dataclasses.asdict(r) | {"figures": r.figures}, household_id=owners[r.loan_id])
        for r in lent
        if r.overdue_days > 0
    )
    buckets = tuple(
        fund_reads.AgingBucket(
            label,
            sum(1 for r in overdue if r.bucket == label),
            sum((r.overdue_amount for r in overdue if r.bucket == label), ZERO),
            sum((r.outstanding for r in overdue if r.bucket == label), ZERO),
        )
        for label, _, _ in AGING_BUCKETS
    )
    ids = {r.liaison_id for r in overdue if r.liaison_id is not None}
    liaisons = dict(
        session.execute(select(Liaison.id, Liaison.name).where(Liaison.id.in_(ids))).all()
    )
    return fund_reads.Aging(
        header,
        as_of,
        township,
        name,
        overdue,
        buckets,
        sum((r.outstanding for r in lent), ZERO),
        sum((r.overdue_amount for r in overdue), ZERO),
        sum((r.outstanding for r in overdue), ZERO),
        liaisons,
    )


def _groups(rows: list[LoanRow], key) -> tuple[fund_reads.GroupFigures, ...]:
    grouped: dict[tuple[str, str], list[LoanRow]] = defaultdict(list)
    for row in rows:
        grouped[key(row)].append(row)
    return tuple(
        fund_reads.GroupFigures(
            code,
            name,
            len(items),
            sum((r.figures.disbursed for r in items), ZERO),
            sum((r.figures.repaid + r.figures.guarantee_called for r in items), ZERO),
            sum((r.figures.written_off for r in items), ZERO),
            sum((r.outstanding for r in items), ZERO),
            sum((r.overdue_amount for r in items), ZERO),
            sum(1 for r in items if r.overdue_days > 0),
        )
        for (code, name), items in sorted(grouped.items())
    )


def summary_from_entries(
    session: Session, fund_id: int, as_of: date | None
) -> fund_reads.FundSummary:
    """`read.fund.fund_summary` as it was computed before the kept figures: from every loan."""
    kept = fund_reads.fund_summary(session, fund_id, CLERK_ACTOR, as_of)
    rows = [
        r for r in loan_rows(session, fund_id, CLERK_ACTOR, as_of=as_of) if r.figures.disbursed > 0
    ]
    overdue = [r for r in rows if r.overdue_days > 0]
    # The account balances are not kept figures: taken from the read under test.
    return dataclasses.replace(
        kept,
        outstanding=sum((r.outstanding for r in rows), ZERO),
        overdue_amount=sum((r.overdue_amount for r in overdue), ZERO),
        overdue_outstanding=sum((r.outstanding for r in overdue), ZERO),
        overdue_loans=len(overdue),
        written_off=sum((r.figures.written_off for r in rows), ZERO),
        pending_write_off=sum((r.pending_write_off for r in rows), ZERO),
        recovered=sum((r.figures.repaid + r.figures.guarantee_called for r in rows), ZERO),
        disbursed_to_date=sum((r.figures.disbursed for r in rows), ZERO),
        households_served=len({r.id_number for r in rows}),
        loans=len(rows),
        by_township=_groups(rows, lambda r: (r.township, r.township_name)),
        by_batch=_groups(rows, lambda r: (r.batch, r.batch)),
    )


def positions_from_entries(
    session: Session, fund_id: int, as_of: date | None
) -> list[fund_reads.TownshipPosition]:
    """`read.fund.township_positions`' loan figures as computed before the kept figures."""
    by_town: dict[str, list[LoanRow]] = defaultdict(list)
    for r in loan_rows(session, fund_id, CLERK_ACTOR, as_of=as_of):
        if r.figures.disbursed > 0:
            by_town[r.township].append(r)
    return [
        dataclasses.replace(
            p,
            loans_outstanding=sum((r.outstanding for r in by_town[p.code]), ZERO),
            guarantee_called=sum((r.figures.guarantee_called for r in by_town[p.code]), ZERO),
            written_off=sum((r.figures.written_off for r in by_town[p.code]), ZERO),
            pending_write_off=sum((r.pending_write_off for r in by_town[p.code]), ZERO),
            loans=len(by_town[p.code]),
            overdue_loans=sum(1 for r in by_town[p.code] if r.overdue_days > 0),
        )
        for p in fund_reads.township_positions(session, fund_id, CLERK_ACTOR, as_of)
    ]


def recovery_from_entries(session: Session, fund_id: int, year: int) -> fund_reads.RecoveryTable:
    """`read.fund.recovery_table` as it was computed before the kept figures: every loan."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    before = date(year - 1, 12, 31)
    loans = select(Loan.id, Loan.registration_no, Township.code, Township.name).join(
        Township, Township.id == Loan.township_id
    )
    loans = loans.where(Loan.fund_id == fund_id)
    closing = session.execute(loans).all()
    # Only the figures at both ends and the schedules: not whole loan rows.
    opening_figures = figures(session, fund_id, as_of=before)
    closing_figures = figures(session, fund_id, as_of=end)
    plans = schedules(session, [loan_id for loan_id, *_ in closing], as_of=end)
    towns: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    names: dict[str, str] = {}
    for loan_id, no, township, township_name in closing:
        was_figures = opening_figures.get(no, LoanFigures())
        now = closing_figures.get(no, LoanFigures())
        plan = plans.get(loan_id)
        recovered_start = was_figures.repaid + was_figures.guarantee_called
        recovered_end = now.repaid + now.guarantee_called
        due_year = due_total = of_due = ZERO
        if plan is not None:
            due_year = sum((i.amount for i in plan.instalments if start <= i.due_date <= end), ZERO)
            due_total = plan.settled_before + sum(
                (i.amount for i in plan.instalments if i.due_date <= end), ZERO
            )
            paid_start = settle(plan.instalments, recovered_start - plan.settled_before)
            paid_end = settle(plan.instalments, recovered_end - plan.settled_before)
            of_due = sum(
                (
                    b.paid - a.paid
                    for a, b in zip(paid_start, paid_end, strict=True)
                    if start <= a.due_date <= end
                ),
                ZERO,
            )
        values = towns[township]
        names[township] = township_name
        values["opening"] += was_figures.outstanding
        values["lent"] += now.disbursed - was_figures.disbursed
        values["lent_to_date"] += now.disbursed
        values["due_this_year"] += due_year
        values["due_to_date"] += due_total
        values["written_off"] += now.written_off - was_figures.written_off
        values["recovered"] += recovered_end - recovered_start
        values["recovered_of_due"] += max(of_due, ZERO)
        values["recovered_to_date"] += recovered_end
    rows = tuple(fund_reads._recovery_row(code, names[code], towns[code]) for code in sorted(towns))
    total = fund_reads._recovery_row(
        "",
        "合计",
        {name: sum((getattr(r, name) for r in rows), ZERO) for name in fund_reads.RECOVERY_FIELDS},
    )
    return fund_reads.RecoveryTable(year, rows, total)
