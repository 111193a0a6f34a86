"""A province on one PostgreSQL: 100 counties of 10,000 loans, its reads and its writers (issue 19).

    .venv/bin/python bench/province.py                                   # 100 × 10,000 (long build)
    .venv/bin/python bench/province.py --counties 4 --loans-per-county 500   # a smoke run
    .venv/bin/python bench/province.py --keep ~/bench-province            # keep the built province
    .venv/bin/python bench/province.py --database-url postgresql+psycopg://postgres@host/db

The server: by default a scratch cluster of its own (initdb in a temporary
directory, or in ``--keep DIR``, listening on a free loopback port, run as the
``postgres`` user under root), never the shared server's settings; or the
server of ``--database-url``, where the bench makes and drops databases of
its own (``--keep`` then keeps the built province there; its directory is
unused). The province is counties ``34cc21``… (10 to a city), each with one
revolving fund built by `bench.report_fund_statement.build_synthetic` (its
loans, schedules and history, every money movement posted with
`post_many`), the counties built in parallel, one process per core. With
``--keep`` the built province stays (its database name carries the size and
a hash of what decides its content) and each run works on a copy of it
(``CREATE DATABASE … TEMPLATE``), dropped afterwards, so the writers' funds
never pile up in it.

Then, as JSON lines on stdout, one per figure
(``{"measure": "province_dashboard_ms", "value": 120.5, "counties": 100,
"loans": 1000000}``), and a summary line:

- the province's pages, read by a province leader in-process through Flask's
  test client (median of ``--rounds`` after a first request): the dashboard
  (``/regions/34``), the overview API and the statement PDF;
- one county's pages: its leader's dashboard and its clerk's overview;
- writers (`bench.write_path.Writer`: an idempotent, audited journal per
  commit, as a clerk's request posts it), each case for ``--seconds`` on
  funds of its own opened in the province's counties: 1 writer on 1 county,
  16 (``--writers``) writers on 16 counties, 16 writers on 1 county. The
  writers are clients that send their next request as soon as the last is
  answered, served by ``--processes`` worker processes (default: as many as
  the service runs, ``WORKERS`` in gunicorn.conf.py; ``--processes 16`` gives
  every writer a process of its own); journals/s, p99 of the time a writer
  waits for its answer, and the book checked afterwards (every acknowledged
  journal once, vouchers gapless, balances equal their entries, the trial
  balance). Each writer's connection carries ``application_name`` naming its
  county, and a sampler inside the server reads every 5 ms who waits on a
  lock and who holds it: a lock waited for by one county's writer and held by
  another county's is a wait across counties.

Targets (docs/PERFORMANCE.md): the province dashboard ≤ 300 ms; 0 waits
across counties; 16 writers on 16 counties ≥ 1.5× the journals/s of 1 writer.
The exit status is 1 when one is missed or a book check fails.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import pwd
import runpy
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from argon2 import PasswordHasher  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.ledger_throughput import machine  # noqa: E402
from bench.report_fund_statement import build_synthetic  # noqa: E402
from bench.web_pages import API, PASSWORD, Page, Server, book_key, measure  # noqa: E402
from bench.write_path import Book, Writer, check, percentile  # noqa: E402
from ledger.actors import SYSTEM  # noqa: E402
from ledger.db import Database, make_engine  # noqa: E402
from ledger.schema import upgrade  # noqa: E402
from ledger.services import counties as county_service  # noqa: E402
from ledger.services import users  # noqa: E402
from tests.server.harness import HOST, free_port  # noqa: E402

PROVINCE = "34"
DASHBOARD_TARGET_MS = 300.0
SPEEDUP_TARGET = 1.5
#: Who reads: the province's leader (its pages, and the API by token), one county's leader
#: (its dashboard) and clerk (its overview).
READERS = {
    "province": "bench-province-leader",
    "county_leader": "bench-county-leader",
    "county_clerk": "bench-county-clerk",
}
WRITER_APP = "province-writer-"
#: How long the writer processes may take to start (spawned interpreters on a busy machine).
START_TIMEOUT_S = 300
WRITERS = 16


def cases(writers: int) -> tuple[tuple[str, int, int], ...]:
    """The writer cases: (name, writers, counties they are spread over)."""
    n = writers
    return (("writers_1x1", 1, 1), (f"writers_{n}x{n}", n, n), (f"writers_{n}x1", n, 1))


def log(message: str) -> None:
    """Progress goes to stderr: stdout is the JSON lines only."""
    print(message, file=sys.stderr, flush=True)


def county_code(n: int) -> str:
    """The n-th county's code: 10 counties to a city, ``34cc21``…``34cc30``."""
    return f"{PROVINCE}{1 + n // 10:02d}{21 + n % 10:02d}"


