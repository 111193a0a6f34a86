"""Funds: opened and listed by the administrator; their limits; grants to one fund."""

from __future__ import annotations

import uuid

from tests.api.conftest import assert_problem, bearer, enlist
from tests.api.programme import County, World, new_fund
from tests.api.roles import COUNTY_A


def test_the_administrator_opens_and_lists_funds(county: County):
    code, f = new_fund(county, "F")
    listed = county.get("admin", "/api/v1/funds", per_page=500)
    assert code in [fund["code"] for fund in listed.get_json()]
    assert int(listed.headers["X-Total-Count"]) >= 1
    again = county.post(
        "admin", "/api/v1/funds", {"code": code, "name": "又一个", "county": COUNTY_A}, status=409
    )
    assert again.get_json()["code"] == "duplicate"
    bad = county.post(
        "admin",
        "/api/v1/funds",
        {"code": "has space", "name": "x", "county": COUNTY_A},
        status=None,
    )
    assert assert_problem(bad, 422, "invalid-field")["errors"][0]["field"] == "code"
    # a new fund starts with the standard chart, all zero
    chart = county.json("clerk", f"{f}/accounts")
    assert [line["code"] for line in chart] == [
        "1001",
        "1011",
        "1101",
        "1102",
        "3001",
        "4001",
        "4002",
        "5001",
        "5002",
    ]
    assert {line["balance"] for line in chart} == {"0.00"}


def test_limits_are_settings_the_administrator_changes(county: County, world: World):
    url = f"{world.f}/settings"
    assert county.json("clerk", url) == {
        "max_loan": "50000.00",
        "max_term_months": 36,
        "deduction_cap": "0.2000",
        "fee_rate": "0.0000",
    }
    changed = county.client.patch(
        url, json={"max_term_months": 48, "deduction_cap": "0.25"}, headers=county.headers("admin")
    )
    assert changed.status_code == 200, changed.get_json()
    assert (changed.get_json()["max_term_months"], changed.get_json()["deduction_cap"]) == (
        48,
        "0.2500",
    )
    nothing = county.client.patch(url, json={}, headers=county.headers("admin"))
    assert_problem(nothing, 422, "invalid-input")
    too_high = county.client.patch(
        url, json={"deduction_cap": "2"}, headers=county.headers("admin")
    )
    assert assert_problem(too_high, 422, "invalid-field")["errors"][0]["field"] == "deduction_cap"
    county.client.patch(
        url, json={"max_term_months": 36, "deduction_cap": "0.2"}, headers=county.headers("admin")
    )


def test_an_unknown_fund_is_404(county: County):
    response = county.get("clerk", "/api/v1/funds/NO-SUCH-FUND/loans", status=None)
    assert_problem(response, 404, "fund-not-found")
    # before the body is looked at
    response = county.post("clerk", "/api/v1/funds/NO-SUCH-FUND/appropriations", {}, status=None)
    assert_problem(response, 404, "fund-not-found")


def test_a_user_granted_one_fund_sees_no_other(county: County, world: World, programme_db):
    other, _ = new_fund(county, "G")
    _, token = enlist(programme_db, "clerk", fund=other)
    mine = county.client.get(f"/api/v1/funds/{other}/loans", headers=bearer(token))
    assert mine.status_code == 200
    theirs = county.client.get(f"{world.f}/loans", headers=bearer(token))
    assert_problem(theirs, 404, "fund-not-found")
    write = county.client.post(
        f"{world.f}/appropriations",
        json={"date": "2007-05-01", "amount": "1.00", "source": "x"},
        headers=bearer(token),
    )
    assert_problem(write, 404, "fund-not-found")
    _, admin = enlist(programme_db, "admin", fund=other)
    listed = county.client.get("/api/v1/funds", headers=bearer(admin)).get_json()
    assert [fund["code"] for fund in listed] == [other]


def test_a_fund_opened_on_a_date_refuses_money_dated_before_it(county: County):
    code = f"O{uuid.uuid4().hex[:10]}"
    opened = county.post(
        "admin",
        "/api/v1/funds",
        {"code": code, "name": "二〇〇七年基金", "opened_on": "2007-03-01", "county": COUNTY_A},
    )
    assert opened.get_json()["opened_on"] == "2007-03-01"
    f = f"/api/v1/funds/{code}"
    money = {"amount": "100.00", "source": "county"}
    early = county.post(
        "clerk", f"{f}/appropriations", {**money, "date": "2007-02-28"}, status=None
    )
    problem = assert_problem(early, 422, "date-out-of-order")
    assert "2007-02-28" in problem["detail"] and "2007-03-01" in problem["detail"]
    county.post("clerk", f"{f}/appropriations", {**money, "date": "2007-03-01"})
    future = county.post(
        "admin",
        "/api/v1/funds",
        {"code": f"{code}x", "name": "x", "opened_on": "2999-01-01", "county": COUNTY_A},
        status=None,
    )
    assert assert_problem(future, 422, "date-in-future")["errors"][0]["field"] == "opened_on"
