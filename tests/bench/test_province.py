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

import pytest

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
