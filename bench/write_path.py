"""The write path beside the peer ledgers, in one run (issue 18; docs/PERFORMANCE.md).

    make bench                          # the whole comparison (several minutes)
    make bench BENCH_SECONDS=5          # a short run of the same cases
    .venv/bin/python bench/write_path.py --case pg_c1 --seconds 5   # one case alone
    .venv/bin/python bench/write_path.py --case pg_c1 --statements 200   # where time goes

Each project case posts journals the way a clerk's repayment reaches the book
over HTTP, minus Flask: `ledger.idempotency.idempotent` (the request's key
and its stored answer), `record_journal` (date and period checks, account
locks, the gapless voucher number, running balances and daily totals, the
guards), and `append_audit` (the hash-chained audit record), all in one
commit, rerun by `run_in_transaction` on a serialization failure. The
journals move money between the special account, 16 townships and 1,000
loans (the plan of bench/ledger_throughput.py), so 1,017 accounts as the
peers' "1000acc" cases have 1,000. The loans are registered (a household,
a schedule and a liaison each: `register_loans`), so a journal on one keeps
its figures as a disbursement or repayment does (`ledger.positions`).

Cases (JSON lines with ``"peer": "project"``, in the peers' shape):
``sqlite_1_per_commit``, ``sqlite_1000_per_commit`` (one audit record and
1,000 idempotency-keyed journals per commit, as an import would),
``pg_c1``, ``pg_c8_funds`` (8 connections, 8 funds), ``pg_c8_one_fund``
(8 connections, one fund, one voucher month). Eight connections are eight
writer processes, forked after the set-up as gunicorn forks its sync
workers (`timed_apart`); the peers' own runners use threads.

After each case, untimed, it checks what a ledger must never get wrong:
every acknowledged journal is in the book once and nothing else is, each
month's vouchers run 1..n without a gap, the trial balance balances, every
running balance and kept loan figure equals its entries, and the audit
chain verifies. A case
that fails a check fails the run.

The peers (../shared/peers, or ``LEDGER_PEERS_DIR``) run as their own
processes, and so does each project case, in alternating rounds (the order
reversed every other round): the machine is shared and noisy, so only the
ratio of two neighbouring measurements counts, and the table shows the
median over rounds. Every JSON line goes to stdout as it comes; the table and
the lines go to bench/out/. The exit status is 1 when a target is missed or a
check fails.
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from psycopg.pq import TransactionStatus  # noqa: E402
from sqlalchemy import event, func, insert, select  # noqa: E402

from bench.ledger_throughput import (  # noqa: E402
    DEFAULT_PG,
    OPENER,
    TOWNSHIPS,
    machine,
    migrate,
    pg_schema,
    plan,
    source_version,
    to_draft,
)
from bench.report_fund_statement import disbursed_loan_row  # noqa: E402
from ledger import dates, positions  # noqa: E402
from ledger.actors import Actor  # noqa: E402
from ledger.audit import append_audit, verify_all  # noqa: E402
from ledger.db import Database, UnitOfWork  # noqa: E402
from ledger.idempotency import idempotent, request_fingerprint  # noqa: E402
from ledger.models import (  # noqa: E402
    Batch,
    Household,
    Instalment,
    Journal,
    Liaison,
    LiaisonAssignment,
    Loan,
    LoanStatus,
    ProjectType,
    ScheduleVersion,
    Township,
)
from ledger.read.books import balance_mismatches, trial_balance  # noqa: E402
from ledger.services import setup  # noqa: E402
from ledger.services.funds import open_fund  # noqa: E402
from ledger.services.journals import post_many, record_journal  # noqa: E402

IDLE = TransactionStatus.IDLE

CLERK = Actor("bench-clerk", "clerk")
LOANS = 1000
SETUP = 17  #: the appropriation and the 16 allocations (untimed)
PEERS = Path(os.environ.get("LEDGER_PEERS_DIR", ROOT.parent / "shared" / "peers"))
PEER_VENVS = Path(os.environ.get("PEERS_VENVS", "/tmp"))

#: (project case, peer, peer case, the least ratio project / peer)
TARGETS = (
    ("sqlite_1_per_commit", "raw_sqlite", "1_per_commit", 0.5),
    ("sqlite_1000_per_commit", "raw_sqlite", "1000_per_commit", 0.4),
    ("pg_c1", "pgledger_style", "1000acc_c1", 0.5),
    ("pg_c1", "hordak", "1000acc_c1", 3.0),
    ("pg_c8_funds", "pgledger_style", "1000acc_c8", 0.5),
    ("pg_c8_funds", "hordak", "1000acc_c8", 3.0),
    ("pg_c8_one_fund", "pgledger_style", "2acc_hot_c8", 0.8),
)
SQLITE_CASES = ("sqlite_1_per_commit", "sqlite_1000_per_commit")
PG_CASES = ("pg_c1", "pg_c8_funds", "pg_c8_one_fund")


# --- one project case -------------------------------------------------------


class Book:
    """A new fund of `county` (the install's only one when None), with its 17 opening journals.

    With `registered`, its townships, a batch, a project type and a liaison per
    township are set up too, and each writer registers its loans (`Writer`).
    """

    def __init__(
        self, db: Database, tag: str, county: str | None = None, *, registered: bool = True
    ) -> None:
        self.db = db
        self.code = f"W{uuid.uuid4().hex[:10]}"
        self.registered = registered
        with db.uow() as uow:
            self.fund_id = open_fund(
                uow, actor=OPENER, code=self.code, name=f"bench {tag}", county=county
            ).id
            uow.commit()
        if registered:
            with db.uow() as uow:
                for n, town in enumerate(TOWNSHIPS, start=1):
                    setup.add_township(uow, CLERK, self.code, code=town, name=f"乡镇{n}")
                    setup.add_liaison(
                        uow,
                        CLERK,
                        self.code,
                        name=f"联系人{n}",
                        township=town,
                        monthly_salary="2200.00",
                    )
                setup.add_batch(
                    uow, CLERK, self.code, code="1", name="第一批", budget="100000000.00"
                )
                setup.add_project_type(
                    uow,
                    CLERK,
                    self.code,
                    code="pig",
                    name="生猪养殖",
                    borrowing_standard="5000.00",
                )
                uow.commit()
        opening = plan(SETUP, start=dates.today(), days=1)
        with db.uow() as uow:
            drafts = [to_draft(tx, n) for n, tx in enumerate(opening)]
            post_many(uow, self.fund_id, drafts, actor="bench")
            uow.commit()

    @classmethod
    def opened(cls, db: Database, code: str, fund_id: int) -> Book:
        """A book already opened (by another process, not `registered`), reached through `db`."""
        book = cls.__new__(cls)
        book.db, book.code, book.fund_id, book.registered = db, code, fund_id, False
        return book


class Writer:
    """One connection's stream of journals into a book, and the vouchers acknowledged to it.

    Each writer lends to loans of its own, so its repayments never overtake
    its disbursements however the writers interleave; the townships' opening
    balances are large enough that the guards never bite.
    """

    def __init__(self, book: Book, number: int) -> None:
        self.book, self.db, self.code, self.fund_id = book, book.db, book.code, book.fund_id
        # All dated today: one voucher month, never in the future or a closed month.
        txs = plan(
            10**9,
            start=dates.today(),
            days=1,
            loans=LOANS,
            seed=number,
            loan_prefix=f"w{number}-",
            setup=False,
        )
        self.work = (to_draft(tx, n) for n, tx in enumerate(txs))
        self.acknowledged: list[str] = []
        if book.registered:
            register_loans(book, number)

    def post_one(self) -> float:
        """Post the next journal as one idempotent, audited request; its seconds."""
        draft = next(self.work)
        path = f"/api/v1/funds/{self.code}/journals"
        body = {"date": str(draft.posted_on), "memo": draft.memo}

        def work(uow: UnitOfWork) -> tuple[int, str]:
            posted = record_journal(uow, self.fund_id, draft, actor=CLERK.username)
            append_audit(
                uow.session,
                chain=self.code,
                actor=CLERK,
                action=f"POST {path}",
                target=f"fund:{self.code}/voucher:{posted.voucher}",
                details={"body": body},
            )
            return 201, json.dumps({"voucher": posted.voucher})

        started = time.perf_counter()
        answer = idempotent(
            self.db,
            actor=CLERK.username,
            key=uuid.uuid4().hex,
            method="POST",
            path=path,
            fingerprint=request_fingerprint("POST", path, body),
            work=work,
        )
        elapsed = time.perf_counter() - started
        self.acknowledged.append(json.loads(answer.body or "{}")["voucher"])
        return elapsed

    def post_thousand(self) -> float:
        """Post 1,000 journals with their keys and one audit record in one commit."""
        drafts = [next(self.work) for _ in range(1000)]
        started = time.perf_counter()
        with self.db.uow() as uow:
            posted = post_many(
                uow,
                self.fund_id,
                drafts,
                actor=CLERK.username,
                idempotency_keys=[uuid.uuid4().hex for _ in drafts],
            )
            append_audit(
                uow.session,
                chain=self.code,
                actor=CLERK,
                action="import journals",
                target=f"fund:{self.code}",
                details={"journals": len(posted)},
            )
            uow.commit()
        self.acknowledged.extend(p.voucher for p in posted)
        return time.perf_counter() - started


def register_loans(book: Book, writer: int) -> None:
    """Register writer `writer`'s loans as disbursed loans of `book` (untimed), so that its
    journals keep each loan's figures as a clerk's disbursements and repayments do
    (`ledger.positions`).

    Its loan ``i`` (``w<writer>-<i>``, as `plan` names it) is lent through the
    plan's township ``i % 16``, to a household of its own, with the township's
    liaison answering for it and two yearly instalments from a year on,
    counted as `register_loan` counts a loan.
    """
    db, fund_id = book.db, book.fund_id
    signed = dates.today()
    numbers = [f"w{writer}-{i:05d}" for i in range(LOANS)]
    first = writer * LOANS  # the writer's loans among the book's, numbered apart
    with db.uow() as uow:
        session = uow.session
        towns, batches, kinds = (
            dict(session.execute(select(m.code, m.id).where(m.fund_id == fund_id)).all())
            for m in (Township, Batch, ProjectType)
        )
        liaisons = {
            town: liaison
            for town, liaison in session.execute(
                select(Liaison.township_id, Liaison.id).where(Liaison.fund_id == fund_id)
            )
        }
        town_of = [towns[TOWNSHIPS[i % len(TOWNSHIPS)]] for i in range(len(numbers))]
        households = session.scalars(
            insert(Household).returning(Household.id, sort_by_parameter_order=True),
            [
                {
                    "fund_id": fund_id,
                    "township_id": town,
                    "name": f"农户{no}",
                    "id_number": f"340123{first + i:012d}",
                    "village": "第一村民组",
                    "party_member": False,
                    "created_by": OPENER.username,
                }
                for i, (no, town) in enumerate(zip(numbers, town_of, strict=True))
            ],
        ).all()
        amount = Decimal("5000.00")
        loan_ids = session.scalars(
            insert(Loan).returning(Loan.id, sort_by_parameter_order=True),
            [
                disbursed_loan_row(
                    fund_id,
                    no,
                    seq=first + i + 1,
                    household_id=household,
                    township_id=town,
                    batch_id=batches["1"],
                    project_type_id=kinds["pig"],
                    project="养猪 10 头",
                    amount=amount,
                    signed_on=signed,
                    by=OPENER.username,
                )
                for i, (no, household, town) in enumerate(
                    zip(numbers, households, town_of, strict=True)
                )
            ],
        ).all()
        session.execute(
            insert(ScheduleVersion),
            [
                {
                    "loan_id": loan_id,
                    "version": 1,
                    "effective_on": signed,
                    "principal": amount,
                    "settled_before": Decimal("0.00"),
                }
                for loan_id in loan_ids
            ],
        )
        session.execute(
            insert(Instalment),
            [
                {
                    "loan_id": loan_id,
                    "version": 1,
                    "seq": seq,
                    "due_date": signed.replace(year=signed.year + seq),
                    "amount": amount / 2,
                }
                for loan_id in loan_ids
                for seq in (1, 2)
            ],
        )
        session.execute(
            insert(LiaisonAssignment),
            [
                {
                    "loan_id": loan_id,
                    "liaison_id": liaisons[town],
                    "effective_on": signed,
                    "reason": "签订责任书",
                    "recorded_by": OPENER.username,
                }
                for loan_id, town in zip(loan_ids, town_of, strict=True)
            ],
        )
        positions.record_counts(
            session,
            fund_id,
            loans=Counter((town, batches["1"], LoanStatus.DISBURSED) for town in town_of),
            households=Counter(town_of),
        )
        positions.record_schedules(session, fund_id, dict.fromkeys(loan_ids, 1))
        uow.commit()
    # As a book in use would have them (autovacuum's on PostgreSQL): the planner's
    # statistics of the tables just filled, or a loan is looked up by a scan.
    with db.engine.begin() as conn:
        for table in ("loan", "household", "schedule_version", "instalment", "loan_position"):
            conn.exec_driver_sql(f"ANALYZE {table}")


def check(book: Book, writers: list[Writer]) -> str:
    """'ok', or what is wrong with the book after its writers' run."""
    acknowledged = [v for w in writers if w.book is book for v in w.acknowledged]
    with book.db.read() as session:
        vouchers = session.scalars(
            select(Journal.voucher_no).where(Journal.fund_id == book.fund_id)
        ).all()
        gaps = session.execute(
            select(Journal.period, func.count(), func.max(Journal.seq))
            .where(Journal.fund_id == book.fund_id)
            .group_by(Journal.period)
        ).all()
        problems = []
        if len(set(acknowledged)) != len(acknowledged):
            problems.append("an acknowledged voucher twice")
        if len(vouchers) != len(acknowledged) + SETUP:
            problems.append(f"{len(vouchers)} journals for {len(acknowledged)} acks")
        if not set(acknowledged) <= set(vouchers):
            problems.append("an acknowledged journal is missing")
        if any(count != high for _, count, high in gaps):
            problems.append("a gap in the vouchers")
        if not trial_balance(session, book.fund_id).totals.balanced:
            problems.append("trial balance unbalanced")
        if balance_mismatches(session, book.fund_id):
            problems.append("a running balance differs from its entries")
        if positions.check(session, book.fund_id):
            problems.append("a loan's kept figure differs from its entries")
    return "; ".join(problems) or "ok"


def percentile(values: Sequence[float], p: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def timed(books: list[Writer], step: Callable[[Writer], float], seconds: float) -> dict[str, Any]:
    """Run `step` for each writer in its own thread until `seconds` pass; rate and latencies."""
    latencies: list[list[float]] = [[] for _ in books]
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(books) + 1)
    stop_at = [float("inf")]

    def run(i: int) -> None:
        try:
            barrier.wait()
            while time.perf_counter() < stop_at[0]:
                latencies[i].append(step(books[i]))
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(books))]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    stop_at[0] = started + seconds
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return measured(books, [x for per_thread in latencies for x in per_thread], elapsed)


