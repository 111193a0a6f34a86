"""Exports 导出: the loan register, journals, trial balance, aging and recovery table as XLSX.

Every sheet: Chinese headers in a frozen first row, sensible column widths,
amounts as numbers written from their exact `Decimal` (never a float) with
two decimals shown, and a totals row (合计) equal to the sum of the rows.
Built in openpyxl's write-only mode, so a 10,000-loan register streams.
Text is always a text cell: what a person typed (``=HYPERLINK(...)`` as a
memo, ``=1+1`` as a name) is shown as typed and never evaluated.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from ledger.labels import BUCKET, KIND, STATUS, label
from ledger.read.books import TrialBalance
from ledger.read.fund import Aging, RecoveryTable
from ledger.read.journals import JournalView
from ledger.read.loans import LoanRow

MONEY = "#,##0.00"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
BOLD = Font(bold=True)


@dataclass(frozen=True)
class Col:
    header: str
    width: int = 12
    money: bool = False  #: formatted as money, and summed in the totals row


@dataclass(frozen=True)
class Sheet:
    title: str
    cols: Sequence[Col]
    rows: Iterable[Sequence[object]]
    totals: bool = True  #: append a 合计 row summing the money columns


def table_xlsx(
    title: str, cols: Sequence[Col], rows: Iterable[Sequence[object]], *, totals: bool = True
) -> bytes:
    """A workbook of one sheet."""
    return workbook_xlsx(Sheet(title, cols, rows, totals))


def workbook_xlsx(*sheets: Sheet) -> bytes:
    """Each sheet: header, rows, and (when asked) a 合计 row summing the money columns."""
    book = Workbook(write_only=True)
    for spec in sheets:
        _write_sheet(book, spec)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _write_sheet(book: Workbook, spec: Sheet) -> None:
    cols = spec.cols
    sheet = book.create_sheet(spec.title)
    sheet.freeze_panes = "A2"
    for index, col in enumerate(cols, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = col.width
    sheet.append([_cell(sheet, col.header, font=BOLD, fill=HEADER_FILL) for col in cols])
    sums = [Decimal("0.00") if col.money else None for col in cols]
    for row in spec.rows:
        out = []
        for i, (col, value) in enumerate(zip(cols, row, strict=True)):
            if col.money and value is not None:
                sums[i] += value  # type: ignore[operator]
            # Only money needs a styled cell; plain values are written as they are
            # (a styled cell per value doubled the time of a 10,000-loan register).
            out.append(_cell(sheet, value, money=True) if col.money else _plain(sheet, value))
        sheet.append(out)
    if spec.totals:
        first = ["合计", *([""] * (len(cols) - 1))]
        sheet.append(
            [
                _cell(
                    sheet,
                    total if total is not None else first[i],
                    money=total is not None,
                    font=BOLD,
                )
                for i, total in enumerate(sums)
            ]
        )


def _plain(sheet, value: object) -> object:
    """The value as openpyxl writes it, except text it would not keep as text.

    openpyxl writes a string starting with ``=`` as a formula and ``#N/A`` and
    the like as an error value; those become explicit string cells. (In an
    XLSX string cell, ``+``, ``-``, ``@``, tab and CR are inert too: only CSV
    needs OWASP's quote prefix, and the product writes no CSV.)
    """
    if isinstance(value, str) and (value.startswith("=") or value in ERROR_CODES):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def _cell(sheet, value: object, *, money: bool = False, font=None, fill=None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if money:
        cell.number_format = MONEY
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    return cell


LOAN_COLS = (
    Col("登记编号", 18),
    Col("乡镇", 10),
    Col("村", 12),
    Col("户主", 8),
    Col("身份证号", 20),
    Col("批次", 6),
    Col("项目类型", 8),
    Col("项目", 16),
    Col("状态", 10),
    Col("批准金额", 12, True),
    Col("已发放", 12, True),
    Col("已还款", 12, True),
    Col("担保代偿", 12, True),
    Col("已核销", 12, True),
    Col("余额", 12, True),
    Col("逾期天数", 8),
    Col("逾期金额", 12, True),
)


def loans_xlsx(rows: Iterable[LoanRow]) -> bytes:
    return table_xlsx(
        "借款台账",
        LOAN_COLS,
        (
            (
                r.registration_no,
                r.township_name,
                r.village,
                r.household,
                r.id_number,
                r.batch,
                r.project_type,
                r.project,
                label(STATUS, r.status),
                r.approved,
                r.figures.disbursed,
                r.figures.repaid,
                r.figures.guarantee_called,
                r.figures.written_off,
                r.outstanding,
                r.overdue_days,
                r.overdue_amount,
            )
            for r in rows
        ),
    )


def journals_xlsx(journals: Iterable[JournalView]) -> bytes:
    cols = (
        Col("凭证号", 18),
        Col("日期", 12),
        Col("类型", 14),
        Col("摘要", 30),
        Col("科目", 18),
        Col("借方", 14, True),
        Col("贷方", 14, True),
        Col("冲销", 18),
    )
    return table_xlsx(
        "记账凭证",
        cols,
        (
            (
                j.voucher,
                j.posted_on,
                label(KIND, j.kind),
                j.memo,
                line.account,
                line.debit,
                line.credit,
                j.reverses or j.reversed_by or "",
            )
            for j in journals
            for line in j.lines
        ),
    )


def trial_balance_xlsx(balance: TrialBalance) -> bytes:
    cols = (
        Col("科目编码", 10),
        Col("科目名称", 20),
        Col("期初余额", 16, True),
        Col("本期借方", 16, True),
        Col("本期贷方", 16, True),
        Col("期末余额", 16, True),
    )
    rows = [(r.code, r.name, r.opening, r.debit, r.credit, r.balance) for r in balance.rows]
    return table_xlsx("试算平衡表", cols, rows)


def aging_xlsx(report: Aging) -> bytes:
    cols = (
        Col("登记编号", 18),
        Col("乡镇", 10),
        Col("户主", 8),
        Col("账龄", 10),
        Col("逾期天数", 8),
        Col("逾期金额", 12, True),
        Col("余额", 12, True),
    )
    rows = (
        (
            r.registration_no,
            r.township_name,
            r.household,
            label(BUCKET, r.bucket) or "未逾期",
            r.overdue_days,
            r.overdue_amount,
            r.outstanding,
        )
        for r in report.loans
    )
    return table_xlsx("账龄分析表", cols, rows)


def recovery_xlsx(table: RecoveryTable) -> bytes:
    cols = (
        Col("乡镇", 12),
        Col("1 年初余额", 14, True),
        Col("2 本年借出", 14, True),
        Col("3 年末余额", 14, True),
        Col("4 累计借出", 14, True),
        Col("5 本年应收到期数", 16, True),
        Col("6 累计应收到期数", 16, True),
        Col("7 本年核销数", 14, True),
        Col("8 本年回收数", 14, True),
        Col("9 其中收回本年到期数", 18, True),
        Col("10 累计回收数", 14, True),
        Col("11 本年回收率 %", 12),
        Col("12 累计回收率 %", 12),
    )
    rows = [
        (
            r.name,
            r.opening,
            r.lent,
            r.closing,
            r.lent_to_date,
            r.due_this_year,
            r.due_to_date,
            r.written_off,
            r.recovered,
            r.recovered_of_due,
            r.recovered_to_date,
            r.rate_this_year,
            r.rate_to_date,
        )
        for r in (*table.rows, table.total)  # the table's own 合计 row, rates included
    ]
    return table_xlsx(f"{table.year}年周转金回收情况表", cols, rows, totals=False)
