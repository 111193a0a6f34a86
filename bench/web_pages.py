"""Server time of the whole-programme pages and API reads at two programme sizes (issue 17).

    .venv/bin/python bench/web_pages.py                          # 10,000 and 100,000 loans
    .venv/bin/python bench/web_pages.py --loans 200              # a smoke run
    .venv/bin/python bench/web_pages.py --keep ~/bench-books     # reuse the books next time
    .venv/bin/python bench/web_pages.py --pages dashboard,api_aging  # some pages only

Each size is the synthetic fund of `bench/report_fund_statement.py` (N loans
over 16 townships, with repayments, write-offs and remittances, every money
movement posted with `post_many`), built in its own SQLite file (WAL, as in
production). Both books are built first; then each book is served by its own
app, signed in through the login form (web pages) or with a bearer token
from ``/api/v1/auth/tokens`` (API reads), and every page is timed in-process
with Flask's test client (request to full body, no network): a first request,
then ``--rounds`` more, the books taking turns in each round, so that the
background load of a shared machine hits all sizes alike. The
reported ``server_ms`` is the median of the rounds; ``peak_mb`` is the
tracemalloc peak of one more request (untimed: tracing slows it).

Pages ending in ``@as_of`` are the same read as of a day inside the book
(`AS_OF`). Stdout is one JSON line per page and size,
``{"page": ..., "loans": ..., "server_ms": ..., "peak_mb": ...}``, then one
summary line with every check, PASS or MISS. Targets (docs/PERFORMANCE.md),
at the largest size run: each page at most 100 ms and at most 1.5 times its
time at the smallest size; the fund statement PDF at most 3 s and 300 MB
instead; a single loan's pages are reported without a target. The exit status
is 1 when a target is missed.

With ``--keep DIR`` the built books are kept in DIR, named by size and a hash
of what decides their content (this builder, the migrations and the ledger's
write side, i.e. ``ledger/`` without ``ledger/read/``), and later runs use a
copy of them, so a change to the reads is measured without building again.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from argon2 import PasswordHasher  # noqa: E402

from bench.report_fund_statement import build_synthetic  # noqa: E402
from ledger import dates  # noqa: E402
from ledger.db import Database  # noqa: E402
from ledger.schema import upgrade  # noqa: E402
from ledger.services import users  # noqa: E402
from shell.app import create_app  # noqa: E402

FUND = "SYN"
TOWN = "341525100"  # the builder's first township
LOAN = f"1-{TOWN}-0001"  # its first loan of batch 1 (a book of a few loans may lack it)
AS_OF = "2009-06-30"
PASSWORD = "bench password"
#: Who reads: the web pages' users (the county clerk, the leader, a township
#: officer) and the API's (the clerk, by bearer token).
USERS = {"clerk": "bench-clerk", "leader": "bench-leader", "township": "bench-township"}
API = "api"
TARGET_MS = 100.0
TARGET_RATIO = 1.5
PDF = "fund_statement_pdf"
PDF_TARGET_MS = 3000.0
PDF_TARGET_MB = 300.0


@dataclass(frozen=True)
class Page:
    name: str
    who: str  # a key of USERS, or API
    path: str
    per_loan: bool = False  # one loan's page: reported, no target


def pages() -> list[Page]:
    """Every page timed, web then API; the ``@as_of`` ones read a day inside the book."""
    f, api = f"/f/{FUND}", f"/api/v1/funds/{FUND}"
    past = f"as_of={AS_OF}"
    today = dates.today().isoformat()
    return [
        Page("overview", "clerk", f"{f}/"),
        Page("overview@as_of", "clerk", f"{f}/?{past}"),
        Page("dashboard", "leader", f"{f}/dashboard"),
        Page("dashboard@as_of", "leader", f"{f}/dashboard?{past}"),
        Page("township_overview", "township", f"{f}/"),
        Page("township_overview@as_of", "township", f"{f}/?{past}"),
        Page("loans", "clerk", f"{f}/loans"),
        Page("loans_overdue", "clerk", f"{f}/loans?overdue=on"),
        Page("loans_search", "clerk", f"{f}/loans?q={LOAN}"),
        Page("liaisons", "clerk", f"{f}/liaisons"),
        Page("progress", "leader", f"{f}/progress"),
        Page("progress@as_of", "leader", f"{f}/progress?start=2009-01-01&end={AS_OF}"),
        Page("visits", "clerk", f"{f}/visits"),
        Page("journals", "clerk", f"{f}/journals"),
        # Allocations to townships: a few journals at the start of a long book.
        Page("journals_by_kind", "clerk", f"{f}/journals?kind=allocation"),
        Page("trial_balance", "clerk", f"{f}/trial-balance"),
        Page("trial_balance@as_of", "clerk", f"{f}/trial-balance?{past}"),
        Page("loan", "clerk", f"{f}/loans/{LOAN}", per_loan=True),
        Page("api_summary", API, f"{api}/summary"),
        Page("api_summary@as_of", API, f"{api}/summary?{past}"),
        Page("api_aging", API, f"{api}/aging"),
        Page("api_aging@as_of", API, f"{api}/aging?{past}"),
        Page("api_recovery", API, f"{api}/recovery-table"),
        Page("api_recovery@as_of", API, f"{api}/recovery-table?year=2009"),
        Page("api_townships", API, f"{api}/townships"),
        Page("api_township_position", API, f"{api}/townships/{TOWN}/position"),
        Page("api_township_position@as_of", API, f"{api}/townships/{TOWN}/position?{past}"),
        Page("api_loans", API, f"{api}/loans"),
        Page("api_loans_overdue", API, f"{api}/loans?overdue_on={today}"),
        Page("api_loans_overdue@as_of", API, f"{api}/loans?overdue_on={AS_OF}"),
        Page("api_liaisons", API, f"{api}/liaisons"),
        Page("api_loan", API, f"{api}/loans/{LOAN}", per_loan=True),
        Page(PDF, API, f"{api}/reports/fund-statement.pdf"),
        Page(f"{PDF}@as_of", API, f"{api}/reports/fund-statement.pdf?from=2009-01-01&to={AS_OF}"),
    ]


def log(message: str) -> None:
    """Progress goes to stderr: stdout is the JSON lines only."""
    print(message, file=sys.stderr, flush=True)


# --- the books ----------------------------------------------------------------------


def book_key() -> str:
    """A hash of the files that decide what a built book holds."""
    files = [ROOT / "bench" / "report_fund_statement.py"]
    files += sorted((ROOT / "migrations").rglob("*.py"))
    files += sorted(
        p for p in (ROOT / "ledger").rglob("*.py") if "read" not in p.relative_to(ROOT).parts
    )
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def build_book(path: Path, loans: int) -> None:
    """The synthetic fund of `loans` loans and the bench's users, in a new SQLite file."""
    url = f"sqlite:///{path}"
    db = Database.connect(url)
    upgrade(db.engine)
    started = time.perf_counter()
    build_synthetic(db, loans, code=FUND)
    with db.uow() as uow:
        for role, name in USERS.items():
            users.create_user(
                uow,
                username=name,
                password=PASSWORD,
                role=role,
                township_code=TOWN if role == "township" else None,
                fund_code=FUND if role in ("clerk", "township") else None,
            )
        uow.commit()
    db.engine.dispose()
    with closing(sqlite3.connect(path)) as connection:  # the whole book in the one file
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    log(f"built {loans:,} loans in {time.perf_counter() - started:.0f} s")