def measured(writers: list[Writer], commits: list[float], elapsed: float) -> dict[str, Any]:
    """A case's rate and commit latencies, in the peers' JSON shape."""
    journals = sum(len(w.acknowledged) for w in writers)
    return {
        "journals_per_s": round(journals / elapsed, 1),
        "p50_ms": round(1000 * percentile(commits, 50), 3),
        "p99_ms": round(1000 * percentile(commits, 99), 3),
        "n": journals,
        "latency_per": "commit",
        "seconds": round(elapsed, 2),
    }


def timed_apart(
    writers: list[Writer], step: Callable[[Writer], float], seconds: float
) -> dict[str, Any]:
    """`timed`, each writer in a process of its own with its own connection, as the service's
    gunicorn sync workers post (threads of one process would share one core's Python).

    Forked after the set-up (and `gc.freeze`), as gunicorn forks its workers; each child
    forgets the parent's pooled connections as `post_fork` does. The vouchers each child
    was acknowledged come back to its writer here, for `check`.
    """
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(len(writers) + 1)
    answers = context.Queue()

    def run(i: int) -> None:
        writer = writers[i]
        writer.db.engine.dispose(close=False)
        latencies: list[float] = []
        try:
            barrier.wait()
            stop_at = time.perf_counter() + seconds
            while time.perf_counter() < stop_at:
                latencies.append(step(writer))
            answers.put((i, latencies, writer.acknowledged, None))
        except BaseException as error:  # reported by the parent
            answers.put((i, latencies, writer.acknowledged, repr(error)))

    children = [context.Process(target=run, args=(i,)) for i in range(len(writers))]
    for child in children:
        child.start()
    barrier.wait()
    started = time.perf_counter()
    results = [answers.get() for _ in children]  # before join: a full pipe would block them
    elapsed = time.perf_counter() - started
    for child in children:
        child.join()
    commits: list[float] = []
    for i, latencies, acknowledged, error in results:
        if error is not None:
            raise RuntimeError(f"writer {i}: {error}")
        writers[i].acknowledged = acknowledged
        commits += latencies
    return {**measured(writers, commits, elapsed), "writers": "processes"}


