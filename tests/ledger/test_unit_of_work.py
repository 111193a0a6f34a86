"""The unit of work: services only flush; the caller's one commit makes their writes real.

A request, a CLI command and the demo load each open a unit of work, call a
service and commit once at the end (through `run_in_transaction`, the one
retry loop). Until that commit nobody else sees what the service wrote, and
a unit of work that ends without it, by an exception or not, leaves nothing.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import bindparam, event, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from ledger import errors
from ledger.db import Database, UnitOfWork, run_in_transaction
from ledger.models import Fund
from ledger.services.journals import record_journal
from tests.factories import CLERK, COUNTY, SPECIAL, journal_count, make_fund, township, transfer

APRIL = date(2007, 4, 1)
FUNDS = Fund.__table__
RENAME = update(FUNDS).where(FUNDS.c.id == bindparam("fund_id")).values(name=bindparam("to"))


def appropriation(uow: UnitOfWork, fund_id: int) -> str:
    """Post 10 yuan into the special account (a service call); its voucher."""
    draft = transfer(APRIL, SPECIAL, COUNTY, "10.00")
    return record_journal(uow, fund_id, draft, actor=CLERK).voucher


def test_an_exception_inside_the_unit_of_work_leaves_nothing(db):
    fund = make_fund(db)
    with pytest.raises(errors.InsufficientBalance), db.uow() as uow:
        appropriation(uow, fund.id)  # written and flushed ...
        overdraw = transfer(APRIL, township(), SPECIAL, "20.00")
        record_journal(uow, fund.id, overdraw, actor=CLERK)  # ... then the request is refused
    assert journal_count(db, fund) == 0


def test_a_unit_of_work_its_caller_leaves_without_committing_leaves_nothing(db):
    fund = make_fund(db)
    with db.uow() as uow:
        assert appropriation(uow, fund.id) == "记-2007-04-0001"
    assert journal_count(db, fund) == 0
    with db.uow() as uow:  # not even the voucher number was used up
        assert appropriation(uow, fund.id) == "记-2007-04-0001"
        uow.commit()
    assert journal_count(db, fund) == 1


def test_a_service_alone_writes_nothing_another_connection_sees(committed_db):
    fund = make_fund(committed_db)
    with committed_db.uow() as uow:
        appropriation(uow, fund.id)
        assert journal_count(committed_db, fund) == 0  # read on a connection of its own
        uow.commit()
        assert journal_count(committed_db, fund) == 1


def fund_name(db, fund) -> str:
    with db.read() as session:
        return session.get(Fund, fund.id).name


def test_a_last_statement_commits_with_the_work_and_its_commit(committed_db):
    fund = make_fund(committed_db)
    open_at_commit = []  # on PostgreSQL: a transaction left for the session's COMMIT?

    def seen(connection) -> None:
        pgconn = getattr(connection.connection.driver_connection, "pgconn", None)
        if pgconn is not None:
            open_at_commit.append(pgconn.transaction_status != 0)  # 0: idle

    event.listen(committed_db.engine, "commit", seen)
    try:
        with committed_db.uow() as uow:
            appropriation(uow, fund.id)
            uow.commit(RENAME, {"fund_id": fund.id, "to": "改名"})
    finally:
        event.remove(committed_db.engine, "commit", seen)
    assert journal_count(committed_db, fund) == 1
    assert fund_name(committed_db, fund) == "改名"
    # The COMMIT went out with the last statement: the session's own found nothing to do.
    assert open_at_commit == ([False] if committed_db.engine.dialect.name == "postgresql" else [])


def test_a_last_statement_the_database_refuses_commits_nothing(committed_db):
    fund = make_fund(committed_db)
    with pytest.raises(IntegrityError), committed_db.uow() as uow:
        appropriation(uow, fund.id)
        uow.commit(RENAME, {"fund_id": fund.id, "to": None})  # name is NOT NULL
    assert journal_count(committed_db, fund) == 0
    assert fund_name(committed_db, fund) == "测试周转金"
    with committed_db.uow() as uow:  # the connection went back to the pool fit for use
        assert appropriation(uow, fund.id) == "记-2007-04-0001"
        uow.commit()
    assert journal_count(committed_db, fund) == 1


def test_an_attempt_the_retry_loop_abandons_leaves_nothing(db):
    fund = make_fund(db)
    attempts = []

    def work(uow: UnitOfWork) -> str:
        voucher = appropriation(uow, fund.id)
        attempts.append(voucher)
        if len(attempts) == 1:  # the database asks for a rerun after the service wrote
            raise OperationalError("COMMIT", {}, Exception("database is locked"))
        uow.commit()
        return voucher

    assert run_in_transaction(db, work) == "记-2007-04-0001"
    assert attempts == ["记-2007-04-0001", "记-2007-04-0001"]
    assert journal_count(db, fund) == 1


def test_a_read_refuses_writes_and_keeps_the_connections_prepared_statements(database_url):
    """On PostgreSQL a read is READ ONLY at the server and ends with COMMIT, not ROLLBACK.

    psycopg drops a connection's prepared statements on every ROLLBACK; every
    API request reads its token before it writes, so the posting's statements
    would otherwise be parsed and planned afresh on every request.
    """
    db = Database.connect(database_url, pool_size=1, max_overflow=0)  # one connection
    try:
        if db.engine.dialect.name != "postgresql":
            pytest.skip("psycopg's prepared statements and READ ONLY are PostgreSQL's")
        fund = make_fund(db)
        with db.read() as session, pytest.raises(DBAPIError) as refused:
            session.execute(RENAME, {"fund_id": fund.id, "to": "不该写入"})
        assert refused.value.orig.sqlstate == "25006"  # read_only_sql_transaction
        assert fund_name(db, fund) == "测试周转金"

        with db.engine.connect() as connection:
            driver = connection.connection.driver_connection
        for _ in range(6):  # psycopg prepares a statement on its sixth run
            with db.uow() as uow:
                appropriation(uow, fund.id)
                uow.commit()
        prepared = len(driver._prepared._names)
        assert prepared > 0
        with db.read() as session:
            assert session.get(Fund, fund.id).name == "测试周转金"
        assert len(driver._prepared._names) == prepared
    finally:
        db.dispose()
