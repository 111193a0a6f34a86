"""A province of three counties for the region overview's tests (its read and its PDF)."""

from __future__ import annotations

from datetime import date

from ledger.actors import SYSTEM
from ledger.db import Database
from ledger.models import Loan
from ledger.services import counties, funding, loans
from ledger.services.journals import PostedJournal
from tests.factories import CLERK_ACTOR, Programme, committing, make_loan, make_programme, reverse

#: Two counties of one city and one of another, in a province no other test uses.
EAST, TONG, LEDU = "630102", "630121", "630202"
NAMES = {EAST: "城东区", TONG: "大通县", LEDU: "乐都区"}


def repay(db: Database, prog: Programme, loan: Loan, amount: str, on: date) -> PostedJournal:
    with committing(db) as uow:
        return loans.repay_loan(
            uow, CLERK_ACTOR, prog.code, loan.registration_no, on=on, amount=amount
        )


def build_province(db: Database) -> dict[str, tuple[Programme, ...]]:
    """城东区 with two funds, 大通县 with one, 乐都区 (another city) with one and no loans.

    Lent 2007-04-10, instalments due each 1 April from 2008.
    """
    with committing(db) as uow:
        for code, name in NAMES.items():
            counties.add_county(uow, actor=SYSTEM, code=code, name=name)
    east_1 = make_programme(db, capital="100000.00", county=EAST)
    east_2 = make_programme(db, capital="50000.00", county=EAST)
    tong = make_programme(db, capital="80000.00", county=TONG)
    ledu = make_programme(db, capital="60000.00", county=LEDU)
    first, second = make_loan(db, east_1), make_loan(db, east_1, amount="2000.00", instalments=2)
    repay(db, east_1, first, "1000.00", date(2008, 3, 20))
    repay(db, east_1, second, "400.00", date(2008, 5, 1))
    third = make_loan(db, east_2, township=east_2.townships[1])
    repay(db, east_2, third, "3000.00", date(2008, 12, 1))
    fourth = make_loan(db, tong, amount="4000.00", instalments=2)
    wrong = repay(db, tong, fourth, "500.00", date(2008, 6, 1))
    with committing(db) as uow:  # a red-ink reversal nets out of recovered, as in the statement
        reverse(uow, tong.code, wrong.voucher, on=date(2008, 6, 2))
    with committing(db) as uow:  # a reversed appropriation nets out of the capital
        extra = funding.record_appropriation(
            uow, CLERK_ACTOR, tong.code, on=date(2008, 1, 2), amount="7000.00", source="city"
        )
    with committing(db) as uow:
        reverse(uow, tong.code, extra.voucher, on=date(2008, 1, 3))
    return {EAST: (east_1, east_2), TONG: (tong,), LEDU: (ledu,)}
