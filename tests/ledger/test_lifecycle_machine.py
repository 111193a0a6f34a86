"""A hypothesis state machine over the fund programme.

Steps: allocate, remit, lend (register → disburse), repay, call a guarantee,
deduct salary, reverse a journal, propose and decide write-offs. Each step
draws its date around the service's today (which the machine moves on): a
date after today, or before the event the step follows, must be refused and
change nothing; money leaves the special account or a township exactly when
every day's balance from the step's date on covers it. A plain Python model
follows along; after every step the invariants hold:

- the trial balance balances, and every balance equals the sum of its entries;
- every loan's outstanding = disbursed − repaid − called − written off ≥ 0;
- special account + township cash + loans outstanding + liaison receivables
  + write-offs = capital + income;
- the model agrees with the database.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import select

from ledger import dates, errors
from ledger.actors import Actor
from ledger.journal_templates import SPECIAL, liaison_receivable, township_funds
from ledger.models import Journal, Loan
from ledger.read.books import balance, balance_mismatches, trial_balance
from ledger.read.figures import figures
from ledger.read.fund import fund_summary
from ledger.services import funding, guarantees, loans, proposals
from tests.conftest import rolled_back
from tests.factories import APPROVER, CLERK_ACTOR, committing, make_loan, make_programme, reverse

D = Decimal
#: An approver may propose too, and then must leave the decision to another.
PROPOSER = Actor("approver-2", "approver")
amounts = st.integers(min_value=1, max_value=400_000).map(lambda fen: D(fen) / 100)
#: A step's date, in days from the service's today: mostly past, sometimes future.
offsets = st.integers(min_value=-45, max_value=2)
#: make_programme's appropriation, first allocations and make_loan's disbursements.
APPROPRIATED = date(2007, 3, 1)
ALLOCATED = date(2007, 4, 1)
DISBURSED = date(2007, 4, 10)
#: The model's key for the special account (townships go by their codes).
SPECIAL_KEY = "special"


@pytest.mark.slow
def test_programme_state_machine(engine):
    class Programme(RuleBasedStateMachine):
        @initialize()
        def open(self):
            self.context = rolled_back(engine)
            self.db = self.context.__enter__()
            self.prog = make_programme(self.db, capital="60000.00", allocate="10000.00")
            self.run_day = dates.today()
            self.today = date(2007, 5, 1)
            dates.set_today(self.today)
            # Each cash account's net movement by day: the special account, then each township.
            self.moves = {SPECIAL_KEY: defaultdict(D, {APPROPRIATED: D("60000.00")})}
            for town in self.prog.townships:
                self.moves[SPECIAL_KEY][ALLOCATED] -= D("10000.00")
                self.moves[town] = defaultdict(D, {ALLOCATED: D("10000.00")})
            self.owed: dict[str, D] = {}  # loan no -> outstanding
            self.town_of: dict[str, str] = {}
            self.receivable: dict[int, D] = defaultdict(D)
            self.written_off = D("0.00")
            self.first_call: dict[int, date] = {}
            # Money into each township's account by day: a remittance may not precede the
            # first day it was positive (a red-ink reversal the same day takes it back).
            self.received = {
                t: defaultdict(D, {ALLOCATED: D("10000.00")}) for t in self.prog.townships
            }
            # voucher, kind, key, amount, date
            self.reversible: list[tuple[str, str, str, D, date]] = []
            self.pending: list[tuple[int, date]] = []

        def teardown(self):
            dates.set_today(self.run_day)
            if hasattr(self, "context"):
                self.context.__exit__(None, None, None)

        def run(self, service, *args, **kwargs):
            with committing(self.db) as uow:
                return service(uow, *args, **kwargs)

        def refused(self, on, after, service, *args, **kwargs):
            """True when `on` is after today or before `after`, and the service refused it."""
            if on > self.today:
                expected = errors.DateInFuture
            elif after is not None and on < after:
                expected = errors.DateOutOfOrder
            else:
                return False
            event(f"{service.__name__}: {expected.__name__}")
            with pytest.raises(expected) as info:
                self.run(service, *args, on=on, **kwargs)
            assert str(on) in info.value.detail_zh and str(on) in info.value.detail_en
            return True

        def day(self, offset):
            return self.today + timedelta(days=offset)

        def held(self, key, as_of=None):
            """Cash account `key`'s balance at the end of `as_of` (now if None)."""
            return sum(
                (v for d, v in self.moves[key].items() if as_of is None or d <= as_of), D("0.00")
            )

        def room(self, key, on):
            """The most that may leave `key` on `on`: its lowest end-of-day balance since."""
            return min(self.held(key, d) for d in {on, *(d for d in self.moves[key] if d > on)})

        def move(self, source, target, amount, on):
            self.moves[source][on] -= amount
            self.moves[target][on] += amount

        @rule(days=st.integers(min_value=1, max_value=90))
        def time_passes(self, days):
            self.today += timedelta(days=days)
            dates.set_today(self.today)

        @rule(index=st.integers(0, 1), amount=amounts, offset=offsets)
        def allocate(self, index, amount, offset):
            town, on = self.prog.townships[index], self.day(offset)
            args = (funding.record_allocation, CLERK_ACTOR, self.prog.code)
            if self.refused(on, None, *args, township=town, amount=amount):
                return
            room = self.room(SPECIAL_KEY, on)
            try:
                moved = self.run(*args, on=on, township=town, amount=amount)
            except errors.InsufficientFunds:
                assert amount > room
                return
            assert amount <= room
            self.move(SPECIAL_KEY, town, amount, on)
            self.reversible.append((moved.voucher, "allocation", town, amount, on))
            self.received[town][on] += amount

        @rule(index=st.integers(0, 1), amount=amounts, offset=offsets)
        def remit(self, index, amount, offset):
            town, on = self.prog.townships[index], self.day(offset)
            args = (funding.record_remittance, CLERK_ACTOR, self.prog.code)
            first = min(day for day, money in self.received[town].items() if money > 0)
            if self.refused(on, first, *args, township=town, amount=amount):
                return
            room = self.room(town, on)
            try:
                self.run(*args, on=on, township=town, amount=amount)
            except errors.InsufficientFunds:
                assert amount > room
                return
            assert amount <= room
            self.move(town, SPECIAL_KEY, amount, on)

        @precondition(lambda self: len(self.owed) < 6 and self.today < date(2008, 3, 1))
        @rule(index=st.integers(0, 1), hundreds=st.integers(5, 50))
        def lend(self, index, hundreds):
            town = self.prog.townships[index]
            amount = D(hundreds * 100)
            if amount > self.room(town, DISBURSED):
                return
            loan = make_loan(self.db, self.prog, amount=str(amount), township=town)
            self.owed[loan.registration_no] = amount
            self.town_of[loan.registration_no] = town
            self.moves[town][DISBURSED] -= amount

        @precondition(lambda self: self.owed)
        @rule(data=st.data(), amount=amounts, offset=offsets)
        def repay(self, data, amount, offset):
            no, on = data.draw(st.sampled_from(sorted(self.owed))), self.day(offset)
            args = (loans.repay_loan, CLERK_ACTOR, self.prog.code, no)
            if self.refused(on, DISBURSED, *args, amount=amount):
                return
            try:
                posted = self.run(*args, on=on, amount=amount)
            except errors.Overpayment:
                assert amount > self.owed[no]
                return
            except errors.InvalidTransition:
                assert self.owed[no] == 0
                return
            self.owed[no] -= amount
            self.moves[self.town_of[no]][on] += amount
            self.reversible.append((posted.voucher, "repayment", no, amount, on))
            self.received[self.town_of[no]][on] += amount

        @precondition(lambda self: self.owed)
        @rule(data=st.data(), offset=offsets)
        def call_guarantee(self, data, offset):
            no, on = data.draw(st.sampled_from(sorted(self.owed))), self.day(offset)
            amount = min(self.owed[no], D("500.00"))
            args = (guarantees.call_guarantee, APPROVER, self.prog.code, no)
            if self.refused(on, DISBURSED, *args, amount=amount):
                return
            try:
                call = self.run(*args, on=on, amount=amount)
            except (errors.NotOverdue, errors.InvalidTransition, errors.InvalidAmount):
                return
            self.owed[no] -= amount
            self.receivable[call.liaison_id] += amount
            self.first_call.setdefault(call.liaison_id, on)

        @precondition(lambda self: any(self.receivable.values()))
        @rule(offset=offsets)
        def deduct(self, offset):
            liaison = next(k for k, v in sorted(self.receivable.items()) if v > 0)
            amount, on = min(self.receivable[liaison], D("100.00")), self.day(offset)
            args = (guarantees.record_salary_deduction, CLERK_ACTOR, self.prog.code, liaison)
            if self.refused(on, self.first_call[liaison], *args, amount=amount):
                return
            try:
                self.run(*args, on=on, amount=amount)
            except errors.OverLimit:
                return  # this month's cap is used up
            self.receivable[liaison] -= amount
            self.moves[SPECIAL_KEY][on] += amount

        @precondition(lambda self: self.reversible)
        @rule(data=st.data(), offset=offsets)
        def reverse(self, data, offset):
            voucher, kind, key, amount, posted_on = data.draw(st.sampled_from(self.reversible))
            on = self.day(offset)
            if on > self.today or on < posted_on:
                expected = errors.DateInFuture if on > self.today else errors.DateOutOfOrder
                with pytest.raises(expected):
                    self.run(reverse, self.prog.code, voucher, on=on)
                return
            self.reversible.remove((voucher, kind, key, amount, posted_on))
            try:
                self.run(reverse, self.prog.code, voucher, on=on)
            except errors.InsufficientBalance:
                return  # the money has moved on: the reversal would overdraw
            town = key if kind == "allocation" else self.town_of[key]
            if kind == "allocation":
                self.moves[SPECIAL_KEY][on] += amount
            else:
                self.owed[key] += amount
            self.moves[town][on] -= amount
            self.received[town][on] -= amount

        @precondition(lambda self: self.owed)
        @rule(data=st.data(), share=st.integers(1, 100), offset=offsets)
        def propose_write_off(self, data, share, offset):
            no, on = data.draw(st.sampled_from(sorted(self.owed))), self.day(offset)
            amount = (self.owed[no] * share / 100).quantize(D("0.01"))
            args = (proposals.propose_write_off, PROPOSER, self.prog.code)
            details = {
                "loan": no,
                "amount": amount,
                "ground": "death",
                "reason": "借款人死亡",
                "evidence": "死亡证明",
            }
            if self.refused(on, DISBURSED, *args, **details):
                return
            try:
                row = self.run(*args, on=on, **details)
            except (errors.OverLimit, errors.InvalidTransition, errors.InvalidAmount):
                return
            self.pending.append((row.id, on))

        @precondition(lambda self: self.pending)
        @rule(approve=st.booleans(), offset=offsets)
        def decide_write_off(self, approve, offset):
            proposal, proposed_on = self.pending[0]
            on = self.day(offset)
            args = (proposals.decide_write_off, APPROVER, self.prog.code, proposal)
            decision = {"approve": approve, "note": "审定", "document_no": "霍脱贫〔2008〕1号"}
            if self.refused(on, proposed_on, *args, **decision):
                return  # still pending
            self.pending.pop(0)
            with pytest.raises(errors.MakerIsChecker):
                self.run(
                    proposals.decide_write_off,
                    PROPOSER,
                    self.prog.code,
                    proposal,
                    approve=True,
                    note="self",
                    on=self.today,
                    document_no="x",
                )
            try:
                row = self.run(*args, on=on, **decision)
            except errors.OverLimit:
                return  # repaid meanwhile: the proposal no longer fits
            if approve:
                no = next(n for n in self.owed if n == self._loan_no(row.loan_id))
                self.owed[no] -= row.amount
                self.written_off += row.amount

        def _loan_no(self, loan_id):
            with self.db.read() as session:
                return session.get(Loan, loan_id).registration_no

        @invariant()
        def book_is_whole(self):
            if not hasattr(self, "db"):
                return
            fund_id = self.prog.fund.id
            with self.db.read() as session:
                assert trial_balance(session, fund_id).totals.balanced
                assert balance_mismatches(session, fund_id) == []
                by_no = figures(session, fund_id)
                for no, owed in self.owed.items():
                    numbers = by_no[no]
                    assert numbers.outstanding == owed >= 0
                    assert numbers.outstanding == (
                        numbers.disbursed
                        - numbers.repaid
                        - numbers.guarantee_called
                        - numbers.written_off
                    )
                assert balance(session, fund_id, SPECIAL).balance == self.held(SPECIAL_KEY)
                for town in self.prog.townships:
                    assert balance(session, fund_id, township_funds(town)).balance == self.held(
                        town
                    )
                for liaison, owed in self.receivable.items():
                    assert balance(session, fund_id, liaison_receivable(liaison)).balance == owed
                summary = fund_summary(session, fund_id, CLERK_ACTOR)
                assert (
                    summary.special_cash
                    + summary.township_cash
                    + summary.outstanding
                    + summary.liaison_receivable
                    + summary.written_off
                ) == (summary.capital + summary.fee_income + summary.recoveries_income)
                assert summary.written_off == self.written_off
                assert session.scalar(select(Journal.id).limit(1)) is not None

    Programme.TestCase.settings = settings(
        max_examples=8,
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    Programme.TestCase().runTest()
