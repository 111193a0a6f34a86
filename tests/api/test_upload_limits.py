"""Hostile workbooks over HTTP: refused within a second, and the worker's memory stays flat.

Small files a township officer could send (issue 23): a 2 KB sheet with
one cell in column XFD, which makes a padding reader build 16,384 cells a
row; a 600 KB sheet whose shared string unpacks to 600 MB; and a 1.3 MB sheet
with one row of 500,000 cells, which openpyxl would hold whole. Each is sent
to the registration import (clerk) and to the township reconciliation
(township officer); each must answer 413 naming the limit, quickly, having
allocated next to nothing. The measured figures are in docs/PERFORMANCE.md.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable

import pytest

from ledger.reconciliation import MAX_COLUMNS as BOOK_COLUMNS
from ledger.registration_import import MAX_COLUMNS as SHEET_COLUMNS
from ledger.uploads import Limits
from tests.api.conftest import assert_problem
from tests.api.programme import TOWN_A, County, World
from tests.api.test_bad_input import audit_head
from tests.api.test_imports import households, upload
from tests.api.test_reconciliations import BOOK, post
from tests.sheets.files import HEADER, padded_xlsx, strings_bomb_xlsx, wide_row_xlsx

SECONDS = 1.0
PEAK_BYTES = 20 * 1024 * 1024


@pytest.fixture(scope="module")
def bombs() -> dict[str, tuple[bytes, bytes]]:
    """Each hostile file, built once: (as a registration sheet, as a township book)."""
    return {
        "padded": (padded_xlsx(HEADER), padded_xlsx(BOOK)),
        "strings": (strings_bomb_xlsx(HEADER), strings_bomb_xlsx(BOOK)),
        "wide row": (wide_row_xlsx(500_000),) * 2,
    }


def measured(send: Callable[[], object]) -> tuple[object, float, int]:
    """The response, the seconds it took and the peak of memory allocated meanwhile."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        response = send()
    finally:
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return response, elapsed, peak


def expected_limit(kind: str, columns: int) -> str:
    if kind == "strings":
        return f"over the limit of {Limits().unzipped_bytes} bytes"
    return f"more than {columns} columns"


@pytest.mark.parametrize("kind", ["padded", "strings", "wide row"])
def test_a_hostile_registration_sheet_is_refused_fast_and_small(
    county: County, world: World, api_app, bombs, kind: str
):
    before = households(county, world), audit_head(api_app)
    response, elapsed, peak = measured(lambda: upload(county, world, bombs[kind][0]))
    problem = assert_problem(response, 413, "sheet-too-large")
    assert expected_limit(kind, SHEET_COLUMNS) in problem["detail_en"]
    print(f"registration {kind}: {len(bombs[kind][0])} bytes, {elapsed:.3f} s, peak {peak} B")
    assert elapsed < SECONDS
    assert peak < PEAK_BYTES
    assert (households(county, world), audit_head(api_app)) == before


@pytest.mark.parametrize("kind", ["padded", "strings", "wide row"])
def test_a_hostile_township_book_is_refused_fast_and_small(
    county: County, world: World, bombs, kind: str
):
    url = f"{world.f}/reconciliations/townships/{TOWN_A}"
    response, elapsed, peak = measured(lambda: post(county, "township_a", url, bombs[kind][1]))
    problem = assert_problem(response, 413, "sheet-too-large")
    assert expected_limit(kind, BOOK_COLUMNS) in problem["detail_en"]
    print(f"township book {kind}: {len(bombs[kind][1])} bytes, {elapsed:.3f} s, peak {peak} B")
    assert elapsed < SECONDS
    assert peak < PEAK_BYTES
