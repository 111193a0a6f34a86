"""The real server under load: start it, post repayments at it, check the book afterwards.

Shared by the server tests (``tests/server/``) and ``bench/http_load.py``:

- `prepare_book` migrates a database and builds a small fund through the
  services (two townships, disbursed loans, clerks with passwords), before
  any server starts;
- `Server` runs gunicorn (``gunicorn.conf.py``, N workers) or Flask's
  development server on a free loopback port against that database, and
  knows its worker processes (to kill them); `cut_connections` ends its
  PostgreSQL sessions, found by their ``application_name``;
- `Client` is a plain HTTP client (``http.client``, one connection per
  request); `Clerk.repay` posts a repayment with an ``Idempotency-Key`` and,
  when no answer (or a 5xx) came, sends the same request again, which is how
  a real client learns the outcome; a `Crowd` runs every clerk in a thread;
- `book_report` checks afterwards that every acknowledged voucher is in the
  book exactly once and the book is whole (``tests/ledger/crash_child.py``).
"""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from ledger.db import Database, make_engine
from ledger.models import IdempotencyRecord, IdempotencyStatus, Journal
from ledger.schema import upgrade
from ledger.services import users
from tests.factories import committing, make_loan, make_programme
from tests.ledger.crash_child import book_problems

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
PASSWORD = "server test password"
#: Repayments are dated here: after the loans' disbursement, in an open month.
REPAID_ON = "2007-05-15"
#: Errors that mean "no answer came": the request may or may not have been done.
NO_ANSWER = (ConnectionError, http.client.HTTPException, TimeoutError, OSError)


# --- the book -------------------------------------------------------------


@dataclass(frozen=True)
class Book:
    url: str
    fund: str
    fund_id: int
    loans: tuple[str, ...]
    clerks: tuple[str, ...]


def prepare_book(url: str, *, loans: int = 4, clerks: int = 4) -> Book:
    """Migrate `url` and build a fund with `loans` disbursed loans and `clerks` users."""
    engine = make_engine(url)
    try:
        upgrade(engine)  # what `flask --app wsgi init-db` does
        db = Database(engine, sessionmaker(engine, expire_on_commit=False))
        programme = make_programme(db, allocate="50000.00")
        numbers = tuple(
            make_loan(
                db, programme, amount="5000.00", township=programme.townships[i % 2]
            ).registration_no
            for i in range(loans)
        )
        names = tuple(f"clerk{i}-{uuid.uuid4().hex[:6]}" for i in range(clerks))
        for name in names:
            with committing(db) as uow:
                users.create_user(
                    uow, username=name, password=PASSWORD, role="clerk", fund_code=programme.code
                )
        return Book(url, programme.code, programme.fund.id, numbers, names)
    finally:
        engine.dispose()


@dataclass
class BookReport:
    problems: list[str]
    repayments: int
    stored_answers: int


def book_report(book: Book, acknowledged: Iterable[str]) -> BookReport:
    """Check the book as a restarted server would see it.

    Beyond `book_problems` (every journal balances, balances equal their
    entries, vouchers gapless, every acknowledged voucher present): each
    repayment journal is the stored answer of exactly one idempotency key,
    so a retried request was never posted twice, no key's answer names
    a voucher that is not in the book, and no key was left in flight (its
    record commits only with its answer).
    """
    engine = make_engine(book.url)
    try:
        db = Database(engine, sessionmaker(engine, expire_on_commit=False))
        with db.read() as session:
            problems = book_problems(session, book.fund_id, acknowledged)
            repaid = Counter(
                session.scalars(
                    select(Journal.voucher_no).where(
                        Journal.fund_id == book.fund_id, Journal.kind == "repayment"
                    )
                )
            )
            answers = Counter(
                json.loads(body)["voucher"]
                for body in session.scalars(
                    select(IdempotencyRecord.response_body).where(
                        IdempotencyRecord.status == IdempotencyStatus.DONE,
                        IdempotencyRecord.actor.in_(book.clerks),
                        IdempotencyRecord.path.like("%/repayments"),
                    )
                )
            )
            in_flight = session.scalar(
                select(func.count()).where(
                    IdempotencyRecord.status == IdempotencyStatus.IN_FLIGHT,
                    IdempotencyRecord.actor.in_(book.clerks),
                )
            )
            if in_flight:
                problems.append(f"{in_flight} idempotency keys left in flight")
            if repaid != answers:
                problems.append(
                    f"repayment journals and stored answers differ: only in the book "
                    f"{sorted((repaid - answers).elements())[:10]}, only answered "
                    f"{sorted((answers - repaid).elements())[:10]}"
                )
            return BookReport(problems, sum(repaid.values()), sum(answers.values()))
    finally:
        engine.dispose()


