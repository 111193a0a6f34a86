"""The county's societies over HTTP (SPEC §13): a county officer opens one with its place,
bank account and first 章程; the county's list puts them side by side with exact figures as
of a day, paged by cursor and confined to the reader's county; each refusal names its field."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.api.conftest import assert_problem
from tests.api.programme import County, join
from tests.api.roles import COUNTY_A
from tests.api.test_cursor_paging import walk
from tests.api.test_societies import RULES

SETTINGS = {k: v for k, v in RULES.items() if k != "effective_on"}


def opening(**change: Any) -> dict[str, Any]:
    body = {
        "fund": f"HZ{uuid.uuid4().hex[:8]}",
        "name": "胡家湾村扶贫互助社",
        "county": COUNTY_A,
        "village": "胡家湾村",
        "township": "但家庙镇",
        "bank": "农商银行但家庙支行",
        "bank_account": "6228 4801 2345 6789 012",
        "opened_on": "2024-01-01",
        "rules": SETTINGS,
    }
    return {**body, **change}


def listed(county: County, who: str, code: str, **query: Any) -> dict[str, Any] | None:
    """The society's row in `who`'s list, or None when the list does not hold it."""
    rows = county.json(who, "/api/v1/societies", per_page=500, **query)
    return next((row for row in rows if row["fund"] == code), None)


@pytest.fixture(scope="module")
def opened(county: County) -> dict[str, Any]:
    """A society opened by the administrator and run for a year: 100,000.00 of fiscal capital,
    a donation, three members (one poor, with an allocated share), a loan lent, partly repaid
    and then overdue."""
    body = opening()
    row = county.create("admin", "/api/v1/societies", body)
    s = f"/api/v1/societies/{body['fund']}"
    county.create("cashier", f"{s}/fiscal-capital", {"date": "2024-01-02", "amount": "100000.00"})
    county.create(
        "cashier", f"{s}/donations", {"date": "2024-01-03", "amount": "200.00", "donor": "乡贤"}
    )
    county.create("clerk", f"{s}/groups", {"code": "G1"})
    a = join(county, s, "王大", poor=True)
    b, c = join(county, s, "王二"), join(county, s, "王三")
    county.create(
        "clerk",
        f"{s}/members/{a}/shares",
        {"date": "2024-02-01", "amount": "1000.00", "allocated": True},
    )
    for member in (b, c):
        county.create(
            "cashier", f"{s}/members/{member}/shares", {"date": "2024-02-01", "amount": "500.00"}
        )
    no = county.create(
        "clerk",
        f"{s}/loans",
        {
            "member": a,
            "amount": "3000.00",
            "term_months": 6,
            "purpose": "养猪",
            "applied_on": "2024-02-05",
        },
    )["no"]
    county.create("clerk", f"{s}/loans/{no}/notice", {"date": "2024-02-05"})
    county.create("approver", f"{s}/loans/{no}/approval", {"date": "2024-02-10"})
    county.create("cashier", f"{s}/loans/{no}/disbursements", {"date": "2024-02-10"})
    # 30 days on 3000.00 at the first 章程's 5‰ a month: 15.00 of fee, then 1000.00.
    county.create(
        "cashier", f"{s}/loans/{no}/repayments", {"date": "2024-03-11", "amount": "1015.00"}
    )
    return {"code": body["fund"], "s": s, "row": row, "loan": no}


def test_an_officer_opens_a_society_with_its_place_account_and_first_rules(
    county: County, opened: dict[str, Any]
):
    row = opened["row"]
    assert {k: row[k] for k in ("fund", "county", "village", "township", "opened_on")} == {
        "fund": opened["code"],
        "county": COUNTY_A,
        "village": "胡家湾村",
        "township": "但家庙镇",
        "opened_on": "2024-01-01",
    }
    assert (row["fiscal_capital"], row["members"], row["bank"]) == ("0.00", 0, "0.00")
    # The 章程 given is the first version, from the opening day: no second version of defaults.
    [first] = county.json("leader", f"{opened['s']}/rules")
    assert (first["effective_on"], first["share_size"], first["loan_cap"]) == (
        "2024-01-01",
        "500.00",
        "3000.00",
    )
    assert (first["fee_rate_monthly"], first["notice_days"]) == ("0.005000", 5)
    assert first["recorded_by"] == county.name("admin")
    # Its book answers at the fund's URL like any fund's, with the society's chart.
    accounts = county.json("auditor", f"/api/v1/funds/{opened['code']}/accounts")
    assert {"1001", "1201", "3001", "3103"} <= {a["code"] for a in accounts}


def test_the_county_list_gives_each_societys_figures_as_of_a_day(
    county: County, opened: dict[str, Any]
):
    code = opened["code"]
    late = listed(county, "leader", code, as_of="2024-09-01", region=COUNTY_A)
    assert late is not None
    assert {k: v for k, v in late.items() if k not in ("name", "county_name")} == {
        "fund": code,
        "county": COUNTY_A,
        "village": "胡家湾村",
        "township": "但家庙镇",
        "opened_on": "2024-01-01",
        "fiscal_capital": "100000.00",
        "member_shares": "1000.00",
        "donations": "200.00",
        "reserves": "0.00",
        "members": 3,
        "poor_members": 1,
        "loans_outstanding": "2000.00",
        # Due 2024-08-10 and 2000.00 unpaid on 1 September.
        "overdue": "2000.00",
        "fee_income": "15.00",
        # 100000 + 200 + 1000 bought - 3000 lent + 1015 repaid.
        "bank": "99215.00",
    }
    # Before the payout nothing is lent; before the members joined there are none.
    early = listed(county, "auditor", code, as_of="2024-02-09")
    assert (early["loans_outstanding"], early["overdue"], early["members"]) == ("0.00", "0.00", 3)
    assert listed(county, "auditor", code, as_of="2024-01-31")["members"] == 0
    # The fee income is the year's to date: nothing accrued yet in 2025.
    assert listed(county, "leader", code, as_of="2025-03-01")["fee_income"] == "0.00"


def test_the_list_is_confined_to_the_readers_region_and_paged_by_cursor(
    county: County, opened: dict[str, Any]
):
    code = opened["code"]
    assert listed(county, "city_a_leader", code) is not None
    assert listed(county, "province_auditor", code) is not None
    # County B's people never see it, whatever region they ask for.
    assert listed(county, "b_leader", code) is None
    assert listed(county, "b_leader", code, region=COUNTY_A) is None
    assert listed(county, "leader", code, region="3402") is None
    # Following the Link headers shows every society once, in code order.
    whole = county.get("leader", "/api/v1/societies", per_page=500)
    codes = [row["fund"] for row in whole.get_json()]
    assert int(whole.headers["X-Total-Count"]) == len(codes) and code in codes
    assert walk(county, "leader", "/api/v1/societies", key="fund", per_page=2) == codes
    assert codes == sorted(codes)
    bad = county.get("leader", "/api/v1/societies", status=None, after="bm90LWEtY3Vyc29y")
    assert_problem(bad, 400, "bad-cursor")


def test_opening_is_the_officers_and_a_bad_body_opens_nothing(county: County):
    body = opening()
    assert_problem(
        county.post("clerk", "/api/v1/societies", body, status=None), 403, "role-not-permitted"
    )
    for change, field in (
        ({"bank_account": "62-28"}, "bank_account"),
        ({"rules": {**SETTINGS, "max_term_months": 0}}, "max_term_months"),
        (
            {"rules": {**SETTINGS, "distribution": {**SETTINGS["distribution"], "risk": "0.5"}}},
            "distribution",
        ),
    ):
        refused = county.post("admin", "/api/v1/societies", {**body, **change}, status=None)
        problem = assert_problem(refused, 422, "invalid-field")
        assert [e["field"] for e in problem["errors"]] == [field], problem
        assert listed(county, "leader", body["fund"]) is None
    wrong = county.post("admin", "/api/v1/societies", opening(county="34012"), status=None)
    assert [e["field"] for e in assert_problem(wrong, 422, "invalid-input")["errors"]] == ["county"]
    county.create("admin", "/api/v1/societies", body)
    again = county.post("admin", "/api/v1/societies", body, status=None)
    assert [e["field"] for e in assert_problem(again, 409, "duplicate")["errors"]] == ["fund"]
    # Without rules the society starts under the model 章程.
    plain = opening(rules=None)
    plain.pop("rules")
    county.create("admin", "/api/v1/societies", plain)
    [model] = county.json("leader", f"/api/v1/societies/{plain['fund']}/rules")
    assert (model["share_size"], model["loan_cap"], model["notice_days"]) == (
        "1000.00",
        "5000.00",
        7,
    )
