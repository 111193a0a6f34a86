"""Plans over HTTP: record, revise, read as of a date, and plan against actual (also as XLSX)."""

from __future__ import annotations

from decimal import Decimal

from tests.api.conftest import assert_problem
from tests.api.programme import TOWN_A, TOWN_B, County, household, lend, new_fund, set_up
from tests.api.test_exports import sheet_of


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
    empty = county.post("clerk", f"{f}/plans", {**PLAN, "lines": []}, status=None)
    [error] = assert_problem(empty, 422, "invalid-input")["errors"]
    assert (error["field"], error["message_zh"]) == (
        "lines",
        "规划至少应有一行:某年某乡镇某批次的户数和金额。",
    )
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


def test_plan_against_actual_as_a_workbook_holds_the_reads_figures(county: County):
    _, f = new_fund(county, "P")
    liaisons = set_up(county, f)
    for town, name, liaison in ((TOWN_A, "周勤", "a"), (TOWN_B, "吴兰", "b")):
        lend(
            county,
            f,
            household_id=household(county, f, town, name),
            liaison=liaisons[liaison],
            amount="2500.00",
            schedule=[("2008-04-01", "2500.00")],
        )
    county.create("clerk", f"{f}/plans", PLAN)
    query = {"year": 2007, "as_of": "2007-12-31"}
    report = county.json("clerk", f"{f}/plan-against-actual", **query)
    sheet = sheet_of(county, "clerk", f"{f}/exports/plan-against-actual.xlsx", **query)
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    batch_a, town_a, batch_b, town_b, total = rows
    assert (batch_a[0], batch_a[1], town_a[1], total[0]) == ("但家庙镇", "第一批", "小计", "合计")

    def figures(row) -> list:
        return [
            Decimal(str(value)) if isinstance(value, float) else value
            for value in (*row[2:10], row[10])
        ]

    def expected(row) -> list:
        out = []
        for kind in ("planned", "registered", "approved", "disbursed"):
            out += [row[kind]["households"], Decimal(row[kind]["amount"])]
        share = row["disbursed_share"]
        return [*out, None if share is None else Decimal(share)]

    for got, want in (
        (batch_a, report["rows"][0]),
        (town_a, report["townships"][0]),
        (batch_b, report["rows"][1]),
        (town_b, report["townships"][1]),
        (total, report["total"]),
    ):
        assert figures(got) == expected(want)
    assert figures(total)[:2] == [3, Decimal("9000.00")]
    assert figures(total)[6:9] == [2, Decimal("5000.00"), Decimal("55.56")]
    mine = sheet_of(county, "township_b", f"{f}/exports/plan-against-actual.xlsx", **query)
    assert [r[0] for r in mine.iter_rows(min_row=2, values_only=True)] == [
        "衡山镇",
        "衡山镇",
        "合计",
    ]
