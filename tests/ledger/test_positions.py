"""Kept figures: written by the posting path, exact now and as of any date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import delete, event, func, select, update

from ledger import positions
from ledger.actors import Actor
from ledger.models import (
    Account,
    AccountKindDay,
    ActivityDay,
    AgingDay,
    AgingNow,
    ChartKindDay,
    HouseholdCount,
    JournalKindDay,
    LiaisonDue,
    LiaisonTotal,
    LoanCount,
    LoanEvent,
    LoanPosition,
    LoanStatus,
    PositionDay,
    PositionTotal,
    Township,
)
from ledger.read import fund as fund_reads
from ledger.read import positions as kept_reads
from ledger.services import guarantees, loans, proposals, setup
from tests.factories import APPROVER, CLERK_ACTOR, committing, make_loan, make_programme, reverse
from tests.ledger.kept_figures import assert_kept_matches

D = Decimal
PROPOSER = Actor("approver-2", "approver")
#: Around every instalment of make_loan's schedule (2008-04-01, 2009-04-01 ...).
DAYS = (
    None,
    date(2007, 4, 9),
    date(2007, 4, 10),
    date(2008, 4, 1),
    date(2008, 4, 2),
    date(2008, 6, 1),
    date(2009, 5, 1),
    date(2010, 7, 1),
)


def repay(db, prog, no, amount, on):
    with committing(db) as uow:
        return loans.repay_loan(uow, CLERK_ACTOR, prog.code, no, on=on, amount=amount)


def test_a_disbursement_and_a_repayment_are_kept_per_loan_and_township(db, set_today):
    set_today(date(2008, 6, 1))
    prog = make_programme(db)
    first = make_loan(db, prog, amount="3000.00")
    second = make_loan(db, prog, amount="2000.00", township=prog.townships[1])
    repay(db, prog, first.registration_no, "1200.00", date(2008, 3, 1))
    with db.read() as session:
        row = session.get_one(LoanPosition, (prog.fund.id, first.id))
        assert (row.disbursed, row.repaid, row.outstanding) == (
            D("3000.00"),
            D("1200.00"),
            D("1800.00"),
        )
        # 1,200 paid the first instalment of 1,000 and part of the second.
        assert row.oldest_unpaid_due == date(2009, 4, 1)
        towns = dict(
            session.execute(
                select(Township.code, Township.id).where(Township.fund_id == prog.fund.id)
            ).all()
        )
        totals = kept_reads.totals(session, prog.fund.id)
        assert {towns[prog.townships[0]], towns[prog.townships[1]]} == {t for t, _ in totals}
        before = kept_reads.totals(session, prog.fund.id, as_of=date(2008, 2, 29))
        mine = next(v for (t, _), v in before.items() if t == towns[prog.townships[0]])
        assert (mine.disbursed, mine.repaid, mine.lent_loans, mine.open_loans) == (
            D("3000.00"),
            D("0.00"),
            1,
            1,
        )
        assert second.id != first.id
    assert_kept_matches(db, prog.fund.id, prog.code, DAYS)


def written(db, step) -> list[str]:
    """The statements `step` (a function of no arguments) sent that write a table."""
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        if not statement.lstrip().startswith("SELECT") or "INSERT INTO" in statement:
            statements.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        step()
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    return statements


PER_LOAN = ("loan_position", "position_total", "position_day", "aging_now")


def test_a_loans_kept_figures_go_with_its_journal_when_it_is_dated_last(db, set_today):
    """A disbursement and a repayment dated on or after the loan's last movement: their
    kept figures are built before the journal goes in and leave with it (one statement on
    PostgreSQL); an aging row the repayment empties goes after it."""
    set_today(date(2008, 6, 1))
    prog = make_programme(db)
    loan = make_loan(db, prog, amount="3000.00", stage="contracted")
    no = loan.registration_no

    def disburse():
        with committing(db) as uow:
            loans.disburse_loan(
                uow, CLERK_ACTOR, prog.code, no, on=date(2007, 4, 10), amount="3000.00"
            )

    lending = written(db, disburse)
    # The first instalment (1,000, due 2008-04-01) paid: its aging row comes to zero.
    paying = written(db, lambda: repay(db, prog, no, "1000.00", date(2008, 6, 1)))
    for statements, tables in (
        (lending, (*PER_LOAN, "household_day", "activity_day")),
        (paying, PER_LOAN),
    ):
        kept = [s for s in statements if any(f"INSERT INTO {t} " in s for t in tables)]
        if db.engine.dialect.name == "postgresql":
            (one,) = kept
            assert "INSERT INTO journal " in one
            assert all(f"INSERT INTO {t} " in one for t in tables)
        else:
            assert len(kept) == len(tables)
    assert not any(s.startswith("DELETE FROM aging_now") for s in lending)
    assert any(s.startswith("DELETE FROM aging_now") for s in paying)
    with db.read() as session:
        now = session.execute(
            select(AgingNow.oldest_due, AgingNow.loans, AgingNow.unpaid).where(
                AgingNow.fund_id == prog.fund.id
            )
        ).all()
        assert now == [(date(2009, 4, 1), 1, D("1000.00")), (date(2009, 4, 1), 0, D("1000.00"))]
    assert_kept_matches(db, prog.fund.id, prog.code, DAYS)


def test_a_backdated_repayment_moves_later_days_aging(db, set_today):
    set_today(date(2010, 7, 1))
    prog = make_programme(db)
    loan = make_loan(db, prog, amount="3000.00")
    repay(db, prog, loan.registration_no, "500.00", date(2009, 6, 1))
    # Dated before the first repayment: the days after it change too.
    repay(db, prog, loan.registration_no, "700.00", date(2008, 5, 1))
    with db.read() as session:
        aging = kept_reads.aging(session, prog.fund.id, as_of=date(2009, 6, 2))
        (buckets,) = aging.values()
        assert [(b.label, b.loans, b.overdue_amount) for b in buckets if b.loans] == [
            ("31-90", 1, D("800.00"))
        ]
    assert_kept_matches(db, prog.fund.id, prog.code, DAYS)


def test_todays_aging_reads_the_rows_kept_for_now_which_hold_open_due_dates_only(db, set_today):
    set_today(date(2010, 7, 1))
    prog = make_programme(db)
    loan = make_loan(db, prog, amount="3000.00")
    repay(db, prog, loan.registration_no, "1000.00", date(2008, 5, 1))
    repay(db, prog, loan.registration_no, "1000.00", date(2009, 6, 1))
    fund_id = prog.fund.id
    with db.read() as session:
        (town_id,) = session.scalars(
            select(Township.id).where(
                Township.fund_id == fund_id, Township.code == prog.townships[0]
            )
        )
        now = session.execute(
            select(
                AgingNow.township_id,
                AgingNow.oldest_due,
                AgingNow.due_date,
                AgingNow.loans,
                AgingNow.outstanding,
                AgingNow.unpaid,
            ).where(AgingNow.fund_id == fund_id)
        ).all()
        # The days that were (each oldest due the loan passed through) net out; what is
        # left is the last instalment, unpaid and overdue since 2010-04-01.
        assert now == [(town_id, date(2010, 4, 1), date(2010, 4, 1), 1, D("1000.00"), D("1000.00"))]
        days = select(func.count()).select_from(AgingDay).where(AgingDay.fund_id == fund_id)
        assert session.scalar(days) > len(now)
        today = kept_reads.aging(session, fund_id)
        assert kept_reads.fund_overdue(session, [fund_id], as_of=date(2010, 7, 1)) == {
            fund_id: D("1000.00")
        }
    assert_kept_matches(db, fund_id, prog.code, DAYS)
    with committing(db) as uow:
        uow.session.execute(delete(AgingDay).where(AgingDay.fund_id == fund_id))
    with db.read() as session:
        # Today (and after) reads the rows for now, never the days; a past day reads the days.
        assert kept_reads.aging(session, fund_id) == today
        assert kept_reads.aging(session, fund_id, as_of=date(2011, 1, 1)) != {}
        assert kept_reads.fund_overdue(session, [fund_id], as_of=date(2010, 7, 1)) == {
            fund_id: D("1000.00")
        }
        assert kept_reads.aging(session, fund_id, as_of=date(2010, 6, 30)) == {}
        assert kept_reads.fund_overdue(session, [fund_id], as_of=date(2010, 6, 30)) == {}


def test_a_red_ink_reversal_counts_against_the_kind_it_reverses(db, set_today):
    set_today(date(2008, 6, 1))
    prog = make_programme(db)
    loan = make_loan(db, prog, amount="3000.00")
    posted = repay(db, prog, loan.registration_no, "3000.00", date(2008, 3, 1))
    with committing(db) as uow:
        reverse(uow, prog.code, posted.voucher, on=date(2008, 5, 1))
    with db.read() as session:
        row = session.get_one(LoanPosition, (prog.fund.id, loan.id))
        assert (row.repaid, row.outstanding, row.oldest_unpaid_due) == (
            D("0.00"),
            D("3000.00"),
            date(2008, 4, 1),
        )
        between = kept_reads.totals(session, prog.fund.id, as_of=date(2008, 4, 30))
        assert [(v.repaid, v.open_loans) for v in between.values()] == [(D("3000.00"), 0)]
    assert_kept_matches(db, prog.fund.id, prog.code, (*DAYS, date(2008, 4, 30)))


def test_a_write_off_and_an_extension_are_kept(db, set_today):
    set_today(date(2010, 7, 1))
    prog = make_programme(db)
    written = make_loan(db, prog, amount="3000.00")
    extended = make_loan(db, prog, amount="2000.00", township=prog.townships[1])
    with committing(db) as uow:
        row = proposals.propose_write_off(
            uow,
            PROPOSER,
            prog.code,
            loan=written.registration_no,
            amount="1000.00",
            ground="death",
            reason="借款人死亡",
            evidence="死亡证明",
            on=date(2008, 5, 1),
        )
    with committing(db) as uow:
        proposals.decide_write_off(
            uow,
            APPROVER,
            prog.code,
            row.id,
            approve=True,
            note="审定",
            on=date(2008, 5, 2),
            document_no="霍脱贫〔2008〕1号",
        )
    with committing(db) as uow:
        ext = proposals.propose_extension(
            uow,
            CLERK_ACTOR,
            prog.code,
            loan=extended.registration_no,
            schedule=[(date(2009, 6, 1), "1000.00"), (date(2010, 6, 1), "1000.00")],
            reason="大棚受灾",
            on=date(2008, 6, 1),
        )
    with committing(db) as uow:
        proposals.decide_extension(
            uow, APPROVER, prog.code, ext.id, approve=True, note="同意", on=date(2008, 6, 10)
        )
    with db.read() as session:
        row = session.get_one(LoanPosition, (prog.fund.id, written.id))
        assert (row.written_off, row.outstanding) == (D("1000.00"), D("2000.00"))
        assert session.get_one(LoanPosition, (prog.fund.id, extended.id)).oldest_unpaid_due == (
            date(2009, 6, 1)
        )
    assert_kept_matches(db, prog.fund.id, prog.code, (*DAYS, date(2008, 6, 9), date(2008, 6, 10)))


def test_the_recovery_table_is_kept_through_a_later_extension(db, set_today):
    """Columns 5, 6 and 9 follow the schedule in force at the year's end: an extension in
    2009 rewrites 2009's column 9, not 2008's."""
    set_today(date(2009, 7, 1))
    prog = make_programme(db)
    loan = make_loan(db, prog, amount="3000.00")  # 1000.00 due each 1 April, 2008-2010
    repay(db, prog, loan.registration_no, "1500.00", date(2008, 3, 1))
    repay(db, prog, loan.registration_no, "500.00", date(2009, 2, 1))

    def columns(year):
        with db.read() as session:
            total = fund_reads.recovery_table(session, prog.fund.id, CLERK_ACTOR, year).total
        return total.due_this_year, total.due_to_date, total.recovered, total.recovered_of_due

    assert columns(2008) == (D("1000.00"), D("1000.00"), D("1500.00"), D("1000.00"))
    assert columns(2009) == (D("1000.00"), D("2000.00"), D("500.00"), D("500.00"))
    with committing(db) as uow:
        ext = proposals.propose_extension(
            uow,
            CLERK_ACTOR,
            prog.code,
            loan=loan.registration_no,
            schedule=[(date(2010, 6, 1), "500.00"), (date(2011, 6, 1), "500.00")],
            reason="大棚受灾",
            on=date(2009, 6, 1),
        )
    with committing(db) as uow:
        proposals.decide_extension(
            uow, APPROVER, prog.code, ext.id, approve=True, note="同意", on=date(2009, 6, 10)
        )
    assert columns(2008) == (D("1000.00"), D("1000.00"), D("1500.00"), D("1000.00"))
    # Nothing falls due in 2009 under the new schedule; the 2,000.00 settled before it count
    # as due by then.
    assert columns(2009) == (D("0.00"), D("2000.00"), D("500.00"), D("0.00"))
    assert_kept_matches(db, prog.fund.id, prog.code, (None, date(2008, 12, 31), date(2009, 7, 1)))


def test_check_names_a_corrupted_figure_and_rebuild_repairs_it(db, set_today):
    set_today(date(2008, 6, 1))
    prog = make_programme(db)
    loan = make_loan(db, prog, amount="3000.00")
    repay(db, prog, loan.registration_no, "1000.00", date(2008, 3, 1))
    with committing(db) as uow:
        uow.session.execute(
            update(LoanPosition)
            .where(LoanPosition.loan_id == loan.id)
            .values(repaid=D("900.00"), outstanding=D("2100.00"))
        )
        uow.session.execute(
            update(PositionDay)
            .where(PositionDay.day == date(2008, 3, 1))
            .values(repaid=D("1.00"), outstanding=D("-1.00"))
        )
        loan_account = select(Account.id).where(
            Account.fund_id == prog.fund.id,
            Account.code == "1101",
            Account.subkey == loan.registration_no,
        )
        uow.session.execute(
            update(AccountKindDay)
            .where(AccountKindDay.account_id == loan_account.scalar_subquery())
            .where(AccountKindDay.kind == "repayment")
            .values(credit=D("999.99"))
        )
        uow.session.execute(
            delete(ChartKindDay).where(
                ChartKindDay.kind == "repayment", ChartKindDay.day == date(2008, 3, 1)
            )
        )
    with db.read() as session:
        found = {
            (d.subject, d.figure, d.kept, d.computed)
            for d in positions.check(session, prog.fund.id)
        }
    no = loan.registration_no
    town = prog.townships[0]
    assert found == {
        (f"loan {no}", "repaid", D("900.00"), D("1000.00")),
        (f"loan {no}", "outstanding", D("2100.00"), D("2000.00")),
        (f"township {town} batch 1 day 2008-03-01", "repaid", D("1.00"), D("1000.00")),
        (f"township {town} batch 1 day 2008-03-01", "outstanding", D("-1.00"), D("-1000.00")),
        (f"account 1101/{no} kind repayment day 2008-03-01", "credit", D("999.99"), D("1000.00")),
        ("chart 1011 kind repayment day 2008-03-01", "debit", D("0.00"), D("1000.00")),
        ("chart 1101 kind repayment day 2008-03-01", "credit", D("0.00"), D("1000.00")),
    }
    with committing(db) as uow:
        positions.rebuild(uow.session, prog.fund.id)
    assert_kept_matches(db, prog.fund.id, prog.code, DAYS)


def test_rebuild_writes_what_the_posting_path_kept(db, set_today):
    set_today(date(2008, 6, 1))
    prog = make_programme(db)
    make_loan(db, prog, amount="3000.00")
    make_loan(db, prog, amount="2000.00", township=prog.townships[1])
    make_loan(db, prog, amount="1000.00", stage="approved")

    def tables(session):
        return [
            sorted(
                tuple(_plain(getattr(r, c.name)) for c in model.__table__.columns)
                for r in session.scalars(select(model))
                # A count that came to zero stays where the posting path kept it.
                if model is not LoanCount or r.loans
            )
            for model in (
                LoanPosition,
                PositionTotal,
                PositionDay,
                AgingNow,
                AccountKindDay,
                ChartKindDay,
                LoanCount,
                HouseholdCount,
                JournalKindDay,
            )
        ]

    with db.read() as session:
        kept = tables(session)
    with committing(db) as uow:
        positions.rebuild(uow.session, prog.fund.id)
    with db.read() as session:
        rebuilt = tables(session)
    # The version counts writes; every figure is the same.
    assert [[r[:-1] for r in kept[0]], *kept[1:]] == [[r[:-1] for r in rebuilt[0]], *rebuilt[1:]]


def test_the_loans_by_status_and_the_households_are_counted_and_check_names_a_wrong_count(
    db, set_today
):
    set_today(date(2008, 6, 1))
    prog = make_programme(db)
    town, other = prog.townships[0], prog.townships[1]
    make_loan(db, prog, amount="3000.00")
    make_loan(db, prog, amount="2000.00", stage="contracted", township=other)
    rejected = make_loan(db, prog, amount="1000.00", stage="applied")
    with committing(db) as uow:
        loans.verify_loan(
            uow,
            CLERK_ACTOR,
            prog.code,
            rejected.registration_no,
            visited_on=date(2007, 4, 5),
            visitor="县办",
            eligible=False,
            reason="家庭条件较好",
        )
    make_loan(db, prog, amount="1000.00", stage="applied", township=other)

    def counts(session):
        loans_by = {
            (t, s.value): n
            for t, s, n in session.execute(
                select(Township.code, LoanCount.status, LoanCount.loans)
                .join(Township, Township.id == LoanCount.township_id)
                .where(LoanCount.fund_id == prog.fund.id, LoanCount.loans != 0)
            )
        }
        people = dict(
            session.execute(
                select(Township.code, HouseholdCount.households)
                .join(Township, Township.id == HouseholdCount.township_id)
                .where(HouseholdCount.fund_id == prog.fund.id)
            ).all()
        )
        return loans_by, people

    with db.read() as session:
        # A loan moved along counts under its status now, no longer under the ones it left.
        assert counts(session) == (
            {
                (town, "disbursed"): 1,
                (town, "rejected"): 1,
                (other, "contracted"): 1,
                (other, "applied"): 1,
            },
            {town: 2, other: 2},
        )
        assert positions.check(session, prog.fund.id) == []

    def township_id(code):
        return (
            select(Township.id)
            .where(Township.fund_id == prog.fund.id, Township.code == code)
            .scalar_subquery()
        )

    with committing(db) as uow:
        uow.session.execute(
            update(LoanCount)
            .where(
                LoanCount.fund_id == prog.fund.id,
                LoanCount.township_id == township_id(other),
                LoanCount.status == LoanStatus.APPLIED,
            )
            .values(loans=5)
        )
        uow.session.execute(
            delete(HouseholdCount).where(
                HouseholdCount.fund_id == prog.fund.id,
                HouseholdCount.township_id == township_id(town),
            )
        )
    with db.read() as session:
        found = {
            (d.subject, d.figure, d.kept, d.computed)
            for d in positions.check(session, prog.fund.id)
        }
    assert found == {
        (f"township {other} batch 1 status applied count", "loans", 5, 1),
        (f"township {town} count", "households", 0, 2),
    }
    with committing(db) as uow:
        positions.rebuild(uow.session, prog.fund.id)
    with db.read() as session:
        assert positions.check(session, prog.fund.id) == []
    assert_kept_matches(db, prog.fund.id, prog.code, DAYS)


def _plain(value):
    return value.value if isinstance(value, LoanStatus) else value


def _disbursement_voucher(db, loan) -> str:
    with db.read() as session:
        return session.scalar(
            select(LoanEvent.voucher).where(
                LoanEvent.loan_id == loan.id, LoanEvent.action == "disbursed"
            )
        )


def test_a_household_counts_once_while_any_of_its_loans_has_money_lent(db, set_today):
    """扶持户数: a household with two loans counts once; a reversed disbursement uncounts
    a household only when none of its loans has money lent."""
    set_today(date(2008, 6, 1))
    prog = make_programme(db)
    first = make_loan(db, prog, amount="3000.00")
    repay(db, prog, first.registration_no, "3000.00", date(2007, 5, 1))
    # Closed, so the household may borrow again in the batch (disbursed 2007-04-10 again).
    second = make_loan(db, prog, amount="2000.00", household=first.household_id)
    alone = make_loan(db, prog, amount="1000.00", township=prog.townships[1])
    with committing(db) as uow:
        reverse(uow, prog.code, _disbursement_voucher(db, second), on=date(2008, 5, 1))
    with committing(db) as uow:
        reverse(uow, prog.code, _disbursement_voucher(db, alone), on=date(2008, 5, 2))

    def served(day=None, town=None):
        with db.read() as session:
            town_id = town and session.scalar(
                select(Township.id).where(Township.fund_id == prog.fund.id, Township.code == town)
            )
            return kept_reads.households(session, prog.fund.id, as_of=day, township_id=town_id)

    assert served(date(2007, 4, 9)) == 0
    assert served(date(2007, 4, 10)) == 2
    assert served(date(2008, 5, 1)) == 2
    assert served(date(2008, 5, 2)) == served() == 1
    assert served(town=prog.townships[0]) == 1 and served(town=prog.townships[1]) == 0
    assert_kept_matches(db, prog.fund.id, prog.code, (*DAYS, date(2008, 5, 1), date(2008, 5, 2)))


def test_a_periods_households_count_once_and_a_reversed_disbursement_by_its_days(db, set_today):
    """The progress report's activity (`ActivityDay`): a household's second loan in a
    period is not a second household; a household whose disbursement was reversed counts
    where its loan's days in the period sum to anything; check names a corrupted row."""
    set_today(date(2008, 6, 1))
    prog = make_programme(db)
    first = make_loan(db, prog, amount="3000.00")
    repay(db, prog, first.registration_no, "3000.00", date(2007, 5, 1))
    make_loan(db, prog, amount="2000.00", household=first.household_id)
    alone = make_loan(db, prog, amount="1000.00", township=prog.townships[1])
    with committing(db) as uow:
        reverse(uow, prog.code, _disbursement_voucher(db, alone), on=date(2008, 5, 2))

    def disbursed(start, end):
        with db.read() as session:
            cells = kept_reads.activity(session, prog.fund.id, start, end)
            names = dict(session.execute(select(Township.id, Township.code)).all())
        return {
            names[c.township_id]: (c.households, c.new_in_township, c.amount)
            for c in cells
            if c.kind == "disbursed"
        }

    one, other = prog.townships[:2]
    # Both loans of the household were disbursed on 2007-04-10: one household, their money.
    assert disbursed(date(2007, 1, 1), date(2007, 12, 31)) == {
        one: (1, 1, D("5000.00")),
        other: (1, 1, D("1000.00")),
    }
    # The reversal's year: the loan's days sum to -1,000 (red ink, as the entries say);
    # both years: they sum to nothing, and the household is not counted.
    assert disbursed(date(2008, 1, 1), date(2008, 12, 31)) == {other: (1, 1, D("-1000.00"))}
    assert disbursed(date(2007, 1, 1), date(2008, 12, 31)) == {one: (1, 1, D("5000.00"))}
    assert_kept_matches(db, prog.fund.id, prog.code, (*DAYS, date(2008, 5, 2)))
    with committing(db) as uow:
        uow.session.execute(
            update(ActivityDay)
            .where(ActivityDay.fund_id == prog.fund.id, ActivityDay.kind == "registered")
            .values(households=ActivityDay.households + 1)
        )
    with db.read() as session:
        found = [d for d in positions.check(session, prog.fund.id) if d.figure == "households"]
    assert found and all(d.subject.startswith("registered township ") for d in found)
    assert {(d.kept, d.computed) for d in found} <= {(2, 1), (1, 0)}


