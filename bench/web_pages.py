"""How long the web pages take on a large book: a clerk's pages on a 10,000-loan fund.

    .venv/bin/python bench/web_pages.py               # 10,000 loans
    .venv/bin/python bench/web_pages.py --loans 2000  # a smaller fund

Builds the synthetic fund of `bench/report_fund_statement.py` (N loans over
16 townships, with repayments, write-offs and remittances) in a fresh
temporary SQLite file, signs in through the login form with Flask's test
client, and times each page as a server would render it (request to full
HTML, in-process, no network): the first request and the median of five
more. Pages: the clerk's overview and to-do list, the loan list (first page,
a search, the overdue filter), one loan's page, the leader's dashboard, the
journal list, the trial balance and the liaisons' exposures.
Target (issue 8): each page at most 2 s on 10,000 loans. Exit 1 when missed.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from argon2 import PasswordHasher  # noqa: E402

from bench.report_fund_statement import build_synthetic  # noqa: E402
from ledger.db import Database  # noqa: E402
from ledger.schema import upgrade  # noqa: E402
from ledger.services import users  # noqa: E402
from shell.app import create_app  # noqa: E402

TARGET_SECONDS = 2.0
PASSWORD = "bench password"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, default=10_000)
    args = parser.parse_args(argv)
    users.HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        db = Database.connect(url)
        upgrade(db.engine)
        started = time.perf_counter()
        fund = build_synthetic(db, args.loans)
        print(f"built {args.loans} loans in {time.perf_counter() - started:.1f} s")
        with db.uow() as uow:
            users.create_user(uow, username="bench-clerk", password=PASSWORD, role="clerk")
            users.create_user(uow, username="bench-leader", password=PASSWORD, role="leader")
            uow.commit()
        db.engine.dispose()
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
        clerk, leader = _signed_in(app, "bench-clerk"), _signed_in(app, "bench-leader")
        listing = clerk.get(f"/f/{fund}/loans").get_data(as_text=True)
        loan = re.search(r'/loans/([0-9A-Za-z-]+)">', listing).group(1)
        pages = [
            (clerk, "overview", f"/f/{fund}/"),
            (clerk, "loan list", f"/f/{fund}/loans"),
            (clerk, "loan search", f"/f/{fund}/loans?q={loan}"),
            (clerk, "overdue loans", f"/f/{fund}/loans?overdue=on"),
            (clerk, "loan page", f"/f/{fund}/loans/{loan}"),
            (leader, "dashboard", f"/f/{fund}/dashboard"),
            (clerk, "journals", f"/f/{fund}/journals"),
            (clerk, "trial balance", f"/f/{fund}/trial-balance"),
            (clerk, "liaisons", f"/f/{fund}/liaisons"),
        ]
        missed = 0
        print(f"{'page':<16}{'first':>9}{'median':>9}")
        for client, name, path in pages:
            first, median = _time(client, path)
            flag = "" if max(first, median) <= TARGET_SECONDS else "  > target"
            missed += bool(flag)
            print(f"{name:<16}{first:>8.3f}s{median:>8.3f}s{flag}")
        app.extensions["ledger_db"].engine.dispose()
    return 1 if missed else 0


def _signed_in(app, username: str):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
    )
    assert answer.status_code == 303, answer.status_code
    return client


def _time(client, path: str) -> tuple[float, float]:
    runs = []
    for _ in range(6):
        started = time.perf_counter()
        response = client.get(path)
        runs.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
    return runs[0], statistics.median(runs[1:])


if __name__ == "__main__":
    raise SystemExit(main())
