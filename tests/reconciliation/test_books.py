"""Reading the uploaded books: a formula is refused in every column, text is kept as typed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ledger.errors import RowsRefused
from ledger.reconciliation import read_bank_statement, read_township_book
from tests.sheets.files import table_xlsx

BOOK = ["日期", "借据号", "类型", "金额"]
STATEMENT = ["日期", "金额", "方向", "摘要", "余额"]


def refused(read, data: bytes) -> list[tuple[int, str, str]]:
    with pytest.raises(RowsRefused) as error:
        read(data)
    return [(r.row, r.column, r.detail_en) for r in error.value.rows]


FORMULA = "formulas are not accepted; enter the value"


def test_a_formula_in_the_iou_or_reference_column_is_refused():
    book = table_xlsx(BOOK, [["2007-04-01", "=A1", "拨入", "100.00"]])
    assert refused(read_township_book, book) == [(2, "借据号", FORMULA)]
    statement = table_xlsx(STATEMENT, [["2007-04-01", "100.00", "收", "=HYPERLINK(A1)", "100"]])
    assert refused(read_bank_statement, statement) == [(2, "摘要", FORMULA)]


def test_typed_text_in_the_optional_columns_is_kept_and_empty_is_empty():
    rows = [["2007-04-01", " =A1 ", "拨入", "100.00"], ["2007-04-02", "", "上缴", "40.00"]]
    lines = read_township_book(table_xlsx(BOOK, rows, typed=True))
    assert [(x.on, x.kind, x.amount, x.iou) for x in lines] == [
        (date(2007, 4, 1), "allocation", Decimal("100.00"), "=A1"),
        (date(2007, 4, 2), "remittance", Decimal("-40.00"), ""),
    ]
    statement = table_xlsx(
        STATEMENT, [["2007-04-01", "100.00", "收", "@转账", "100.00"]], typed=True
    )
    lines, closing = read_bank_statement(statement)
    assert ([x.reference for x in lines], closing) == (["@转账"], Decimal("100.00"))


def test_a_book_s_headers_may_use_other_names_spacing_and_units():
    header = ["业务日期", "借据 编号", "业务类型", "发生额(元)"]
    [line] = read_township_book(table_xlsx(header, [["2007-04-01", "A-1", "收回", "12.50"]]))
    assert (line.on, line.iou, line.kind, line.amount) == (
        date(2007, 4, 1),
        "A-1",
        "repayment",
        Decimal("12.50"),
    )
