"""The loan list's search on the trigram index gives exactly what LIKE gives (migration 0017)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, or_, select, text

from ledger.models import Household, Loan
from ledger.read import loans as loan_reads
from ledger.services import setup
from tests.factories import (
    CLERK_ACTOR,
    committing,
    make_id_number,
    make_loan,
    make_programme,
)

NAMES = ("张三丰", "张三", "欧阳娜娜", "Zhang Wei", "zhang wei", 'Li "Bo" 100%_x', "王")
QUERIES = (
    # three characters or more: the index
    "张三丰",
    "欧阳娜",
    "阳娜娜",
    "ZHANG W",
    "ang we",
    '"Bo"',
    "100%",
    "%_x",
    "不存在的名字",
    "-0001",
    "0002",
    "340123",
    "9700101",
    "x",  # an ID number's check character, typed in lower case
    # fewer: a surname, two characters, one digit
    "张",
    "张三",
    "娜娜",
    "王",
    "1",
    "-0",
    "%",
    "",
)


def _id_ending_in_x() -> str:
    while not (number := make_id_number()).endswith("X"):
        pass
    return number


@pytest.fixture
def book(db):
    """Two households of each name, one in each township, each with a loan (one lent, one
    applied for); the first household's ID number ends in X."""
    prog = make_programme(db)
    for index, name in enumerate(NAMES):
        for town, stage in zip(prog.townships, ("disbursed", "applied"), strict=False):
            with committing(db) as uow:
                household = setup.add_household(
                    uow,
                    CLERK_ACTOR,
                    prog.code,
                    name=name,
                    id_number=_id_ending_in_x() if index == 0 else make_id_number(),
                    township=town,
                    village="黄檀树村",
                    party_member=False,
                ).id
            make_loan(db, prog, amount="1000.00", stage=stage, township=town, household=household)
    return prog


def like_result(session, fund_id: int, needle: str) -> list[str]:
    """The loans the list kept before the index: a LIKE over every loan's text."""
    return list(
        session.scalars(
            select(Loan.registration_no)
            .join(Household, Household.id == Loan.household_id)
            .where(
                Loan.fund_id == fund_id,
                or_(
                    Loan.registration_no.contains(needle, autoescape=True),
                    Household.name.contains(needle, autoescape=True),
                    Household.id_number.contains(needle.upper(), autoescape=True),
                ),
            )
            .order_by(Loan.registration_no)
        )
    )


def searched(session, fund_code: str, needle: str) -> tuple[int, list[str]]:
    total, page = loan_reads.loan_page(session, CLERK_ACTOR, fund_code, search=needle, limit=100)
    assert page.next is None
    return total, sorted(item.registration_no for item in page.items)


@pytest.mark.parametrize("needle", QUERIES)
def test_a_search_finds_exactly_what_like_finds(db, book, needle):
    with db.read() as session:
        want = like_result(session, book.fund.id, needle)
        assert searched(session, book.code, needle) == (len(want), want)


def test_the_queries_find_something_and_not_everything(db, book):
    """The cases above are not vacuous: names, case, quotes, LIKE's wildcards typed as
    text and the check character each find the loans meant."""
    with db.read() as session:
        every = len(like_result(session, book.fund.id, ""))
        assert every == 2 * len(NAMES)
        counts = {q: len(like_result(session, book.fund.id, q)) for q in QUERIES}
        sqlite = session.get_bind().dialect.name == "sqlite"
    assert counts["张三丰"] == 2 and counts["张三"] == 4 and counts["张"] == 4
    # SQLite's LIKE folds ASCII case (and so does its index, more widely); PostgreSQL's
    # does not: the search follows LIKE on each.
    assert counts["ZHANG W"] == (4 if sqlite else 0)
    assert counts['"Bo"'] == 2 and counts["100%"] == 2 and counts["%_x"] == 2
    assert counts["x"] >= 4 and counts["不存在的名字"] == 0 and counts["%"] == 2
    assert counts["340123"] == every  # every ID number's region: the index finds them all


def test_three_characters_are_served_by_the_index_and_fewer_by_like(db, book):
    with db.read() as session:
        assert loan_reads.search_candidates(session, book.fund.id, "张三") is None
        candidates = loan_reads.search_candidates(session, book.fund.id, "张三丰")
        query = select(Loan.id).where(candidates)
        if session.get_bind().dialect.name == "sqlite":
            plan = " ".join(
                str(row[-1])
                for row in session.execute(text(f"EXPLAIN QUERY PLAN {_sql(session, query)}"))
            )
            assert "VIRTUAL TABLE INDEX" in plan and "loan_search" in plan
        else:
            # The tables are small, so the planner rightly prefers the (fund) indexes for the
            # list's own query; with scans and plain index scans made dear, a LIKE on each
            # column alone must be answerable by its trigram index, the only bitmap index
            # a '%…%' pattern can use.
            session.execute(text("SET LOCAL enable_seqscan = off"))
            session.execute(text("SET LOCAL enable_indexscan = off"))
            for index, like in (
                ("ix_search_loan_registration_no", Loan.registration_no.contains("-0001")),
                ("ix_search_household_name", Household.name.contains("张三丰")),
                ("ix_search_household_id_number", Household.id_number.contains("9700101")),
            ):
                table = Loan if index.startswith("ix_search_loan") else Household
                plan = " ".join(
                    row[0]
                    for row in session.execute(
                        text(f"EXPLAIN {_sql(session, select(table.id).where(like))}")
                    )
                )
                assert index in plan, plan


def _sql(session, query) -> str:
    return str(
        query.compile(dialect=session.get_bind().dialect, compile_kwargs={"literal_binds": True})
    )


def test_the_index_follows_a_corrected_household_name(db, book):
    """A name corrected in the database (no service renames a household) is searched as
    corrected: a trigger keeps the SQLite index in step; PostgreSQL's indexes are the
    table's own."""
    with db.read() as session:
        household = session.scalar(
            select(func.min(Household.id)).where(Household.name == "欧阳娜娜")
        )
    with committing(db) as uow:
        uow.session.execute(
            text("UPDATE household SET name = '欧阳菲菲' WHERE id = :id"), {"id": household}
        )
    with db.read() as session:
        assert searched(session, book.code, "欧阳娜") == (
            1,
            like_result(session, book.fund.id, "欧阳娜"),
        )
        assert searched(session, book.code, "欧阳菲") == (
            1,
            like_result(session, book.fund.id, "欧阳菲"),
        )
