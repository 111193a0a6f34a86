"""Posting: balanced drafts go in, balances and vouchers come out right."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select, update

from ledger import errors, positions
from ledger.models import Account, Entry, Journal, VoucherCounter
from ledger.posting import AccountRef, JournalDraft, Line, credit, debit, journal
from ledger.read.books import balance, balance_mismatches, trial_balance
from ledger.services.journals import post_many, voucher_number
from tests.factories import (
    CLERK,
    COUNTY,
    SPECIAL,
    appropriate,
    loan,
    make_fund,
    post_draft,
    township,
    transfer,
)

D = Decimal
APRIL = date(2007, 4, 10)


def count_rows(db, model) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(model))


# --- drafts (pure) --------------------------------------------------------


def test_draft_must_balance():
    with pytest.raises(errors.UnbalancedJournal) as info:
        journal(APRIL, "x", "", [debit(SPECIAL, "10.00"), credit(COUNTY, "9.99")])
    assert info.value.field == "lines"
    assert "借方合计 10.00" in info.value.detail_zh


def test_draft_needs_a_debit_and_a_credit():
    with pytest.raises(errors.EmptyJournal):
        journal(APRIL, "x", "", [])
    with pytest.raises(errors.EmptyJournal):
        journal(APRIL, "x", "", [debit(SPECIAL, "1"), debit(COUNTY, "1")])


@pytest.mark.parametrize("amount", [0.1, True, "0.001", "1e3", "NaN", "-", "１０"])
def test_draft_refuses_inexact_amounts(amount):
    with pytest.raises(errors.InvalidAmount):
        debit(SPECIAL, amount)


@pytest.mark.parametrize("amount", ["0", "-5.00"])
def test_ordinary_lines_must_be_positive(amount):
    line = Line(SPECIAL, "D", D(amount))
    with pytest.raises(errors.InvalidAmount) as info:
        journal(APRIL, "x", "", [line, Line(COUNTY, "C", D(amount))])
    assert info.value.field == "lines[0].amount"


def test_red_lines_must_be_negative():
    with pytest.raises(errors.InvalidAmount):
        JournalDraft(
            APRIL,
            "reversal",
            "",
            (Line(SPECIAL, "D", D("5.00")), Line(COUNTY, "C", D("5.00"))),
            reverses="记-2007-04-0001",
            red=True,
        )


def test_line_amount_not_quantized_is_refused():
    line = Line(SPECIAL, "D", D("1.005"))
    with pytest.raises(errors.InvalidAmount):
        journal(APRIL, "x", "", [line, Line(COUNTY, "C", D("1.005"))])


# --- posting --------------------------------------------------------------


def test_appropriation_moves_balances_and_numbers_the_voucher(db):
    fund = make_fund(db)
    posted = appropriate(db, fund, "1000000.00", on=date(2007, 4, 1))
    assert posted.voucher == "记-2007-04-0001"
    with db.read() as session:
        assert balance(session, fund.id, SPECIAL).balance == D("1000000.00")
        assert balance(session, fund.id, COUNTY).balance == D("1000000.00")
        assert balance_mismatches(session, fund.id) == []


def test_vouchers_are_consecutive_per_month_and_restart_each_month(db):
    fund = make_fund(db)
    vouchers = [
        appropriate(db, fund, "1.00", on=d).voucher
        for d in (date(2007, 4, 30), date(2007, 5, 1), date(2007, 4, 2), date(2007, 5, 31))
    ]
    assert vouchers == ["记-2007-04-0001", "记-2007-05-0001", "记-2007-04-0002", "记-2007-05-0002"]


def test_a_batch_over_two_months_numbers_each_month_and_keeps_each_journals_lines(db):
    """Drafts of two months interleaved: each month's numbers run on in the drafts' order,
    and every journal holds its own lines (PostgreSQL finds them by month and number)."""
    fund = make_fund(db)
    appropriate(db, fund, "1.00", on=date(2007, 4, 2))
    days = (date(2007, 5, 3), date(2007, 4, 20), date(2007, 5, 1), date(2007, 4, 21))
    drafts = [transfer(day, SPECIAL, COUNTY, f"{n}.00") for n, day in enumerate(days, start=10)]
    with db.uow() as uow:
        posted = post_many(uow, fund.id, drafts, actor=CLERK)
        uow.commit()
    assert [p.voucher for p in posted] == [
        "记-2007-05-0001",
        "记-2007-04-0002",
        "记-2007-05-0002",
        "记-2007-04-0003",
    ]
    with db.read() as session:
        for p, amount in zip(posted, ("10.00", "11.00", "12.00", "13.00"), strict=True):
            journal = session.scalars(
                select(Journal).where(Journal.fund_id == fund.id, Journal.voucher_no == p.voucher)
            ).one()
            assert journal.id == p.id and journal.posted_on == p.posted_on
            lines = session.scalars(select(Entry).where(Entry.journal_id == journal.id)).all()
            assert sorted((e.side, e.amount) for e in lines) == [("C", D(amount)), ("D", D(amount))]


def test_a_months_numbers_go_on_past_9999(db):
    """Four digits at least: the 10,000th voucher of a month is 记-YYYY-MM-10000."""
    fund = make_fund(db)
    appropriate(db, fund, "100.00")
    with db.uow() as uow:
        uow.session.execute(
            update(VoucherCounter)
            .where(VoucherCounter.fund_id == fund.id, VoucherCounter.period == "2007-04")
            .values(last_seq=9998)
        )
        uow.commit()
    vouchers = [transfer_voucher(db, fund) for _ in range(3)]
    assert vouchers == ["记-2007-04-9999", "记-2007-04-10000", "记-2007-04-10001"]
    assert vouchers == [voucher_number(APRIL, seq) for seq in (9999, 10000, 10001)]


def transfer_voucher(db, fund) -> str:
    with db.uow() as uow:
        [posted] = post_many(uow, fund.id, [transfer(APRIL, COUNTY, SPECIAL, "1.00")], actor=CLERK)
        uow.commit()
    return posted.voucher


def test_voucher_series_are_per_fund(db):
    first, second = make_fund(db), make_fund(db)
    assert appropriate(db, first, "1.00").voucher == "记-2007-04-0001"
    assert appropriate(db, second, "1.00").voucher == "记-2007-04-0001"


def test_subaccounts_open_on_first_use(db):
    fund = make_fund(db)
    appropriate(db, fund, "500.00")
    post_draft(db, fund, transfer(APRIL, township("340123001"), SPECIAL, "300.00"))
    post_draft(db, fund, transfer(APRIL, loan("1-340123001-0001"), township("340123001"), "120.00"))
    with db.read() as session:
        assert balance(session, fund.id, township("340123001")).balance == D("180.00")
        assert balance(session, fund.id, loan("1-340123001-0001")).balance == D("120.00")
        assert balance(session, fund.id, SPECIAL).balance == D("200.00")


def test_a_subaccount_opens_guarded_as_its_chart_line_says(db):
    fund = make_fund(db)
    appropriate(db, fund, "500.00")  # opens the county's capital sub-account (net assets)
    post_draft(db, fund, transfer(APRIL, township("340123001"), SPECIAL, "300.00"))
    post_draft(db, fund, transfer(APRIL, loan("1-340123001-0001"), township("340123001"), "1.00"))
    with db.read() as session:
        rows = session.execute(
            select(Account.code, Account.subkey, Account.guard_nonnegative)
            .where(Account.fund_id == fund.id, Account.subkey != "")
            .order_by(Account.code)
        ).all()
    # Assets may not go below zero; the fund's capital is no asset.
    assert [(r.code, r.subkey, r.guard_nonnegative) for r in rows] == [
        ("1011", "340123001", True),
        ("1101", "1-340123001-0001", True),
        (COUNTY.code, COUNTY.key, False),
    ]
    with pytest.raises(errors.InsufficientBalance):  # a fresh asset sub-account holds nothing
        post_draft(db, fund, transfer(APRIL, SPECIAL, township("340123002"), "0.01"))


def test_guarded_asset_cannot_go_negative_and_nothing_is_written(db):
    fund = make_fund(db)
    appropriate(db, fund, "100.00")
    journals_before = count_rows(db, Journal)
    with pytest.raises(errors.InsufficientBalance) as info:
        post_draft(db, fund, transfer(APRIL, township(), SPECIAL, "100.01"))
    assert info.value.field == "lines[1].amount"
    assert count_rows(db, Journal) == journals_before
    # The failed posting did not consume a voucher number.
    assert appropriate(db, fund, "1.00").voucher == "记-2007-04-0002"


def test_negative_refused_even_inside_a_batch(db):
    fund = make_fund(db)
    drafts = [
        transfer(APRIL, township(), SPECIAL, "10.00"),
        transfer(APRIL, SPECIAL, COUNTY, "10.00"),
    ]
    with db.uow() as uow, pytest.raises(errors.InsufficientBalance):
        post_many(uow, fund.id, drafts, actor=CLERK)


def test_unknown_account_is_refused(db):
    fund = make_fund(db)
    entries_before = count_rows(db, Entry)
    accounts_before = count_rows(db, Account)
    for ref in (AccountRef("9999"), AccountRef("1001", "extra"), AccountRef("1011")):
        with pytest.raises(errors.UnknownAccount):
            post_draft(db, fund, transfer(APRIL, ref, COUNTY, "1.00"))
    assert count_rows(db, Entry) == entries_before
    # Not even the known sub-account beside the unknown one was opened.
    assert count_rows(db, Account) == accounts_before


def test_batch_posts_in_order_with_consecutive_vouchers(db):
    fund = make_fund(db)
    drafts = [transfer(APRIL, SPECIAL, COUNTY, f"{i}.00") for i in range(1, 6)]
    with db.uow() as uow:
        posted = post_many(uow, fund.id, drafts, actor=CLERK)
        uow.commit()
    assert [p.voucher for p in posted] == [f"记-2007-04-{i:04d}" for i in range(1, 6)]
    with db.read() as session:
        assert balance(session, fund.id, SPECIAL).balance == D("15.00")


KEPT_TABLES = (
    "INSERT INTO entry ",
    "UPDATE account ",
    "INSERT INTO account_daily_total ",
    "INSERT INTO chart_daily_total ",
    "INSERT INTO account_kind_day ",
    "INSERT INTO chart_kind_day ",
    "INSERT INTO journal_kind_day ",
)


def test_a_postings_writes_leave_in_one_statement_on_postgresql(db):
    """The entries, balances and kept sums of a batch: one statement on PostgreSQL, one
    per table on SQLite; and what they wrote is what the entries say."""
    fund = make_fund(db)
    appropriate(db, fund, "100.00", on=date(2007, 4, 1))
    drafts = [
        transfer(date(2007, 4, 2), SPECIAL, COUNTY, "10.00"),
        transfer(date(2007, 4, 3), SPECIAL, COUNTY, "20.00"),
        transfer(date(2007, 4, 3), SPECIAL, COUNTY, "5.00"),
    ]
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        statements.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        with db.uow() as uow:
            post_many(uow, fund.id, drafts, actor=CLERK)
            uow.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    writing = [s for s in statements if any(table in s for table in KEPT_TABLES)]
    if db.engine.dialect.name == "postgresql":
        assert len(writing) == 1
        assert all(table in writing[0] for table in KEPT_TABLES)
        assert "INSERT INTO journal " in writing[0]
        assert "INSERT INTO voucher_counter " in writing[0]
    else:
        assert len(writing) == len(KEPT_TABLES)
    with db.read() as session:
        assert balance(session, fund.id, SPECIAL).balance == D("135.00")
        assert balance(session, fund.id, SPECIAL, as_of=date(2007, 4, 2)).balance == D("110.00")
        assert balance_mismatches(session, fund.id) == []
        assert positions.check(session, fund.id) == []


def test_balance_as_of_a_past_date(db):
    fund = make_fund(db)
    appropriate(db, fund, "100.00", on=date(2007, 4, 1))
    appropriate(db, fund, "50.00", on=date(2007, 4, 3))
    appropriate(db, fund, "25.00", on=date(2007, 4, 2))  # back-dated
    with db.read() as session:
        assert balance(session, fund.id, SPECIAL, as_of=date(2007, 3, 31)).balance == 0
        assert balance(session, fund.id, SPECIAL, as_of=date(2007, 4, 1)).balance == D("100.00")
        assert balance(session, fund.id, SPECIAL, as_of=date(2007, 4, 2)).balance == D("125.00")
        assert balance(session, fund.id, SPECIAL, as_of=date(2007, 4, 3)).balance == D("175.00")


def test_trial_balance_turnover_and_balances(db):
    fund = make_fund(db)
    appropriate(db, fund, "1000.00", on=date(2007, 4, 1))
    post_draft(db, fund, transfer(date(2007, 5, 2), township(), SPECIAL, "400.00"))
    with db.read() as session:
        tb = trial_balance(session, fund.id)
        rows = {r.code: r for r in tb.rows}
        assert rows["1001"].debit == D("1000.00") and rows["1001"].credit == D("400.00")
        assert rows["1001"].balance == D("600.00")
        assert rows["1011"].balance == D("400.00")
        assert rows["3001"].balance == D("1000.00")
        assert tb.totals.debit == tb.totals.credit == D("1400.00")
        assert tb.totals.debit_balances == tb.totals.credit_balances == D("1000.00")
        may = trial_balance(session, fund.id, from_=date(2007, 5, 1), as_of=date(2007, 5, 31))
        rows = {r.code: r for r in may.rows}
        assert rows["1001"].opening == D("1000.00")
        assert (rows["1001"].debit, rows["1001"].credit) == (D("0.00"), D("400.00"))
        assert may.totals.debit == may.totals.credit == D("400.00")
        april = trial_balance(session, fund.id, as_of=date(2007, 4, 30))
        assert {r.code: r.balance for r in april.rows}["1001"] == D("1000.00")


def test_trial_balance_refuses_reversed_range(db):
    fund = make_fund(db)
    with db.read() as session, pytest.raises(errors.InvalidField) as info:
        trial_balance(session, fund.id, from_=date(2007, 5, 1), as_of=date(2007, 4, 1))
    assert info.value.field == "from"


def test_entry_refs_are_stored(db):
    fund = make_fund(db)
    appropriate(db, fund, "10.00")
    draft = journal(
        APRIL,
        "allocation",
        "拨付",
        [
            debit(township(), "10.00", township="340123001"),
            credit(SPECIAL, "10.00", township="340123001"),
        ],
    )
    posted = post_draft(db, fund, draft)
    with db.read() as session:
        refs = session.scalars(select(Entry.ref_township).where(Entry.journal_id == posted.id))
        assert list(refs) == ["340123001", "340123001"]