@contextmanager
def database(case: str, pg_url: str) -> Iterator[Database]:
    """A fresh, migrated database for one case: a temp SQLite file or a throwaway schema."""
    if case.startswith("sqlite"):
        with tempfile.TemporaryDirectory(prefix="write-path-") as directory:
            db = Database.connect(f"sqlite:///{directory}/book.db")
            try:
                migrate(db.engine)
                yield db
            finally:
                db.engine.dispose()
    else:
        with pg_schema(pg_url) as url:
            db = Database.connect(url, pool_size=10, max_overflow=0)
            try:
                migrate(db.engine)
                yield db
            finally:
                db.engine.dispose()


def statements(case: str, journals: int, pg_url: str) -> None:
    """Count and time the statements of one journal over the request path (after a warm-up).

    A round trip is a statement run alone, or a run of statements sent in one
    PostgreSQL pipeline (`ledger.db.pipeline`). BEGIN, COMMIT and the pool's
    ping on lending a connection are not SQL a cursor runs: they are counted
    apart, each a round trip of its own unless it went out in a pipeline.
    """
    with database(case, pg_url) as db:
        writer = Writer(Book(db, case), 0)
        for _ in range(50):
            writer.post_one()
        seen: dict[str, list[float]] = {}
        trips, pipeline_before = [0], [None]
        around = {"BEGIN": 0, "COMMIT": 0, "ping": 0}

        def driver_state(conn: Any) -> tuple[object | None, bool]:
            """(the pipeline open, if any; no transaction open) for a psycopg connection."""
            driver = conn.connection.driver_connection
            pgconn = getattr(driver, "pgconn", None)
            if pgconn is None:
                return None, False
            return getattr(driver, "_pipeline", None), pgconn.transaction_status == IDLE

        @event.listens_for(db.engine, "before_cursor_execute")
        def before(conn: Any, *_: Any) -> None:
            conn.info["started"] = time.perf_counter()
            inside, idle = driver_state(conn)
            around["BEGIN"] += idle and inside is None  # psycopg sends it alone first
            # Each pipeline is one round trip, however many statements it sends.
            trips[0] += inside is None or inside is not pipeline_before[0]
            pipeline_before[0] = inside

        @event.listens_for(db.engine, "after_cursor_execute")
        def after(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            key = " ".join(statement.split())[:72]
            seen.setdefault(key, []).append(time.perf_counter() - conn.info["started"])

        @event.listens_for(db.engine, "commit")
        def commit(conn: Any) -> None:
            _, idle = driver_state(conn)
            around["COMMIT"] += not idle and conn.dialect.name == "postgresql"

        ping = db.engine.dialect.do_ping

        def counted_ping(dbapi_connection: Any) -> bool:
            around["ping"] += 1  # a pooled connection idle over a second (`ledger.db`)
            return ping(dbapi_connection)

        db.engine.dialect.do_ping = counted_ping  # type: ignore[method-assign]

        started = time.perf_counter()
        for _ in range(journals):
            pipeline_before[0] = None
            writer.post_one()
        elapsed = time.perf_counter() - started
    for key, times in sorted(seen.items(), key=lambda item: -sum(item[1])):
        print(f"{len(times) / journals:5.2f} {1000 * sum(times) / journals:7.3f} ms  {key}")
    count = sum(len(t) for t in seen.values())
    in_sql = sum(sum(t) for t in seen.values())
    extra = ", ".join(f"{n / journals:.2f} {name}" for name, n in around.items())
    print(
        f"per journal: {count / journals:.2f} statements in {trips[0] / journals:.2f} round "
        f"trips, {(trips[0] + sum(around.values())) / journals:.2f} with {extra}; "
        f"{1000 * in_sql / journals:.2f} ms waiting on the statements, "
        f"{1000 * elapsed / journals:.2f} ms in all"
    )


def run_project_case(case: str, seconds: float, pg_url: str) -> dict[str, Any]:
    connections = 8 if "c8" in case else 1
    with database(case, pg_url) as db:
        if case == "pg_c8_one_fund":
            books = [Book(db, case)]  # eight writers on one fund-month
        else:
            books = [Book(db, f"{case}-{i}") for i in range(connections)]
        writers = [Writer(books[i % len(books)], i) for i in range(connections)]
        step = Writer.post_thousand if case == "sqlite_1000_per_commit" else Writer.post_one
        gc.freeze()  # what a gunicorn worker starts with (gunicorn.conf.py, `pre_fork`)
        result = (timed_apart if len(writers) > 1 else timed)(writers, step, seconds)
        checks = [check(book, writers) for book in books]
        with db.read() as session:
            chains = verify_all(session)
        checks += [f"audit chain {c.chain} broken at {c.broken_seq}" for c in chains if not c.ok]
    return {
        "peer": "project",
        "case": case,
        **result,
        "accounts": LOANS * connections // len(books) + SETUP,
        "clients": connections,
        "funds": len(books),
        "check": "; ".join(c for c in checks if c != "ok") or "ok",
    }


# --- the run ----------------------------------------------------------------


def peer_commands(seconds: float, pg_url: str) -> dict[str, list[str]]:
    """The peers' own command lines (their venvs are made as their run_all.sh makes them)."""
    libpq_url = pg_url.replace("postgresql+psycopg://", "postgresql://")
    return {
        "raw_sqlite": [
            sys.executable,
            str(PEERS / "raw_sqlite.py"),
            "--seconds",
            str(seconds),
        ],
        "pgledger_style": [
            str(PEER_VENVS / "peers-venv-pg" / "bin" / "python"),
            str(PEERS / "pgledger_style.py"),
            "--seconds",
            str(seconds),
            "--url",
            libpq_url,
        ],
        "hordak": [
            str(PEER_VENVS / "peers-venv-hordak" / "bin" / "python"),
            str(PEERS / "hordak.py"),
            "--seconds",
            str(seconds),
            "--url",
            libpq_url,
        ],
    }


PEER_VENV_PACKAGES = {
    "peers-venv-pg": ("import psycopg", ["psycopg[binary]>=3.1,<4"]),
    "peers-venv-hordak": (
        "import django, hordak, psycopg",
        ["django-hordak>=2,<3", "psycopg[binary]>=3.1,<4"],
    ),
}


def ensure_peer_venvs() -> None:
    """Create the PostgreSQL peers' venvs once (from PyPI), as the peers' runner does."""
    for name, (check, packages) in PEER_VENV_PACKAGES.items():
        python = PEER_VENVS / name / "bin" / "python"
        probe = [str(python), "-c", check]
        if python.exists() and subprocess.run(probe, cwd="/", capture_output=True).returncode == 0:
            continue
        print(f"creating {python.parent.parent} (PyPI)", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(python.parent.parent)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *packages], check=True)