# --- the server -----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def children(pid: int) -> list[int]:
    """The live child processes of `pid` (gunicorn's workers), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        # "pid (comm) state ppid ...": comm may hold spaces, so split after ')'.
        fields_after = stat.rsplit(")", 1)[1].split()
        if int(fields_after[1]) == pid and fields_after[0] != "Z":
            found.append(int(entry.name))
    return found


class Server:
    """gunicorn with `workers` workers (``kind="gunicorn"``), or ``flask run`` (``"dev"``)."""

    def __init__(
        self,
        url: str,
        log: Path,
        *,
        kind: str = "gunicorn",
        workers: int = 2,
    ) -> None:
        self.url, self.log_path, self.kind, self.workers = url, log, kind, workers
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        if self.kind == "gunicorn":
            return [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "wsgi:app"]
        # The development server as `make dev` runs it, minus the reloader's second process.
        return [sys.executable, "-m", "flask", "--app", "wsgi", "run", "--host", HOST]

    def start(self, ready_within: float = 60.0) -> Server:
        env = {
            **os.environ,
            "DATABASE_URL": self.url,
            "HOST": HOST,
            "PORT": str(self.port),
            "FLASK_RUN_PORT": str(self.port),
            "WORKERS": str(self.workers),
            "LEDGER_SECRET_KEY": "server-test-" + uuid.uuid4().hex,
        }
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command(), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        self.wait_ready(ready_within)
        return self

    def wait_ready(self, within: float) -> None:
        """Wait until /api/v1/health answers 200 (and every gunicorn worker is up)."""
        deadline = time.monotonic() + within
        client = Client(self.port, timeout=5)
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                status, _ = client.call("GET", "/api/v1/health")
            except NO_ANSWER:
                status = 0
            if status == 200 and (
                self.kind != "gunicorn" or len(self.worker_pids()) >= self.workers
            ):
                return
            time.sleep(0.1)
        raise RuntimeError(f"{self.kind} did not answer within {within} s:\n{self.log_tail()}")

    def check_alive(self) -> None:
        assert self.process is not None
        if self.process.poll() is not None:
            raise RuntimeError(
                f"{self.kind} exited with {self.process.returncode}:\n{self.log_tail()}"
            )

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        return children(self.process.pid)

    def wait_workers(
        self, count: int, *, within: float = 30.0, gone: int | None = None
    ) -> list[int]:
        """Wait until `count` workers run (and `gone`, a killed one, is not among them)."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            self.check_alive()
            pids = self.worker_pids()
            if len(pids) == count and gone not in pids:
                return pids
            time.sleep(0.05)
        raise RuntimeError(f"not {count} workers after {within} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """SIGTERM (gunicorn finishes requests in progress), then SIGKILL after 30 s."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    @contextmanager
    def running(self) -> Iterator[Server]:
        try:
            yield self.start()
        finally:
            self.stop()


def is_postgresql(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def named_connections(url: str, application_name: str) -> str:
    """`url` whose PostgreSQL connections carry `application_name` (to find and cut them)."""
    return (
        make_url(url)
        .update_query_dict({"application_name": application_name})
        .render_as_string(hide_password=False)
    )


def cut_connections(url: str, application_name: str) -> int:
    """``pg_terminate_backend`` every connection named `application_name`; how many were cut.

    Only the server's own connections: other sessions on a shared server are never touched.
    """
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            return len(
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE application_name = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": application_name},
                ).all()
            )
    finally:
        engine.dispose()


# --- clients --------------------------------------------------------------


class Client:
    """A plain HTTP client (loopback unless told): one connection per request."""

    def __init__(
        self, port: int, *, token: str | None = None, timeout: float = 30, host: str = HOST
    ) -> None:
        self.port, self.token, self.timeout, self.host = port, token, timeout, host

    def call(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        """Send one request; return (status, parsed JSON or None). Raises NO_ANSWER errors."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            sent = dict(headers or {})
            if self.token:
                sent["Authorization"] = f"Bearer {self.token}"
            payload = None
            if body is not None:
                payload = json.dumps(body).encode()
                sent["Content-Type"] = "application/json"
            connection.request(method, path, body=payload, headers=sent)
            response = connection.getresponse()
            data = response.read()
            kind = response.getheader("Content-Type", "")
            parsed = json.loads(data) if data and "json" in kind else None
            return response.status, parsed
        finally:
            connection.close()


def log_in(port: int, username: str, password: str = PASSWORD, *, host: str = HOST) -> Client:
    status, body = Client(port, host=host).call(
        "POST", "/api/v1/auth/tokens", {"username": username, "password": password}
    )
    if status != 201:
        raise RuntimeError(f"login of {username} answered {status}: {body}")
    return Client(port, token=body["token"], host=host)


@dataclass
class Tally:
    """What one clerk saw: answers by status, acknowledged vouchers, latencies."""

    statuses: Counter[int] = field(default_factory=Counter)
    acknowledged: list[str] = field(default_factory=list)
    repaid: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    no_answer: int = 0
    unresolved: int = 0
    #: Answers with a 5xx status (their requests are in `statuses` too).
    server_errors: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def merge(self, other: Tally) -> None:
        self.statuses.update(other.statuses)
        self.acknowledged += other.acknowledged
        self.repaid.update(other.repaid)
        self.latencies += other.latencies
        self.no_answer += other.no_answer
        self.unresolved += other.unresolved
        self.server_errors += other.server_errors
        self.problems += other.problems


class Clerk:
    """One user posting repayments and reading loan pages, recording what came back."""

    def __init__(self, client: Client, book: Book, rng: random.Random) -> None:
        self.client, self.book, self.rng = client, book, rng
        self.tally = Tally()

    def _timed(self, method: str, path: str, body: Any = None, **headers: str) -> tuple[int, Any]:
        started = time.perf_counter()
        status, answer = self.client.call(method, path, body, headers)
        self.tally.latencies.append(time.perf_counter() - started)
        self.tally.statuses[status] += 1
        if status >= 500:
            self.tally.server_errors.append(f"{method} {path}: {status} {answer}")
        return status, answer

    def read_loan(self) -> None:
        no = self.rng.choice(self.book.loans)
        try:
            status, answer = self._timed("GET", f"/api/v1/funds/{self.book.fund}/loans/{no}")
        except NO_ANSWER:
            self.tally.no_answer += 1
            return
        if status != 200 and status < 500:  # a 5xx is counted apart
            self.tally.problems.append(f"GET loan {no}: {status} {answer}")

    def repay(self, *, retries: int = 20, retry_for: float = 60.0) -> None:
        """Post one repayment; with no answer or a 5xx, resend it with the same key (bounded)."""
        no = self.rng.choice(self.book.loans)
        amount = f"0.{self.rng.randint(1, 99):02d}"
        key = uuid.uuid4().hex
        path = f"/api/v1/funds/{self.book.fund}/loans/{no}/repayments"
        body = {"date": REPAID_ON, "amount": amount}
        deadline = time.monotonic() + retry_for
        for _attempt in range(retries):
            try:
                status, answer = self._timed("POST", path, body, **{"Idempotency-Key": key})
            except NO_ANSWER:
                self.tally.no_answer += 1
                status, answer = 0, None
            if status == 0 or status >= 500:
                if time.monotonic() > deadline:
                    break
                time.sleep(0.05)
                continue
            if status == 201:
                self.tally.acknowledged.append(answer["voucher"])
                self.tally.repaid[no] += Decimal(answer["amount"])
                if answer["amount"] != amount:
                    self.tally.problems.append(f"{key}: asked {amount}, answered {answer}")
            else:
                self.tally.problems.append(f"POST {path} [{key}]: {status} {answer}")
            return
        self.tally.unresolved += 1

    def run(self, *, requests: int, deadline: float, stop: threading.Event, writes: float) -> None:
        """Post (share `writes`) and read until `requests` are done, `deadline` or `stop`."""
        try:
            for _ in range(requests):
                if stop.is_set() or time.monotonic() >= deadline:
                    break
                if self.rng.random() < writes:
                    self.repay()
                else:
                    self.read_loan()
        except Exception as error:  # a thread's failure must reach the caller, not vanish
            self.tally.problems.append(f"clerk thread failed: {error!r}")


class Crowd:
    """Every clerk of the book, logged in, each in a thread of its own."""

    def __init__(self, port: int, book: Book, *, seed: int = 2007, host: str = HOST) -> None:
        self.clerks = [
            Clerk(log_in(port, name, host=host), book, random.Random(seed + i))
            for i, name in enumerate(book.clerks)
        ]
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []

    def start(self, *, requests: int, seconds: float, writes: float = 0.7) -> Crowd:
        """Each clerk makes up to `requests` requests within `seconds`."""
        deadline = time.monotonic() + seconds
        self.started = time.perf_counter()
        self.threads = [
            threading.Thread(
                target=clerk.run,
                kwargs={
                    "requests": requests,
                    "deadline": deadline,
                    "stop": self.stop,
                    "writes": writes,
                },
                name=f"clerk-{i}",
                daemon=True,  # a failed test must not wait for its clerks to give up
            )
            for i, clerk in enumerate(self.clerks)
        ]
        for thread in self.threads:
            thread.start()
        return self

    def acknowledged(self) -> int:
        """How many writes the clerks have had acknowledged so far."""
        return sum(len(clerk.tally.acknowledged) for clerk in self.clerks)

    def wait_acknowledged(self, more_than: int, *, within: float = 30.0) -> None:
        """Wait until more than `more_than` writes were acknowledged (bounded)."""
        deadline = time.monotonic() + within
        while self.acknowledged() <= more_than:
            if time.monotonic() > deadline or not any(t.is_alive() for t in self.threads):
                raise RuntimeError(f"no write acknowledged within {within} s")
            time.sleep(0.02)

    def join(self, timeout: float = 300.0) -> tuple[Tally, float]:
        """Wait for every clerk (a clerk resending stops within its own bounds)."""
        for thread in self.threads:
            thread.join(timeout)
        elapsed = time.perf_counter() - self.started
        tally = Tally()
        for clerk in self.clerks:
            tally.merge(clerk.tally)
        if any(thread.is_alive() for thread in self.threads):
            tally.problems.append(f"a clerk thread still runs after {timeout} s")
        return tally, elapsed


def run_clerks(
    port: int, book: Book, *, requests: int, seconds: float, writes: float = 0.7
) -> tuple[Tally, float]:
    """Log every clerk in and run them in parallel; return their merged tally and the time."""
    return Crowd(port, book).start(requests=requests, seconds=seconds, writes=writes).join()
