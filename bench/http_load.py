"""HTTP load: N clerks post repayments and read loan pages for T seconds, then the book is checked.

    .venv/bin/python bench/http_load.py                          # SQLite, gunicorn 2 workers vs dev
    .venv/bin/python bench/http_load.py --workers 4 --users 8 --seconds 30 --rounds 3
    .venv/bin/python bench/http_load.py --database-url postgresql+psycopg://u@127.0.0.1/db
    .venv/bin/python bench/http_load.py --url http://127.0.0.1:5000 --database-url sqlite:///x.db

Builds a small fund (2 townships, 8 disbursed loans, one clerk per user) in
a throwaway database (a new SQLite file, or a new schema in
``--database-url``, dropped after), then, in the same
run and on the same database, serves it with Flask's development server
(``flask run``, threaded, one process) and with gunicorn (``--workers``
processes, ``gunicorn.conf.py``), alternately for ``--rounds``, and loads
each for ``--seconds`` a round: every
user is a thread of a plain HTTP client that posts a repayment (with an
``Idempotency-Key``; 30 %, ``--writes``) or reads a loan (70 %), one request after the
other. With ``--url`` it loads a server already running on
``--database-url`` instead (no comparison).

Prints requests/s, p50/p99 latency and answers by status for each server,
then checks the book: every acknowledged repayment's voucher is in it
exactly once, every journal balances, balances equal their entries, the
trial balance balances. Exits 1 on any 5xx, any lost acknowledgement, a
broken book, or gunicorn's requests/s below ``--target`` (1.5) × the
development server's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.conftest import isolated_url  # noqa: E402
from tests.server.harness import (  # noqa: E402
    HOST,
    Book,
    Crowd,
    Server,
    Tally,
    book_report,
    prepare_book,
)

TARGET_RATIO = 1.5
#: A clerk's mix: the loan is opened, the repayment posted, and the page it lands on
#: read again: about one request in three writes (``--writes 0.7`` is the write-heavy mix).
WRITE_SHARE = 0.3


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=4, help="concurrent clerks (default 4)")
    parser.add_argument("--seconds", type=float, default=20, help="load per server (default 20)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--database-url", help="database to build the fund in (default: a new SQLite file)"
    )
    parser.add_argument("--url", help="load this running server (on --database-url) instead")
    parser.add_argument(
        "--rounds", type=int, default=3, help="alternating rounds per server (default 3)"
    )
    parser.add_argument(
        "--target", type=float, default=TARGET_RATIO, help="gunicorn/dev requests/s (1.5)"
    )
    parser.add_argument(
        "--writes",
        type=float,
        default=WRITE_SHARE,
        help=f"share of requests that post a repayment, the rest read a loan ({WRITE_SHARE})",
    )
    args = parser.parse_args(argv)
    if not 0 < args.writes <= 1:
        parser.error("--writes is a share above 0 and at most 1")
    if args.users < 1 or args.seconds <= 0 or args.workers < 1 or args.rounds < 1:
        parser.error("need --users, --workers, --rounds >= 1 and --seconds > 0")
    if args.url and not args.database_url:
        parser.error("--url needs --database-url: the database that server uses")
    return args


def machine() -> str:
    model = platform.processor() or "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} cores ({model}), load average {load}, Python {platform.python_version()}"
    )


def percentile(values: list[float], p: int) -> float:
    """The p-th percentile in milliseconds (statistics' exclusive method)."""
    if len(values) < 2:
        return values[0] * 1000 if values else 0.0
    return statistics.quantiles(values, n=100)[p - 1] * 1000


def load(
    port: int, book: Book, *, users: int, seconds: float, writes: float, host: str
) -> tuple[Tally, float]:
    """Warm the server up briefly, then run every clerk for `seconds`.

    The warm-up's answers are not timed, but its acknowledgements and
    failures count like the others.
    """
    warm, _ = Crowd(port, book, host=host).start(requests=5, seconds=10).join()
    tally, elapsed = (
        Crowd(port, book, seed=users, host=host)
        .start(requests=10**9, seconds=seconds, writes=writes)
        .join()
    )
    tally.acknowledged += warm.acknowledged
    tally.server_errors += warm.server_errors
    tally.problems += warm.problems
    return tally, elapsed


def row(name: str, tally: Tally, elapsed: float) -> tuple[str, float]:
    count = tally.statuses.total()
    rate = count / elapsed if elapsed else 0.0
    statuses = " ".join(f"{code}:{n}" for code, n in sorted(tally.statuses.items()))
    lost = f", {tally.no_answer} without answer" if tally.no_answer else ""
    text = (
        f"{name:<30} {count:>8} {rate:>8.1f} {percentile(tally.latencies, 50):>8.1f} "
        f"{percentile(tally.latencies, 99):>8.1f}   {statuses}{lost}"
    )
    return text, rate


def verdicts(tallies: Iterable[Tally], book: Book) -> list[str]:
    """What is wrong: 5xx answers, other failures, lost acknowledgements, a broken book."""
    failures: list[str] = []
    acknowledged: list[str] = []
    for tally in tallies:
        failures += tally.server_errors[:5] + tally.problems[:5]
        acknowledged += tally.acknowledged
    report = book_report(book, acknowledged)
    failures += report.problems
    print(
        f"book: {len(acknowledged)} acknowledged repayments, {report.repayments} repayment "
        f"journals, {report.stored_answers} stored answers; "
        + ("every voucher present once, trial balance balances" if not report.problems else "")
    )
    return failures


def database(args: argparse.Namespace, scratch: str) -> AbstractContextManager[str]:
    """Where the fund is built: the running server's database (``--url``), else a
    throwaway one: a new schema in ``--database-url`` (dropped after, so the bench
    never leaves a book in a shared database), or a new SQLite file."""
    if args.url:
        return nullcontext(args.database_url)
    if args.database_url:
        return isolated_url(Path(scratch), args.database_url)
    return nullcontext(f"sqlite:///{Path(scratch) / 'load.db'}")


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    print(f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {machine()}")
    with (
        tempfile.TemporaryDirectory(prefix="http-load-") as scratch,
        database(args, scratch) as url,
    ):
        book = prepare_book(url, loans=8, clerks=args.users)
        print(
            f"database {book.url.split('?')[0]}, {args.users} users, {args.seconds:g} s each, "
            f"{args.writes:.0%} writes\n"
        )
        print(f"{'server':<30} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}   statuses")
        if args.url:
            where = urlsplit(args.url)
            tally, elapsed = load(
                where.port or 80,
                book,
                users=args.users,
                seconds=args.seconds,
                writes=args.writes,
                host=where.hostname or "127.0.0.1",
            )
            print(row(args.url, tally, elapsed)[0])
            failures = verdicts([tally], book)
        else:
            names = {"dev": "flask run (dev)", "gunicorn": f"gunicorn {args.workers} workers"}
            servers = {kind: Tally() for kind in names}
            seconds = dict.fromkeys(servers, 0.0)
            # Alternate the servers round by round, so that a change in the machine's
            # load (other users, a growing book) falls on both alike.
            for round_no in range(1, args.rounds + 1):
                for kind in servers:
                    workers = args.workers if kind == "gunicorn" else 1
                    log = Path(scratch) / f"{kind}-{round_no}.log"
                    with Server(url, log, kind=kind, workers=workers).running() as server:
                        tally, elapsed = load(
                            server.port,
                            book,
                            users=args.users,
                            seconds=args.seconds,
                            writes=args.writes,
                            host=HOST,
                        )
                    print(row(f"{names[kind]}, round {round_no}", tally, elapsed)[0])
                    servers[kind].merge(tally)
                    seconds[kind] += elapsed
            print()
            rates = {}
            for kind, tally in servers.items():
                text, rates[kind] = row(f"{names[kind]}, all", tally, seconds[kind])
                print(text)
            tallies = list(servers.values())
            ratio = rates["gunicorn"] / rates["dev"] if rates["dev"] else 0.0
            print(f"\ngunicorn / dev requests/s: {ratio:.2f} (target >= {args.target:g})")
            failures = verdicts(tallies, book)
            if ratio < args.target:
                failures.append(f"gunicorn/dev ratio {ratio:.2f} is below {args.target:g}")
    for failure in failures:
        print(f"FAIL: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
