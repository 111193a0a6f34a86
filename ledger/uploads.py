"""Reading an uploaded table (XLSX or CSV) into rows of cell values, safely.

County offices send what Excel writes: XLSX, or CSV in UTF-8 (with or
without a byte-order mark) or GB18030 (Chinese Excel's "CSV"). We read
values only: a formula is refused as a cell error (its cached result could
be anything, and we never evaluate it), external links are not loaded, and
the file size is capped before anything is parsed.

An XLSX is a zip of XML parts, so a few kilobytes can unpack to gigabytes
(a shared-strings part of one repeated character) or make a reader build a
row of 16,384 cells for every line (one cell in column XFD). Before openpyxl
sees a byte we check what the zip declares (`Limits`): the members, their
unpacked sizes and how tightly they are packed. Python's zipfile never
inflates a member past its declared size (a lie fails its CRC), so the
declared sizes bound the memory. The parts are then scanned for a row of
more cells than the sheet kind can hold (openpyxl builds a whole row at
once), the sheet's declared width is checked too, and rows are read only
that wide and only to the row limit, whatever the sheet claims.
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO

from ledger.errors import LedgerError, RowError, RowsRefused, SheetRefused, SheetTooLarge

MB = 1024 * 1024
#: The largest file we read (also the API's upload limit).
MAX_BYTES = 8 * MB
#: The most data rows a file may hold.
MAX_ROWS = 50_000


@dataclass(frozen=True)
class Limits:
    """What an uploaded workbook may unpack to; the defaults fit a 50,000-row sheet."""

    #: All members of the zip together, unpacked (``LEDGER_UPLOAD_MAX_UNZIPPED_BYTES``).
    unzipped_bytes: int = 50 * MB
    #: Unpacked size over packed size of any member (``LEDGER_UPLOAD_MAX_RATIO``); Excel's
    #: parts pack 2 to 20 times, a bomb thousands of times.
    ratio: int = 100
    #: Members of the zip; Excel writes about a dozen.
    members: int = 200

    @classmethod
    def from_env(cls) -> Limits:
        """The defaults, overridden by the environment's settings."""
        return cls(
            unzipped_bytes=_setting("LEDGER_UPLOAD_MAX_UNZIPPED_BYTES", cls.unzipped_bytes),
            ratio=_setting("LEDGER_UPLOAD_MAX_RATIO", cls.ratio),
        )


def _setting(name: str, default: int) -> int:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) <= 0:
        raise ValueError(f"{name} must be a positive whole number, not {text!r}")
    return int(text)


@dataclass(frozen=True)
class Cell:
    value: object
    #: True when the cell holds a formula (refused by whoever reads the row).
    formula: bool = False


#: An empty cell: one for all, as most of a sheet's padding is.
BLANK = Cell(None)


@dataclass(frozen=True)
class Row:
    number: int  #: as the sheet numbers it: the header is row 1
    cells: tuple[Cell, ...]


def read_table(
    data: bytes, *, max_columns: int, limits: Limits | None = None
) -> tuple[list[str], Iterator[Row]]:
    """The header (stripped texts) and the data rows of an XLSX or CSV file.

    `max_columns` is the widest sheet of its kind; a wider one is refused.
    """
    if len(data) > MAX_BYTES:
        raise SheetTooLarge(
            f"文件超过 {MAX_BYTES // MB} MB", f"the file is over {MAX_BYTES} bytes", field="file"
        )
    if zipfile.is_zipfile(io.BytesIO(data)):
        rows = _xlsx_rows(data, max_columns, limits or Limits.from_env())
    else:
        rows = _csv_rows(data, max_columns)
    header = next(rows, None)
    if header is None or not any(c.value not in (None, "") for c in header.cells):
        raise SheetRefused("文件没有表头行", "the file has no header row", field="file")
    return [str(c.value or "").strip() for c in header.cells], _limited(rows)


@dataclass(frozen=True)
class Column:
    """A column a kind of sheet may have, matched by its header."""

    key: str
    #: Header names read as this column: the one the template prints first, then the
    #: variants county sheets use.
    names: tuple[str, ...]
    example: str = ""
    note: str = ""
    required: bool = True

    @property
    def header(self) -> str:
        return self.names[0]


