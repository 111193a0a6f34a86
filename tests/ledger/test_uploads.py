"""The upload reader's limits: what a zip declares, how wide and how long a sheet may be."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.errors import SheetRefused, SheetTooLarge
from ledger.uploads import MAX_ROWS, Limits, read_table
from tests.sheets.files import (
    padded_xlsx,
    strings_bomb_xlsx,
    table_csv,
    table_xlsx,
    wide_row_xlsx,
)

WIDTH = 12


def read(data: bytes, limits: Limits | None = None) -> tuple[list[str], list[list[object]]]:
    header, rows = read_table(data, max_columns=WIDTH, limits=limits)
    return header, [[c.value for c in row.cells] for row in rows]


def refusal(data: bytes, limits: Limits | None = None) -> str:
    """The English detail of the limit `data` is refused by."""
    with pytest.raises(SheetTooLarge) as refused:
        read(data, limits)
    assert refused.value.field == "file" and refused.value.detail_zh
    return refused.value.detail_en


def test_a_sheet_within_the_limits_reads_whole():
    header = [f"列{n}" for n in range(WIDTH)]
    rows = [[f"{r}-{n}" for n in range(WIDTH)] for r in range(3)]
    for data in (table_xlsx(header, rows), table_csv(header, rows)):
        assert read(data)[0] == header
        assert [row[:WIDTH] for row in read(data)[1]] == rows


def test_the_unpacked_size_is_checked_before_anything_is_unpacked():
    data = strings_bomb_xlsx(["甲"], megabytes=3)
    assert "over the limit of 2097152 bytes" in refusal(data, Limits(unzipped_bytes=2 * 1024**2))
    assert "over the limit of 52428800 bytes" in refusal(strings_bomb_xlsx(["甲"], megabytes=60))


def test_a_part_packed_tighter_than_the_ratio_is_refused():
    data = strings_bomb_xlsx(["甲"], megabytes=1)  # 1 MB of one letter packs about 1,000:1
    assert "xl/sharedStrings.xml is packed more than 100:1" in refusal(data)
    assert read(data, Limits(ratio=2000))[0][0] == "甲"


def test_a_zip_of_too_many_parts_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as book:
        for n in range(201):
            book.writestr(f"part{n}.xml", "<x/>")
    assert "has 201 parts, over the limit of 200" in refusal(out.getvalue())


def test_a_zip_of_many_thousand_parts_is_refused_before_its_directory_is_read():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as book:
        for n in range(50_000):
            book.writestr(f"{n:05d}", b"")
    data = out.getvalue()
    tracemalloc.start()
    try:
        detail = refusal(data)
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert "directory is over 204800 bytes: more parts than the limit of 200" in detail
    assert peak < 1024**2


def test_a_sheet_declared_wider_than_its_kind_is_refused_unread():
    started = time.perf_counter()
    assert f"more than {WIDTH} columns" in refusal(padded_xlsx(["甲"], rows=MAX_ROWS))
    assert time.perf_counter() - started < 1


def test_a_sheet_declared_longer_than_the_row_limit_is_refused_unread():
    assert f"more than {MAX_ROWS} rows" in refusal(
        padded_xlsx(["甲"], rows=MAX_ROWS + 2, column="A")
    )


def test_an_undeclared_padded_sheet_is_read_no_wider_than_the_limit():
    started = time.perf_counter()
    header, rows = read(padded_xlsx(["甲", "乙"], declared=False))
    assert time.perf_counter() - started < 1
    assert header == ["甲", "乙", *[""] * (WIDTH - 2)]
    assert rows == []  # the cell at XFD1000 is past the widest column: not read


@pytest.mark.parametrize("prefix", ["", "x"])
def test_a_row_of_more_cells_than_the_limit_is_refused_whatever_the_sheet_declares(prefix):
    assert read(wide_row_xlsx(WIDTH, prefix=prefix))[1] == [[str(n) for n in range(WIDTH)]]
    data = wide_row_xlsx(500_000, prefix=prefix)  # openpyxl would hold hundreds of MB of it
    tracemalloc.start()
    started = time.perf_counter()
    try:
        assert f"more than {WIDTH} columns" in refusal(data)
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert time.perf_counter() - started < 1 and peak < 20 * 1024**2


def test_a_row_read_across_chunks_is_counted_whole():
    """Cells of 100 KB each: the row spans megabyte chunks, and tags are cut between them."""
    assert [len(v) for v in read(wide_row_xlsx(WIDTH, size=100_000))[1][0]] == [100_000] * WIDTH
    assert f"more than {WIDTH} columns" in refusal(wide_row_xlsx(WIDTH + 1, size=100_000))


def test_an_undeclared_sheet_stops_at_the_row_limit():
    data = padded_xlsx(["甲"], rows=MAX_ROWS + 5, column="A", declared=False)
    assert f"more than {MAX_ROWS} rows" in refusal(data)


@settings(max_examples=30, deadline=None)
@given(width=st.integers(1, 2 * WIDTH), blank_tail=st.booleans())
def test_a_csv_wider_than_its_kind_is_refused_unless_the_rest_is_blank(width, blank_tail):
    extra = max(width - WIDTH, 0)
    header = [f"列{n}" for n in range(width - extra)] + ["" if blank_tail else "多"] * extra
    data = table_csv(header, [["1"] * (width - extra) + [""] * extra])
    if extra and not blank_tail:
        assert f"more than {WIDTH} columns" in refusal(data)
    else:
        assert read(data) == (header[:WIDTH], [["1"] * (width - extra)])


def test_a_malformed_csv_is_refused_with_a_reason():
    with pytest.raises(SheetRefused) as refused:
        read(b'"a","' + b"x" * (200 * 1024) + b'"\n')
    assert "the CSV is malformed" in refused.value.detail_en


def test_the_limits_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("LEDGER_UPLOAD_MAX_UNZIPPED_BYTES", "1000")
    monkeypatch.setenv("LEDGER_UPLOAD_MAX_RATIO", " 7 ")
    assert Limits.from_env() == Limits(unzipped_bytes=1000, ratio=7)
    assert "over the limit of 1000 bytes" in refusal(table_xlsx(["甲"], [["1"]]))
    for bad in ("0", "-5", "50MB", "1e6"):
        monkeypatch.setenv("LEDGER_UPLOAD_MAX_RATIO", bad)
        with pytest.raises(ValueError, match="LEDGER_UPLOAD_MAX_RATIO must be a positive"):
            Limits.from_env()
