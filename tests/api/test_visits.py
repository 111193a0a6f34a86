"""Visits over HTTP: record a liaison's and a cadre's visit, the month's to-do list,
a liaison's year and the cadres' yearly minimum."""

from __future__ import annotations

from tests.api.conftest import assert_problem
from tests.api.programme import TOWN_A, TOWN_B, County, household, lend, new_fund, set_up


def test_visits_and_what_is_missing(county: County):
    _, f = new_fund(county, "V")
    liaisons = set_up(county, f)
    nos = [
        lend(
            county,
            f,
            household_id=household(county, f, town, name),
            liaison=liaisons[key],
            amount="2000.00",
            schedule=[("2008-04-01", "2000.00")],
        )
        for town, name, key in ((TOWN_A, "周勤", "a"), (TOWN_B, "邓为才", "b"))
    ]
    body = {
        "loan": nos[0],
        "liaison": liaisons["a"],
        "visited_on": "2007-05-03",
        "progress": "progressing",
        "funds_as_approved": True,
        "notes": "鱼苗已下塘",
    }
    made = county.create("township_a", f"{f}/visits", body)
    assert (made["kind"], made["loan"], made["liaison"], made["days"]) == (
        "liaison",
        nos[0],
        liaisons["a"],
        1,
    )
    elsewhere = county.post("township_b", f"{f}/visits", body, status=None)
    assert assert_problem(elsewhere, 404, "record-not-found")["errors"][0]["field"] == "loan"
    wrong = county.post(
        "clerk",
        f"{f}/visits",
        {**body, "liaison": liaisons["a2"], "visited_on": "2007-05-04"},
        status=None,
    )
    assert assert_problem(wrong, 422, "not-the-liaison")["errors"][0]["field"] == "liaison"
    early = county.post("clerk", f"{f}/visits", {**body, "visited_on": "2007-03-01"}, status=None)
    assert_problem(early, 422, "date-out-of-order")

    may = county.json("clerk", f"{f}/visits/missing", month="2007-05")
    assert (may["due"], may["done"]) == (2, 1)
    assert [m["registration_no"] for m in may["missing"]] == [nos[1]]
    assert county.json("township_a", f"{f}/visits/missing", month="2007-05")["missing"] == []
    year = county.json("clerk", f"{f}/liaisons/{liaisons['a']}/visits", year=2007)
    assert [(m["month"], m["done"]) for m in year["months"][3:6]] == [
        ("2007-04", 0),
        ("2007-05", 1),
        ("2007-06", 0),
    ]
    bad = county.get("clerk", f"{f}/visits/missing", status=None, month="2007-13")
    assert assert_problem(bad, 422, "invalid-field")["errors"][0]["field"] == "month"

    later = county.create("clerk", f"{f}/visits", {**body, "visited_on": "2007-06-02"})
    seen = county.json("township_a", f"{f}/loans/{nos[0]}/visits")
    assert [(v["visited_on"], v["id"]) for v in seen] == [
        ("2007-06-02", later["id"]),
        ("2007-05-03", made["id"]),
    ]
    assert (seen[1]["visitor"], seen[1]["progress"], seen[1]["notes"]) == (
        made["visitor"],
        "progressing",
        "鱼苗已下塘",
    )
    assert county.json("clerk", f"{f}/loans/{nos[1]}/visits") == []
    hidden = county.get("township_b", f"{f}/loans/{nos[0]}/visits", status=None)
    assert_problem(hidden, 404, "record-not-found")


def test_a_cadres_visits_against_the_yearly_minimum(county: County):
    _, f = new_fund(county, "V")
    set_up(county, f)
    home = household(county, f, TOWN_A, "金先长")
    for day, days in (("2007-03-01", 3), ("2007-09-01", 4)):
        county.create(
            "township_a",
            f"{f}/cadre-visits",
            {"household": home, "visitor": "区农牧局 陈伟", "visited_on": day, "days": days},
        )
    county.create(
        "clerk",
        f"{f}/cadre-visits",
        {"household": home, "visitor": "县林业局 方芳", "visited_on": "2007-05-01", "days": 2},
    )
    behind, cadre = county.json("leader", f"{f}/cadre-visits", year=2007)
    assert (behind["visitor"], behind["visits_short"], behind["days_short"]) == (
        "县林业局 方芳",
        1,
        5,
    )
    assert (cadre["visits"], cadre["days"], cadre["meets_minimum"]) == (2, 7, True)
    [one] = county.json("leader", f"{f}/cadre-visits", year=2007, visitor="区农牧局 陈伟")
    assert one == cadre
    assert county.json("township_b", f"{f}/cadre-visits", year=2007) == []
