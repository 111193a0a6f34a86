"""Persistence plumbing: the declarative base, the fen column type, engines,
units of work and retried transactions.

Amounts live in the database as BIGINT fen (分, hundredths of a yuan) through
the single `Fen` column type, so no float ever meets money and sums in SQL are
exact. SQLite runs in WAL mode with `synchronous=FULL` (a commit that returned
survives a power cut), foreign keys on, and every write transaction starts
with `BEGIN IMMEDIATE` so that two writers queue for the lock up front instead
of deadlocking half-way. A `UnitOfWork` rolls back unless it was committed:
services only flush, and the caller that opened it (a request, a CLI command,
the demo load) commits once. (A read on PostgreSQL, which the server holds
read-only, ends with a COMMIT that writes nothing: a ROLLBACK would make
psycopg drop the connection's prepared statements.) `run_in_transaction`, the
one retry loop, reruns a whole use case when the database asks for it
(serialization failure, deadlock, SQLite busy) or when the connection was cut
before the commit was sent (the server then rolled everything back). A
connection cut while the COMMIT was on its way (the primary died, a failover
began) leaves the outcome unknown: the loop reruns only a use case that says a
rerun is safe (one under an idempotency key, whose record commits with the
write), and otherwise raises `CommitOutcomeUnknown` rather than risk posting
twice. The engine pings a pooled connection before lending it, so after a
failover no request gets a connection to the dead primary (unless it was used
within the second: `_ping_when_idle`).

Reads that may be a little stale (the dashboards, PDFs, exports) ask for
`Database.replica_read`: with a replica configured (``DATABASE_REPLICA_URL``)
they run on its engine, read-only as every PostgreSQL read is, and learn how
old the replica's data is (`replica_age`); without one they are the primary's
ordinary read. Nothing else ever touches the replica engine.
"""

from __future__ import annotations

