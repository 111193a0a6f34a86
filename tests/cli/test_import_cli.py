"""``import-registrations F FILE``: progress on long files, every bad row listed, exit 1."""

from __future__ import annotations

from sqlalchemy import func, select

from ledger.models import AuditRecord, Fund, Loan
from tests.factories import make_programme
from tests.sheets.files import csv_bytes, person, xlsx


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_a_long_sheet_imports_with_progress_and_an_audit_record(committed_db, make_app, tmp_path):
    fund = make_programme(committed_db).code
    sheet = tmp_path / "登记表.xlsx"
    sheet.write_bytes(xlsx([person(n, 申请金额="1000.00") for n in range(2500)]))
    result = run(make_app(), "import-registrations", fund, str(sheet))
    assert result.exit_code == 0, result.output
    assert "已检查 checked 2,000 行 rows" in result.output
    assert "imported: 2500 笔借款申请 applications, 2500 户新农户 new households" in result.output
    with committed_db.read() as s:
        fund_id = s.scalar(select(Fund.id).where(Fund.code == fund))
        assert s.scalar(select(func.count(Loan.id)).where(Loan.fund_id == fund_id)) == 2500
        record = s.scalars(
            select(AuditRecord).where(AuditRecord.target == f"fund:{fund}/imports/registrations")
        ).one()
        assert record.action == "cli import-registrations" and '"bytes":' in record.details


def test_bad_rows_are_listed_and_nothing_is_imported(committed_db, make_app, tmp_path):
    fund = make_programme(committed_db).code
    sheet = tmp_path / "bad.csv"
    sheet.write_bytes(csv_bytes([person(1), person(2, 乡镇代码="999999999")], encoding="gb18030"))
    result = run(make_app(), "import-registrations", fund, str(sheet))
    assert result.exit_code == 1
    assert "第 3 行 row 3, 乡镇代码: 乡镇 999999999 不存在 / township 999999999 does not exist" in (
        result.output
    )
    assert "nothing was imported" in result.output