def fund_code(county: str) -> str:
    return f"F{county}"


def with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


# --- the server -----------------------------------------------------------------------


class ScratchCluster:
    """A PostgreSQL cluster of the bench's own in `root` (initdb once), on a free port."""

    SETTINGS = (
        "shared_buffers=1GB",
        "max_connections=100",
        "max_wal_size=8GB",
        "checkpoint_timeout=30min",
        f"listen_addresses={HOST}",
    )

    def __init__(self, root: Path) -> None:
        self.bin = next(
            d for d in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
            if (d / "initdb").exists()
        )  # fmt: skip
        self.root, self.pgdata = root, root / "pgdata"
        self.owner = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
        self.port = free_port()

    def _run(self, *command: str) -> None:
        owner = (
            {"user": self.owner.pw_uid, "group": self.owner.pw_gid, "extra_groups": []}
            if self.owner
            else {}
        )
        done = subprocess.run(command, capture_output=True, text=True, check=False, **owner)  # type: ignore[arg-type]
        if done.returncode != 0:
            log_tail = (self.root / "server.log").read_text(errors="replace")[-2000:]
            raise SystemExit(f"{' '.join(command)}: {done.stdout}{done.stderr}\n{log_tail}")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@{HOST}:{self.port}/postgres"

    def start(self) -> None:
        if self.owner is not None:
            os.chown(self.root, self.owner.pw_uid, self.owner.pw_gid)
        if not (self.pgdata / "PG_VERSION").exists():
            self._run(
                str(self.bin / "initdb"), "--pgdata", str(self.pgdata), "--username=postgres",
                "--auth=trust", "--encoding=UTF8", "--no-instructions",
            )  # fmt: skip
        options = " ".join(f"-c {s}" for s in (f"port={self.port}", *self.SETTINGS))
        self._run(
            str(self.bin / "pg_ctl"), "start", "--wait", "--timeout=120", "--pgdata",
            str(self.pgdata), "--log", str(self.root / "server.log"), "--options",
            f"{options} -c unix_socket_directories={self.root}",
        )  # fmt: skip
        log(f"scratch PostgreSQL in {self.pgdata} on port {self.port}")

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "stop", "--wait", "--mode=fast", "-D", str(self.pgdata))


@contextmanager
def server(database_url: str | None, keep: Path | None) -> Iterator[str]:
    """The maintenance URL of the server to use: `database_url`'s, or a scratch cluster."""
    if database_url:
        yield database_url
        return
    root = keep or Path(tempfile.mkdtemp(prefix="ledger-province-"))
    root.mkdir(parents=True, exist_ok=True)
    cluster = ScratchCluster(root)
    cluster.start()
    try:
        yield cluster.url
    finally:
        cluster.stop()
        if keep is None:
            shutil.rmtree(root, ignore_errors=True)


def admin(url: str, sql: str) -> None:
    """Run `sql` outside a transaction (CREATE/DROP DATABASE) on `url`'s server."""
    parsed = make_url(url)
    with psycopg.connect(
        host=parsed.host, port=parsed.port, user=parsed.username, dbname=parsed.database,
        password=parsed.password, autocommit=True,
    ) as connection:  # fmt: skip
        connection.execute(sql)


