"""Every file the API hands out, fetched once; and every PDF without the font.

`DOWNLOADS` names one request per kind of file (every PDF and XLSX route,
and the reconciliation uploads answered as PDF or XLSX); a new download
route without a row fails `test_every_download_route_has_a_row`.
"""

from __future__ import annotations

from typing import Any

import pytest

from reports.fonts import ENV
from tests.api.conftest import assert_problem
from tests.api.programme import County, World
from tests.api.test_authorization import concrete
from tests.api.test_reconciliations import BOOK, post
from tests.sheets.files import table_xlsx

F = "/api/v1/funds/<f>"
#: (method, URL rule, query): one request per kind of file.
DOWNLOADS: list[tuple[str, str, dict[str, str]]] = [
    ("GET", f"{F}/reports/fund-statement.pdf", {}),
    ("GET", f"{F}/reports/townships/<t>/reconciliation.pdf", {}),
    ("GET", f"{F}/reports/loans/<no>/statement.pdf", {}),
    ("GET", f"{F}/reports/liaisons/<int:id>/guarantee.pdf", {}),
    ("GET", f"{F}/reports/disasters/<code>.pdf", {}),
    ("GET", f"{F}/reports/trial-balance.pdf", {}),
    ("GET", f"{F}/reports/accounts/<account>/subledger.pdf", {}),
    ("GET", f"{F}/reports/aging.pdf", {}),
    ("GET", f"{F}/reports/vouchers.pdf", {"period": "2007-04"}),
    ("GET", f"{F}/reports/vouchers/<voucher>.pdf", {}),
    ("GET", f"{F}/exports/loans.xlsx", {}),
    ("GET", f"{F}/exports/journals.xlsx", {}),
    ("GET", f"{F}/exports/trial-balance.xlsx", {}),
    ("GET", f"{F}/exports/aging.xlsx", {}),
    ("GET", f"{F}/exports/recovery-table.xlsx", {"year": "2008"}),
    ("GET", f"{F}/imports/registrations/template.xlsx", {}),
    ("POST", f"{F}/reconciliations/townships/<t>", {"format": "pdf"}),
    ("POST", f"{F}/reconciliations/townships/<t>", {"format": "xlsx"}),
    ("POST", f"{F}/reconciliations/bank", {"format": "pdf"}),
    ("POST", f"{F}/reconciliations/bank", {"format": "xlsx"}),
]
CASES = [pytest.param(*row, id=f"{row[1].removeprefix(F)} {row[2]}") for row in DOWNLOADS]
PDF_CASES = [case for case in CASES if ".pdf" in case.values[1] or "pdf" in case.values[2].values()]
BANK = ["日期", "金额", "方向", "摘要", "余额"]
STATEMENT = ["2007-03-01", "100000.00", "收", "县财政拨入", "100000.00"]


def fetch(county: County, world: World, method: str, rule: str, query: dict[str, str]) -> Any:
    """The clerk's request for one file (an upload carries a small book or bank statement)."""
    path = concrete(rule, world)
    if method == "GET":
        return county.get("clerk", path, status=None, **query)
    url = f"{path}?format={query['format']}"
    if rule.endswith("/bank"):
        return post(county, "clerk", url, table_xlsx(BANK, [STATEMENT]))
    return post(county, "clerk", url, table_xlsx(BOOK, [["2007-04-01", "", "拨入", "20000.00"]]))


def test_every_download_route_has_a_row(api_app):
    files = {
        rule.rule
        for rule in api_app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1") and rule.rule.endswith((".pdf", ".xlsx"))
    }
    listed = {rule for _, rule, _ in DOWNLOADS}
    assert files - listed == set(), "download routes without a row in DOWNLOADS"


@pytest.mark.parametrize(("method", "rule", "query"), PDF_CASES)
def test_without_the_font_a_pdf_is_a_503_naming_the_package(
    county: County, world: World, monkeypatch, tmp_path, method, rule, query
):
    monkeypatch.setenv(ENV, str(tmp_path / "wqy-zenhei.ttc"))
    response = fetch(county, world, method, rule, query)
    body = assert_problem(response, 503, "pdf-font-missing")
    assert body["missing"] == "fonts-wqy-zenhei"
    assert "fonts-wqy-zenhei" in body["detail"] and "fonts-wqy-zenhei" in body["detail_en"]
    assert "字体" in body["title"] and "font" in body["title_en"]
