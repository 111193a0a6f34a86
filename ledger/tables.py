"""Reading an uploaded table (XLSX or CSV) into rows of cell values, safely.

County offices send what Excel writes: XLSX, or CSV in UTF-8 (with or
without a byte-order mark) or GB18030 (Chinese Excel's "CSV"). We read
values only: a formula is refused as a cell error (its cached result could
be anything, and we never evaluate it), external links are not loaded, and
the file size is capped before anything is parsed.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from ledger.errors import SheetRefused

#: The largest file we read (also the API's upload limit).
MAX_BYTES = 8 * 1024 * 1024
#: The most data rows a file may hold.
MAX_ROWS = 50_000


@dataclass(frozen=True)
class Cell:
    value: object
    #: True when the cell holds a formula (refused by whoever reads the row).
    formula: bool = False


@dataclass(frozen=True)
class Row:
    number: int  #: as the sheet numbers it: the header is row 1
    cells: tuple[Cell, ...]


def read_table(data: bytes) -> tuple[list[str], Iterator[Row]]:
    """The header (stripped texts) and the data rows of an XLSX or CSV file."""
    if len(data) > MAX_BYTES:
        raise SheetRefused(
            f"文件超过 {MAX_BYTES // 1024 // 1024} MB", f"the file is over {MAX_BYTES} bytes"
        )
    rows = _xlsx_rows(data) if zipfile.is_zipfile(io.BytesIO(data)) else _csv_rows(data)
    header = next(rows, None)
    if header is None or not any(c.value not in (None, "") for c in header.cells):
        raise SheetRefused("文件没有表头行", "the file has no header row", field="file")
    return [str(c.value or "").strip() for c in header.cells], _limited(rows)


def _limited(rows: Iterator[Row]) -> Iterator[Row]:
    for row in rows:
        if row.number > MAX_ROWS + 1:
            raise SheetRefused(
                f"文件超过 {MAX_ROWS} 行", f"the file has more than {MAX_ROWS} rows", field="file"
            )
        if any(c.value not in (None, "") for c in row.cells):  # skip blank lines
            yield row


def _xlsx_rows(data: bytes) -> Iterator[Row]:
    from openpyxl import load_workbook  # only imported when a workbook arrives

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception:  # openpyxl raises many kinds for a damaged or foreign zip
        raise SheetRefused(
            "文件不是有效的 XLSX 工作簿", "the file is not a valid XLSX workbook", field="file"
        ) from None
    sheet = book.worksheets[0]
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        yield Row(
            number,
            tuple(Cell(c.value, formula=getattr(c, "data_type", None) == "f") for c in cells),
        )
    book.close()


def _csv_rows(data: bytes) -> Iterator[Row]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SheetRefused(
            "文件既不是 XLSX,也不是 UTF-8 或 GB18030 编码的 CSV",
            "the file is neither XLSX nor a CSV in UTF-8 or GB18030",
            field="file",
        )
    if "\x00" in text:
        raise SheetRefused("文件含有 NUL 字符", "the file holds NUL characters", field="file")
    for number, values in enumerate(csv.reader(io.StringIO(text)), start=1):
        yield Row(number, tuple(Cell(v.strip(), formula=v.startswith("=")) for v in values))
