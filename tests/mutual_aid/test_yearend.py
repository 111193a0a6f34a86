"""Year end: income and expenses closed into 3201, the result distributed by the rules'
percentages (the fen left over to 公积金), declared dividends and subsidies paid, and a bad
loan written off against the risk reserve."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ledger.errors import DateInFuture, InvalidField, RoleNotAllowed
from ledger.posting import AccountRef
from ledger.programmes.mutual_aid import reads, yearend
from ledger.programmes.mutual_aid import services as society
from ledger.programmes.mutual_aid.errors import (
    MemberOwes,
    MoreThanDeclared,
    RiskReserveShort,
    YearNotDistributable,
)
from ledger.read.books import balance
from tests.factories import committing, journal_count
from tests.mutual_aid.society import (
    APPROVER,
    CASHIER,
    CLERK,
    lend,
    make_group_of,
    make_member,
    make_society,
)

D = Decimal


def bal(db, fund, code, key=""):
    with db.read() as session:
        return balance(session, fund.id, AccountRef(code, key)).balance


def make_poor_member(db, fund):
    """A poor member in G1 with 1,000.00 bought and 1,000.00 allocated."""
    member = make_member(db, fund, poor=True)
    with committing(db) as uow:
        society.allocate_share(
            uow, CLERK, fund.code, member.id, on=date(2024, 1, 2), amount="1000.00"
        )
    return member


def _year(db, fund, members):
    loan = lend(db, fund, members[1], "5000.00")
    with committing(db) as uow:
        society.repay(uow, CASHIER, fund.code, loan.no, on=date(2024, 3, 11), amount="5030.00")
        society.record_bank_interest(uow, CASHIER, fund.code, on=date(2024, 6, 21), amount="12.34")
        society.pay_expense(
            uow,
            CASHIER,
            fund.code,
            on=date(2024, 7, 1),
            amount="2.34",
            purpose="账簿",
            approved_by=APPROVER.username,
        )


def test_the_years_result_is_distributed_by_the_rules_with_the_fen_left_to_the_reserve(db):
    fund = make_society(db)
    members = make_group_of(db, fund, 4)
    poor = make_poor_member(db, fund)
    _year(db, fund, members)
    with committing(db) as uow:
        table = yearend.distribute(uow, APPROVER, fund.code, 2024)
    assert (table.income, table.expenses, table.result) == (D("42.34"), D("2.34"), D("40.00"))
    # 30 % / 10 % / 30 % / 10 % / 20 %: the dividend pool 8.00 over shares 1,000 × 4 and 2,000.
    assert (table.welfare, table.risk, table.staff) == (D("4.00"), D("12.00"), D("4.00"))
    assert table.dividends == {**{m.id: D("1.33") for m in members}, poor.id: D("2.66")}
    assert table.reserve == D("12.02")  # 12.00 and the two fen the dividends left
    assert table.vouchers == (table.closing_voucher, table.voucher)
    assert None not in table.vouchers and table.closing_voucher != table.voucher
    for code, key, amount in [
        ("3101", "", "12.02"),
        ("3102", "", "4.00"),
        ("3103", "", "12.00"),
        ("2202", "", "4.00"),
        ("2201", str(poor.id), "2.66"),
        ("3201", "", "0.00"),
        ("4001", "2024-00001", "0.00"),
        ("4002", "", "0.00"),
        ("5001", "", "0.00"),
    ]:
        assert bal(db, fund, code, key) == D(amount), code
    with pytest.raises(YearNotDistributable, match="already"), committing(db) as uow:
        yearend.distribute(uow, APPROVER, fund.code, 2024)


def test_a_loss_stays_in_the_years_result_and_nothing_is_distributed(db):
    fund = make_society(db)
    with committing(db) as uow:
        society.pay_expense(
            uow,
            CASHIER,
            fund.code,
            on=date(2024, 5, 1),
            amount="100.00",
            purpose="培训",
            approved_by=APPROVER.username,
        )
        table = yearend.distribute(uow, APPROVER, fund.code, 2024)
    assert (table.result, table.voucher, table.dividends) == (D("-100.00"), None, {})
    assert table.vouchers == (table.closing_voucher,)
    assert bal(db, fund, "3201") == D("-100.00")
    assert bal(db, fund, "5001") == D("0.00")


def test_a_year_with_nothing_in_it_closes_once_with_a_table_of_zeros(db):
    """No income and no expenses: no journal to post, yet the year closes like any other
    (its `SocietyYearEnd` row), reads back as zeros and is not distributed again."""
    fund = make_society(db)
    journals = journal_count(db, fund)
    with committing(db) as uow:
        table = yearend.distribute(uow, APPROVER, fund.code, 2024)
    zero = D("0.00")
    assert (table.income, table.expenses, table.result) == (zero, zero, zero)
    assert (table.reserve, table.welfare, table.risk, table.staff) == (zero,) * 4
    assert (table.dividends, table.closing_voucher, table.voucher) == ({}, None, None)
    assert journal_count(db, fund) == journals
    with db.read() as session:
        assert reads.distributions(session, fund.id) == {2024: table}
        assert reads.year_end(session, fund.id, date(2026, 1, 1)).open_years == [2025]
    with (
        pytest.raises(YearNotDistributable, match="2024 was already closed"),
        committing(db) as uow,
    ):
        yearend.distribute(uow, APPROVER, fund.code, 2024)
    assert journal_count(db, fund) == journals


def test_income_equal_to_expenses_is_closed_out_and_the_year_closes_once(db):
    """A result of exactly zero: income and expenses are still emptied into nothing (the
    closing journal has no 3201 line), so next year's table starts from zero."""
    fund = make_society(db)
    with committing(db) as uow:
        society.record_bank_interest(uow, CASHIER, fund.code, on=date(2024, 3, 1), amount="8.00")
        society.pay_expense(
            uow,
            CASHIER,
            fund.code,
            on=date(2024, 4, 1),
            amount="8.00",
            purpose="账本",
            approved_by=APPROVER.username,
        )
        table = yearend.distribute(uow, APPROVER, fund.code, 2024)
    assert (table.income, table.expenses, table.result) == (D("8.00"), D("8.00"), D("0.00"))
    assert table.voucher is None and table.vouchers == (table.closing_voucher,)
    for code in ("4002", "5001", "3201", "3101"):
        assert bal(db, fund, code) == D("0.00"), code
    with db.read() as session:
        assert reads.distributions(session, fund.id, 2024) == {2024: table}
    with pytest.raises(YearNotDistributable, match="2024"), committing(db) as uow:
        yearend.distribute(uow, APPROVER, fund.code, 2024)
    with committing(db) as uow:
        following = yearend.distribute(uow, APPROVER, fund.code, 2025)
    assert (following.income, following.expenses) == (D("0.00"), D("0.00"))


