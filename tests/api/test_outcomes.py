"""Outcomes over HTTP: the poverty line by effective date, incomes recorded by one
township officer and approved by another, each judged 贫困 / 脱贫 / 返贫 against
the line of its date, a township's incomes for a year, and the year's summary."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import assert_problem
from tests.api.programme import TOWN_A, TOWN_B, County, household, lend, new_fund, set_up


def _income(county: County, who: str, f: str, home: int, day: str, amount: str, **extra: Any):
    body = {"household": home, "kind": "year_end", "date": day, "income": amount, **extra}
    return county.post(who, f"{f}/incomes", body, status=None)


def _approved(county: County, f: str, made: Any, day: str) -> dict[str, Any]:
    assert made.status_code == 201, made.get_data(as_text=True)
    path = f"{f}/incomes/{made.get_json()['id']}/approval"
    return county.create("township_a2", path, {"date": day})


def test_incomes_against_the_line_of_their_date(county: County):
    _, f = new_fund(county, "O")
    liaisons = set_up(county, f)
    home = household(county, f, TOWN_A, "张三")
    never_lent = household(county, f, TOWN_A, "李花")
    home_b = household(county, f, TOWN_B, "李四")
    for who, owner in ((home, "a"), (home_b, "b")):
        lend(
            county,
            f,
            household_id=who,
            liaison=liaisons[owner],
            amount="2000.00",
            schedule=[("2009-04-01", "2000.00")],
        )

    first = county.create(
        "clerk", f"{f}/poverty-lines", {"effective_from": "2007-01-01", "amount": "1067.00"}
    )
    assert first == {
        "effective_from": "2007-01-01",
        "amount": "1067.00",
        "recorded_by": county.name("clerk"),
    }
    again = county.post(
        "clerk", f"{f}/poverty-lines", {"effective_from": "2007-01-01", "amount": "1100.00"}, None
    )
    assert_problem(again, 409, "duplicate")
    county.post(
        "township_a", f"{f}/poverty-lines", {"effective_from": "2008-01-01", "amount": "1.00"}, 403
    )
    county.create(
        "clerk", f"{f}/poverty-lines", {"effective_from": "2008-01-01", "amount": "1196.00"}
    )
    lines = county.json("township_b", f"{f}/poverty-lines")
    assert [(x["effective_from"], x["amount"]) for x in lines] == [
        ("2008-01-01", "1196.00"),
        ("2007-01-01", "1067.00"),
    ]

    registration = _income(
        county, "township_a", f, home, "2007-04-02", "800.00", kind="registration"
    )
    recorded = registration.get_json()
    assert (recorded["income"], recorded["status"], recorded["approved_by"]) == (
        "800.00",
        None,
        None,
    )
    own = county.post(
        "township_a", f"{f}/incomes/{recorded['id']}/approval", {"date": "2007-04-03"}, None
    )
    assert_problem(own, 403, "maker-is-checker")
    hidden = county.post(
        "township_b", f"{f}/incomes/{recorded['id']}/approval", {"date": "2007-04-03"}, None
    )
    assert_problem(hidden, 404, "record-not-found")
    approved = _approved(county, f, registration, "2007-04-03")
    assert (approved["status"], approved["approved_by"]) == ("poor", county.name("township_a2"))

    out = _approved(
        county,
        f,
        _income(county, "township_a", f, home, "2007-12-20", "1500.00", specialised=True),
        "2007-12-28",
    )
    assert (out["status"], out["specialised"], out["year"]) == ("out", True, 2007)
    back = _approved(
        county, f, _income(county, "township_a", f, home, "2008-12-20", "1100.00"), "2008-12-28"
    )
    assert back["status"] == "back"  # 1,100.00 is over 2007's line but under 2008's

    twice = _income(county, "township_a", f, home, "2007-12-30", "1600.00")
    assert assert_problem(twice, 409, "duplicate")["errors"][0]["field"] == "date"
    early = _income(county, "township_a", f, home, "2006-12-20", "700.00")
    assert_problem(early, 422, "before-registration")
    unlent = _income(county, "township_a", f, never_lent, "2007-12-20", "700.00")
    assert assert_problem(unlent, 409, "invalid-transition")["errors"][0]["field"] == "household"
    elsewhere = _income(county, "township_b", f, home, "2009-12-20", "700.00")
    assert assert_problem(elsewhere, 404, "record-not-found")["errors"][0]["field"] == "household"
    assert _income(county, "clerk", f, home, "2009-12-20", "700.00").status_code == 403
    waiting = _income(county, "township_b", f, home_b, "2007-12-20", "900.00").get_json()

    history = county.json("township_a", f"{f}/households/{home}/outcomes")
    assert [(x["kind"], x["year"], x["income"], x["line"], x["status"]) for x in history] == [
        ("registration", 2007, "800.00", "1067.00", "poor"),
        ("year_end", 2007, "1500.00", "1067.00", "out"),
        ("year_end", 2008, "1100.00", "1196.00", "back"),
    ]
    assert_problem(
        county.get("township_b", f"{f}/households/{home}/outcomes", status=None),
        404,
        "record-not-found",
    )

    year_2007 = county.json("leader", f"{f}/outcomes", year=2007)
    assert [
        (r["township"], r["households"], r["out"], r["back"], r["poor"], r["specialised"])
        for r in year_2007["rows"]
    ] == [(TOWN_A, 1, 1, 0, 0, 1)]  # township B's income is not approved yet
    year_2008 = county.json("clerk", f"{f}/outcomes", year=2008)
    assert (year_2008["total"]["households"], year_2008["total"]["back"]) == (1, 1)
    assert county.json("township_b", f"{f}/outcomes", year=2007)["rows"] == []

    own_town = county.json("township_a", f"{f}/townships/{TOWN_A}/incomes", year=2008)
    assert (own_town["name"], own_town["line"]) == ("但家庙镇", "1196.00")
    [row] = own_town["rows"]  # 李花 has no loan, so no outcomes to follow
    assert (row["name"], row["at_registration"]["income"], row["year_end"]["income"]) == (
        "张三",
        "800.00",
        "1100.00",
    )
    assert row["year_end"]["status"] == "back"
    town_b = county.json("township_b", f"{f}/townships/{TOWN_B}/incomes", year=2007)
    assert town_b["rows"][0]["year_end"]["id"] == waiting["id"]
    assert town_b["rows"][0]["year_end"]["status"] is None  # waiting for approval
    assert town_b["rows"][0]["at_registration"] is None
    assert_problem(
        county.get("township_b", f"{f}/townships/{TOWN_A}/incomes", status=None),
        404,
        "record-not-found",
    )
