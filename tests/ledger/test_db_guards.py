"""The database itself refuses what the domain refuses: no edits, no bad rows."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import delete, insert, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from ledger.db import pipeline
from ledger.models import Account, Entry, Fund, Journal
from ledger.row_writes import write_all
from ledger.services.journals import BALANCES
from tests.factories import SPECIAL, appropriate, make_fund


def attempt(db, statement):
    """Run a raw statement and commit; return the database's error."""
    with db.uow() as uow, pytest.raises(DBAPIError) as info:
        uow.session.execute(statement)
        uow.commit()
    return info.value


@pytest.mark.parametrize("model", [Journal, Entry])
def test_journals_and_entries_cannot_be_updated_or_deleted(db, model):
    fund = make_fund(db)
    appropriate(db, fund, "10.00")
    column = model.memo if model is Journal else model.amount
    value = "cooked" if model is Journal else 1
    assert "append-only" in str(attempt(db, update(model).values({column: value})))
    assert "append-only" in str(attempt(db, delete(model)))


def test_entry_amount_sign_is_checked(db):
    fund = make_fund(db)
    posted = appropriate(db, fund, "10.00")
    with db.read() as session:
        account_id = session.scalar(
            text("SELECT id FROM account WHERE code = '1001' AND fund_id = :f"), {"f": fund.id}
        )
    row = {
        "journal_id": posted.id,
        "line_no": 9,
        "account_id": account_id,
        "red": False,
        "posted_on": date(2007, 4, 1),
    }
    for amount, side in ((0, "D"), (-5, "D"), (5, "X")):
        error = attempt(db, insert(Entry).values(**row, amount=amount, side=side))
        assert "ck_entry" in str(error) or "CHECK" in str(error)


def test_guarded_account_cannot_go_negative_in_sql(db):
    fund = make_fund(db)
    error = attempt(
        db,
        update(Account)
        .where(Account.fund_id == fund.id, Account.code == SPECIAL.code)
        .values(credit_total=5),
    )
    assert "guarded_not_negative" in str(error)


def test_voucher_is_unique_per_fund(db):
    fund = make_fund(db)
    posted = appropriate(db, fund, "10.00")
    error = attempt(
        db,
        insert(Journal).values(
            fund_id=fund.id,
            voucher_no=posted.voucher,
            period="2007-04",
            seq=99,
            posted_on=date(2007, 4, 1),
            kind="x",
            memo="",
            recorded_by="x",
            red=False,
        ),
    )
    assert "voucher_no" in str(error)


def test_unbalanced_journal_refused_at_commit_on_postgresql(db):
    fund = make_fund(db)
    if db.engine.dialect.name != "postgresql":
        # SQLite has no deferred triggers; there the domain's JournalDraft is the guard.
        pytest.skip("deferred balance trigger exists on PostgreSQL only")
    with db.read() as session:
        account_id = session.scalar(
            text("SELECT id FROM account WHERE code = '1001' AND fund_id = :f"), {"f": fund.id}
        )
    with db.uow() as uow, pytest.raises(DBAPIError) as info:
        journal_id = uow.session.execute(
            insert(Journal)
            .values(
                fund_id=fund.id,
                voucher_no="记-2099-01-0001",
                period="2099-01",
                seq=1,
                posted_on=date(2099, 1, 1),
                kind="x",
                memo="",
                recorded_by="x",
                red=False,
            )
            .returning(Journal.id)
        ).scalar_one()
        uow.session.execute(
            insert(Entry).values(
                journal_id=journal_id,
                line_no=1,
                account_id=account_id,
                side="D",
                amount=5,
                red=False,
                posted_on=date(2099, 1, 1),
            )
        )
        # The trigger is deferred to COMMIT; the test's outer transaction never commits,
        # so ask PostgreSQL to run deferred checks now, as COMMIT would.
        uow.session.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))
    assert "does not balance" in str(info.value)


def test_a_balance_written_from_a_stale_version_is_refused(db):
    """The posting's balance write names the version it read under the lock; another refuses."""
    fund = make_fund(db)
    appropriate(db, fund, "10.00")
    with db.uow() as uow:
        conn = uow.session.connection()
        account = conn.execute(
            text("SELECT id, version FROM account WHERE code = '1001' AND fund_id = :f"),
            {"f": fund.id},
        ).one()
        stale = {
            "b_id": account.id,
            "b_version": account.version - 1,
            "debit_total": 20,
            "credit_total": 0,
            "version": account.version,
        }
        with pytest.raises(IntegrityError, match="version"):
            write_all(conn, [(BALANCES, [stale])])


def test_an_error_inside_a_pipeline_is_the_statements_own(db):
    """On PostgreSQL the statements go out together; the refusal is still an IntegrityError
    naming the broken rule, and the unit of work rolls back as after any refusal."""
    fund = make_fund(db)
    posted = appropriate(db, fund, "10.00")
    line = {"journal_id": posted.id, "line_no": 9, "red": False, "posted_on": date(2007, 4, 1)}
    with pytest.raises(IntegrityError) as refused, db.uow() as uow:
        conn = uow.session.connection()
        account_id = conn.scalar(
            text("SELECT id FROM account WHERE code = '1001' AND fund_id = :f"), {"f": fund.id}
        )
        with pipeline(conn):
            conn.execute(update(Fund).where(Fund.id == fund.id).values(name="改名"))
            refused_line = {**line, "account_id": account_id, "amount": -5, "side": "D"}
            conn.execute(insert(Entry).inline().values(**refused_line))
    assert "ck_entry" in str(refused.value) or "CHECK" in str(refused.value)
    with db.read() as session:
        assert session.get(Fund, fund.id).name == fund.name