def test_only_the_committee_distributes_and_only_a_year_that_has_ended(db):
    fund = make_society(db)
    journals = journal_count(db, fund)
    with pytest.raises(RoleNotAllowed), committing(db) as uow:
        yearend.distribute(uow, CLERK, fund.code, 2024)
    with pytest.raises(DateInFuture), committing(db) as uow:
        yearend.distribute(uow, APPROVER, fund.code, date.today().year + 1)
    with pytest.raises(InvalidField), committing(db) as uow:
        yearend.distribute(uow, APPROVER, fund.code, "2024")
    assert journal_count(db, fund) == journals


def test_declared_dividends_and_subsidies_are_paid_out_never_more(db):
    fund = make_society(db)
    members = make_group_of(db, fund, 5)
    _year(db, fund, members)
    with committing(db) as uow:
        yearend.distribute(uow, APPROVER, fund.code, 2024)
    bank = bal(db, fund, "1001")
    with committing(db) as uow:
        paid, _ = yearend.pay_dividend(uow, CASHIER, fund.code, members[0].id, on=date(2025, 1, 5))
        yearend.pay_subsidy(uow, CASHIER, fund.code, on=date(2025, 1, 5), amount="3.00")
    assert paid == D("1.60")  # 8.00 over five equal shares
    assert bal(db, fund, "1001") == bank - D("4.60")
    with pytest.raises(MoreThanDeclared), committing(db) as uow:
        yearend.pay_dividend(uow, CASHIER, fund.code, members[0].id, on=date(2025, 1, 6))
    with pytest.raises(MoreThanDeclared, match=r"1\.00 declared"), committing(db) as uow:
        yearend.pay_subsidy(uow, CASHIER, fund.code, on=date(2025, 1, 6), amount="1.01")


