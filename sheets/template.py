"""The registration sheet template (逐户登记表模板) a township fills in."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from ledger.registration_import import COLUMNS

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
#: Rows formatted as text below the header, room for a township's households.
TEXT_ROWS = 2000


def registration_template() -> bytes:
    """Chinese headers (required ones bold), a note on each, and one example row."""
    book = Workbook()
    sheet = book.active
    sheet.title = "逐户登记表"
    sheet.append([c.header for c in COLUMNS])
    sheet.append([c.example for c in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=column.required)
        cell.fill = HEADER_FILL
        cell.comment = Comment(
            ("必填。" if column.required else "选填。") + column.note, "周转金台账"
        )
        if column.key != "requested_amount":
            # Text, so that ID numbers, codes and dates keep their digits as typed
            # (Excel would turn an 18-digit ID number into 3.40123E+17).
            for row in range(2, TEXT_ROWS + 2):
                sheet.cell(row=row, column=index).number_format = "@"
        sheet.column_dimensions[get_column_letter(index)].width = max(
            12, 2 * len(column.header) + 4, len(column.example) + 4
        )
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