def test_the_migration_fills_the_aging_for_now_from_the_kept_days(tmp_path, set_today):
    """Down to 0019 and up to 0020 again: `aging_now` is the days summed, its zero rows left out."""
    from alembic import command
    from sqlalchemy.orm import sessionmaker

    from ledger.db import Database, make_engine
    from ledger.schema import alembic_config, upgrade
    from tests.conftest import isolated_url

    set_today(date(2010, 7, 1))
    with isolated_url(tmp_path) as url:
        engine = make_engine(url)
        upgrade(engine)
        db = Database(engine, sessionmaker(engine, expire_on_commit=False))
        prog = make_programme(db)
        loan = make_loan(db, prog, amount="3000.00")
        make_loan(db, prog, amount="2000.00", township=prog.townships[1])
        repay(db, prog, loan.registration_no, "1000.00", date(2008, 5, 1))

        def rows():
            with db.read() as session:
                return sorted(
                    tuple(getattr(r, c.name) for c in AgingNow.__table__.columns)
                    for r in session.scalars(select(AgingNow))
                )

        kept = rows()
        assert kept and all(any(r[5:]) for r in kept)
        config = alembic_config(engine)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0019")
            # Up to 0020 only: 0021 empties every kept table for init-db to refill.
            command.upgrade(config, "0020")
        assert rows() == kept
        upgrade(engine)
        engine.dispose()


