"""Registration sheets built in the tests, as a clerk's Excel would write them."""

from __future__ import annotations

import csv
import io
import random
import string
import zipfile
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from ledger.registration_import import COLUMNS
from tests.factories import make_id_number

HEADER = [c.header for c in COLUMNS]


def person(n: int, *, township: str = "340123001", amount: str = "3000.00", **over) -> dict:
    """Row `n` of a sheet: a distinct person (ID numbers differ by birth day)."""
    born = f"1960{1 + n // 28 % 12:02d}{1 + n % 28:02d}"
    region = f"34{n // 336 % 90 + 10:02d}23"
    row = {
        "姓名": f"户主{n}",
        "身份证号": make_id_number(born=born, region=region),
        "乡镇代码": township,
        "村": "胡家湾村",
        "党员": "是" if n % 2 else "否",
        "手机号": "13912345678",
        "批次": "1",
        "项目类型": "pig",
        "项目内容": f"养猪 {n % 9 + 1} 头",
        "申请金额": amount,
        "登记日期": "2007-04-02",
        "登记编号": "",
    }
    row.update(over)
    return row


def xlsx(rows: Iterable[dict], header: Sequence[str] = HEADER, *, formula_at=None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for n, row in enumerate(rows, start=2):
        sheet.append([row.get(h, "") for h in header])
        if formula_at is not None and n == formula_at[0]:
            sheet.cell(row=n, column=header.index(formula_at[1]) + 1, value="=1000*5")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: Iterable[dict], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([row.get(h, "") for h in HEADER])
    return out.getvalue().encode(encoding)


def table_xlsx(
    header: Sequence[str], rows: Iterable[Sequence[str]], *, typed: bool = False
) -> bytes:
    """Any table as an XLSX sheet; a cell starting with ``=`` becomes a formula, unless
    `typed`: then every cell is text, as Excel keeps ``'=1+1`` typed with a quote."""
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    if typed:
        for line in sheet.iter_rows():
            for cell in line:
                cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def table_csv(header: Sequence[str], rows: Iterable[Sequence[str]], encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


# --- hostile workbooks, written part by part ---------------------------------------

_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="xl/workbook.xml" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
        '<Relationship Id="rId2" Target="sharedStrings.xml" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
        "</Relationships>"
    ),
}
_SHEET = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    "{dimension}<sheetData>{rows}</sheetData></worksheet>"
)


def _row(number: int, cells: dict[str, str]) -> str:
    """A row of inline-string cells: column letters → texts."""
    inner = "".join(
        f'<c r="{col}{number}" t="inlineStr"><is><t>{text}</t></is></c>'
        for col, text in cells.items()
    )
    return f'<row r="{number}">{inner}</row>'


def _workbook(sheet: str, strings: Iterable[bytes] = (b"",)) -> bytes:
    """The parts above, this sheet, and a shared-strings part streamed from `strings`."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        for name, text in _PARTS.items():
            book.writestr(name, text)
        book.writestr("xl/worksheets/sheet1.xml", sheet)
        with book.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(
                b'<?xml version="1.0" encoding="UTF-8"?>'
                b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                b"<si><t>"
            )
            for chunk in strings:
                part.write(chunk)
            part.write(b"</t></si></sst>")
    return out.getvalue()


def padded_xlsx(
    header: Sequence[str], *, rows: int = 1000, column: str = "XFD", declared: bool = True
) -> bytes:
    """A header row and one cell at XFD`rows`: a reader that pads rows builds 16,384 cells
    for each of them. `declared=False` leaves out the <dimension> that gives it away."""
    letters = [get_column_letter(i) for i in range(1, len(header) + 1)]
    body = _row(1, dict(zip(letters, header, strict=True))) + _row(rows, {column: "x"})
    dimension = f'<dimension ref="A1:{column}{rows}"/>' if declared else ""
    return _workbook(_SHEET.format(dimension=dimension, rows=body))


def strings_bomb_xlsx(header: Sequence[str], *, megabytes: int = 600) -> bytes:
    """A well-formed workbook whose one shared string is `megabytes` MB of the letter A:
    about 1,000 times smaller packed. Written a megabyte at a time."""
    letters = [get_column_letter(i) for i in range(1, len(header) + 1)]
    sheet = _SHEET.format(
        dimension=f'<dimension ref="A1:{letters[-1]}1"/>',
        rows=_row(1, dict(zip(letters, header, strict=True))),
    )
    return _workbook(sheet, (b"A" * 1024 * 1024 for _ in range(megabytes)))


def wide_row_xlsx(cells: int, *, size: int = 0, prefix: str = "") -> bytes:
    """A header cell, then one row of `cells` cells without column references and no
    <dimension>: nothing declares how wide it is. Each cell's text differs (a number, or
    `size` random letters), so the part packs no tighter than a real sheet. `prefix`
    spells the elements <x:c>."""
    x = f"{prefix}:" if prefix else ""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rng = random.Random(cells)

    def cell(n: int) -> str:
        text = "".join(rng.choices(string.ascii_letters, k=size)) if size else str(n)
        return f'<{x}c t="inlineStr"><{x}is><{x}t>{text}</{x}t></{x}is></{x}c>'

    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?>'
        f'<{x}worksheet xmlns{":" + prefix if prefix else ""}="{main}"><{x}sheetData>'
        f'<{x}row r="1">{cell(0)}</{x}row>'
        f'<{x}row r="2">{"".join(cell(n) for n in range(cells))}</{x}row>'
        f"</{x}sheetData></{x}worksheet>"
    )
    return _workbook(sheet)