def exists(url: str, name: str) -> bool:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return bool(
                connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            )
    finally:
        engine.dispose()


# --- the province ------------------------------------------------------------------------


def build_county(url: str, n: int, loans: int) -> float:
    """County n, its fund of `loans` loans; the seconds it took (run in a worker process)."""
    started = time.perf_counter()
    db = Database.connect(url)
    try:
        code = county_code(n)
        with db.uow() as uow:
            county_service.add_county(uow, actor=SYSTEM, code=code, name=f"第{n + 1}县")
            uow.commit()
        build_synthetic(db, loans, code=fund_code(code), seed=n, county=code)
    finally:
        db.engine.dispose()
    return time.perf_counter() - started


def build_province(url: str, counties: int, loans: int, jobs: int) -> None:
    """Migrate `url` and build its counties, `jobs` at a time."""
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    started = time.perf_counter()
    with ProcessPoolExecutor(jobs) as pool:
        futures = [pool.submit(build_county, url, n, loans) for n in range(counties)]
        try:
            for done, future in enumerate(as_completed(futures), start=1):
                log(
                    f"county {done}/{counties} built in {future.result():.0f} s "
                    f"({time.perf_counter() - started:.0f} s so far)"
                )
        except BaseException:
            pool.shutdown(cancel_futures=True)  # the first failure stops the build
            raise
    log(f"province of {counties} × {loans:,} loans built in {time.perf_counter() - started:.0f} s")


@contextmanager
def province(
    server_url: str, counties: int, loans: int, keep: bool, jobs: int
) -> Iterator[tuple[str, float | None]]:
    """A database holding the province, dropped after; yields its URL and the build seconds.

    With `keep`, the built province stays on the server and the run uses a copy of it.
    """
    run = f"province_run_{os.getpid()}"
    started = time.perf_counter()
    built_seconds: float | None = None
    if keep:
        kept = f"province_{counties}x{loans}_{book_key()}"
        if not exists(server_url, kept):
            building = f"{kept}_building"
            admin(server_url, f"DROP DATABASE IF EXISTS {building}")
            admin(server_url, f"CREATE DATABASE {building}")
            build_province(with_database(server_url, building), counties, loans, jobs)
            admin(server_url, f"ALTER DATABASE {building} RENAME TO {kept}")
            built_seconds = time.perf_counter() - started
        else:
            log(f"using the kept province {kept}")
        admin(server_url, f"CREATE DATABASE {run} TEMPLATE {kept}")
    else:
        admin(server_url, f"CREATE DATABASE {run}")
        build_province(with_database(server_url, run), counties, loans, jobs)
        built_seconds = time.perf_counter() - started
    try:
        yield with_database(server_url, run), built_seconds
    finally:
        admin(server_url, f"DROP DATABASE IF EXISTS {run} WITH (FORCE)")


def add_readers(url: str) -> None:
    """The readers of READERS, with PASSWORD: the province's leader, the first county's two."""
    county = county_code(0)
    db = Database.connect(url)
    try:
        with db.uow() as uow:
            for who, role, region, fund in (
                ("province", "leader", PROVINCE, None),
                ("county_leader", "leader", county, None),
                ("county_clerk", "clerk", county, fund_code(county)),
            ):
                users.create_user(
                    uow,
                    username=READERS[who],
                    password=PASSWORD,
                    role=role,
                    region=region,
                    fund_code=fund,
                )
            uow.commit()
    finally:
        db.engine.dispose()


# --- the reads ---------------------------------------------------------------------------


