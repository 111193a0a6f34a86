"""Every file the API hands out, fetched once: status, body, name, caching; and without the font.

`DOWNLOADS` names one request per kind of file (every PDF and XLSX route,
and the reconciliation uploads answered as PDF or XLSX); a new download
route without a row fails `test_every_download_route_has_a_row`. The names
travel as RFC 6266 asks: an ASCII ``filename`` and the Chinese name in
``filename*`` (a 记 in a plain header once made every voucher PDF hang).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

import pytest

from reports.fonts import ENV
from shell.downloads import ascii_name, content_disposition
from tests.api.conftest import assert_problem
from tests.api.matrix_societies import S
from tests.api.programme import County, SocietyWorld, World
from tests.api.test_authorization import concrete
from tests.api.test_reconciliations import BOOK, post
from tests.sheets.files import table_xlsx

F = "/api/v1/funds/<f>"
#: (method, URL rule, query): one request per kind of file.
DOWNLOADS: list[tuple[str, str, dict[str, str]]] = [
    ("GET", f"{F}/reports/fund-statement.pdf", {}),
    ("GET", f"{F}/reports/progress.pdf", {"start": "2007-01-01", "end": "2008-12-31"}),
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
    ("GET", f"{F}/exports/plan-against-actual.xlsx", {"year": "2007"}),
    ("GET", f"{F}/imports/registrations/template.xlsx", {}),
    ("GET", "/api/v1/regions/<r>/reports/statement.pdf", {}),
    ("GET", f"{S}/exports/members.xlsx", {}),
    ("GET", f"{S}/exports/groups.xlsx", {}),
    ("GET", f"{S}/exports/loans.xlsx", {}),
    ("GET", f"{S}/exports/expenses.xlsx", {}),
    ("GET", "/api/v1/societies/export.xlsx", {}),
    ("GET", f"{S}/reports/loan-notice.pdf", {}),
    ("GET", f"{S}/reports/members/<int:id>/statement.pdf", {}),
    ("GET", f"{S}/reports/monthly.pdf", {"month": "2024-01"}),
    ("GET", f"{S}/reports/distribution/<int:year>.pdf", {}),
    ("GET", "/api/v1/regions/<r>/reports/societies.pdf", {}),
    ("POST", f"{F}/reconciliations/townships/<t>", {"format": "pdf"}),
    ("POST", f"{F}/reconciliations/townships/<t>", {"format": "xlsx"}),
    ("POST", f"{F}/reconciliations/bank", {"format": "pdf"}),
    ("POST", f"{F}/reconciliations/bank", {"format": "xlsx"}),
]
CASES = [pytest.param(*row, id=f"{row[1].removeprefix(F)} {row[2]}") for row in DOWNLOADS]
PDF_CASES = [case for case in CASES if ".pdf" in case.values[1] or "pdf" in case.values[2].values()]
MAGIC = {"pdf": b"%PDF-", "xlsx": b"PK\x03\x04"}
BANK = ["日期", "金额", "方向", "摘要", "余额"]
STATEMENT = ["2007-03-01", "100000.00", "收", "县财政拨入", "100000.00"]


@pytest.fixture(scope="module")
def society(county: County, society_world: SocietyWorld) -> SocietyWorld:
    """The module's society with 12.50 of bank interest in 2024 and that year closed and
    distributed, so that its distribution table exists."""
    s = f"/api/v1/societies/{society_world.code}"
    county.create("cashier", f"{s}/bank-interest", {"date": "2024-06-21", "amount": "12.50"})
    table = county.create("approver", f"{s}/distributions/2024", None)
    assert (table["income"], table["result"]) == ("12.50", "12.50")
    return society_world


def fetch(
    county: County,
    world: World,
    society: SocietyWorld,
    method: str,
    rule: str,
    query: dict[str, str],
) -> Any:
    """The clerk's request for one file (an upload carries a small book or bank statement);
    a society's year is 2024, the one distributed."""
    path = concrete(rule.replace("<int:year>", "2024"), world, society)
    if method == "GET":
        return county.get("clerk", path, status=None, **query)
    url = f"{path}?format={query['format']}"
    if rule.endswith("/bank"):
        return post(county, "clerk", url, table_xlsx(BANK, [STATEMENT]))
    return post(county, "clerk", url, table_xlsx(BOOK, [["2007-04-01", "", "拨入", "20000.00"]]))


