"""XLSX exports over HTTP: read back, figures equal the JSON API's, townships see their own.

The module's programme: A lent 5,000 (loan_a), B lent 2,000 (loan_b),
1,000 of loan_a pending write-off; capital 100,000 from the county.
"""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import load_workbook

from tests.api.programme import County, World


def sheet_of(county: County, who: str, path: str, **query):
    response = county.get(who, path, **query)
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    return load_workbook(io.BytesIO(response.get_data())).active


def column(sheet, header: str) -> list:
    headers = [c.value for c in sheet[1]]
    index = headers.index(header)
    return [row[index] for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_the_loan_register(county: County, world: World):
    sheet = sheet_of(county, "clerk", f"{world.f}/exports/loans.xlsx")
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width >= 18
    numbers = column(sheet, "登记编号")
    assert numbers == [world.loan_a, world.loan_b, "合计"]
    outstanding = column(sheet, "余额")
    loans = {r["registration_no"]: r for r in county.json("clerk", f"{world.f}/loans")}
    for no, value in zip(numbers[:2], outstanding[:2], strict=True):
        assert Decimal(str(value)) == Decimal(loans[no]["outstanding"])
    assert Decimal(str(outstanding[-1])) == Decimal("7000.00")  # the totals row
    money = [c.value for c in sheet[1]].index("余额") + 1
    assert sheet.cell(row=2, column=money).number_format == "#,##0.00"
    assert column(sheet, "状态")[:2] == ["已发放", "已发放"]  # in Chinese, as clerks read it
    mine = sheet_of(county, "township_b", f"{world.f}/exports/loans.xlsx")
    assert column(mine, "登记编号") == [world.loan_b, "合计"]


def test_the_trial_balance_and_journals(county: County, world: World):
    balance = county.json("clerk", f"{world.f}/trial-balance")
    sheet = sheet_of(county, "leader", f"{world.f}/exports/trial-balance.xlsx")
    debits = column(sheet, "本期借方")
    assert Decimal(str(debits[-1])) == Decimal(balance["totals"]["debit"])
    assert sum(Decimal(str(d)) for d in debits[:-1]) == Decimal(str(debits[-1]))
    journals = sheet_of(county, "clerk", f"{world.f}/exports/journals.xlsx")
    vouchers = column(journals, "凭证号")
    assert world.voucher in vouchers and vouchers[-1] == "合计"
    debit, credit = column(journals, "借方")[-1], column(journals, "贷方")[-1]
    assert debit == credit  # every journal balances, so the whole book does
    county.get("township_a", f"{world.f}/exports/journals.xlsx", status=403)


def test_aging_and_the_recovery_table(county: County, world: World):
    aging = county.json("clerk", f"{world.f}/aging", as_of="2008-06-01")
    sheet = sheet_of(county, "clerk", f"{world.f}/exports/aging.xlsx", as_of="2008-06-01")
    overdue = column(sheet, "逾期金额")
    assert Decimal(str(overdue[-1])) == Decimal(aging["overdue_amount"])
    table = county.json("leader", f"{world.f}/recovery-table", year=2008)
    recovery = sheet_of(county, "leader", f"{world.f}/exports/recovery-table.xlsx", year=2008)
    assert column(recovery, "乡镇")[-1] == "合计"
    assert Decimal(str(column(recovery, "3 年末余额")[-1])) == Decimal(table["total"]["closing"])
    mine = sheet_of(county, "township_a", f"{world.f}/exports/recovery-table.xlsx", year=2008)
    assert column(mine, "乡镇") == ["但家庙镇", "合计"]
    assert county.get("clerk", f"{world.f}/exports/aging.xlsx", status=422, as_of="x")
