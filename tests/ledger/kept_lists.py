"""The paged lists from the kept figures against the same lists from the entries (shared)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select

from ledger import dates
from ledger.actors import Actor
from ledger.db import Database
from ledger.models import Batch, Household, Loan, LoanStatus, Township
from ledger.read import access
from ledger.read import loans as loan_reads
from ledger.read import setup as setup_reads
from ledger.read.books import ZERO
from ledger.read.guarantees import LiaisonTotals, liaison_exposures, liaisons_page
from ledger.read.loans import loan_rows
from tests.factories import CLERK_ACTOR


def walk(session, actor: Actor, fund_code: str, per_page: int, **filters) -> list:
    """Every page of the loan list, following its cursors."""
    seen, after = [], None
    while True:
        _, page = loan_reads.loan_page(
            session, actor, fund_code, after=after, limit=per_page, **filters
        )
        seen += page.items
        if page.next is None:
            return seen
        after = page.next


def assert_lists_match(
    db: Database, fund_code: str, days: Iterable[date], actors: Iterable[Actor] = (CLERK_ACTOR,)
):
    """The loan list's pages (kept figures now, overdue today from the kept oldest due) equal
    the whole list computed from the entries; so do liaisons' exposures, now and on `days`;
    the lists' totals from the kept counts equal a COUNT of their rows."""
    today = dates.today()
    with db.read() as session:
        fund_id = access.fund(session, CLERK_ACTOR, fund_code).id
        for actor in actors:
            for overdue_on in (None, today, *days):
                want = loan_reads.loans(session, actor, fund_code, overdue_on=overdue_on)
                total, page = loan_reads.loan_page(
                    session, actor, fund_code, overdue_on=overdue_on, limit=1000
                )
                assert (total, page.items, page.next) == (len(want), want, None), overdue_on
                assert walk(session, actor, fund_code, 2, overdue_on=overdue_on) == want
            for as_of in (None, *days):
                assert liaison_exposures(session, fund_id, actor, as_of) == exposures_from_entries(
                    session, fund_id, actor, as_of
                ), as_of
            assert_liaison_pages_match(session, fund_id, actor, fund_code)
            assert_totals_match(session, actor, fund_code, fund_id)


def assert_totals_match(session, actor: Actor, fund_code: str, fund_id: int) -> None:
    """The lists' totals from the kept counts equal a COUNT of the rows they list: the loan
    list's with no filter, each township, batch and status (and an unknown one), the
    to-do's counts by status, and the households list's with no filter and each township."""
    loans = session.execute(
        select(Township.code, Batch.code, Loan.status)
        .join(Township, Township.id == Loan.township_id)
        .join(Batch, Batch.id == Loan.batch_id)
        .where(Loan.fund_id == fund_id)
    ).all()
    if actor.is_township:
        loans = [row for row in loans if row[0] == actor.township_code]
    towns = session.scalars(select(Township.code).where(Township.fund_id == fund_id)).all()
    batches = session.scalars(select(Batch.code).where(Batch.fund_id == fund_id)).all()
    statuses = [s.value for s in LoanStatus]
    filters = [
        {},
        *({"township": t} for t in towns if actor.sees_township(t)),
        *({"batch": b} for b in (*batches, "no-such-batch")),
        *({"status": s} for s in statuses),
        *({"batch": b, "status": s} for b in batches for s in statuses),
    ]
    key = {"township": 0, "batch": 1, "status": 2}
    for wanted in filters:
        rows = [r for r in loans if all(_plain(r[key[k]]) == v for k, v in wanted.items())]
        total, _ = loan_reads.loan_page(session, actor, fund_code, limit=1, **wanted)
        assert total == len(rows), wanted
    counts = loan_reads.loan_counts(session, actor, fund_code, statuses)
    assert counts == dict(Counter(r[2].value for r in loans)), actor
    people = session.execute(
        select(Township.code)
        .join(Household, Household.township_id == Township.id)
        .where(Household.fund_id == fund_id)
    ).scalars()
    per_town = Counter(t for t in people if actor.sees_township(t))
    listing = setup_reads.households(session, actor, fund_code)
    assert listing.count(session) == per_town.total(), actor
    for town in towns:
        if actor.sees_township(town):
            listing = setup_reads.households(session, actor, fund_code, township=town)
            assert listing.count(session) == per_town[town], town


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, LoanStatus) else value


def assert_liaison_pages_match(session, fund_id: int, actor: Actor, fund_code: str) -> None:
    """The liaisons' list, summed in the database and followed page by page (one liaison
    a page), equals each liaison's exposure today summed from their loans' entries."""
    want = [
        LiaisonTotals(
            e.liaison_id,
            e.name,
            e.township,
            e.monthly_salary,
            len(e.loans),
            e.exposure,
            e.overdue_amount,
            e.called,
            e.deducted,
            e.owed,
        )
        for e in exposures_from_entries(session, fund_id, actor, None)
    ]
    seen, after = [], None
    while True:
        total, page = liaisons_page(session, actor, fund_code, after=after, limit=1)
        assert total == len(want)
        seen += page.items
        if page.next is None:
            break
        after = page.next
    assert seen == want


def exposures_from_entries(session, fund_id: int, actor: Actor, as_of: date | None) -> list:
    """`liaison_exposures` as computed before the kept figures: from every loan's entries."""
    answering = defaultdict(list)
    for row in loan_rows(session, fund_id, actor, as_of=as_of):
        if row.liaison_id is not None and row.outstanding > 0:
            answering[row.liaison_id].append(row)
    out = []
    for person in liaison_exposures(session, fund_id, actor, as_of):
        mine = answering[person.liaison_id]
        out.append(
            type(person)(
                person.liaison_id,
                person.name,
                person.township,
                person.monthly_salary,
                tuple(r.registration_no for r in mine),
                sum((r.outstanding for r in mine), ZERO),
                sum((r.overdue_amount for r in mine), ZERO),
                person.called,
                person.deducted,
                person.owed,
            )
        )
    return out
