"""``/api/v1/counties`` and a fund's county (SPEC §12): the administrator adds counties
of their region, opens funds in them, and lists only what the region holds."""

from __future__ import annotations

import random

from sqlalchemy import func, select

from ledger.models import AuditRecord
from tests.api.conftest import assert_problem
from tests.api.programme import County, World
from tests.api.roles import COUNTY_A, COUNTY_B, PROVINCE


def unused_code(county: County, region: str) -> str:
    taken = {row["code"] for row in county.json("install_admin", "/api/v1/counties", per_page=500)}
    while True:
        code = f"{region}{random.randrange(10 ** (6 - len(region))):0{6 - len(region)}d}"
        if code not in taken:
            return code


#: A city of the province that no other test's region reads: a county added under city
#: 3401 would join the city's overview that tests/api/test_regions.py pins (it did, 1 run in 100).
UNREAD_CITY = f"{PROVINCE}98"


def test_the_administrator_adds_and_lists_counties(api_app, county: County):
    code = unused_code(county, UNREAD_CITY)
    added = county.create("install_admin", "/api/v1/counties", {"code": code, "name": "新县"})
    assert (added["code"], added["name"], added["created_by"]) == (
        code,
        "新县",
        county.name("install_admin"),
    )
    with api_app.extensions["ledger_db"].read() as session:
        audited = select(func.count()).where(
            AuditRecord.target == f"county:{code}",
            AuditRecord.actor == county.name("install_admin"),
        )
        assert session.scalar(audited) == 1
    listed = [row["code"] for row in county.json("install_admin", "/api/v1/counties", per_page=500)]
    assert {COUNTY_A, COUNTY_B, code} <= set(listed) and listed == sorted(listed)
    again = county.post(
        "install_admin", "/api/v1/counties", {"code": code, "name": "又一个"}, status=409
    )
    assert assert_problem(again, 409, "duplicate")["errors"][0]["field"] == "code"


def test_a_bad_county_is_refused_naming_the_field_in_chinese_and_english(county: County):
    for body, field in (
        ({"code": "34012", "name": "某县"}, "code"),
        ({"code": "34012x", "name": "某县"}, "code"),
        ({"code": 340123, "name": "某县"}, "code"),
        ({"code": "340199"}, "name"),
        ({"code": "340199", "name": ""}, "name"),
    ):
        refused = county.post("install_admin", "/api/v1/counties", body, status=None)
        errors = assert_problem(refused, 422, "invalid-input")["errors"]
        assert [error["field"] for error in errors] == [field], body
        assert errors[0]["message_zh"] and errors[0]["message_en"]
    six = county.post(
        "install_admin", "/api/v1/counties", {"code": "3401", "name": "x"}, status=None
    )
    message = assert_problem(six, 422, "invalid-input")["errors"][0]
    assert "6 位数字" in message["message_zh"] and "6 digits" in message["message_en"]


def test_a_countys_administrator_sees_and_adds_only_its_own(county: County, world: World):
    mine = [row["code"] for row in county.json("b_admin", "/api/v1/counties")]
    assert mine == [COUNTY_B]
    outside = county.post(
        "b_admin", "/api/v1/counties", {"code": unused_code(county, "41"), "name": "x"}, None
    )
    assert assert_problem(outside, 422, "invalid-field")["errors"][0]["field"] == "code"
    # county A's fund is not in county B's administrator's list, and its county is not theirs
    funds = county.json("b_admin", "/api/v1/funds", per_page=500)
    assert world.code not in [fund["code"] for fund in funds]
    assert {fund["county"] for fund in funds} <= {COUNTY_B}
    into_a = county.post(
        "b_admin", "/api/v1/funds", {"code": "INTO-A", "name": "x", "county": COUNTY_A}, None
    )
    assert assert_problem(into_a, 404, "county-not-found")["errors"][0]["field"] == "county"


def test_a_fund_is_opened_in_a_county_and_seen_by_that_countys_people_only(county: County):
    code = f"B{random.randrange(10**9)}"
    opened = county.create(
        "b_admin", "/api/v1/funds", {"code": code, "name": "乙县基金", "county": COUNTY_B}
    )
    assert opened["county"] == COUNTY_B
    settings = f"/api/v1/funds/{code}/settings"
    for who in ("b_clerk", "b_leader", "b_auditor", "province_auditor", "province_leader"):
        county.get(who, settings)
    for who in ("clerk", "leader", "auditor", "city_a_leader", "city_a_auditor"):
        assert_problem(county.get(who, settings, status=404), 404, "fund-not-found")
    everywhere = county.json("install_admin", "/api/v1/funds", per_page=500)
    assert code in [fund["code"] for fund in everywhere]
    assert code not in [
        fund["code"] for fund in county.json("admin", "/api/v1/funds", per_page=500)
    ]
