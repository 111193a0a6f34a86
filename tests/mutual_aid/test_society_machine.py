"""A hypothesis state machine over a society's life.

Steps: join (into a group or none), buy shares, allocate shares to the poor,
receive a donation or bank interest, pay an approved expense, lend (apply,
publish, approve after the notice days, pay out), repay any amount, close a
month (which accrues every loan's fee), leave, close and distribute last year,
pay declared subsidies and dividends, and write off an overdue loan against
the risk reserve. A plain model follows
along and says, before each step, whether the rules must refuse it; a
refusal changes nothing. After every step:

- the books balance and every balance equals the sum of its entries;
- capital by source (3001, 3002 per member, 3003) equals what came in from it;
- the bank account (1001) moved only by the allowed events, and was credited
  only by the allowed outflows, and holds what the model says;
- each loan's fee income equals the fee formula over its spans, computed here
  independently (P × m × d / 30, half up, the days after the due date at the
  overdue rate), and its principal and fee receivable are the model's;
- allocated shares of members still in the society never exceed 3001;
- the reserves, the year's result, subsidies and dividends declared are the
  model's, and a distribution's parts are the rules' shares of the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, localcontext

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import func, select

from ledger import dates
from ledger.errors import InsufficientBalance, LedgerError, Overpayment
from ledger.models import Account, Entry, Journal
from ledger.money import from_fen, to_fen
from ledger.posting import AccountRef
from ledger.programmes.mutual_aid import services as society
from ledger.programmes.mutual_aid import yearend
from ledger.programmes.mutual_aid.errors import (
    AllocationRefused,
    CharterLimit,
    GroupOverdue,
    MemberOwes,
    MoreThanDeclared,
    NotInGroup,
    RiskReserveShort,
)
from ledger.programmes.mutual_aid.rules import OUTFLOWS, add_months
from ledger.read.books import balance, balance_mismatches, month_end, subaccount_balances
from tests.conftest import rolled_back
from tests.factories import committing, make_id_number
from tests.mutual_aid.society import APPROVER, CASHIER, CLERK, make_group, make_society

D = Decimal
ZERO = D("0.00")
FISCAL = D("20000.00")
SHARE = D("1000.00")
RATE, OVERDUE_RATE = D("0.006"), D("0.009")
GROUPS = ("G1", "G2")
#: The society opens late in a year, so that its life reaches a year end or two.
START = date(2024, 10, 1)
INFLOWS = {"fiscal_capital", "share_bought", "donation", "bank_interest", "repayment"}


def fee(principal: D, rate: D, days: int) -> D:
    """The formula of SPEC §13, written here again on its own."""
    if days <= 0:
        return ZERO
    with localcontext() as ctx:
        ctx.prec = 60
        return (principal * rate * days / 30).quantize(D("0.01"), ROUND_HALF_UP)


@dataclass
class MemberModel:
    poor: bool
    group: str | None
    bought: D = ZERO
    allocated: D = ZERO
    left: bool = False


@dataclass
class LoanModel:
    member: int
    principal: D
    due_on: date
    accrued_to: date
    receivable: D = ZERO
    #: Each accrual: its date and fee (the span ends on that date).
    accruals: list[tuple[date, D]] = field(default_factory=list)
    #: Fee income closed into 3201 by year ends.
    closed: D = ZERO
    written_off: bool = False

    @property
    def income(self) -> D:
        return self.income_to(date.max)

    def income_to(self, day: date) -> D:
        return sum((amount for on, amount in self.accruals if on <= day), ZERO)

    def accrue(self, through: date) -> None:
        if through <= self.accrued_to:
            return
        normal = max(0, (min(through, self.due_on) - self.accrued_to).days)
        late = max(0, (through - max(self.accrued_to, self.due_on)).days)
        amount = fee(self.principal, RATE, normal) + fee(self.principal, OVERDUE_RATE, late)
        self.receivable += amount
        self.accruals.append((through, amount))
        self.accrued_to = through

    def state(self) -> tuple:
        return (self.receivable, self.principal, self.accrued_to, len(self.accruals))

    def restore(self, state: tuple) -> None:
        """Undo the accrual of a step that was refused (the database rolled it back)."""
        self.receivable, self.principal, self.accrued_to, count = state
        del self.accruals[count:]


def test_society_state_machine(engine):
    class Society(RuleBasedStateMachine):
        @initialize()
        def open(self):
            self.context = rolled_back(engine)
            self.db = self.context.__enter__()
            self.fund = make_society(self.db, fiscal=str(FISCAL), opened_on=START)
            for code in GROUPS:
                make_group(self.db, self.fund, code)
            self.day = START
            self.cash = FISCAL
            self.donations = ZERO
            self.members: dict[int, MemberModel] = {}
            self.loans: dict[str, LoanModel] = {}
            self.closed: str | None = None
            # Year ends: money in 4002 and 5001 by day, and how much of each was closed.
            self.interest: list[tuple[date, D]] = []
            self.expenses: list[tuple[date, D]] = []
            self.interest_closed = self.expenses_closed = ZERO
            self.distributed: set[int] = set()
            self.reserves = {"3101": ZERO, "3102": ZERO, "3103": ZERO}
            self.result = ZERO  # 3201: a loss stays there
            self.subsidies = ZERO  # 2202
            self.dividends: dict[int, D] = {}  # 2201 by member
            # Two groups that may borrow from the start: four and three members with a share.
            for group, size in zip(GROUPS, (4, 3), strict=True):
                for _ in range(size):
                    self.join(poor=False, group=group)
                    self.buy(pick=len(self.members) - 1, shares=1)

        def teardown(self):
            self.context.__exit__(None, None, None)

        # --- the model's rules ----------------------------------------------

        def active(self) -> list[int]:
            return [i for i, m in self.members.items() if not m.left]

        def group_size(self, group: str) -> int:
            return sum(1 for m in self.members.values() if m.group == group and not m.left)

        def overdue(self, group: str | None, on: date) -> bool:
            return any(
                self.members[loan.member].group == group and loan.due_on < on
                for loan in self.loans.values()
                if loan.principal > 0
            )

        def attempt(self, name: str, expected: type[LedgerError] | None, step):
            """Run `step` in a unit of work; it must be refused exactly when expected."""
            try:
                with committing(self.db) as uow:
                    result = step(uow)
            except LedgerError as error:
                assert expected is not None and isinstance(error, expected), error
                event(f"{name} refused: {type(error).__name__}")
                return None
            assert expected is None, f"{expected.__name__} expected"
            event(f"{name} done")
            return result

        # --- steps ---------------------------------------------------------------

        @rule(days=st.integers(0, 90))
        def advance(self, days):
            """Time passes, up to a week before today (a loan is paid out a week after)."""
            self.day = min(self.day + timedelta(days=days), dates.today() - timedelta(days=8))

        @rule(poor=st.booleans(), group=st.sampled_from((*GROUPS, None)))
        def join(self, poor, group):
            full = group is not None and self.group_size(group) >= 7
            member = self.attempt(
                "join",
                NotInGroup if full else None,
                lambda uow: society.join(
                    uow,
                    CLERK,
                    self.fund.code,
                    name="社员",
                    id_number=make_id_number(),
                    poor=poor,
                    joined_on=self.day,
                    group=group,
                ),
            )
            if member is not None:
                self.members[member.id] = MemberModel(poor, group)

        @precondition(lambda self: self.active())
        @rule(pick=st.integers(0, 99), shares=st.integers(1, 3))
        def buy(self, pick, shares):
            member = self.active()[pick % len(self.active())]
            amount = SHARE * shares
            self.attempt(
                "buy_share",
                None,
                lambda uow: society.buy_share(
                    uow, CASHIER, self.fund.code, member, on=self.day, amount=amount
                ),
            )
            self.members[member].bought += amount
            self.cash += amount

        @precondition(lambda self: self.active())
        @rule(pick=st.integers(0, 99), shares=st.integers(1, 6))
        def allocate(self, pick, shares):
            member = self.active()[pick % len(self.active())]
            amount = SHARE * shares
            held = sum(m.allocated for m in self.members.values() if not m.left)
            refused = not self.members[member].poor or held + amount > FISCAL
            done = self.attempt(
                "allocate_share",
                AllocationRefused if refused else None,
                lambda uow: society.allocate_share(
                    uow, CLERK, self.fund.code, member, on=self.day, amount=amount
                ),
            )
            if done is not None:
                self.members[member].allocated += amount

        @rule(fen=st.integers(1, 500_000))
        def donate(self, fen):
            amount = D(fen) / 100
            self.attempt(
                "receive_donation",
                None,
                lambda uow: society.receive_donation(
                    uow, CASHIER, self.fund.code, on=self.day, amount=amount, donor="县商会"
                ),
            )
            self.donations += amount
            self.cash += amount

        @rule(fen=st.integers(1, 5_000))
        def bank_interest(self, fen):
            amount = D(fen) / 100
            self.attempt(
                "record_bank_interest",
                None,
                lambda uow: society.record_bank_interest(
                    uow, CASHIER, self.fund.code, on=self.day, amount=amount
                ),
            )
            self.cash += amount
            self.interest.append((self.day, amount))

        @rule(fen=st.integers(1, 3_000_000))
        def expense(self, fen):
            amount = D(fen) / 100
            done = self.attempt(
                "pay_expense",
                InsufficientBalance if amount > self.cash else None,
                lambda uow: society.pay_expense(
                    uow,
                    CASHIER,
                    self.fund.code,
                    on=self.day,
                    amount=amount,
                    purpose="办公用品",
                    approved_by=APPROVER.username,
                ),
            )
            if done is not None:
                self.cash -= amount
                self.expenses.append((self.day, amount))

        @precondition(lambda self: self.active())
        @rule(pick=st.integers(0, 99), fen=st.integers(100, 600_000), term=st.integers(1, 13))
        def lend(self, pick, fen, term):
            member_id = self.active()[pick % len(self.active())]
            member = self.members[member_id]
            amount = D(fen) / 100
            applied, paid = self.day, self.day + timedelta(days=7)
            expected: type[LedgerError] | None = None
            if member.group is None or not 3 <= self.group_size(member.group) <= 7:
                expected = NotInGroup
            elif self.overdue(member.group, applied):
                expected = GroupOverdue
            elif amount > min(D("5000.00"), 5 * (member.bought + member.allocated)) or term > 12:
                expected = CharterLimit
            elif self.overdue(member.group, paid):  # the approval looks again
                expected = GroupOverdue
            elif amount > self.cash:
                expected = InsufficientBalance

            def step(uow):
                loan = society.apply_for_loan(
                    uow,
                    CLERK,
                    self.fund.code,
                    member=member_id,
                    amount=amount,
                    term_months=term,
                    purpose="养殖",
                    applied_on=applied,
                )
                society.post_notice(uow, CLERK, self.fund.code, loan.no, on=applied)
                society.approve_loan(uow, APPROVER, self.fund.code, loan.no, on=paid)
                society.pay_out(uow, CASHIER, self.fund.code, loan.no, on=paid)
                return loan.no

            no = self.attempt("lend", expected, step)
            if no is not None:
                self.loans[no] = LoanModel(member_id, amount, add_months(paid, term), paid)
                self.cash -= amount
                self.day = paid

        @precondition(lambda self: any(loan.principal for loan in self.loans.values()))
        @rule(pick=st.integers(0, 99), percent=st.integers(0, 100))
        def repay(self, pick, percent):
            """Repay `percent` of what is owed (at least a fen), or one fen too much at 0."""
            open_loans = sorted(no for no, loan in self.loans.items() if loan.principal)
            no = open_loans[pick % len(open_loans)]
            loan = self.loans[no]
            before = loan.state()
            loan.accrue(self.day)
            owed = loan.receivable + loan.principal
            part = (owed * percent / 100).quantize(D("0.01"), ROUND_DOWN)
            amount = max(part, D("0.01")) if percent else owed + D("0.01")
            done = self.attempt(
                "repay",
                Overpayment if amount > owed else None,
                lambda uow: society.repay(
                    uow, CASHIER, self.fund.code, no, on=self.day, amount=amount
                ),
            )
            if done is None:  # refused: nothing happened, the accrual neither
                loan.restore(before)
                return
            fee_part = min(amount, loan.receivable)
            assert (done.fee, done.principal) == (fee_part, amount - fee_part)
            loan.receivable -= fee_part
            loan.principal -= amount - fee_part
            self.cash += amount

        @rule()
        def close_previous_month(self):
            first = self.day.replace(day=1) - timedelta(days=1)
            period = f"{first.year:04d}-{first.month:02d}"
            if first < START or (self.closed is not None and period <= self.closed):
                return
            self.attempt(
                "close_month",
                None,
                lambda uow: society.close_month(uow, CLERK, self.fund.code, period),
            )
            for loan in self.loans.values():
                if loan.principal:
                    loan.accrue(month_end(period))
            self.closed = period

        @precondition(lambda self: self.active())
        @rule(pick=st.integers(0, 99))
        def leave(self, pick):
            member_id = self.active()[pick % len(self.active())]
            member = self.members[member_id]
            owes = any(
                loan.principal or loan.written_off
                for loan in self.loans.values()
                if loan.member == member_id
            )
            expected: type[LedgerError] | None = None
            if owes:
                expected = MemberOwes
            elif member.group is not None and self.overdue(member.group, self.day):
                expected = GroupOverdue
            elif member.bought > self.cash:  # the refund waits for money to come back
                expected = InsufficientBalance
            done = self.attempt(
                "leave",
                expected,
                lambda uow: society.leave(uow, CASHIER, self.fund.code, member_id, on=self.day),
            )
            if done is not None:
                assert done.refund == member.bought
                self.cash -= member.bought
                member.bought, member.left = ZERO, True

        @rule()
        def distribute(self):
            """Close and distribute last year, unless done or its December is closed."""
            year = self.day.year - 1
            end = date(year, 12, 31)
            if (
                year < START.year
                or year in self.distributed
                or (self.closed is not None and self.closed >= f"{year}-12")
            ):
                return
            for loan in self.loans.values():
                if loan.principal and not loan.written_off:
                    loan.accrue(end)
            income = sum((loan.income_to(end) - loan.closed for loan in self.loans.values()), ZERO)
            interest = sum((a for on, a in self.interest if on <= end), ZERO)
            spent = sum((a for on, a in self.expenses if on <= end), ZERO)
            income += interest - self.interest_closed
            spent -= self.expenses_closed
            table = self.attempt(
                "distribute",
                None,
                lambda uow: yearend.distribute(uow, APPROVER, self.fund.code, year),
            )
            assert (table.income, table.expenses) == (income, spent)
            for loan in self.loans.values():
                loan.closed = loan.income_to(end)
            self.interest_closed, self.expenses_closed = interest, spent + self.expenses_closed
            self.distributed.add(year)
            result = income - spent
            if result <= 0:
                self.result += result
                return
            fen = to_fen(result)
            # By the default rules: 30 % reserve, 10 % welfare, 30 % risk, 10 % staff, 20 %.
            assert (table.welfare, table.risk, table.staff) == tuple(
                from_fen(fen * bp // 10_000) for bp in (1000, 3000, 1000)
            )
            assert sum(table.dividends.values(), ZERO) <= from_fen(fen * 2000 // 10_000)
            assert table.reserve >= from_fen(fen * 3000 // 10_000)
            parts = table.reserve + table.welfare + table.risk + table.staff
            assert parts + sum(table.dividends.values(), ZERO) == result
            self.reserves["3101"] += table.reserve
            self.reserves["3102"] += table.welfare
            self.reserves["3103"] += table.risk
            self.subsidies += table.staff
            for member, amount in table.dividends.items():
                self.dividends[member] = self.dividends.get(member, ZERO) + amount

        @precondition(lambda self: self.subsidies)
        @rule(over=st.booleans())
        def pay_subsidy(self, over):
            amount = self.subsidies + (D("0.01") if over else ZERO)
            done = self.attempt(
                "pay_subsidy",
                MoreThanDeclared if over else None,
                lambda uow: yearend.pay_subsidy(
                    uow, CASHIER, self.fund.code, on=self.day, amount=amount
                ),
            )
            if done is not None:
                self.subsidies -= amount
                self.cash -= amount

        @precondition(lambda self: any(self.dividends.values()))
        @rule(pick=st.integers(0, 99))
        def pay_dividend(self, pick):
            owed = sorted(m for m, amount in self.dividends.items() if amount)
            member = owed[pick % len(owed)]
            paid, _ = self.attempt(
                "pay_dividend",
                None,
                lambda uow: yearend.pay_dividend(uow, CASHIER, self.fund.code, member, on=self.day),
            )
            assert paid == self.dividends[member]
            self.cash -= paid
            self.dividends[member] = ZERO

        @precondition(
            lambda self: any(
                loan.principal and loan.due_on < self.day for loan in self.loans.values()
            )
        )
        @rule(pick=st.integers(0, 99))
        def write_off(self, pick):
            overdue = sorted(
                no for no, loan in self.loans.items() if loan.principal and loan.due_on < self.day
            )
            no = overdue[pick % len(overdue)]
            loan = self.loans[no]
            before = loan.state()
            loan.accrue(self.day)
            owed = loan.principal + loan.receivable
            done = self.attempt(
                "write_off",
                RiskReserveShort if owed > self.reserves["3103"] else None,
                lambda uow: yearend.write_off(
                    uow, APPROVER, self.fund.code, no, on=self.day, document="社员大会及县批复"
                ),
            )
            if done is None:
                loan.restore(before)
                return
            self.reserves["3103"] -= owed
            loan.principal = loan.receivable = ZERO
            loan.written_off = True

        # --- invariants ------------------------------------------------------------

        @invariant()
        def books_balance_and_match_their_entries(self):
            with self.db.read() as session:
                debit, credit = session.execute(
                    select(func.sum(Account.debit_total), func.sum(Account.credit_total)).where(
                        Account.fund_id == self.fund.id
                    )
                ).one()
                assert debit == credit
                assert balance_mismatches(session, self.fund.id) == []

        @invariant()
        def capital_by_source_and_the_bank_are_the_models(self):
            fund_id = self.fund.id
            with self.db.read() as session:
                assert balance(session, fund_id, AccountRef("3001")).balance == FISCAL
                shares = subaccount_balances(session, fund_id, "3002")
                for member_id, member in self.members.items():
                    got = shares.get(str(member_id))
                    assert (got.balance if got else ZERO) == member.bought
                donated = subaccount_balances(session, fund_id, "3003")
                assert sum((b.balance for b in donated.values()), ZERO) == self.donations
                assert balance(session, fund_id, AccountRef("1001")).balance == self.cash
                assert society.allocated(session, fund_id) == sum(
                    (m.allocated for m in self.members.values() if not m.left), ZERO
                )
                assert society.allocated(session, fund_id) <= FISCAL
                for code, amount in self.reserves.items():
                    assert balance(session, fund_id, AccountRef(code)).balance == amount, code
                assert balance(session, fund_id, AccountRef("3201")).balance == self.result
                assert balance(session, fund_id, AccountRef("2202")).balance == self.subsidies
                declared = subaccount_balances(session, fund_id, "2201")
                for member, amount in self.dividends.items():
                    assert declared[str(member)].balance == amount

        @invariant()
        def the_bank_moves_only_by_the_allowed_events(self):
            with self.db.read() as session:
                rows = session.execute(
                    select(Journal.kind, Entry.side)
                    .join(Entry, Entry.journal_id == Journal.id)
                    .join(Account, Account.id == Entry.account_id)
                    .where(Journal.fund_id == self.fund.id, Account.code == "1001")
                    .distinct()
                ).all()
            for kind, side in rows:
                assert kind in (INFLOWS if side == "D" else OUTFLOWS.keys()), (kind, side)

        @invariant()
        def each_loans_fee_income_is_the_formula_over_its_spans(self):
            with self.db.read() as session:
                income = subaccount_balances(session, self.fund.id, "4001")
                receivable = subaccount_balances(session, self.fund.id, "1301")
                principal = subaccount_balances(session, self.fund.id, "1201")
            for no, loan in self.loans.items():
                got = income.get(no)
                # Every fee ever accrued is a credit; year ends debit what they closed.
                assert (got.credit if got else ZERO) == loan.income, no
                assert (got.balance if got else ZERO) == loan.income - loan.closed, no
                got = receivable.get(no)
                assert (got.balance if got else ZERO) == loan.receivable, no
                assert principal[no].balance == loan.principal, no

    Society.TestCase.settings = settings(
        max_examples=20,
        stateful_step_count=50,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    Society.TestCase().runTest()