def test_a_bad_loan_is_written_off_against_the_risk_reserve_never_beyond_it(db):
    fund = make_society(db)
    members = make_group_of(db, fund, 5)
    _year(db, fund, members)
    with committing(db) as uow:
        yearend.distribute(uow, APPROVER, fund.code, 2024)  # risk reserve 12.00
    big = lend(
        db,
        fund,
        members[2],
        "100.00",
        applied_on=date(2025, 1, 2),
        paid_on=date(2025, 1, 10),
        term_months=1,
    )
    small = lend(
        db,
        fund,
        members[3],
        "10.00",
        applied_on=date(2025, 1, 2),
        paid_on=date(2025, 1, 10),
        term_months=1,
    )
    with pytest.raises(RiskReserveShort, match=r"risk reserve 12\.00"), committing(db) as uow:
        yearend.write_off(uow, APPROVER, fund.code, big.no, on=date(2025, 3, 1), document="x")
    with pytest.raises(InvalidField), committing(db) as uow:
        yearend.write_off(uow, APPROVER, fund.code, small.no, on=date(2025, 3, 1), document="")
    with pytest.raises(RoleNotAllowed), committing(db) as uow:
        yearend.write_off(uow, CASHIER, fund.code, small.no, on=date(2025, 3, 1), document="x")
    with committing(db) as uow:  # 31 days at 6‰, 19 overdue days at 9‰ on 10.00: 0.06 + 0.06
        yearend.write_off(
            uow,
            APPROVER,
            fund.code,
            small.no,
            on=date(2025, 3, 1),
            document="社员大会决议及县扶贫办批复 2025-1",
        )
    assert bal(db, fund, "3103") == D("1.88")
    assert bal(db, fund, "1201", small.no) == bal(db, fund, "1301", small.no) == D("0.00")
    assert bal(db, fund, "4001", small.no) == D("0.12")
    with pytest.raises(MemberOwes), committing(db) as uow:  # 账销案存: the claim stays
        society.leave(uow, CASHIER, fund.code, members[3].id, on=date(2025, 3, 2))


def test_the_migration_counts_a_year_closed_by_its_closing_journal(tmp_path):
    """Down to 0018 and up again: a year closed with a journal is closed again; a year with
    nothing in it left no journal before this, so it is open again, as it was then."""
    from alembic import command
    from sqlalchemy import select
    from sqlalchemy.orm import sessionmaker

    from ledger.db import Database, make_engine
    from ledger.programmes.mutual_aid.models import SocietyYearEnd
    from ledger.schema import alembic_config, upgrade
    from tests.conftest import isolated_url

    with isolated_url(tmp_path) as url:
        engine = make_engine(url)
        upgrade(engine)
        db = Database(engine, sessionmaker(engine, expire_on_commit=False))
        earning, empty = make_society(db), make_society(db)
        with committing(db) as uow:
            society.record_bank_interest(
                uow, CASHIER, earning.code, on=date(2024, 3, 1), amount="1.00"
            )
            for fund in (earning, empty):
                yearend.distribute(uow, APPROVER, fund.code, 2024)
        config = alembic_config(engine)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0018")
        upgrade(engine)
        with db.read() as session:
            rows = session.execute(select(SocietyYearEnd.fund_id, SocietyYearEnd.year)).all()
        assert [tuple(row) for row in rows] == [(earning.id, 2024)]
        engine.dispose()
