"""Registration sheets: all rows or none, every bad cell named, XLSX and CSV alike."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from ledger.actors import Actor
from ledger.errors import RoleNotAllowed, RowsRefused, SheetRefused
from ledger.models import Fund, Household, Loan, LoanEvent
from ledger.registration_import import import_registrations
from ledger.tables import MAX_BYTES
from tests.factories import CLERK_ACTOR, make_programme
from tests.sheets.files import HEADER, csv_bytes, person, xlsx

TODAY = date(2007, 4, 30)


@pytest.fixture
def fund(db):
    return make_programme(db).code


def run(db, fund, data, actor=CLERK_ACTOR):
    with db.uow() as uow:
        return import_registrations(uow, actor, fund, data, today=TODAY)


def counts(db, fund: str) -> tuple[int, int, int]:
    """Households, loans and loan history lines of the fund."""
    with db.read() as s:
        fund_id = s.scalar(select(Fund.id).where(Fund.code == fund))
        loans = select(Loan.id).where(Loan.fund_id == fund_id)
        return (
            s.scalar(select(func.count(Household.id)).where(Household.fund_id == fund_id)),
            s.scalar(select(func.count()).select_from(loans.subquery())),
            s.scalar(select(func.count(LoanEvent.id)).where(LoanEvent.loan_id.in_(loans))),
        )


def test_a_good_sheet_registers_every_row(db, fund):
    rows = [person(n) for n in range(5)] + [person(9, township="340123002", 登记编号="X-9")]
    result = run(db, fund, xlsx(rows))
    assert (result.households, result.loans) == (6, 6)
    assert result.registration_nos == (
        *(f"1-340123001-{n:04d}" for n in range(1, 6)),
        "X-9",
    )
    with db.read() as s:
        fund_id = s.scalar(select(Fund.id).where(Fund.code == fund))
        loan = s.scalar(
            select(Loan).where(Loan.fund_id == fund_id, Loan.registration_no == "1-340123001-0002")
        )
        assert (loan.requested_amount, loan.status.value, loan.project) == (
            Decimal("3000.00"),
            "applied",
            "养猪 2 头",
        )
        events = s.execute(
            select(LoanEvent.on, LoanEvent.action)
            .join(Loan, Loan.id == LoanEvent.loan_id)
            .where(Loan.fund_id == fund_id)
        ).all()
        assert set(events) == {(date(2007, 4, 2), "registered")}
    assert counts(db, fund) == (6, 6, 6)


def test_three_bad_rows_among_a_thousand_import_nothing(db, fund):
    rows = [person(n) for n in range(1000)]
    rows[10]["身份证号"] = rows[10]["身份证号"][:-1] + (
        "0" if rows[10]["身份证号"][-1] != "0" else "1"
    )
    rows[500]["乡镇代码"] = "340123999"
    rows[998]["申请金额"] = "5000.01"  # the project type's standard is 5,000.00
    before = counts(db, fund)
    with pytest.raises(RowsRefused) as refused:
        run(db, fund, xlsx(rows))
    assert [(e.row, e.column) for e in refused.value.rows] == [
        (12, "身份证号"),
        (502, "乡镇代码"),
        (1000, "申请金额"),
    ]
    assert "校验" in refused.value.rows[0].detail_zh
    assert "340123999" in refused.value.rows[1].detail_en
    assert "5,000.00" in refused.value.rows[2].detail_zh
    assert counts(db, fund) == before


def test_every_kind_of_bad_cell_is_named(db, fund):
    twin = person(1)
    rows = [
        twin,
        {**twin, "户主姓名": "户主1"},  # the same person twice in batch 1
        person(3, 户主姓名=""),
        person(4, 申请金额="1e3"),
        person(5, 申请金额="12.345"),
        person(6, 党员户="也许"),
        person(7, 手机号="1391234"),
        person(8, 登记日期="2007-02-30"),
        person(9, 登记日期="2007-05-01"),  # after today
        person(10, 批次="9"),
        person(11, 项目类型="cow"),
        person(12, 登记编号="R-1"),
        person(13, 登记编号="R-1"),
        person(14, 登记编号="编号"),
    ]
    with pytest.raises(RowsRefused) as refused:
        run(db, fund, xlsx(rows))
    assert [(e.row, e.column) for e in refused.value.rows] == [
        (3, "身份证号"),
        (4, "户主姓名"),
        (5, "申请金额"),
        (6, "申请金额"),
        (7, "党员户"),
        (8, "手机号"),
        (9, "登记日期"),
        (10, "登记日期"),
        (11, "批次"),
        (12, "项目类型"),
        (14, "登记编号"),
        (15, "登记编号"),
    ]
    assert all(e.detail_zh and e.detail_en for e in refused.value.rows)
    assert counts(db, fund) == (0, 0, 0)


def test_a_known_household_is_reused_and_its_name_must_match(db, fund):
    first = person(1)
    run(db, fund, xlsx([first]))
    with pytest.raises(RowsRefused) as refused:  # batch 1 already has their loan
        run(db, fund, xlsx([first]))
    assert [(e.row, e.column) for e in refused.value.rows] == [(2, "身份证号")]
    with pytest.raises(RowsRefused) as renamed:
        run(db, fund, xlsx([{**first, "户主姓名": "别人", "批次": "1"}]))
    assert "户主姓名" in {e.column for e in renamed.value.rows}


def test_csv_in_utf8_with_bom_and_in_gb18030(db, fund):
    rows = [person(n) for n in range(3)]
    assert run(db, fund, b"\xef\xbb\xbf" + csv_bytes(rows[:1])).loans == 1
    assert run(db, fund, csv_bytes(rows[1:], encoding="gb18030")).loans == 2
    with db.read() as s:
        names = s.scalars(select(Household.name).join(Fund).where(Fund.code == fund))
        assert set(names) == {"户主0", "户主1", "户主2"}


def test_a_formula_is_refused_not_evaluated(db, fund):
    with pytest.raises(RowsRefused) as refused:
        run(db, fund, xlsx([person(1), person(2)], formula_at=(3, "申请金额")))
    [error] = refused.value.rows
    assert (error.row, error.column) == (3, "申请金额") and "公式" in error.detail_zh


def test_spreadsheet_numbers_are_read_exactly(db, fund):
    rows = [person(1, 申请金额=4999.9, 批次=1), person(2, 申请金额=3000)]
    run(db, fund, xlsx(rows))
    with db.read() as s:
        amounts = s.scalars(select(Loan.requested_amount).join(Fund).where(Fund.code == fund))
        assert sorted(amounts) == [
            Decimal("3000.00"),
            Decimal("4999.90"),
        ]


def test_headers_are_checked(db, fund):
    with pytest.raises(RowsRefused) as refused:
        run(db, fund, xlsx([person(1)], header=[h for h in HEADER if h != "身份证号"] + ["备注"]))
    assert {(e.row, e.column) for e in refused.value.rows} == {(1, "备注"), (1, "身份证号")}


def test_unreadable_files(db, fund):
    utf16 = "\u00ff".encode("utf-16")
    for data in (b"", b"x" * (MAX_BYTES + 1), csv_bytes([]), xlsx([]), utf16):
        with pytest.raises(SheetRefused):
            run(db, fund, data)
    # Something that is not a registration sheet at all: its first line is no header of ours.
    for data in (b"PK\x03\x04 not really a zip", b"%PDF-1.4"):
        with pytest.raises(RowsRefused) as refused:
            run(db, fund, data)
        assert {e.row for e in refused.value.rows} == {1}
    assert counts(db, fund) == (0, 0, 0)


def test_only_a_clerk_imports(db, fund):
    with pytest.raises(RoleNotAllowed):
        run(db, fund, xlsx([person(1)]), actor=Actor("boss", "leader"))
    assert counts(db, fund) == (0, 0, 0)