def book(loans: int, folder: Path, keep: Path | None) -> Path:
    """A book of `loans` loans in `folder`: built there, or copied from `keep`'s cache."""
    path = folder / f"synthetic-{loans}.db"
    if keep is None:
        build_book(path, loans)
        return path
    kept = keep / f"synthetic-{loans}-{book_key()}.db"
    if not kept.exists():
        keep.mkdir(parents=True, exist_ok=True)
        building = kept.with_suffix(".building")
        for stale in keep.glob(f"{building.name}*"):
            stale.unlink()
        build_book(building, loans)
        building.rename(kept)
    else:
        log(f"using {kept}")
    shutil.copyfile(kept, path)
    return path


# --- serving and timing -------------------------------------------------------------


class Server:
    """One book's app and its signed-in clients, one per user (API: `api_user`'s bearer token).

    `users` maps who reads (a `Page.who`) to a username whose password is PASSWORD.
    """

    def __init__(
        self, url: str, users: dict[str, str] = USERS, api_user: str = USERS["clerk"]
    ) -> None:
        self.app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
        self.clients = {who: self._signed_in(name) for who, name in users.items()}
        self.clients[API] = self.app.test_client()  # no session cookie: the token alone
        answer = self.clients[API].post(
            "/api/v1/auth/tokens", json={"username": api_user, "password": PASSWORD}
        )
        assert answer.status_code == 201, answer.get_data(as_text=True)
        self.token = answer.get_json()["token"]

    def _signed_in(self, username: str) -> Any:
        client = self.app.test_client()
        page = client.get("/login").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        answer = client.post(
            "/login", data={"username": username, "password": PASSWORD, "csrf_token": csrf}
        )
        assert answer.status_code == 303, (username, answer.status_code)
        return client

    def get(self, page: Page) -> float:
        """Serve `page` once; its server time in ms (the body read in full)."""
        headers = {"Authorization": f"Bearer {self.token}"} if page.who == API else {}
        started = time.perf_counter()
        response = self.clients[page.who].get(page.path, headers=headers)
        response.get_data()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(
                f"{page.name} ({page.path}): {response.status_code} "
                f"{response.get_data(as_text=True)[:500]}"
            )
        return elapsed

    def peak_mb(self, page: Page) -> float:
        """The tracemalloc peak of serving `page` once, in MB."""
        gc.collect()
        tracemalloc.start()
        try:
            self.get(page)
            return tracemalloc.get_traced_memory()[1] / 2**20
        finally:
            tracemalloc.stop()

    def close(self) -> None:
        self.app.extensions["ledger_db"].engine.dispose()