def match_columns(
    header: list[str], columns: Sequence[Column]
) -> tuple[dict[int, Column], dict[str, str]]:
    """Column index → column, matching the headers by name in any order, and each column's
    key → its header as the sheet writes it (户主姓名 where it says so, not 姓名), which
    problems name. An unknown, repeated or missing header refuses the file (row 1)."""
    by_name = {name: c for c in columns for name in c.names}
    found: dict[int, Column] = {}
    problems = []
    for index, text in enumerate(header):
        if not text:
            continue
        column = by_name.get(header_name(text))
        if column is None:
            problems.append(
                RowError(
                    1,
                    text,
                    f"未知的列“{text}”;可用的列名:{';'.join('/'.join(c.names) for c in columns)}",
                    f"unknown column {text!r}; accepted: "
                    + "; ".join(" / ".join(c.names) for c in columns),
                )
            )
        elif column in found.values():
            problems.append(RowError(1, text, f"列“{text}”重复", f"column {text!r} appears twice"))
        else:
            found[index] = column
    for column in columns:
        if column.required and column not in found.values():
            problems.append(
                RowError(
                    1,
                    column.header,
                    f"缺少列“{column.header}”(也可写作 {'、'.join(column.names[1:])})",
                    f"missing column {column.header!r} (or {', '.join(column.names[1:])})",
                )
            )
    if problems:
        raise RowsRefused(problems)
    # Read (and refused) in the columns' own order, whatever the sheet's.
    ordered = dict(sorted(found.items(), key=lambda pair: columns.index(pair[1])))
    return ordered, {column.key: header[index] for index, column in ordered.items()}


def cell_values(
    row: Row,
    columns: Mapping[int, Column],
    labels: Mapping[str, str],
    parsers: Mapping[str, Callable[[object], object]],
    errors: list[RowError],
) -> dict[str, object]:
    """The row's cells of the matched `columns`, each read by its key's parser; a formula,
    a required cell left empty or a parser's refusal is appended to `errors` instead."""
    raw = {columns[i].key: cell for i, cell in enumerate(row.cells) if i in columns}
    values: dict[str, object] = {}
    for column in columns.values():
        cell = raw.get(column.key, BLANK)
        problem: tuple[str, str] | None = None
        if cell.formula:
            problem = ("不接受公式,请填写数值", "formulas are not accepted; enter the value")
        elif cell.value is None or (isinstance(cell.value, str) and not cell.value.strip()):
            problem = ("必填", "required") if column.required else None
        else:
            try:
                values[column.key] = parsers[column.key](cell.value)
            except LedgerError as error:
                problem = (error.detail_zh, error.detail_en)
        if problem is not None:
            errors.append(RowError(row.number, labels[column.key], *problem))
    return values


def header_name(text: str) -> str:
    """A header as matched against known names: spaces (姓　名 is spaced to line up)
    and a unit or note in brackets (申请金额(元)) left out."""
    for bracket in ("(", "("):
        text = text.split(bracket)[0]
    return "".join(text.split())


def _limited(rows: Iterator[Row]) -> Iterator[Row]:
    for row in rows:
        if row.number > MAX_ROWS + 1:
            raise _too_many_rows()
        if any(c.value not in (None, "") for c in row.cells):  # skip blank lines
            yield row


def _too_many_rows() -> SheetTooLarge:
    return SheetTooLarge(
        f"文件超过 {MAX_ROWS} 行", f"the file has more than {MAX_ROWS} rows", field="file"
    )


def _too_wide(limit: int) -> SheetTooLarge:
    return SheetTooLarge(
        f"表格超过 {limit} 列", f"the sheet has more than {limit} columns", field="file"
    )


def _check_zip(data: bytes, limits: Limits, max_columns: int) -> None:
    """Refuse a workbook whose zip declares more than `limits` allow, before unpacking it,
    or one with a row of more cells than `max_columns`.

    The total bounds every member too, so one check of the sum covers both.
    """
    # zipfile reads the whole directory into objects first: 8 MB of it would be 90,000
    # members and 50 MB. A directory entry takes 46 bytes and a name, rarely 1 KB.
    if _directory_size(data) > limits.members * 1024:
        raise SheetTooLarge(
            f"工作簿的目录超过 {limits.members * 1024} 字节,部件多于上限 {limits.members}",
            f"the workbook's directory is over {limits.members * 1024} bytes: more parts "
            f"than the limit of {limits.members}",
            field="file",
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _not_xlsx() from None
    members = archive.infolist()
    if len(members) > limits.members:
        raise SheetTooLarge(
            f"工作簿含 {len(members)} 个部件,超过上限 {limits.members}",
            f"the workbook has {len(members)} parts, over the limit of {limits.members}",
            field="file",
        )
    unzipped = sum(m.file_size for m in members)
    if unzipped > limits.unzipped_bytes:
        raise SheetTooLarge(
            f"工作簿解压后 {unzipped} 字节,超过上限 {limits.unzipped_bytes} 字节",
            f"the workbook unpacks to {unzipped} bytes, over the limit of "
            f"{limits.unzipped_bytes} bytes",
            field="file",
        )
    for m in members:
        if m.file_size > limits.ratio * max(m.compress_size, 1):
            raise SheetTooLarge(
                f"工作簿部件 {m.filename} 压缩比超过上限 {limits.ratio}:1",
                f"the workbook part {m.filename} is packed more than {limits.ratio}:1",
                field="file",
            )
    try:
        for m in members:
            with archive.open(m) as part:
                _check_row_widths(part, max_columns)
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError):
        raise _not_xlsx() from None  # a damaged, encrypted or oddly packed member


