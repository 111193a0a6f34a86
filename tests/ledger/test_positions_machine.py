"""A hypothesis state machine over a loan's life, checking the kept figures after every step.

Steps: lend (register → disburse), apply (a loan registered and taken part of
the way, or rejected, never lent), repay, reverse (red ink, dated on or after
the journal), call the guarantee, deduct a liaison's salary, hand a loan to
another liaison, write off,
recover after a write-off, extend (a new schedule version), close a month,
and time passing. Dates are drawn up to a year back, so journals land before
others already posted; refusals are part of the walk and must change
nothing. After every step every kept figure equals the one computed from the
entries (`read.figures`, `read.fund.aging`), now, today and as of a random
past date, and `positions.check` finds no difference (the kept counts of
loans by status and of households among them); the paged loan list and
liaisons' exposures equal the ones computed from the entries, and the lists'
totals a COUNT of their rows.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import select

from ledger import dates, errors
from ledger.actors import Actor
from ledger.models import Journal
from ledger.money import split
from ledger.read.figures import loan_figures
from ledger.services import guarantees, loans, periods, proposals, setup
from ledger.services.lookup import loan as find_loan
from tests.conftest import rolled_back
from tests.factories import APPROVER, CLERK_ACTOR, committing, make_loan, make_programme, reverse
from tests.ledger.kept_figures import assert_kept_matches
from tests.ledger.kept_lists import assert_lists_match

D = Decimal
PROPOSER = Actor("approver-2", "approver")
START = date(2007, 3, 1)
amounts = st.integers(min_value=1, max_value=300_000).map(lambda fen: D(fen) / 100)
#: A step's date, in days back from today.
back = st.integers(min_value=0, max_value=365)
#: Where an application not lent may stand (`make_loan`'s stages, and rejected).
APPLICATION_STAGES = ("applied", "verified", "rejected", "approved", "contracted")
#: Journals a red-ink reversal may take back (those that move a loan's figures).
LOAN_KINDS = ("disbursement", "repayment", "guarantee_call", "write_off")


@pytest.mark.slow
def test_kept_figures_follow_the_loan_lifecycle(engine):
    class Lifecycle(RuleBasedStateMachine):
        @initialize(rnd=st.randoms(use_true_random=False))
        def open(self, rnd):
            self.rnd = rnd
            self.context = rolled_back(engine)
            self.db = self.context.__enter__()
            self.prog = make_programme(self.db, capital="60000.00", allocate="25000.00")
            self.run_day = dates.today()
            self.today = date(2007, 5, 1)
            dates.set_today(self.today)
            self.loans: list[str] = []
            #: township code -> its liaisons (a loan may be handed to the other)
            self.liaisons = {town: [who] for town, who in self.prog.liaisons.items()}
            for town in self.prog.townships:
                with committing(self.db) as uow:
                    self.liaisons[town].append(
                        setup.add_liaison(
                            uow,
                            CLERK_ACTOR,
                            self.prog.code,
                            name="赵刚",
                            township=town,
                            monthly_salary="1800.00",
                        ).id
                    )
            #: registration no -> (household id, township code)
            self.households: dict[str, tuple[int, str]] = {}
            #: Loans registered and not lent (`apply`).
            self.applications = 0

        def teardown(self):
            dates.set_today(self.run_day)
            if hasattr(self, "context"):
                self.context.__exit__(None, None, None)

        def attempt(self, service, *args, **kwargs):
            """Run one service in its own unit of work; a refusal is an outcome, not a failure."""
            try:
                with committing(self.db) as uow:
                    result = service(uow, *args, **kwargs)
            except errors.LedgerError as refusal:
                event(f"{getattr(service, '__name__', 'step')}: {type(refusal).__name__}")
                return None
            return result

        def day(self, days_back):
            return max(self.today - timedelta(days=days_back), START)

        def loan_no(self, data):
            return data.draw(st.sampled_from(self.loans))

        def outstanding(self, no):
            with self.db.read() as session:
                loan = find_loan(session, self.prog.fund.id, no, CLERK_ACTOR)
                return loan_figures(session, loan).outstanding

        @rule(days=st.integers(min_value=1, max_value=120))
        def time_passes(self, days):
            self.today += timedelta(days=days)
            dates.set_today(self.today)

        @precondition(lambda self: len(self.loans) < 5)
        @rule(index=st.integers(0, 1), hundreds=st.integers(5, 40), count=st.integers(1, 4))
        def lend(self, index, hundreds, count):
            try:
                loan = make_loan(
                    self.db,
                    self.prog,
                    amount=f"{hundreds * 100}.00",
                    township=self.prog.townships[index],
                    instalments=count,
                )
            except errors.LedgerError as refusal:
                event(f"lend: {type(refusal).__name__}")
                return
            self.loans.append(loan.registration_no)
            self.households[loan.registration_no] = (loan.household_id, self.prog.townships[index])

        @precondition(lambda self: self.applications < 4)
        @rule(index=st.integers(0, 1), stage=st.sampled_from(APPLICATION_STAGES))
        def apply(self, index, stage):
            """An application taken part of the way (or rejected at verification): counted
            under its status, with no money (the list's totals, the to-do's counts)."""
            self.applications += 1
            try:
                loan = make_loan(
                    self.db,
                    self.prog,
                    stage="applied" if stage == "rejected" else stage,
                    township=self.prog.townships[index],
                )
            except errors.LedgerError as refusal:
                event(f"apply: {type(refusal).__name__}")
                return
            if stage == "rejected":
                self.attempt(
                    loans.verify_loan,
                    CLERK_ACTOR,
                    self.prog.code,
                    loan.registration_no,
                    visited_on=date(2007, 4, 5),
                    visitor="县办",
                    eligible=False,
                    reason="家庭条件较好",
                )
            event(f"apply: {stage}")

        @precondition(lambda self: self.loans and len(self.loans) < 7)
        @rule(data=st.data(), hundreds=st.integers(5, 40))
        def lend_again(self, data, hundreds):
            """The household repays a loan in full today and borrows again in the batch."""
            no = self.loan_no(data)
            household, township = self.households[no]
            owed = self.outstanding(no)
            if owed > 0:
                self.attempt(
                    loans.repay_loan, CLERK_ACTOR, self.prog.code, no, on=self.today, amount=owed
                )
            try:
                loan = make_loan(
                    self.db,
                    self.prog,
                    amount=f"{hundreds * 100}.00",
                    township=township,
                    household=household,
                )
            except errors.LedgerError as refusal:
                event(f"lend again: {type(refusal).__name__}")
                return
            event("lend again: lent")
            self.loans.append(loan.registration_no)
            self.households[loan.registration_no] = (household, township)

        @precondition(lambda self: self.loans)
        @rule(data=st.data(), amount=amounts, days_back=back)
        def repay(self, data, amount, days_back):
            no = self.loan_no(data)
            self.attempt(
                loans.repay_loan,
                CLERK_ACTOR,
                self.prog.code,
                no,
                on=self.day(days_back),
                amount=amount,
            )

        @precondition(lambda self: self.loans)
        @rule(data=st.data(), days_back=back)
        def reverse(self, data, days_back):
            with self.db.read() as session:
                reversed_ids = select(Journal.reverses_id).where(Journal.reverses_id.is_not(None))
                candidates = session.execute(
                    select(Journal.voucher_no, Journal.posted_on)
                    .where(
                        Journal.fund_id == self.prog.fund.id,
                        Journal.kind.in_(LOAN_KINDS),
                        Journal.red.is_(False),
                        Journal.id.not_in(reversed_ids),
                    )
                    .order_by(Journal.id)
                ).all()
            if not candidates:
                return
            voucher, posted_on = data.draw(st.sampled_from(candidates))
            on = max(self.day(days_back), posted_on)
            self.attempt(reverse, self.prog.code, voucher, on=on)

        @precondition(lambda self: self.loans)
        @rule(data=st.data(), amount=amounts, days_back=back)
        def call_guarantee(self, data, amount, days_back):
            self.attempt(
                guarantees.call_guarantee,
                APPROVER,
                self.prog.code,
                self.loan_no(data),
                on=self.day(days_back),
                amount=amount,
            )

        @rule(index=st.integers(0, 1), days_back=back)
        def deduct(self, index, days_back):
            self.attempt(
                guarantees.record_salary_deduction,
                CLERK_ACTOR,
                self.prog.code,
                self.prog.liaisons[self.prog.townships[index]],
                on=self.day(days_back),
                amount="100.00",
            )

        @precondition(lambda self: self.loans)
        @rule(data=st.data(), days_back=back)
        def hand_over(self, data, days_back):
            no = self.loan_no(data)
            self.attempt(
                guarantees.change_liaison,
                CLERK_ACTOR,
                self.prog.code,
                no,
                effective_on=self.day(days_back),
                liaison=data.draw(st.sampled_from(self.liaisons[self.households[no][1]])),
                reason="调动",
            )

        @precondition(lambda self: self.loans)
        @rule(data=st.data(), share=st.integers(1, 100), days_back=back)
        def write_off(self, data, share, days_back):
            no, on = self.loan_no(data), self.day(days_back)
            amount = (self.outstanding(no) * share / 100).quantize(D("0.01"))
            row = self.attempt(
                proposals.propose_write_off,
                PROPOSER,
                self.prog.code,
                loan=no,
                amount=amount,
                ground="death",
                reason="借款人死亡",
                evidence="死亡证明",
                on=on,
            )
            if row is not None:
                self.attempt(
                    proposals.decide_write_off,
                    APPROVER,
                    self.prog.code,
                    row.id,
                    approve=True,
                    note="审定",
                    on=on,
                    document_no="霍脱贫〔2008〕1号",
                )

        @precondition(lambda self: self.loans)
        @rule(data=st.data(), amount=amounts, days_back=back)
        def recover(self, data, amount, days_back):
            self.attempt(
                proposals.record_recovery,
                CLERK_ACTOR,
                self.prog.code,
                self.loan_no(data),
                on=self.day(days_back),
                amount=amount,
            )

        @precondition(lambda self: self.loans)
        @rule(data=st.data(), count=st.integers(1, 3), days_back=back)
        def extend(self, data, count, days_back):
            no, on = self.loan_no(data), self.day(days_back)
            owed = self.outstanding(no)
            if owed <= 0 or owed < count * D("0.01"):
                return
            schedule = [
                (on + timedelta(days=200 * (i + 1)), part)
                for i, part in enumerate(split(owed, count))
            ]
            row = self.attempt(
                proposals.propose_extension,
                CLERK_ACTOR,
                self.prog.code,
                loan=no,
                schedule=schedule,
                reason="受灾",
                on=on,
            )
            if row is not None:
                self.attempt(
                    proposals.decide_extension,
                    APPROVER,
                    self.prog.code,
                    row.id,
                    approve=True,
                    note="同意",
                    on=on,
                )

        @rule(months_back=st.integers(1, 4))
        def close_month(self, months_back):
            month = self.today.replace(day=1)
            for _ in range(months_back):
                month = (month - timedelta(days=1)).replace(day=1)
            self.attempt(
                periods.close_period,
                self.prog.fund.id,
                dates.month_of(month),
                actor=CLERK_ACTOR,
            )

        @invariant()
        def kept_figures_are_the_entries(self):
            if not hasattr(self, "db"):
                return
            past = START + timedelta(days=self.rnd.randint(0, (self.today - START).days))
            assert_kept_matches(
                self.db, self.prog.fund.id, self.prog.code, (None, self.today, past)
            )
            assert_lists_match(self.db, self.prog.code, (past,))

    Lifecycle.TestCase.settings = settings(
        max_examples=10,
        stateful_step_count=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    Lifecycle.TestCase().runTest()
