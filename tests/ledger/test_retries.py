"""Which database errors rerun a whole use case, and which must not.

A lost connection (a server restart, an administrator's
``pg_terminate_backend``) before the COMMIT was sent rolled the transaction
back: rerunning is safe, and saves the client a 500. Lost during the COMMIT,
the outcome is unknown: rerunning could post twice, so the error goes up
(an idempotent request's retry then learns the outcome from the stored
answer).
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from ledger.db import UnitOfWork, run_in_transaction
from ledger.services.journals import record_journal
from tests.factories import CLERK, COUNTY, SPECIAL, journal_count, make_fund, transfer


def connection_lost() -> OperationalError:
    return OperationalError(
        "SELECT 1", {}, Exception("server closed the connection"), connection_invalidated=True
    )


def test_a_connection_lost_before_the_commit_reruns_the_use_case(db):
    fund = make_fund(db)
    attempts = []

    def work(uow: UnitOfWork) -> str:
        attempts.append(uow)
        if len(attempts) == 1:
            uow.session.execute(text("SELECT 1"))
            raise connection_lost()  # mid-transaction, before the commit
        draft = transfer(date(2007, 4, 1), SPECIAL, COUNTY, "10.00")
        voucher = record_journal(uow, fund.id, draft, actor=CLERK).voucher
        uow.commit()
        return voucher

    assert run_in_transaction(db, work) == "记-2007-04-0001"
    assert len(attempts) == 2
    assert journal_count(db, fund) == 1


def test_a_connection_lost_during_the_commit_is_not_rerun(db, monkeypatch):
    fund = make_fund(db)
    attempts = []

    def work(uow: UnitOfWork) -> None:
        attempts.append(uow)
        record_journal(
            uow, fund.id, transfer(date(2007, 4, 1), SPECIAL, COUNTY, "10.00"), actor=CLERK
        )

        def commit_then_lose_the_answer() -> None:
            raise connection_lost()

        monkeypatch.setattr(uow.session, "commit", commit_then_lose_the_answer)
        uow.commit()

    with pytest.raises(OperationalError):
        run_in_transaction(db, work)
    assert len(attempts) == 1
    assert attempts[0].commit_sent


def test_other_errors_are_not_rerun(db):
    attempts = []

    def work(uow: UnitOfWork) -> None:
        attempts.append(uow)
        raise OperationalError("SELECT 1", {}, Exception("disk I/O error"))

    with pytest.raises(OperationalError):
        run_in_transaction(db, work)
    assert len(attempts) == 1


def test_a_session_ended_by_pg_terminate_backend_is_rerun(committed_db, database_url):
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("pg_terminate_backend is PostgreSQL's; a SQLite file has no server to lose")
    fund = make_fund(committed_db)
    attempts = []

    def work(uow: UnitOfWork) -> str:
        attempts.append(uow)
        if len(attempts) == 1:  # ended mid-transaction, before the journal's statements
            pid = uow.session.scalar(text("SELECT pg_backend_pid()"))
            with committed_db.engine.connect() as other:
                assert other.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        posted = record_journal(
            uow, fund.id, transfer(date(2007, 4, 1), SPECIAL, COUNTY, "10.00"), actor=CLERK
        )
        uow.commit()
        return posted.voucher

    assert run_in_transaction(committed_db, work) == "记-2007-04-0001"
    assert len(attempts) == 2
    assert journal_count(committed_db, fund) == 1
