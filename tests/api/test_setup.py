"""A fund's set-up: townships, project types, batches, liaisons, households.

Clerks write; everyone in the county reads; a township officer reads only
their own township's rows, and another township's record is a 404.
"""

from __future__ import annotations

from tests.api.conftest import assert_problem
from tests.api.programme import TOWN_A, TOWN_B, County, World
from tests.factories import make_id_number


def codes(rows: list[dict], key: str = "code") -> list:
    return [row[key] for row in rows]


def test_townships_and_what_each_officer_sees(county: County, world: World):
    url = f"{world.f}/townships"
    assert county.json("leader", url) == [
        {"code": TOWN_A, "name": "但家庙镇"},
        {"code": TOWN_B, "name": "衡山镇"},
    ]
    assert codes(county.json("township_a", url)) == [TOWN_A]
    assert codes(county.json("township_b", url)) == [TOWN_B]
    assert codes(county.json("clerk", url, township=TOWN_B)) == [TOWN_B]
    hidden = county.get("township_a", url, status=None, township=TOWN_B)
    assert_problem(hidden, 404, "not-found")
    again = county.post("clerk", url, {"code": TOWN_A, "name": "重复"}, status=409)
    assert again.get_json()["errors"][0]["field"] == "code"
    page = county.get("clerk", url, per_page=1, page=2)
    assert page.headers["X-Total-Count"] == "2" and codes(page.get_json()) == [TOWN_B]


def test_project_types_and_batches(county: County, world: World):
    types = county.json("township_a", f"{world.f}/project-types")
    assert [(t["code"], t["borrowing_standard"]) for t in types] == [
        ("fish", "5000.00"),
        ("pig", "3000.00"),
    ]
    over = county.post(
        "clerk",
        f"{world.f}/project-types",
        {"code": "tea", "name": "茶叶机", "borrowing_standard": "50000.01"},
        status=422,
    )
    assert over.get_json()["errors"][0]["field"] == "borrowing_standard"
    assert county.json("leader", f"{world.f}/batches") == [
        {"code": "1", "name": "第一批", "budget": "100000.00"}
    ]
    county.post(
        "clerk", f"{world.f}/batches", {"code": "1", "name": "x", "budget": "1.00"}, status=409
    )


def test_liaisons_by_township(county: County, world: World):
    url = f"{world.f}/liaisons"
    everyone = county.json("clerk", url)
    assert [(p["name"], p["township"]) for p in everyone] == [
        ("王明", TOWN_A),
        ("张华", TOWN_A),
        ("李强", TOWN_B),
    ]
    assert codes(county.json("township_b", url), "name") == ["李强"]
    assert codes(county.json("clerk", url, township=TOWN_A), "name") == ["王明", "张华"]
    unknown = county.post(
        "clerk",
        url,
        {"name": "某", "township": "340123999", "monthly_salary": "1000.00"},
        status=None,
    )
    assert assert_problem(unknown, 404, "record-not-found")["errors"][0]["field"] == "township"
    phone = county.post(
        "clerk",
        url,
        {"name": "某", "township": TOWN_A, "monthly_salary": "1000.00", "phone": "12345"},
        status=422,
    )
    assert phone.get_json()["errors"][0]["field"] == "phone"


def test_households_by_township_and_one_by_one(county: County, world: World):
    url = f"{world.f}/households"
    a = county.json("township_a", f"{url}/{world.household_a}")
    assert (a["name"], a["township"], a["party_member"]) == ("张三", TOWN_A, True)
    assert codes(county.json("township_a", url), "id") == [world.household_a]
    assert codes(county.json("clerk", url), "id") == [world.household_a, world.household_b]
    assert codes(county.json("clerk", url, id_number=a["id_number"].lower()), "id") == [
        world.household_a
    ]
    for who, household in (("township_b", world.household_a), ("clerk", 999_999)):
        assert_problem(county.get(who, f"{url}/{household}", status=None), 404, "record-not-found")
    assert_problem(county.get("township_a", url, status=None, township=TOWN_B), 404, "not-found")


def test_registering_a_household(county: County, world: World):
    url = f"{world.f}/households"
    body = {
        "name": "钱七",
        "id_number": "11010519491231002x",
        "township": TOWN_B,
        "village": "石门村",
        "party_member": False,
        "phone": "+8613712345678",
    }
    response = county.post("clerk", url, body)
    created = response.get_json()
    assert created["id_number"] == "11010519491231002X"  # lower-case x normalised
    assert created["phone"] == "13712345678" and created["party_member"] is False
    twice = county.post("clerk", url, {**body, "name": "钱八"}, status=409)
    assert twice.get_json()["errors"][0]["field"] == "id_number"
    county.post("township_b", url, {**body, "id_number": make_id_number()}, status=403)


def test_a_township_position_is_its_officers_and_the_countys(county: County, world: World):
    url = f"{world.f}/townships/{TOWN_B}/position"
    position = county.json("township_b", url)
    assert (position["allocated"], position["disbursed"], position["cash"]) == (
        "10000.00",
        "2000.00",
        "8000.00",
    )
    assert position["loans_outstanding"] == "2000.00" and position["balanced"] is True
    assert county.json("clerk", url, as_of="2007-04-01")["cash"] == "10000.00"
    assert_problem(county.get("township_a", url, status=None), 404, "record-not-found")


def test_a_liaisons_exposure(county: County, world: World):
    exposure = county.json("clerk", f"{world.f}/liaisons/{world.liaison_b}")
    assert (exposure["name"], exposure["exposure"], exposure["loans"]) == (
        "李强",
        "2000.00",
        [world.loan_b],
    )
    assert_problem(
        county.get("township_a", f"{world.f}/liaisons/{world.liaison_b}", status=None),
        404,
        "record-not-found",
    )
