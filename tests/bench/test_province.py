"""bench/province.py at a tiny size on a scratch PostgreSQL: it builds, reads, writes and checks.

Two counties of 20 loans and two writers for a second each: the figures mean
nothing at this size, so the test holds the bench to its shape (a JSON line
per figure, with the province's size) and to what must hold at any size: no
writer waits on another county's lock, and every writer's book passes its
checks. Like tests/ha/, it starts a server of its own and needs no shared
one, so it runs in the PostgreSQL run of ``make test`` (or alone with
``-m bench``).
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from ledger.db import make_engine
from tests.conftest import isolated_url
from tests.ha.selection import skip_unless_postgresql_run
from tests.server.harness import ROOT

pytestmark = pytest.mark.bench

MEASURES = {
    "build_s",
    "writer_processes",
    *(
        f"{page}_{unit}"
        for page in (
            "province_dashboard",
            "province_overview_api",
            "province_statement_pdf",
            "county_dashboard",
            "county_overview",
        )
        for unit in ("ms", "peak_mb")
    ),
    *(
        f"{case}_{figure}"
        for case in ("writers_1x1", "writers_2x2", "writers_2x1")
        for figure in ("journals_per_s", "p99_ms", "lock_waits", "cross_county_lock_waits")
    ),
}


def test_a_tiny_province(request: pytest.FixtureRequest) -> None:
    skip_unless_postgresql_run(request, "bench")
    done = subprocess.run(
        [
            sys.executable, str(ROOT / "bench" / "province.py"), "--counties", "2",
            "--loans-per-county", "20", "--writers", "2", "--seconds", "1", "--rounds", "1",
            "--jobs", "1",
        ],
        capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert lines, done.stderr[-3000:]
    *figures, summary = lines
    assert {line["measure"] for line in figures} == MEASURES
    assert all(
        (line["counties"], line["loans"]) == (2, 40) and line["value"] >= 0 for line in figures
    )
    by = {line["measure"]: line["value"] for line in figures}
    assert by["writers_1x1_journals_per_s"] > 0 and by["writers_2x2_journals_per_s"] > 0
    assert summary["book_problems"] == [], summary
    verdicts = {check["measure"]: check for check in summary["checks"]}
    assert verdicts["cross_county_lock_waits"] == {
        "measure": "cross_county_lock_waits", "rule": "== 0", "value": 0, "result": "PASS"
    }  # fmt: skip
    # The exit status says whether every target held (timings on a shared machine may not).
    missed = [check for check in summary["checks"] if check["result"] == "MISS"]
    assert done.returncode == (1 if missed else 0), done.stderr[-3000:]
    assert summary["summary"] == ("MISS" if missed else "PASS")


@pytest.mark.parametrize(
    ("holder", "waiter", "across"), [("340001", "340002", True), ("340001", "340001", False)]
)
def test_the_lock_sampler_sees_who_waits_on_whom(
    request: pytest.FixtureRequest, tmp_path: Path, holder: str, waiter: str, across: bool
) -> None:
    """A writer held up by a row lock is seen, and counted across counties only when it is."""
    skip_unless_postgresql_run(request, "bench")
    from bench.province import WRITER_APP, lock_sampler

    with isolated_url(tmp_path) as url:
        assert make_url(url).get_backend_name() == "postgresql", "the sampler needs PostgreSQL"
        engines = [
            make_engine(url, connect_args={"application_name": f"{WRITER_APP}{county}"})
            for county in (holder, waiter)
        ]
        try:
            with engines[0].connect() as first:
                first.exec_driver_sql("CREATE TABLE lock_probe (id int PRIMARY KEY)")
                first.exec_driver_sql("INSERT INTO lock_probe VALUES (1)")
                first.commit()
                first.exec_driver_sql("SELECT id FROM lock_probe WHERE id = 1 FOR UPDATE")

                def wait_for_the_row() -> None:
                    with engines[1].connect() as second:
                        second.exec_driver_sql("SELECT id FROM lock_probe WHERE id = 1 FOR UPDATE")
                        second.rollback()

                with lock_sampler(url, seconds=1.0) as found:
                    waiting = threading.Thread(target=wait_for_the_row)
                    waiting.start()
                    time.sleep(0.4)
                    first.rollback()  # the row is free: the waiter goes on
                    waiting.join(timeout=10)
        finally:
            for engine in engines:
                engine.dispose()
    assert found.samples >= 20
    assert found.waits >= 5
    assert found.across == (found.waits if across else 0)