def file_names(header: str) -> tuple[str, str, str]:
    """(disposition, filename, decoded filename*) of a Content-Disposition, parsed strictly."""
    match = re.fullmatch(
        r"(attachment|inline); filename=\"([ !#-\[\]-~]*)\"; filename\*=UTF-8''([A-Za-z0-9%._~-]+)",
        header,
    )
    assert match, header
    return match[1], match[2], unquote(match[3], errors="strict")


def test_every_download_route_has_a_row(api_app):
    files = {
        rule.rule
        for rule in api_app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1") and rule.rule.endswith((".pdf", ".xlsx"))
    }
    listed = {rule for _, rule, _ in DOWNLOADS}
    assert files - listed == set(), "download routes without a row in DOWNLOADS"


@pytest.mark.parametrize(("method", "rule", "query"), CASES)
def test_each_file_arrives_whole_and_named(
    county: County, world: World, society: SocietyWorld, method, rule, query
):
    response = fetch(county, world, society, method, rule, query)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    kind = "pdf" if response.mimetype == "application/pdf" else "xlsx"
    assert kind == query.get("format", rule.rsplit(".", 1)[-1])
    body = response.get_data()
    assert body.startswith(MAGIC[kind]) and len(body) > 1000
    assert response.content_length == len(body)
    assert response.headers["Cache-Control"] == "no-store"  # ID and phone numbers inside
    disposition, ascii_file, chinese = file_names(response.headers["Content-Disposition"])
    assert disposition == ("inline" if "/reports/" in rule else "attachment")
    assert ascii_file.endswith(f".{kind}") and chinese.endswith(f".{kind}")
    assert re.search(r"[\u4e00-\u9fff]", chinese), chinese  # the name a clerk reads
    if "<voucher>" in rule:
        assert world.voucher in chinese and world.voucher.replace("记", "_") in ascii_file


@pytest.mark.parametrize(("method", "rule", "query"), PDF_CASES)
def test_without_the_font_a_pdf_is_a_503_naming_the_package(
    county: County, world: World, society: SocietyWorld, monkeypatch, tmp_path, method, rule, query
):
    monkeypatch.setenv(ENV, str(tmp_path / "wqy-zenhei.ttc"))
    response = fetch(county, world, society, method, rule, query)
    body = assert_problem(response, 503, "pdf-font-missing")
    assert body["missing"] == "fonts-wqy-zenhei"
    assert "fonts-wqy-zenhei" in body["detail"] and "fonts-wqy-zenhei" in body["detail_en"]
    assert "字体" in body["title"] and "font" in body["title_en"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("PPM2007-fund-statement-2008-12-31.pdf", "PPM2007-fund-statement-2008-12-31.pdf"),
        ("F-voucher-记-2008-04-0001.pdf", "F-voucher-_-2008-04-0001.pdf"),
        ('a"b\\c\r\n.xlsx', "a_b_c__.xlsx"),
        ("Müller-café.pdf", "Muller-cafe.pdf"),
    ],
)
def test_the_ascii_name_is_printable_and_quotable(name, expected):
    assert ascii_name(name) == expected


def test_the_chinese_name_is_percent_encoded_utf8():
    header = content_disposition("F-voucher-x.pdf", "F-记账凭证 1/2.pdf", inline=True)
    assert header == (
        "inline; filename=\"F-voucher-x.pdf\"; filename*=UTF-8''"
        "F-%E8%AE%B0%E8%B4%A6%E5%87%AD%E8%AF%81%201%2F2.pdf"
    )
    header.encode("latin-1")  # what an HTTP header can carry
    assert file_names(header) == ("inline", "F-voucher-x.pdf", "F-记账凭证 1/2.pdf")
