"""Registration sheets built in the tests, as a clerk's Excel would write them."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook

from ledger.registration_import import COLUMNS
from tests.factories import make_id_number

HEADER = [c.header for c in COLUMNS]


def person(n: int, *, township: str = "340123001", amount: str = "3000.00", **over) -> dict:
    """Row `n` of a sheet: a distinct person (ID numbers differ by birth day)."""
    born = f"1960{1 + n // 28 % 12:02d}{1 + n % 28:02d}"
    region = f"34{n // 336 % 90 + 10:02d}23"
    row = {
        "户主姓名": f"户主{n}",
        "身份证号": make_id_number(born=born, region=region),
        "乡镇代码": township,
        "村": "胡家湾村",
        "党员户": "是" if n % 2 else "否",
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


def table_xlsx(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """Any table as an XLSX sheet; a cell starting with ``=`` becomes a formula."""
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def table_csv(header: Sequence[str], rows: Iterable[Sequence[str]], encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)
