"""Long IN lists go in parts (PostgreSQL takes at most 65,535 parameters a statement)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ledger import db as ledger_db
from ledger.read.figures import schedules
from ledger.read.loans import loan_rows
from tests.factories import CLERK_ACTOR, make_loan, make_programme


@given(st.lists(st.integers()), st.integers(min_value=1, max_value=5))
def test_the_parts_are_the_list_in_order_and_none_too_long(values, size):
    original = ledger_db.IN_LIST
    ledger_db.IN_LIST = size
    try:
        parts = list(ledger_db.chunked(values))
    finally:
        ledger_db.IN_LIST = original
    assert [v for part in parts for v in part] == values
    assert all(0 < len(part) <= size for part in parts)


def test_a_loan_list_read_in_parts_is_the_list_read_at_once(db, monkeypatch):
    prog = make_programme(db)
    loans = [make_loan(db, prog, township=prog.townships[n % 2]) for n in range(5)]
    with db.read() as session:
        whole = loan_rows(session, prog.fund.id, CLERK_ACTOR)
        plans = schedules(session, [loan.id for loan in loans])
        monkeypatch.setattr(ledger_db, "IN_LIST", 2)
        assert loan_rows(session, prog.fund.id, CLERK_ACTOR) == whole
        assert schedules(session, [loan.id for loan in loans]) == plans
    assert len(whole) == 5 and len(plans) == 5