@contextmanager
def servers(paths: dict[int, Path]) -> Iterator[dict[int, Server]]:
    served = {loans: Server(f"sqlite:///{path}") for loans, path in paths.items()}
    try:
        yield served
    finally:
        for server in served.values():
            server.close()


def measure(served: dict[int, Server], listed: list[Page], rounds: int) -> Iterator[dict[str, Any]]:
    """Page by page, its result on each book.

    The median of `rounds` timings after a first request, the books taking turns in
    each round; then the page's tracemalloc peak on each book.
    """
    for page in listed:
        for server in served.values():
            server.get(page)  # the first request: caches, the PDF font
        times = {loans: [] for loans in served}
        for _ in range(rounds):
            for loans, server in served.items():
                times[loans].append(server.get(page))
        for loans, server in served.items():
            yield {
                "page": page.name,
                "loans": loans,
                "server_ms": round(statistics.median(times[loans]), 1),
                "peak_mb": round(server.peak_mb(page), 1),
            }


# --- the targets --------------------------------------------------------------------


def checks(listed: list[Page], results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every target at the largest size (and against the smallest), each PASS or MISS."""
    by = {(r["page"], r["loans"]): r for r in results}
    sizes = sorted({r["loans"] for r in results})
    large, small = sizes[-1], sizes[0]
    out = []

    def check(page: str, rule: str, value: float, limit: float) -> None:
        verdict = "PASS" if value <= limit else "MISS"
        out.append({"page": page, "rule": rule, "value": value, "result": verdict})

    for page in listed:
        if page.per_loan:
            continue
        at = by[page.name, large]
        if page.name.startswith(PDF):
            check(
                page.name,
                f"server_ms <= {PDF_TARGET_MS:g} at {large}",
                at["server_ms"],
                PDF_TARGET_MS,
            )
            check(
                page.name, f"peak_mb <= {PDF_TARGET_MB:g} at {large}", at["peak_mb"], PDF_TARGET_MB
            )
            continue
        check(page.name, f"server_ms <= {TARGET_MS:g} at {large}", at["server_ms"], TARGET_MS)
        if large != small:
            ratio = round(at["server_ms"] / by[page.name, small]["server_ms"], 2)
            check(page.name, f"{large}/{small} <= {TARGET_RATIO:g}", ratio, TARGET_RATIO)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--loans",
        type=lambda text: sorted({int(n) for n in text.split(",")}),
        default=[10_000, 100_000],
        help="programme sizes, comma-separated (default 10000,100000)",
    )
    parser.add_argument("--rounds", type=int, default=5, help="timed requests per page and size")
    parser.add_argument("--keep", type=Path, help="keep the built books here and reuse them")
    parser.add_argument(
        "--pages",
        type=lambda text: set(text.split(",")),
        help="only these pages, comma-separated (default: all)",
    )
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds: at least 1")
    listed = [page for page in pages() if args.pages is None or page.name in args.pages]
    if args.pages and (unknown := args.pages - {page.name for page in listed}):
        known = ", ".join(page.name for page in pages())
        parser.error(f"--pages: no page {', '.join(sorted(unknown))}; the pages are {known}")
    users.HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    with tempfile.TemporaryDirectory() as folder:
        paths = {loans: book(loans, Path(folder), args.keep) for loans in args.loans}
        with servers(paths) as served:
            results = []
            for result in measure(served, listed, args.rounds):
                print(json.dumps(result), flush=True)  # as it comes: a long run shows progress
                results.append(result)
    verdicts = checks(listed, results)
    missed = [v for v in verdicts if v["result"] == "MISS"]
    print(
        json.dumps(
            {
                "summary": "MISS" if missed else "PASS",
                "missed": len(missed),
                "checks": verdicts,
            },
            ensure_ascii=False,
        )
    )
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