import enum
import random
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import (
    BigInteger,
    Connection,
    Engine,
    Enum,
    MetaData,
    Table,
    create_engine,
    event,
    text,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InvalidatePoolError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.sql import Executable
from sqlalchemy.types import TypeDecorator

from ledger.money import from_fen, to_fen

V = TypeVar("V")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


#: The largest record id: primary keys are INTEGER, 32-bit on PostgreSQL.
MAX_RECORD_ID = 2**31 - 1


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Fen(TypeDecorator[Decimal]):
    """A CNY amount: `Decimal` in Python, BIGINT fen in the database."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> int | None:
        return None if value is None else to_fen(value)

    def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
        return None if value is None else from_fen(int(value))


def enum_column(cls: type[enum.Enum], name: str) -> Enum:
    """Store an enum by its value, as a short string on every engine."""
    return Enum(
        cls,
        name=name,
        native_enum=False,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
        length=16,
    )


DEFAULT_SQLITE_TIMEOUT_S = 30.0


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, FULL sync, foreign keys and BEGIN IMMEDIATE."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(parsed, **kwargs)
        _ping_when_idle(engine)
        return engine
    connect_args = {"timeout": DEFAULT_SQLITE_TIMEOUT_S, "check_same_thread": False}
    engine = create_engine(parsed, connect_args=connect_args, **kwargs)
    _configure_sqlite(engine)
    return engine


#: A pooled PostgreSQL connection idle longer than this is pinged before it is lent.
PING_AFTER_IDLE_S = 1.0


def _ping_when_idle(engine: Engine) -> None:
    """Ping a pooled connection before lending it, unless it came back within the second.

    SQLAlchemy's ``pool_pre_ping`` pings every time: a round trip before each
    request's first statement (two for a write, whose token is read first). A
    connection used a moment ago is as good as a ping's answer, and if the
    server died in that moment the request meets what it would have met a
    moment later: a write is rerun on a new connection (`run_in_transaction`),
    a read is answered 503, and the first such error makes the pool drop
    every connection made before it (SQLAlchemy's disconnect handling).
    """

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned_at = record.info.get("returned_at")  # None: a new connection, not pinged
        if returned_at is None or time.monotonic() - returned_at <= PING_AFTER_IDLE_S:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # As pool_pre_ping does: the pool drops it and all made before, and lends a new one.
            raise InvalidatePoolError(f"a pooled connection did not answer: {error}") from error


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions
        # begin: the module's implicit BEGIN would be DEFERRED and would not
        # cover savepoints (the SQLAlchemy "pysqlite" recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        readonly = conn.get_execution_options().get("ledger_readonly", False)
        conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


#: Values per IN list: PostgreSQL's protocol takes at most 65,535 parameters a
#: statement, so a list of a province's loans is sent in parts.
IN_LIST = 10_000


def chunked(values: Iterable[V]) -> Iterator[list[V]]:
    """`values` in lists of at most `IN_LIST`, for `column.in_(part)`."""
    items = list(values)
    for start in range(0, len(items), IN_LIST):
        yield items[start : start + IN_LIST]


def dialect_name(session: Session) -> str:
    return session.get_bind().dialect.name


def upsert(session: Session, table: Table) -> Any:
    """``INSERT`` that supports ``on_conflict_do_*`` on both SQLite and PostgreSQL."""
    return dialect_insert(dialect_name(session))(table)


def dialect_insert(dialect: str) -> Callable[[Any], Any]:
    """The ``insert`` construct with ``on_conflict_do_*`` for `dialect` (statements built once)."""
    return pg_insert if dialect == "postgresql" else sqlite_insert


@contextmanager
def pipeline(connection: Connection) -> Iterator[None]:
    """Send the statements run inside as one round trip on PostgreSQL; elsewhere do nothing.

    psycopg 3's pipeline mode: each statement goes out without waiting for the
    one before, and the server's answers come back together at the end of the
    block. Only for writes whose results nobody
    reads: inside the block a result has no rows and no row count (so a
    one-row INSERT whose key the database makes, which SQLAlchemy would ask
    back with RETURNING, is built with ``.inline()``). An error
    of any of them is raised at the end as the same SQLAlchemy exception the
    statement alone would raise (so `run_in_transaction` and the error
    mapping see no difference), and the transaction is then aborted as usual.
    Never commit the session inside it: the session would hand the connection
    back to the pool, to another thread, before the block ends (`UnitOfWork.commit`
    sends a COMMIT statement in a pipeline instead).
    """
    if connection.dialect.name != "postgresql":
        yield
        return
    driver = connection.connection.driver_connection
    dbapi = connection.dialect.dbapi
    try:
        with driver.pipeline():  # type: ignore[union-attr]
            yield
    except dbapi.Error as error:  # type: ignore[union-attr]
        lost = bool(driver.closed)  # type: ignore[union-attr]
        if lost:
            connection.invalidate(error)
        raise DBAPIError.instance(
            None, None, error, dbapi.Error, connection_invalidated=lost, dialect=connection.dialect
        ) from error


#: `transaction_info` keys: this module's writes kept for the commit.
_AT_COMMIT = "at_commit"


def transaction_info(session: Session) -> dict[str, Any]:
    """What `session`'s current transaction keeps for its own end (gone when it ends)."""
    return session.info.setdefault("transaction", {})  # type: ignore[no-any-return]


def at_commit(session: Session, statement: Executable, params: dict[str, Any]) -> None:
    """Run `statement` with `params` just before `session`'s transaction commits, in the
    COMMIT's round trip (`UnitOfWork.commit`): a write whose result nobody reads and
    that nothing in the transaction reads back. Gone with a rollback."""
    transaction_info(session).setdefault(_AT_COMMIT, []).append((statement, params))


@event.listens_for(Session, "before_commit")
def _write_what_waits(session: Session) -> None:
    """A session committed other than by `UnitOfWork.commit` still writes what waited."""
    for statement, values in transaction_info(session).pop(_AT_COMMIT, []):
        session.connection().execute(statement, values)


@event.listens_for(Session, "after_transaction_end")
def _forget_transaction(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop("transaction", None)


class UnitOfWork:
    """One business transaction: `with db.uow() as uow: service(uow, ...); uow.commit()`.

    Services only flush (for ids, and so that the database's checks refuse
    at once); the caller that opened the unit of work is its one commit
    point. Leaving the block without `commit()`, by an exception or not,
    rolls everything back, so a refused request leaves no half-written rows.
    """

    def __init__(self, sessions: sessionmaker[Session], *, readonly: bool = False) -> None:
        self._sessions = sessions
        self._readonly = readonly
        self.committed = False

    def __enter__(self) -> UnitOfWork:
        self.session = self._sessions()
        self._server_readonly = False
        if self._readonly:
            # Must be the first use of the session: the option reaches the
            # "begin" hook, which then starts a plain (shared) SQLite read. On
            # PostgreSQL a report's several queries read one snapshot, and the
            # server refuses a write ("read-only transaction"), on a replica
            # too when its URL has come to name a primary.
            options: dict[str, object] = {"ledger_readonly": True}
            bind = self.session.get_bind()
            if isinstance(bind, Engine) and bind.dialect.name == "postgresql":
                options["isolation_level"] = "REPEATABLE READ"
                options["postgresql_readonly"] = True
                self._server_readonly = True
            self.session.connection(execution_options=options)
        self.committed = False
        self.commit_sent = False
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        try:
            if self._server_readonly and exc_type is None:
                # A read the server held read-only ends with COMMIT, which writes
                # nothing, as ROLLBACK would; but psycopg forgets the connection's
                # prepared statements on every ROLLBACK (and sends DEALLOCATE
                # ALL), so the next request's statements would be parsed and
                # planned again: every API request reads its token first.
                self.session.commit()
            elif not self.committed:
                self.session.rollback()
        finally:
            self.session.close()

    def commit(self, last: Executable | None = None, params: dict[str, Any] | None = None) -> None:
        """Commit; the session's writes kept for the commit (`at_commit`), then `last`
        (with `params`) if given, run just before the COMMIT.

        On PostgreSQL they and the COMMIT go out in one pipeline, one round
        trip: for final writes whose results nobody reads.
        """
        # Statements first: a connection lost while they run has committed nothing.
        # From the COMMIT on, a lost connection leaves the outcome unknown.
        self.session.flush()
        self.commit_sent = True
        last_writes = transaction_info(self.session).pop(_AT_COMMIT, [])
        if last is not None:
            last_writes.append((last, params))
        if last_writes:
            connection = self.session.connection()
            real_commit = not connection.in_nested_transaction()
            with pipeline(connection):
                for statement, values in last_writes:
                    connection.execute(statement, values)
                if connection.dialect.name == "postgresql" and real_commit:
                    # As SQL, not the driver's commit(), which would sync the
                    # pipeline on its own; the session's COMMIT below then finds
                    # the transaction ended and sends nothing. (A session on a
                    # savepoint, as in the tests, commits by releasing it.)
                    connection.exec_driver_sql("COMMIT")
        self.session.commit()
        self.committed = True

    @property
    def dialect(self) -> str:
        return dialect_name(self.session)


#: How far behind its primary a PostgreSQL replica's data is, in whole seconds.
#: A server not in recovery (a primary, or a standby since promoted) is current;
#: so is a standby that has replayed all the WAL it received, however long ago
#: the last write was (an idle book would otherwise look hours old). Otherwise
#: the age is the time since the last transaction it replayed was committed.
REPLICA_AGE_SQL = text(
    """
    SELECT CASE
        WHEN NOT pg_is_in_recovery() THEN 0
        WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
        ELSE COALESCE(
            floor(extract(epoch FROM now() - pg_last_xact_replay_timestamp()))::integer, 0
        )
    END
    """
)


def replica_age(session: Session) -> int:
    """The age in seconds of what `session` reads on a replica (0 when up to date).

    Asked first in the read's transaction, so it describes the snapshot the
    read sees. Only PostgreSQL replicates; any other database counts as current.
    """
    if dialect_name(session) != "postgresql":
        return 0
    # Never below 0, should the standby's clock run behind the primary's.
    return max(0, int(session.execute(REPLICA_AGE_SQL).scalar_one()))


@dataclass(frozen=True)
class StaleRead:
    """A session for a read that may lag, and how old its data is.

    `age` is None when the read went to the primary (no replica configured),
    else the replica's lag in seconds (`replica_age`).
    """

    session: Session
    age: int | None


@dataclass
class Database:
    """An engine and its session factory, passed down explicitly (no globals).

    `replica`, when set, is the session factory of a read replica that only
    `replica_read` uses.
    """

    engine: Engine
    sessions: sessionmaker[Session]
    replica: sessionmaker[Session] | None = None

    @classmethod
    def connect(cls, url: str, *, replica_url: str | None = None, **kwargs: Any) -> Database:
        engine = make_engine(url, **kwargs)
        replica = None
        if replica_url:
            replica = sessionmaker(make_engine(replica_url, **kwargs), expire_on_commit=False)
        return cls(engine, sessionmaker(engine, expire_on_commit=False), replica)

    @property
    def replica_engine(self) -> Engine | None:
        return None if self.replica is None else self.replica.kw["bind"]

    def dispose(self, *, close: bool = True) -> None:
        """Drop the pooled connections of both engines (`Engine.dispose`'s `close`)."""
        self.engine.dispose(close=close)
        if self.replica_engine is not None:
            self.replica_engine.dispose(close=close)

    def uow(self, *, readonly: bool = False) -> UnitOfWork:
        return UnitOfWork(self.sessions, readonly=readonly)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session for queries."""
        with self.uow(readonly=True) as uow:
            yield uow.session

    @contextmanager
    def replica_read(self) -> Iterator[StaleRead]:
        """A read that need not see the newest rows: on the replica if there is one.

        For what leaders and auditors read (dashboards, statements, exports),
        never for a write or for what a clerk checks right after writing.
        """
        if self.replica is None:
            with self.read() as session:
                yield StaleRead(session, None)
            return
        with UnitOfWork(self.replica, readonly=True) as uow:
            yield StaleRead(uow.session, replica_age(uow.session))


T = TypeVar("T")

#: SQLSTATEs after which PostgreSQL expects the client to rerun the transaction.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})
#: Unique keys where a lost race means "try again", not "bad input".
RETRYABLE_CONSTRAINTS = (
    "uq_journal_fund_id_voucher_no",
    "uq_account_chart_id_subkey",
    "uq_loan_batch_id_township_id_seq",
    "uq_idempotency_record_actor_key",
    "pk_society_year_end",
)


def is_retryable(error: DBAPIError) -> bool:
    """True when rerunning the whole transaction may succeed."""
    orig = error.orig
    if getattr(orig, "sqlstate", None) in RETRYABLE_SQLSTATES:
        return True
    message = str(orig).lower()
    if "database is locked" in message or "database table is locked" in message:
        return True
    return getattr(orig, "sqlstate", None) == "23505" and any(
        name in message for name in RETRYABLE_CONSTRAINTS
    )


class CommitOutcomeUnknown(Exception):
    """The connection broke while COMMIT was on its way: the write may or may not be in.

    Raised for a use case that cannot be rerun safely (it carries no
    idempotency key); the HTTP shell answers 503 asking for a retry with a key.
    """

    detail_zh = (
        "结果未知:提交过程中与数据库的连接中断(可能正在切换主库),"
        "这次写入可能已完成也可能没有;请用同一个 Idempotency-Key 重发以得知结果"
    )
    detail_en = (
        "outcome unknown: the connection to the database broke during the commit "
        "(a failover may be under way), so this write may or may not have been made; "
        "retry with the same Idempotency-Key to learn its outcome"
    )

    def __init__(self) -> None:
        super().__init__(self.detail_en)


def should_rerun(error: DBAPIError, uow: UnitOfWork, *, outcome_checked: bool = False) -> bool:
    """True when `uow`'s work may run again from scratch after `error`.

    Besides `is_retryable`: a connection cut before the COMMIT was sent (the
    server restarted, an administrator ended the session, the primary died)
    rolled the whole transaction back, so running it again cannot post twice.
    A connection cut during the COMMIT may have committed: it is rerun only
    when `outcome_checked` (the work finds out for itself whether it was
    done, as `ledger.idempotency` does by its key's record), and otherwise
    raises `CommitOutcomeUnknown`.
    """
    if is_retryable(error):
        return True
    if not error.connection_invalidated:
        return False
    if uow.commit_sent and not outcome_checked:
        raise CommitOutcomeUnknown from error
    return True


def run_in_transaction(
    db: Database,
    work: Callable[[UnitOfWork], T],
    *,
    attempts: int = 10,
    outcome_checked: bool = False,
) -> T:
    """Run `work(uow)` in a fresh unit of work; rerun it from scratch while `should_rerun`.

    The one retry loop: every write of a request, a CLI command or a login
    runs in it. `work` calls the service and then commits, once, at its end;
    whatever an attempt did not commit is rolled back before the next one.
    `outcome_checked` says that a rerun of `work` recognises a commit that
    did happen (see `should_rerun`).
    """
    for attempt in range(1, attempts + 1):
        uow = db.uow()
        try:
            with uow:
                return work(uow)
        except DBAPIError as error:
            if not should_rerun(error, uow, outcome_checked=outcome_checked) or attempt == attempts:
                raise
        time.sleep(random.uniform(0, 0.005 * 2 ** min(attempt, 6)))
    raise AssertionError("unreachable")  # pragma: no cover