def pages() -> list[Page]:
    fund = fund_code(county_code(0))
    regions = f"/api/v1/regions/{PROVINCE}"
    return [
        Page("province_dashboard", "province", f"/regions/{PROVINCE}"),
        Page("province_overview_api", API, f"{regions}/overview"),
        Page("province_statement_pdf", API, f"{regions}/reports/statement.pdf"),
        Page("county_dashboard", "county_leader", f"/f/{fund}/dashboard"),
        Page("county_overview", "county_clerk", f"/f/{fund}/"),
    ]


def read_figures(url: str, rounds: int) -> Iterator[dict[str, Any]]:
    """Each page's median server time (ms) and peak memory (MB)."""
    served = Server(url, READERS, api_user=READERS["province"])
    try:
        for result in measure({0: served}, pages(), rounds):
            yield {"measure": f"{result['page']}_ms", "value": result["server_ms"]}
            yield {"measure": f"{result['page']}_peak_mb", "value": result["peak_mb"]}
    finally:
        served.close()


# --- the writers ---------------------------------------------------------------------------


@dataclass
class LockSample:
    samples: int = 0
    waits: int = 0  #: a writer waiting on a writer's lock (same county or not)
    across: int = 0  #: ... on a lock held by another county's writer


#: Who waited on a lock, and who held it, sampled inside the server for the run:
#: a backend waiting for a heavyweight lock (a row's, a table's) shows
#: wait_event_type 'Lock' in pg_stat_activity, read without the lock manager's
#: own locks, and the blockers are asked for only when someone waits. A client
#: loop over pg_locks every 5 ms cost the writers about 15 % of their journals/s.
LOCK_WAITS = """
CREATE FUNCTION pg_temp.lock_waits(seconds float8, every float8, writers text)
RETURNS TABLE (samples int, waiter text, holder text) LANGUAGE plpgsql AS $$
DECLARE
    stop timestamptz := clock_timestamp() + make_interval(secs => seconds);
    pair record;
BEGIN
    samples := 0;
    WHILE clock_timestamp() < stop LOOP
        PERFORM pg_stat_clear_snapshot();
        FOR pair IN
            SELECT wa.application_name AS w, ha.application_name AS h
            FROM pg_stat_activity wa
            CROSS JOIN LATERAL unnest(pg_blocking_pids(wa.pid)) AS b(pid)
            JOIN pg_stat_activity ha ON ha.pid = b.pid
            WHERE wa.wait_event_type = 'Lock' AND wa.application_name LIKE writers
        LOOP
            waiter := pair.w;
            holder := pair.h;
            RETURN NEXT;
        END LOOP;
        samples := samples + 1;
        PERFORM pg_sleep(every);
    END LOOP;
    waiter := NULL;
    holder := NULL;
    RETURN NEXT;
END
$$
"""


@contextmanager
def lock_sampler(url: str, seconds: float, every_s: float = 0.005) -> Iterator[LockSample]:
    """Sample the writers' lock waits for `seconds` while the block runs; who waited on whom."""
    found = LockSample()
    engine = make_engine(url, connect_args={"application_name": "province-lock-sampler"})

    def sample() -> list[Any]:
        with engine.connect() as connection:
            connection.exec_driver_sql(LOCK_WAITS)
            rows = connection.execute(
                text("SELECT * FROM pg_temp.lock_waits(:seconds, :every, :writers)"),
                {"seconds": seconds, "every": every_s, "writers": f"{WRITER_APP}%"},
            ).all()
            connection.rollback()
        return rows

    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            sampled = pool.submit(sample)
            yield found
            rows = sampled.result()  # its error is the run's: a sampler that failed saw nothing
    finally:
        engine.dispose()
    for samples, waiter, holder in rows:
        found.samples = samples
        if holder is not None and holder.startswith(WRITER_APP):
            found.waits += 1
            found.across += waiter != holder


def serving_workers() -> int:
    """How many worker processes the service runs (`gunicorn.conf.py`, ``WORKERS``)."""
    return int(runpy.run_path(str(ROOT / "gunicorn.conf.py"))["workers"])