def json_lines(command: list[str], sink: list[dict[str, Any]]) -> None:
    """Run `command`, echo each JSON line it prints to stdout, and keep it."""
    process = subprocess.run(command, cwd="/", capture_output=True, text=True)
    for line in process.stdout.splitlines():
        if line.startswith("{"):
            print(line, flush=True)
            sink.append(json.loads(line))
    if process.returncode != 0:
        tail = process.stderr.strip().splitlines()[-3:]
        sink.append({"peer": command[1], "failed": process.returncode, "stderr": tail})
        print(json.dumps(sink[-1]), flush=True)


def project_command(case: str, seconds: float, pg_url: str) -> list[str]:
    script = str(Path(__file__).resolve())
    return [sys.executable, script, "--case", case, "--seconds", str(seconds), "--pg-url", pg_url]


def ratios(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per target: the ratio in each round (neighbouring runs), their median, and the verdict."""
    by_round: dict[tuple[int, str, str], float] = {}
    for line in lines:
        if "journals_per_s" in line:
            by_round[(line["round"], line["peer"], line["case"])] = line["journals_per_s"]
    rounds = sorted({r for r, _, _ in by_round})
    table = []
    measured = {case for _, peer, case in by_round if peer == "project"}
    for case, peer, peer_case, least in TARGETS:
        if case not in measured:
            continue
        per_round = [
            by_round[(r, "project", case)] / by_round[(r, peer, peer_case)]
            for r in rounds
            if (r, "project", case) in by_round and by_round.get((r, peer, peer_case))
        ]
        median = statistics.median(per_round) if per_round else None
        table.append(
            {
                "case": case,
                "peer": f"{peer} {peer_case}",
                "ratios": [round(x, 2) for x in per_round],
                "median": round(median, 2) if median is not None else None,
                "target": least,
                "met": median is not None and median >= least,
            }
        )
    return table


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS") or 12)
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--case", choices=SQLITE_CASES + PG_CASES, help="run one project case")
    parser.add_argument("--pg-url", default=os.environ.get("LEDGER_BENCH_DATABASE_URL", DEFAULT_PG))
    parser.add_argument("--no-pg", action="store_true", help="SQLite cases and peers only")
    parser.add_argument(
        "--statements", type=int, metavar="N", help="with --case: count N journals' statements"
    )
    args = parser.parse_args(argv)

    if args.case and args.statements:
        statements(args.case, args.statements, args.pg_url)
        return 0

    if args.case:
        result = run_project_case(args.case, args.seconds, args.pg_url)
        print(json.dumps(result), flush=True)
        return 0 if result["check"] == "ok" else 1

    if not (PEERS / "raw_sqlite.py").exists():
        print(f"no peers at {PEERS}: set LEDGER_PEERS_DIR", file=sys.stderr)
        return 2
    if not args.no_pg:
        ensure_peer_venvs()
    peers = peer_commands(args.seconds, args.pg_url)
    groups: list[tuple[list[list[str]], list[str]]] = [([peers["raw_sqlite"]], list(SQLITE_CASES))]
    if not args.no_pg:
        groups.append(([peers["pgledger_style"], peers["hordak"]], list(PG_CASES)))

    lines: list[dict[str, Any]] = []
    for round_no in range(1, args.rounds + 1):
        for peer_runs, cases in groups:
            runs = [*peer_runs, *(project_command(c, args.seconds, args.pg_url) for c in cases)]
            if round_no % 2 == 0:
                runs.reverse()  # the project first in even rounds: drift cancels
            for command in runs:
                before = len(lines)
                json_lines(command, lines)
                for line in lines[before:]:
                    line["round"] = round_no

    table = ratios(lines)
    failed_checks = [line for line in lines if line.get("check", "ok") != "ok" or "failed" in line]
    print()
    print(f"{'case':<24}{'peer':<30}{'ratios by round':<24}{'median':>8}{'target':>8}")
    for row in table:
        verdict = "" if row["met"] else "  MISSED"
        print(
            f"{row['case']:<24}{row['peer']:<30}{row['ratios']!s:<24}"
            f"{row['median']!s:>8}{'>= ' + str(row['target']):>8}{verdict}"
        )
    for line in failed_checks:
        print(f"FAILED CHECK: {json.dumps(line, ensure_ascii=False)}")

    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    record = {
        "when": stamp,
        "source": source_version(),
        "machine": machine(),
        "seconds": args.seconds,
        "rounds": args.rounds,
        "ratios": table,
        "lines": lines,
    }
    (out / f"write_path-{stamp}.json").write_text(json.dumps(record, indent=1))
    return 0 if all(row["met"] for row in table) and not failed_checks else 1


if __name__ == "__main__":
    sys.exit(main())
