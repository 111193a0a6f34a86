"""Ledger invariants under generated input (hypothesis).

Each example opens its own rolled-back transaction (not a function fixture),
posts generated balanced drafts, and checks the book against a model kept in
plain Python.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger import errors
from ledger.posting import DEBIT, AccountRef, Line, journal, red_ink
from ledger.read.books import balance, balance_mismatches, trial_balance
from ledger.services.journals import record_journal
from tests.conftest import rolled_back
from tests.factories import CLERK, COUNTY, SPECIAL, committing, make_fund, reverse

ACCOUNTS = [
    SPECIAL,
    COUNTY,
    AccountRef("3001", "province"),
    AccountRef("1011", "A"),
    AccountRef("1011", "B"),
    AccountRef("1101", "L1"),
    AccountRef("1101", "L2"),
    AccountRef("5001", "hail"),
]
DEBIT_NORMAL = {"1001", "1011", "1101", "5001"}
START = date(2007, 1, 1)

amounts = st.integers(min_value=1, max_value=10_000_000).map(lambda fen: Decimal(fen) / 100)


@st.composite
def drafts(draw):
    """A balanced draft: one to three debits, credits split to match."""
    debits = draw(st.lists(st.tuples(st.sampled_from(ACCOUNTS), amounts), min_size=1, max_size=3))
    total = sum(amount for _, amount in debits)
    credit_accounts = draw(st.lists(st.sampled_from(ACCOUNTS), min_size=1, max_size=3))
    credits, left = [], total
    for account in credit_accounts[:-1]:
        part = draw(st.integers(min_value=0, max_value=int(left * 100) - 1)) / Decimal(100)
        if part > 0:
            credits.append((account, part))
            left -= part
    credits.append((credit_accounts[-1], left))
    day = START + timedelta(days=draw(st.integers(min_value=0, max_value=120)))
    lines = [Line(a, "D", m) for a, m in debits] + [Line(a, "C", m) for a, m in credits]
    return journal(day, "generated", "", lines)


@given(st.lists(drafts(), min_size=1, max_size=12))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_generated_drafts_balance_to_the_model_and_to_their_entries(engine, batch):
    for draft in batch:
        assert draft.total("D") == draft.total("C")
    with rolled_back(engine) as db:
        fund = make_fund(db)
        model: dict[AccountRef, Decimal] = defaultdict(Decimal)
        for draft in batch:
            try:
                with committing(db) as uow:
                    record_journal(uow, fund.id, draft, actor=CLERK)
            except errors.InsufficientBalance:
                continue
            for line in draft.lines:
                sign = 1 if (line.side == DEBIT) == (line.account.code in DEBIT_NORMAL) else -1
                model[line.account] += sign * line.amount
        with db.read() as session:
            assert balance_mismatches(session, fund.id) == []
            assert trial_balance(session, fund.id).totals.balanced
            for ref, expected in model.items():
                assert balance(session, fund.id, ref).balance == expected
                if ref.code in {"1001", "1011", "1101"}:
                    assert expected >= 0


@given(st.lists(drafts(), min_size=1, max_size=6), st.data())
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_reversal_and_original_net_to_zero_on_every_account(engine, batch, data):
    with rolled_back(engine) as db:
        fund = make_fund(db)
        # Fund every guarded account generously first so generated postings go through.
        seed = [
            Line(ref, "D", Decimal("1000000000.00"))
            for ref in ACCOUNTS
            if ref.code in {"1001", "1011", "1101"}
        ]
        seed.append(Line(COUNTY, "C", sum((ln.amount for ln in seed), Decimal(0))))
        with committing(db) as uow:
            record_journal(uow, fund.id, journal(START, "seed", "", seed), actor=CLERK)
        with db.read() as session:
            before = {ref: balance(session, fund.id, ref) for ref in ACCOUNTS}
        posted = []
        for draft in batch:
            with committing(db) as uow:
                posted.append(record_journal(uow, fund.id, draft, actor=CLERK))
        for item in data.draw(st.permutations(posted)):
            with committing(db) as uow:
                reverse(uow, fund.code, item.voucher, on=date(2007, 6, 1), reason="test")
        with db.read() as session:
            for ref in ACCOUNTS:
                after = balance(session, fund.id, ref)
                # Red ink returns balances and both turnovers to what they were.
                assert (after.debit, after.credit, after.balance) == (
                    before[ref].debit,
                    before[ref].credit,
                    before[ref].balance,
                )
            assert balance_mismatches(session, fund.id) == []


@given(drafts())
def test_red_ink_of_any_draft_balances_and_negates(draft):
    red = red_ink(draft, "记-2007-01-0001", date(2007, 2, 1), "冲销")
    assert red.total("D") == -draft.total("D") == red.total("C")
    assert [(ln.account, ln.side) for ln in red.lines] == [
        (ln.account, ln.side) for ln in draft.lines
    ]


#: Money moving in (+) or out (-) of one township's cash on a day of a short season.
moves = st.tuples(
    st.integers(min_value=0, max_value=30),
    st.integers(min_value=-500, max_value=500).filter(bool).map(lambda yuan: Decimal(yuan)),
)


@given(st.lists(moves, min_size=1, max_size=15))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_guarded_account_never_ends_a_day_below_zero_whatever_the_entry_order(engine, batch):
    """Entered in any order and back-dated at will, a posting is taken exactly when every
    end of day from its date on stays at zero or above; refused, it changes nothing."""
    cash = AccountRef("1011", "A")
    with rolled_back(engine) as db:
        fund = make_fund(db)
        taken: list[tuple[date, Decimal]] = []
        for offset, amount in batch:
            day = START + timedelta(days=offset)
            lines = [Line(cash, "D", amount), Line(COUNTY, "C", amount)]
            if amount < 0:
                lines = [Line(COUNTY, "D", -amount), Line(cash, "C", -amount)]
            ends = [
                sum((m for d, m in [*taken, (day, amount)] if d <= end), Decimal(0))
                for end in sorted({d for d, _ in taken} | {day})
            ]
            try:
                with committing(db) as uow:
                    record_journal(uow, fund.id, journal(day, "move", "", lines), actor=CLERK)
            except errors.InsufficientBalance:
                assert min(ends) < 0
                continue
            assert min(ends) >= 0
            taken.append((day, amount))
        with db.read() as session:
            for end in {d for d, _ in taken}:
                expected = sum((m for d, m in taken if d <= end), Decimal(0))
                assert balance(session, fund.id, cash, as_of=end).balance == expected