def serve(
    url: str,
    streams: list[tuple[str, tuple[str, int], int]],
    seconds: float,
    ready: Any,
    results: Any,
) -> None:
    """One worker process: its writers' requests in turn for `seconds`, after all are `ready`.

    A sync gunicorn worker answers one request at a time, and each of these
    writers sends its next request as soon as its last is answered, so a
    writer waits while the worker serves the others: its latency is from its
    last answer to this one. Each (county, book, writer number) stream has a
    connection of its own, named after its county for the lock sampler.
    """
    dbs: list[Database] = []
    try:
        writers = []
        for county, book, number in streams:
            db = Database.connect(
                url, connect_args={"application_name": f"{WRITER_APP}{county}"}, pool_size=1
            )
            dbs.append(db)
            writers.append(Writer(Book.opened(db, *book), number))
        latencies: list[list[float]] = [[] for _ in writers]
        ready.wait(START_TIMEOUT_S)
        started = time.perf_counter()
        answered = [started] * len(writers)
        while time.perf_counter() < started + seconds:
            for i, writer in enumerate(writers):
                writer.post_one()
                now = time.perf_counter()
                latencies[i].append(now - answered[i])
                answered[i] = now
        elapsed = time.perf_counter() - started
        for (_, _, number), writer, waited in zip(streams, writers, latencies, strict=True):
            results.put((number, waited, writer.acknowledged, elapsed))
    except BaseException as error:  # reported by the parent
        for _, _, number in streams:
            results.put((number, None, repr(error), 0.0))
        raise
    finally:
        for db in dbs:
            db.engine.dispose()


def writer_case(
    url: str, writers: int, spread: int, seconds: float, processes: int
) -> dict[str, Any]:
    """`writers` writers over `spread` counties, each county's on a fund of its own.

    The writers are clients of the service: `processes` worker processes
    (at most one per writer) answer their requests, writer i served by
    process i mod `processes`, as gunicorn's sync workers answer clerks.
    Processes, not threads: threads of one interpreter would measure its
    lock on Python objects, not the database's locks.
    """
    codes = [county_code(n) for n in range(spread)]
    processes = min(processes, writers)
    db = Database.connect(url)
    try:
        books = [Book(db, f"writers of {code}", county=code, registered=False) for code in codes]
        streams = [
            (codes[i % spread], (books[i % spread].code, books[i % spread].fund_id), i)
            for i in range(writers)
        ]
        context = multiprocessing.get_context("spawn")
        ready, results = context.Barrier(processes + 1), context.Queue()
        workers = [
            context.Process(
                target=serve, args=(url, streams[k::processes], seconds, ready, results)
            )
            for k in range(processes)
        ]
        for worker in workers:
            worker.start()
        ready.wait(START_TIMEOUT_S)  # a worker that died before it is a BrokenBarrierError
        with lock_sampler(url, seconds) as locks:
            answers = [results.get(timeout=seconds + START_TIMEOUT_S) for _ in streams]
        for worker in workers:
            worker.join()
        failed = [error for _, latencies, error, _ in answers if latencies is None]
        if failed:
            raise SystemExit(f"a writer failed: {failed[0]}")
        checked = []
        for number, _, acknowledged, _ in answers:
            stream = Writer(books[number % spread], number)
            stream.acknowledged = acknowledged
            checked.append(stream)
        problems = [p for p in (check(book, checked) for book in books) if p != "ok"]
    finally:
        db.engine.dispose()
    latencies = [x for _, per_writer, _, _ in answers for x in per_writer]
    journals = sum(len(acknowledged) for _, _, acknowledged, _ in answers)
    return {
        "journals_per_s": round(journals / max(elapsed for *_, elapsed in answers), 1),
        "p99_ms": round(1000 * percentile(latencies, 99), 1),
        "lock_samples": locks.samples,
        "lock_waits": locks.waits,
        "cross_county_lock_waits": locks.across,
        "check": "; ".join(problems) or "ok",
    }


