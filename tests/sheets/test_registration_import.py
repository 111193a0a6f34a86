"""Registration sheets: all rows or none, every bad cell named, XLSX and CSV alike."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import func, select

from ledger import positions
from ledger.actors import Actor
from ledger.errors import DateInFuture, OverLimit, RoleNotAllowed, RowsRefused, SheetRefused
from ledger.models import Fund, Household, Loan, LoanEvent
from ledger.read import loans as loan_reads
from ledger.read import setup as setup_reads
from ledger.registration_import import BY_NAME, COLUMNS, import_registrations
from ledger.services import loans, setup
from ledger.uploads import MAX_BYTES, header_name
from sheets.template import registration_template
from tests.factories import ADMIN, CLERK_ACTOR, committing, make_household, make_programme
from tests.sheets.files import HEADER, csv_bytes, person, table_csv, xlsx

TODAY = date(2007, 4, 30)


@pytest.fixture
def fund(db):
    return make_programme(db).code


def run(db, fund, data, actor=CLERK_ACTOR):
    with committing(db) as uow:
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
        # Counted for the lists' totals in the import's transaction, as one registration is.
        assert positions.check(s, fund_id) == []
        assert loan_reads.loan_counts(s, CLERK_ACTOR, fund, ["applied"]) == {"applied": 6}
        assert setup_reads.households(s, CLERK_ACTOR, fund).count(s) == 6
        assert setup_reads.households(s, CLERK_ACTOR, fund, township="340123002").count(s) == 1
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


def test_a_registration_before_the_fund_started_is_refused_naming_both_dates(db, fund):
    rows = [person(1, 登记日期="1999-12-31"), person(2, 登记日期="2000-01-01")]
    with pytest.raises(RowsRefused) as refused:
        run(db, fund, xlsx(rows))
    (error,) = refused.value.rows
    assert (error.row, error.column) == (2, "登记日期")
    assert "1999-12-31" in error.detail_zh and "2000-01-01" in error.detail_zh
    assert "1999-12-31" in error.detail_en and "2000-01-01" in error.detail_en
    assert counts(db, fund) == (0, 0, 0)


def test_every_kind_of_bad_cell_is_named(db, fund):
    twin = person(1)
    rows = [
        twin,
        {**twin, "姓名": "户主1"},  # the same person twice in batch 1
        person(3, 姓名=""),
        person(4, 申请金额="1e3"),
        person(5, 申请金额="12.345"),
        person(6, 党员="也许"),
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
        (4, "姓名"),
        (5, "申请金额"),
        (6, "申请金额"),
        (7, "党员"),
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
        run(db, fund, xlsx([{**first, "姓名": "别人", "批次": "1"}]))
    assert "姓名" in {e.column for e in renamed.value.rows}


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


# --- headers: SPEC §9's names and the variants county sheets use (issue 15) ----------

#: SPEC §9's registration sheet, in its order; the template adds the optional date.
SPEC_HEADERS = [
    *("登记编号", "姓名", "身份证号", "乡镇代码", "村", "党员"),
    *("手机号", "批次", "项目类型", "项目内容", "申请金额"),
]


def test_the_template_prints_the_spec_headers_in_its_order():
    sheet = load_workbook(io.BytesIO(registration_template())).active
    assert [c.value for c in sheet[1]] == [*SPEC_HEADERS, "登记日期"] == HEADER
    assert "选填" in sheet["A1"].comment.text and "必填" in sheet["B1"].comment.text


def renamed(rows: list[dict], names: list[str]) -> list[dict]:
    """`rows` (keyed by the template's headers) keyed by `names` instead, column by column."""
    return [{name: row[c.header] for name, c in zip(names, COLUMNS, strict=True)} for row in rows]


@pytest.mark.parametrize("variant", range(4))
def test_every_accepted_name_of_every_column_imports(db, fund, variant):
    names = [c.names[variant % len(c.names)] for c in COLUMNS]
    rows = [
        person(1, 党员="是", 手机号="13900000001"),
        person(2, amount="2500.00", 党员="否", 手机号=""),
    ]
    result = run(db, fund, xlsx(renamed(rows, names), header=names[::-1]))  # any order
    assert result.loans == 2
    with db.read() as s:
        fund_id = s.scalar(select(Fund.id).where(Fund.code == fund))
        got = s.execute(
            select(Household.name, Household.party_member, Household.phone, Household.village)
            .where(Household.fund_id == fund_id)
            .order_by(Household.name)
        ).all()
        assert got == [
            ("户主1", True, "13900000001", "胡家湾村"),
            ("户主2", False, None, "胡家湾村"),
        ]
        loans = s.execute(
            select(Loan.project, Loan.requested_amount).where(Loan.fund_id == fund_id)
        ).all()
        assert sorted(loans) == [
            ("养猪 2 头", Decimal("3000.00")),
            ("养猪 3 头", Decimal("2500.00")),
        ]


def test_headers_as_county_sheets_space_and_annotate_them(db, fund):
    names = [
        "登记编号",
        "户 主 姓 名",
        "\u3000身份证号码 ",  # an ideographic space lines headers up in Chinese forms
        "乡镇代码",
        "村",
        "是否党员",
        "联系电话",
        "批次",
        "项目类型",
        "借款用途",
        "借款金额(元)",
        "申请日期(YYYY-MM-DD)",
    ]
    data = table_csv(names, [list(renamed([person(5)], names)[0].values())], encoding="gb18030")
    assert run(db, fund, data).loans == 1


@given(
    st.sampled_from([(name, c) for c in COLUMNS for name in c.names]),
    st.lists(st.sampled_from([" ", "\u3000", "\t"]), max_size=3),
    st.sampled_from(["", "(元)", "(必填)", " (选填)"]),
)
def test_a_name_is_matched_whatever_its_spacing_and_note(named, spaces, note):
    name, column = named
    spaced = "".join(ch + (spaces[i] if i < len(spaces) else "") for i, ch in enumerate(name))
    assert BY_NAME[header_name(f"{spaced}{note}")] is column


def test_an_unknown_header_is_refused_with_the_accepted_names(db, fund):
    with pytest.raises(RowsRefused) as refused:
        run(db, fund, xlsx([person(1)], header=[*HEADER, "备注"]))
    [error] = refused.value.rows
    assert (error.row, error.column) == (1, "备注")
    for column in COLUMNS:
        assert "/".join(column.names) in error.detail_zh
        assert " / ".join(column.names) in error.detail_en
    assert "姓名/户主姓名/户主" in error.detail_zh and "党员/党员户/是否党员" in error.detail_zh
    assert counts(db, fund) == (0, 0, 0)


def test_two_names_of_one_column_and_a_missing_column_are_refused(db, fund):
    header = [h for h in HEADER if h != "党员"] + ["户主姓名"]
    with pytest.raises(RowsRefused) as refused:
        run(db, fund, xlsx([person(1)], header=header))
    assert [(e.column, e.detail_en) for e in refused.value.rows] == [
        ("户主姓名", "column '户主姓名' appears twice"),
        ("党员", "missing column '党员' (or 党员户, 是否党员)"),
    ]


def test_a_bad_cell_is_named_by_the_sheet_s_own_header(db, fund):
    names = [c.names[1] if len(c.names) > 1 else c.header for c in COLUMNS]
    rows = renamed([person(1, 党员="也许"), person(2, 申请金额="9999.00")], names)
    with pytest.raises(RowsRefused) as refused:
        run(db, fund, xlsx(rows, header=names))
    assert [e.column for e in refused.value.rows] == ["党员户", "借款金额"]


@pytest.mark.parametrize(
    ("standard", "max_loan", "amount", "limit"),
    [("5000.00", None, "5000.01", "借款标准"), ("50000.00", "20000.00", "20000.01", "上限")],
)
def test_one_registration_is_refused_exactly_as_a_sheet_row_is(
    db, standard, max_loan, amount, limit
):
    prog = make_programme(db, standard=standard)
    if max_loan:
        with committing(db) as uow:
            setup.update_settings(uow, ADMIN, prog.code, max_loan=max_loan)
    with pytest.raises(RowsRefused) as sheet:
        run(db, prog.code, xlsx([person(1, amount=amount)]))
    [row] = sheet.value.rows
    assert row.column == "申请金额" and limit in row.detail_zh
    household = make_household(db, prog)
    with db.uow() as uow, pytest.raises(OverLimit) as one:
        loans.register_loan(
            uow,
            CLERK_ACTOR,
            prog.code,
            household=household,
            batch="1",
            project_type="pig",
            project="养猪",
            requested_amount=amount,
            on=date(2007, 4, 2),
        )
    assert one.value.field == "requested_amount"
    assert (one.value.detail_zh, one.value.detail_en) == (row.detail_zh, row.detail_en)
    assert counts(db, prog.code) == (1, 0, 0)


def test_a_future_date_is_refused_alike_in_a_sheet_and_one_registration(db, fund, set_today):
    set_today(TODAY)
    with pytest.raises(RowsRefused) as sheet:
        run(db, fund, xlsx([person(1, 登记日期="2007-05-01")]))
    [row] = sheet.value.rows
    assert row.column == "登记日期" and counts(db, fund) == (0, 0, 0)
    with committing(db) as uow:
        household = setup.add_household(
            uow,
            CLERK_ACTOR,
            fund,
            name="户主1",
            id_number=person(1)["身份证号"],
            township="340123001",
            village="胡家湾村",
            party_member=True,
        ).id
    with db.uow() as uow, pytest.raises(DateInFuture) as one:
        loans.register_loan(
            uow,
            CLERK_ACTOR,
            fund,
            household=household,
            batch="1",
            project_type="pig",
            project="养猪",
            requested_amount="3000.00",
            on=date(2007, 5, 1),
        )
    assert one.value.field == "date"
    assert (one.value.detail_zh, one.value.detail_en) == (row.detail_zh, row.detail_en)
    assert row.detail_zh == "登记日 2007-05-01 晚于今天 2007-04-30"