def _directory_size(data: bytes) -> int:
    """The size of the zip's directory as its end record says, found as zipfile finds it
    (0 when there is none: zipfile then refuses the file)."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 65535))
    return int.from_bytes(data[end + 12 : end + 16], "little") if end >= 0 else 0


#: A row or a cell element (<row r="2">, <c r="A2" t="s">), also prefixed (<x:c ...>).
_ROW = re.compile(rb"<(?:[\w.-]+:)?row[\s>/]")
_CELL = re.compile(rb"<(?:[\w.-]+:)?c[\s>/]")
_PREFIXED = (b":row", b":c ", b":c>", b":c/")


def _check_row_widths(part: IO[bytes], max_columns: int) -> None:
    """Refuse a part holding a row of more than `max_columns` cells, reading it a megabyte
    at a time: openpyxl builds a whole row in memory (one row of 1.5 million cells in a
    5 MB file took 800 MB), whatever the sheet declares. Any part is scanned, wherever the
    workbook says its sheet is; only worksheets hold <row> and <c> elements."""
    cells = 0
    tail = b""
    while chunk := part.read(1024 * 1024):
        text = tail + chunk
        cut = text.rfind(b"<")
        # A tag cut off at the chunk's end is read with the next chunk.
        text, tail = (text[:cut], text[cut:]) if 0 <= cut > len(text) - 16 else (text, b"")
        for index, count in enumerate(_cell_counts(text)):
            cells = (cells if index == 0 else 0) + count
            if cells > max_columns:
                raise _too_wide(max_columns)


def _cell_counts(text: bytes) -> list[int]:
    """The cells in each piece of `text` that a row starts (the first goes on with the row
    before). Counting plain tags is five times faster than the regular expressions."""
    if any(tag in text for tag in _PREFIXED):
        return [len(_CELL.findall(piece)) for piece in _ROW.split(text)]
    return [p.count(b"<c ") + p.count(b"<c>") + p.count(b"<c/") for p in text.split(b"<row")]


def _not_xlsx() -> SheetRefused:
    return SheetRefused(
        "文件不是有效的 XLSX 工作簿", "the file is not a valid XLSX workbook", field="file"
    )


def _xlsx_rows(data: bytes, max_columns: int, limits: Limits) -> Iterator[Row]:
    _check_zip(data, limits, max_columns)
    from openpyxl import load_workbook  # only imported when a workbook arrives

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception:  # openpyxl raises many kinds for a damaged or foreign zip
        raise _not_xlsx() from None
    try:
        sheet = book.worksheets[0]
        # The declared size (<dimension ref="A1:L300">, which Excel always writes) refuses
        # a padded sheet at once, and rows are read as wide as it says (as openpyxl does).
        # Should it be missing, rows are still read no wider than the limit (a cell past
        # it is not read) and no longer than MAX_ROWS.
        if (sheet.max_column or 0) > max_columns:
            raise _too_wide(max_columns)
        if (sheet.max_row or 0) > MAX_ROWS + 1:
            raise _too_many_rows()
        rows = sheet.iter_rows(max_col=sheet.max_column or max_columns, max_row=MAX_ROWS + 2)
        for number, cells in enumerate(rows, start=1):
            yield Row(
                number,
                tuple(
                    BLANK if c.value is None else Cell(c.value, formula=c.data_type == "f")
                    for c in cells
                ),
            )
    finally:
        book.close()


def _csv_rows(data: bytes, max_columns: int) -> Iterator[Row]:
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
    try:
        for number, values in enumerate(csv.reader(io.StringIO(text)), start=1):
            if len(values) > max_columns and any(v.strip() for v in values[max_columns:]):
                raise _too_wide(max_columns)
            yield Row(
                number,
                tuple(Cell(v.strip(), formula=v.startswith("=")) for v in values[:max_columns]),
            )
    except csv.Error as error:  # a field over csv's size limit, a stray quote
        raise SheetRefused(
            f"CSV 格式错误:{error}", f"the CSV is malformed: {error}", field="file"
        ) from None
