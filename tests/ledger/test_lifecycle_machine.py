"""A hypothesis state machine over the fund programme.

Steps: allocate, remit, lend (register → disburse), repay, call a guarantee,
deduct salary, reverse a journal, propose and decide write-offs. A plain
Python model follows along; after every step the invariants hold:

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
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import select

from ledger import errors
from ledger.actors import Actor
from ledger.fundbook import fund_summary
from ledger.loanbook import figures
from ledger.models import Journal, Loan
from ledger.queries import balance, balance_mismatches, trial_balance
from ledger.rules import SPECIAL, liaison_receivable, township_funds
from ledger.services import funding, guarantees, loans, proposals
from ledger.services.journals import reverse_journal
from tests.conftest import rolled_back
from tests.factories import APPROVER, CLERK_ACTOR, make_loan, make_programme

D = Decimal
#: An approver may propose too, and then must leave the decision to another.
PROPOSER = Actor("approver-2", "approver")
amounts = st.integers(min_value=1, max_value=400_000).map(lambda fen: D(fen) / 100)


@pytest.mark.slow
def test_programme_state_machine(engine):
    class Programme(RuleBasedStateMachine):
        @initialize()
        def open(self):
            self.context = rolled_back(engine)
            self.db = self.context.__enter__()
            self.prog = make_programme(self.db, capital="60000.00", allocate="10000.00")
            self.today = date(2007, 5, 1)
            self.special = D("40000.00")
            self.cash = {t: D("10000.00") for t in self.prog.townships}
            self.owed: dict[str, D] = {}  # loan no -> outstanding
            self.town_of: dict[str, str] = {}
            self.receivable: dict[int, D] = defaultdict(D)
            self.written_off = D("0.00")
            self.reversible: list[tuple[str, str, str, D]] = []  # voucher, kind, key, amount
            self.pending: list[int] = []

        def teardown(self):
            if hasattr(self, "context"):
                self.context.__exit__(None, None, None)

        def run(self, service, *args, **kwargs):
            with self.db.uow() as uow:
                return service(uow, *args, **kwargs)

        @rule(days=st.integers(min_value=1, max_value=90))
        def time_passes(self, days):
            self.today += timedelta(days=days)

        @rule(index=st.integers(0, 1), amount=amounts)
        def allocate(self, index, amount):
            town = self.prog.townships[index]
            try:
                moved = self.run(
                    funding.record_allocation,
                    CLERK_ACTOR,
                    self.prog.code,
                    on=self.today,
                    township=town,
                    amount=amount,
                )
            except errors.InsufficientFunds:
                assert amount > self.special
                return
            self.special -= amount
            self.cash[town] += amount
            self.reversible.append((moved.voucher, "allocation", town, amount))

        @rule(index=st.integers(0, 1), amount=amounts)
        def remit(self, index, amount):
            town = self.prog.townships[index]
            try:
                self.run(
                    funding.record_remittance,
                    CLERK_ACTOR,
                    self.prog.code,
                    on=self.today,
                    township=town,
                    amount=amount,
                )
            except errors.InsufficientFunds:
                assert amount > self.cash[town]
                return
            self.special += amount
            self.cash[town] -= amount

        @precondition(lambda self: len(self.owed) < 6 and self.today < date(2008, 3, 1))
        @rule(index=st.integers(0, 1), hundreds=st.integers(5, 50))
        def lend(self, index, hundreds):
            town = self.prog.townships[index]
            amount = D(hundreds * 100)
            if amount > self.cash[town]:
                return
            loan = make_loan(self.db, self.prog, amount=str(amount), township=town)
            self.owed[loan.registration_no] = amount
            self.town_of[loan.registration_no] = town
            self.cash[town] -= amount

        @precondition(lambda self: self.owed)
        @rule(data=st.data(), amount=amounts)
        def repay(self, data, amount):
            no = data.draw(st.sampled_from(sorted(self.owed)))
            try:
                posted = self.run(
                    loans.repay_loan, CLERK_ACTOR, self.prog.code, no, on=self.today, amount=amount
                )
            except errors.Overpayment:
                assert amount > self.owed[no]
                return
            except errors.InvalidTransition:
                assert self.owed[no] == 0
                return
            self.owed[no] -= amount
            self.cash[self.town_of[no]] += amount
            self.reversible.append((posted.voucher, "repayment", no, amount))

        @precondition(lambda self: self.owed)
        @rule(data=st.data())
        def call_guarantee(self, data):
            no = data.draw(st.sampled_from(sorted(self.owed)))
            amount = min(self.owed[no], D("500.00"))
            try:
                call = self.run(
                    guarantees.call_guarantee,
                    APPROVER,
                    self.prog.code,
                    no,
                    on=self.today,
                    amount=amount,
                )
            except (errors.NotOverdue, errors.InvalidTransition, errors.InvalidAmount):
                return
            self.owed[no] -= amount
            self.receivable[call.liaison_id] += amount

        @precondition(lambda self: any(self.receivable.values()))
        @rule()
        def deduct(self):
            liaison = next(k for k, v in sorted(self.receivable.items()) if v > 0)
            amount = min(self.receivable[liaison], D("100.00"))
            try:
                self.run(
                    guarantees.record_salary_deduction,
                    CLERK_ACTOR,
                    self.prog.code,
                    liaison,
                    on=self.today,
                    amount=amount,
                )
            except errors.OverLimit:
                return  # this month's cap is used up
            self.receivable[liaison] -= amount
            self.special += amount

        @precondition(lambda self: self.reversible)
        @rule(data=st.data())
        def reverse(self, data):
            voucher, kind, key, amount = data.draw(st.sampled_from(self.reversible))
            self.reversible.remove((voucher, kind, key, amount))
            try:
                self.run(
                    reverse_journal,
                    self.prog.fund.id,
                    voucher,
                    actor="clerk-test",
                    reason="录入错误",
                    posted_on=self.today,
                )
            except errors.InsufficientBalance:
                return  # the money has moved on: the reversal would overdraw
            if kind == "allocation":
                self.special += amount
                self.cash[key] -= amount
            else:
                self.owed[key] += amount
                self.cash[self.town_of[key]] -= amount

        @precondition(lambda self: self.owed)
        @rule(data=st.data(), share=st.integers(1, 100))
        def propose_write_off(self, data, share):
            no = data.draw(st.sampled_from(sorted(self.owed)))
            amount = (self.owed[no] * share / 100).quantize(D("0.01"))
            try:
                row = self.run(
                    proposals.propose_write_off,
                    PROPOSER,
                    self.prog.code,
                    loan=no,
                    amount=amount,
                    ground="death",
                    reason="借款人死亡",
                    evidence="死亡证明",
                    on=self.today,
                )
            except (errors.OverLimit, errors.InvalidTransition, errors.InvalidAmount):
                return
            self.pending.append(row.id)

        @precondition(lambda self: self.pending)
        @rule(approve=st.booleans())
        def decide_write_off(self, approve):
            proposal = self.pending.pop(0)
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
                row = self.run(
                    proposals.decide_write_off,
                    APPROVER,
                    self.prog.code,
                    proposal,
                    approve=approve,
                    note="审定",
                    on=self.today,
                    document_no="霍脱贫〔2008〕1号",
                )
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
                assert balance(session, fund_id, SPECIAL).balance == self.special
                for town, cash in self.cash.items():
                    assert balance(session, fund_id, township_funds(town)).balance == cash
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
