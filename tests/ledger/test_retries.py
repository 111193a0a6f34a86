"""Which database errors rerun a whole use case, and which must not.

A lost connection (a server restart, an administrator's
``pg_terminate_backend``) before the COMMIT was sent rolled the transaction
back: rerunning is safe, and saves the client a 500. Lost during the COMMIT
(a failover), the outcome is unknown: a use case under an idempotency key is
rerun, and the rerun finds the key's answer if the commit did happen or posts
for the first time if it did not; any other use case raises
`CommitOutcomeUnknown` (a 503 asking for a retry with a key), never a rerun
that could post twice.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from ledger.db import CommitOutcomeUnknown, UnitOfWork, make_engine, run_in_transaction
from ledger.idempotency import StoredResponse, idempotent, request_fingerprint
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


def lose_the_commit(uow: UnitOfWork, monkeypatch: pytest.MonkeyPatch, *, committed: bool) -> None:
    """Make `uow`'s COMMIT lose its connection, after committing (`committed`) or before."""
    commit = uow.session.commit

    def commit_and_lose_the_answer() -> None:
        if committed:
            commit()
        raise connection_lost()

    monkeypatch.setattr(uow.session, "commit", commit_and_lose_the_answer)


def post_once_losing_the_first_commit(fund, monkeypatch, *, committed: bool):
    """A work posting one journal whose first attempt loses its COMMIT; and its attempts."""
    attempts: list[UnitOfWork] = []

    def work(uow: UnitOfWork) -> tuple[int, str]:
        attempts.append(uow)
        draft = transfer(date(2007, 4, 1), SPECIAL, COUNTY, "10.00")
        voucher = record_journal(uow, fund.id, draft, actor=CLERK).voucher
        if len(attempts) == 1:
            lose_the_commit(uow, monkeypatch, committed=committed)
        return 201, voucher

    return work, attempts


@pytest.mark.parametrize("committed", [True, False], ids=["committed", "not-committed"])
def test_a_connection_lost_during_the_commit_without_a_key_is_not_rerun(db, monkeypatch, committed):
    fund = make_fund(db)
    work, attempts = post_once_losing_the_first_commit(fund, monkeypatch, committed=committed)

    def committing_work(uow: UnitOfWork) -> tuple[int, str]:
        answer = work(uow)
        uow.commit()
        return answer

    with pytest.raises(CommitOutcomeUnknown) as raised:
        run_in_transaction(db, committing_work)
    assert isinstance(raised.value.__cause__, OperationalError)
    assert "Idempotency-Key" in raised.value.detail_zh
    assert len(attempts) == 1 and attempts[0].commit_sent
    # Whatever happened stays as it was: never a second journal.
    assert journal_count(db, fund) == (1 if committed else 0)


def run_keyed(db, work) -> StoredResponse:
    return idempotent(
        db,
        actor="alice",
        key="failover-1",
        method="POST",
        path="/x",
        fingerprint=request_fingerprint("POST", "/x", {"amount": "10.00"}),
        work=work,
    )


def test_a_commit_that_happened_but_lost_its_answer_is_replayed_under_its_key(db, monkeypatch):
    fund = make_fund(db)
    work, attempts = post_once_losing_the_first_commit(fund, monkeypatch, committed=True)

    # The rerun finds the key's record committed with the journal: it answers, posts nothing.
    assert run_keyed(db, work) == StoredResponse(201, "记-2007-04-0001", replayed=True)
    assert len(attempts) == 1
    assert journal_count(db, fund) == 1


def test_a_commit_that_never_happened_is_posted_once_under_its_key(db, monkeypatch):
    fund = make_fund(db)
    work, attempts = post_once_losing_the_first_commit(fund, monkeypatch, committed=False)

    assert run_keyed(db, work) == StoredResponse(201, "记-2007-04-0001", replayed=False)
    assert len(attempts) == 2
    assert journal_count(db, fund) == 1


def test_a_connection_lost_before_the_commit_of_a_keyed_write_reruns_it(db):
    fund = make_fund(db)
    attempts = []

    def work(uow: UnitOfWork) -> tuple[int, str]:
        attempts.append(uow)
        if len(attempts) == 1:
            raise connection_lost()
        draft = transfer(date(2007, 4, 1), SPECIAL, COUNTY, "10.00")
        return 201, record_journal(uow, fund.id, draft, actor=CLERK).voucher

    assert run_keyed(db, work) == StoredResponse(201, "记-2007-04-0001", replayed=False)
    assert len(attempts) == 2 and not attempts[0].commit_sent
    assert journal_count(db, fund) == 1


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


def pooled_backend_ended(database_url: str) -> tuple[Engine, int]:
    """An engine of one pooled connection, back in the pool, whose server session was ended."""
    engine = make_engine(database_url, pool_size=1, max_overflow=0)
    with engine.connect() as connection:
        pid = connection.scalar(text("SELECT pg_backend_pid()"))
    admin = make_engine(database_url)
    try:
        with admin.connect() as other:
            assert other.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        admin.dispose()
    return engine, pid


@pytest.mark.parametrize("idle", [False, True], ids=["used-a-moment-ago", "idle"])
def test_a_pooled_connection_is_pinged_when_it_has_been_idle(
    database_url, monkeypatch: pytest.MonkeyPatch, idle: bool
):
    """Idle past `PING_AFTER_IDLE_S`, a connection whose session was ended is replaced
    before it is lent. Used a moment ago, it is lent unpinged: the request meets the
    lost connection (a write reruns, a read answers 503) and the pool then drops it."""
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("SQLite's connections are files, with no server session to lose")
    if idle:
        monkeypatch.setattr("ledger.db.PING_AFTER_IDLE_S", 0.0)
    engine, ended = pooled_backend_ended(database_url)
    try:
        if not idle:
            with pytest.raises(OperationalError) as lost, engine.connect() as connection:
                connection.scalar(text("SELECT 1"))
            assert lost.value.connection_invalidated
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT pg_backend_pid()")) != ended
    finally:
        engine.dispose()
