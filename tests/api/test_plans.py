"""Plans over HTTP: record, revise, read as of a date, and plan against actual."""

from __future__ import annotations

from tests.api.conftest import assert_problem
from tests.api.programme import TOWN_A, TOWN_B, County, household, lend, new_fund, set_up


def line(year=2007, township=TOWN_A, households=2, amount="6000.00"):
    return {
        "year": year,
        "township": township,
        "batch": "1",
        "households": households,
        "amount": amount,
    }


PLAN = {
    "first_year": 2007,
    "last_year": 2009,
    "name": "农村贫困党员脱贫工程三年规划",
    "reason": "县委《关于实施农村贫困党员脱贫工程的意见》",
    "date": "2007-03-10",
    "lines": [line(), line(township=TOWN_B, households=1, amount="3000.00")],
}


def test_a_plan_is_recorded_revised_and_compared_with_the_loans(county: County):
    _, f = new_fund(county, "P")
    liaisons = set_up(county, f)
    home = household(county, f, TOWN_A, "周勤")
    lend(
        county,
        f,
        household_id=home,
        liaison=liaisons["a"],
        amount="3000.00",
        schedule=[("2008-04-01", "3000.00")],
    )
    made = county.create("clerk", f"{f}/plans", PLAN)
    assert (made["version"]["version"], made["version"]["date"]) == (1, "2007-03-10")
    assert made["lines"][0] == {
        "year": 2007,
        "township": TOWN_A,
        "township_name": "但家庙镇",
        "batch": "1",
        "households": 2,
        "amount": "6000.00",
    }
    revised = county.create(
        "clerk",
        f"{f}/plans/revisions",
        {
            "first_year": 2007,
            "reason": "增加扶持户",
            "date": "2007-06-01",
            "lines": [line(households=4, amount="12000.00")],
        },
    )
    assert [v["version"] for v in revised["versions"]] == [1, 2]
    [old] = county.json("leader", f"{f}/plans", as_of="2007-05-31")
    assert old["version"]["version"] == 1 and len(old["lines"]) == 2
    assert county.json("township_b", f"{f}/plans")[0]["lines"] == []

    got = county.json("clerk", f"{f}/plan-against-actual", year=2007, as_of="2007-12-31")
    assert (got["plan_first_year"], got["plan_version"]) == (2007, 2)
    [row] = got["rows"]
    assert (row["township"], row["batch"], row["disbursed_share"]) == (TOWN_A, "1", "25.00")
    assert row["planned"] == {"households": 4, "amount": "12000.00"}
    assert row["disbursed"] == {"households": 1, "amount": "3000.00"}
    assert got["total"]["batch"] is None and got["total"]["township_name"] == "合计"
    mine = county.json("township_b", f"{f}/plan-against-actual", year=2007, as_of="2007-12-31")
    assert mine["rows"] == [] and mine["total"]["planned"]["households"] == 0


def test_what_a_plan_refuses(county: County):
    _, f = new_fund(county, "P")
    set_up(county, f)
    outside = county.post("clerk", f"{f}/plans", {**PLAN, "lines": [line(year=2010)]}, status=None)
    assert assert_problem(outside, 422, "year-outside-plan")["errors"][0]["field"] == (
        "lines[0].year"
    )
    unknown = county.post(
        "clerk", f"{f}/plans", {**PLAN, "lines": [line(township="340123999")]}, status=None
    )
    assert assert_problem(unknown, 404, "record-not-found")["errors"][0]["field"] == (
        "lines[0].township"
    )
    not_exact = county.post(
        "clerk", f"{f}/plans", {**PLAN, "lines": [line(amount="1.001")]}, status=None
    )
    assert_problem(not_exact, 422, "invalid-input")  # the schema refuses it
    assert county.json("clerk", f"{f}/plans") == []
    county.create("clerk", f"{f}/plans", PLAN)
    later = {**PLAN, "first_year": 2008, "last_year": 2010, "lines": [line(year=2008)]}
    again = county.post("clerk", f"{f}/plans", later, status=None)
    assert_problem(again, 409, "plans-overlap")
    same = county.post(
        "clerk",
        f"{f}/plans/revisions",
        {"first_year": 2007, "reason": "无变化", "date": "2007-06-01", "lines": PLAN["lines"]},
        status=None,
    )
    assert_problem(same, 422, "plan-unchanged")