# --- the run ---------------------------------------------------------------------------------


def targets(figures: dict[str, float], writers: int) -> list[dict[str, Any]]:
    """Every target, PASS or MISS."""
    _, (spread, _, _), _ = cases(writers)
    single = figures["writers_1x1_journals_per_s"]
    speedup = round(figures[f"{spread}_journals_per_s"] / single, 2) if single else 0.0
    across = sum(figures[f"{name}_cross_county_lock_waits"] for name, _, _ in cases(writers))
    dashboard = figures["province_dashboard_ms"]
    checks = (
        ("province_dashboard_ms", f"<= {DASHBOARD_TARGET_MS:g}", dashboard,
         dashboard <= DASHBOARD_TARGET_MS),
        ("cross_county_lock_waits", "== 0", across, across == 0),
        (f"{spread} / writers_1x1 journals/s", f">= {SPEEDUP_TARGET:g}", speedup,
         speedup >= SPEEDUP_TARGET),
    )  # fmt: skip
    return [
        {"measure": name, "rule": rule, "value": value, "result": "PASS" if ok else "MISS"}
        for name, rule, value, ok in checks
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counties", type=int, default=100)
    parser.add_argument("--loans-per-county", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=10.0, help="each writer case's run")
    parser.add_argument("--rounds", type=int, default=5, help="timed requests per page")
    parser.add_argument("--writers", type=int, default=WRITERS, help="writers of the 2 wide cases")
    parser.add_argument(
        "--processes",
        type=int,
        default=serving_workers(),
        help="worker processes answering the writers (default: the service's, WORKERS)",
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="building processes")
    parser.add_argument(
        "--database-url", help="an existing PostgreSQL server (default: a scratch cluster)"
    )
    parser.add_argument("--keep", type=Path, help="keep the built province (the cluster's dir)")
    args = parser.parse_args(argv)
    if not 1 <= args.counties <= 100:
        parser.error("--counties: from 1 to 100 (10 to a city, 10 cities)")
    counts = (args.loans_per_county, args.rounds, args.writers, args.processes, args.jobs)
    if min(counts) < 1 or args.seconds <= 0:
        parser.error("--loans-per-county, --rounds, --writers, --processes, --jobs, --seconds: >0")
    users.HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    size = {"counties": args.counties, "loans": args.counties * args.loans_per_county}
    figures: dict[str, float] = {}
    problems: list[str] = []

    def emit(line: dict[str, Any]) -> None:
        figures[line["measure"]] = line["value"]
        print(json.dumps({**line, **size}, ensure_ascii=False), flush=True)

    keep = args.keep.resolve() if args.keep else None
    with (
        server(args.database_url, keep) as server_url,
        province(server_url, args.counties, args.loans_per_county, keep is not None, args.jobs) as (
            url,
            built,
        ),
    ):
        if built is not None:
            emit({"measure": "build_s", "value": round(built, 1)})
        add_readers(url)
        for line in read_figures(url, args.rounds):
            emit(line)
        emit({"measure": "writer_processes", "value": args.processes})
        for name, writers, spread in cases(args.writers):
            result = writer_case(
                url, writers, min(spread, args.counties), args.seconds, args.processes
            )
            for key in ("journals_per_s", "p99_ms", "lock_waits", "cross_county_lock_waits"):
                emit({"measure": f"{name}_{key}", "value": result[key]})
            if result["check"] != "ok":
                problems.append(f"{name}: {result['check']}")
    verdicts = targets(figures, args.writers)
    missed = [v for v in verdicts if v["result"] == "MISS"]
    print(
        json.dumps(
            {
                "summary": "MISS" if missed or problems else "PASS",
                "missed": len(missed),
                "checks": verdicts,
                "book_problems": problems,
                **size,
                "machine": machine(),
            },
            ensure_ascii=False,
        ),
        flush=True,
    )
    return 1 if missed or problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