def test_a_change_of_liaison_moves_the_loans_kept_totals_and_check_names_a_corrupted_one(
    db, set_today
):
    set_today(date(2008, 6, 1))
    prog = make_programme(db)
    town = prog.townships[0]
    first = prog.liaisons[town]
    loan = make_loan(db, prog, amount="3000.00")
    repay(db, prog, loan.registration_no, "500.00", date(2008, 5, 1))
    with committing(db) as uow:
        second = setup.add_liaison(
            uow, CLERK_ACTOR, prog.code, name="赵刚", township=town, monthly_salary="1800.00"
        ).id

    def kept(session):
        # This fund's rows only: the suite's other tests leave books of their own.
        rows = session.scalars(select(LiaisonTotal).where(LiaisonTotal.fund_id == prog.fund.id))
        totals = {r.liaison_id: (r.open_loans, r.outstanding) for r in rows}
        due = select(LiaisonDue).where(LiaisonDue.fund_id == prog.fund.id)
        dues = {(r.liaison_id, r.due_date): r.unpaid for r in session.scalars(due)}
        return totals, dues

    with db.read() as session:
        before = kept(session)
    # make_loan's schedule: three instalments of 1000.00 a year from 2008-04-01;
    # 500.00 repaid settles half the first.
    assert before == (
        {first: (1, D("2500.00"))},
        {
            (first, date(2008, 4, 1)): D("500.00"),
            (first, date(2009, 4, 1)): D("1000.00"),
            (first, date(2010, 4, 1)): D("1000.00"),
        },
    )
    with committing(db) as uow:
        guarantees.change_liaison(
            uow,
            CLERK_ACTOR,
            prog.code,
            loan.registration_no,
            effective_on=date(2008, 5, 20),
            liaison=second,
            reason="调动",
        )
    with db.read() as session:
        after = kept(session)
        assert positions.check(session, prog.fund.id) == []
    assert after == (
        {first: (0, D("0.00")), second: (1, D("2500.00"))},
        {(first, d): D("0.00") for _, d in before[1]}
        | {(second, d): amount for (_, d), amount in before[1].items()},
    )
    assert_kept_matches(db, prog.fund.id, prog.code, DAYS)
    with committing(db) as uow:
        uow.session.execute(
            update(LiaisonTotal).where(LiaisonTotal.liaison_id == second).values(open_loans=2)
        )
        uow.session.execute(
            delete(LiaisonDue).where(
                LiaisonDue.liaison_id == second, LiaisonDue.due_date == date(2009, 4, 1)
            )
        )
    with db.read() as session:
        found = {
            (d.subject, d.figure, d.kept, d.computed)
            for d in positions.check(session, prog.fund.id)
        }
    assert found == {
        (f"liaison {second}", "open_loans", 2, 1),
        (f"liaison {second} due 2009-04-01", "unpaid", 0, D("1000.00")),
    }
    with committing(db) as uow:
        positions.rebuild(uow.session, prog.fund.id)
    with db.read() as session:
        assert positions.check(session, prog.fund.id) == []
