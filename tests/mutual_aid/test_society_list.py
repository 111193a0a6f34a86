"""The county's side-by-side list (`reads.society_rows`) sums many societies at once, grouped
by fund: each must get the figures its own summary (`reads.society_figures`, the same read
for one society) gives, read alone."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from ledger.actors import SYSTEM, Actor
from ledger.programmes.mutual_aid import reads
from ledger.programmes.mutual_aid import services as society
from tests.factories import committing
from tests.mutual_aid.society import CASHIER, lend, make_group_of, make_member, make_society

SAME = (
    "fiscal_capital",
    "member_shares",
    "donations",
    "reserves",
    "members",
    "poor_members",
    "loans_outstanding",
    "overdue",
    "fee_income",
    "bank",
)


def test_the_batched_list_gives_each_society_its_own_figures(db):
    quiet = make_society(db, fiscal="5000.00")
    busy = make_society(db, fiscal="80000.00")
    first, *_ = make_group_of(db, busy)
    make_member(db, busy, group=None, poor=True, shares=None)
    loan = lend(db, busy, first, "3000.00", term_months=2)
    with committing(db) as uow:
        society.receive_donation(
            uow, CASHIER, busy.code, on=date(2024, 3, 1), amount="120.00", donor="乡贤"
        )
        society.repay(uow, CASHIER, busy.code, loan.no, on=date(2024, 3, 11), amount="1000.00")
    day = date(2024, 6, 30)
    with db.read() as session:
        listed = reads.societies_listing(SYSTEM).all(session)
        rows = {r.society.fund: r for r in reads.society_rows(session, listed, day)}
        for fund in (quiet, busy):
            alone = asdict(reads.society_figures(session, fund.id, day))
            together = asdict(rows[fund.code])
            assert {k: together[k] for k in SAME} == {k: alone[k] for k in SAME}, fund.code
    busy_row = rows[busy.code]
    # Lent 3,000.00 on 2024-02-10 for two months; 1,000.00 of the repayment went to its fee
    # first (30 days at 6‰ a month: 18.00), so 2,018.00 of principal is still owed, overdue.
    assert (busy_row.members, busy_row.poor_members) == (6, 1)
    assert (busy_row.loans_outstanding, busy_row.overdue) == (2018, 2018)
    assert busy_row.fee_income == 18
    assert (rows[quiet.code].bank, rows[quiet.code].members) == (5000, 0)


def test_a_user_granted_one_society_lists_only_it(db):
    mine, other = make_society(db), make_society(db)
    clerk = Actor("kuaiji-1", "clerk", fund_code=mine.code)
    with db.read() as session:
        codes = [s.fund for s in reads.societies_listing(clerk).all(session)]
        assert codes == [mine.code]
        everyone = [s.fund for s in reads.societies_listing(SYSTEM).all(session)]
        assert {mine.code, other.code} <= set(everyone)
