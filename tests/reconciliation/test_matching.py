"""Line matching, on its own: every kind of difference lands where it belongs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ledger.reconciliation import Line, match

D = Decimal


def line(day: int, kind: str, amount: str, iou: str = "", row: int | None = None) -> Line:
    return Line(date(2007, 4, day), kind, D(amount), iou, row=row)


def test_township_matching_by_kind_iou_date_and_amount():
    county = [
        line(1, "allocation", "20000.00"),
        line(10, "disbursement", "-5000.00", "L1"),
        line(11, "disbursement", "-3000.00", "L2"),
        line(12, "repayment", "200.00", "L1"),
    ]
    township = [
        line(1, "allocation", "20000.00", row=2),
        line(10, "disbursement", "-4500.00", "L1", row=3),  # amount differs
        line(13, "disbursement", "-3000.00", "L2", row=4),  # date differs: not the same line
        line(15, "repayment", "100.00", "L3", row=5),  # only in the township's book
    ]
    result = match(county, township, any_date=False)
    assert [(p.county.iou, p.other.row) for p in result.matched] == [("", 2)]
    assert [(p.county.amount, p.other.amount) for p in result.amount_differences] == [
        (D("-5000.00"), D("-4500.00"))
    ]
    assert [x.iou for x in result.only_county] == ["L2", "L1"]
    assert [x.row for x in result.only_other] == [4, 5]


def test_bank_matching_allows_another_date_but_not_another_amount():
    book = [line(1, "in", "100.00"), line(2, "out", "-30.00"), line(3, "out", "-30.00")]
    bank = [
        line(5, "out", "-30.00", row=2),
        line(1, "in", "100.00", row=3),
        line(6, "in", "7.00", row=4),
    ]
    result = match(book, bank, any_date=True)
    assert [(p.county.on.day, p.other.row) for p in result.matched] == [(1, 3), (2, 2)]
    assert [x.on.day for x in result.only_county] == [3]
    assert [x.row for x in result.only_other] == [4]
    assert result.amount_differences == []


def test_identical_books_leave_nothing_over():
    books = [line(d, "repayment", f"{d}.00", f"L{d}") for d in range(1, 20)]
    result = match(books, list(reversed(books)), any_date=False)
    assert len(result.matched) == 19
    assert not (result.only_county or result.only_other or result.amount_differences)
