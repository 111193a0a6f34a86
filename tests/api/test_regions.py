"""``/api/v1/regions/<r>``: the counties side by side over HTTP, each row its funds' own
summaries summed, the totals the rows summed; a county's people see their county only."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ledger.read.rates import recovery_rate
from tests.api.conftest import assert_problem
from tests.api.programme import County, World
from tests.api.roles import CITY_A, COUNTY_A, COUNTY_B, PROVINCE
from tests.reports import pdf

#: The overview's columns and the fund summary's figure each is summed from.
COLUMNS = {
    "appropriated": "capital",
    "disbursed": "disbursed_to_date",
    "recovered": "recovered",
    "outstanding": "outstanding",
    "overdue": "overdue_amount",
    "written_off": "written_off",
}
MONEY = list(COLUMNS)


def funds_by_county(county: County) -> dict[str, list[str]]:
    """Every revolving fund's code by county, as the install's administrator lists them
    (a village society is another programme, in no county's 周转金 figures)."""
    out: dict[str, list[str]] = {}
    page = 1
    while True:
        listed = county.get("install_admin", "/api/v1/funds", page=page, per_page=100)
        for row in listed.get_json():
            if row["kind"] == "revolving":
                out.setdefault(row["county"], []).append(row["code"])
        if page * 100 >= int(listed.headers["X-Total-Count"]):
            return out
        page += 1


@pytest.mark.parametrize("as_of", ["2007-12-31", "2008-07-21", None])
def test_each_county_is_its_funds_summaries_summed(county: County, world: World, as_of):
    query = {} if as_of is None else {"as_of": as_of}
    seen = county.json("province_leader", f"/api/v1/regions/{PROVINCE}/overview", **query)
    assert seen["region"] == PROVINCE
    rows = {row["county"]: row for row in seen["counties"]}
    assert {COUNTY_A, COUNTY_B} <= set(rows) and all(c.startswith(PROVINCE) for c in rows)
    funds = funds_by_county(county)
    assert world.code in funds[COUNTY_A]
    for code, row in rows.items():
        summaries = [
            county.json("province_leader", f"/api/v1/funds/{f}/summary", as_of=seen["as_of"])
            for f in funds.get(code, [])
        ]
        assert row["funds"] == len(summaries)
        for column, figure in COLUMNS.items():
            want = sum((Decimal(s[figure]) for s in summaries), Decimal("0.00"))
            assert row[column] == f"{want:.2f}", (code, column)
    for column in MONEY:
        want = sum((Decimal(r[column]) for r in rows.values()), Decimal("0.00"))
        assert seen["totals"][column] == f"{want:.2f}", column
    totals = {k: Decimal(seen["totals"][k]) for k in MONEY}
    recovered, overdue = totals["recovered"], totals["overdue"]
    rate = recovery_rate(recovered, overdue)  # of the sums, not a mean of the rows' rates
    assert seen["totals"]["recovery_rate"] == (None if rate is None else str(rate))
    if as_of != "2007-12-31":  # by then, money lent and due: the figures are not all zero
        assert totals["disbursed"] > 0 and totals["appropriated"] > 0


def test_a_citys_leader_sees_the_citys_counties_only(county: County, world: World):
    seen = county.json("city_a_leader", f"/api/v1/regions/{CITY_A}/overview")
    assert {row["county"] for row in seen["counties"]} == {COUNTY_A}
    county.get("city_a_leader", f"/api/v1/regions/{PROVINCE}/overview", status=404)


@pytest.mark.parametrize("region", [COUNTY_A, CITY_A, PROVINCE, "3499"])
def test_county_bs_people_get_404_outside_their_county(county: County, world: World, region):
    response = county.get("b_leader", f"/api/v1/regions/{region}/overview", status=None)
    body = assert_problem(response, 404, "region-not-found")
    assert COUNTY_A not in response.get_data(as_text=True) or region == COUNTY_A
    assert body["detail_en"] == f"region {region} does not exist"
    assert (
        county.json("b_leader", f"/api/v1/regions/{COUNTY_B}/overview")["counties"][0]["county"]
        == COUNTY_B
    )


def test_a_malformed_region_is_422_naming_it(county: County, world: World):
    response = county.get("province_leader", "/api/v1/regions/341/overview", status=None)
    body = assert_problem(response, 422, "invalid-field")
    assert body["errors"][0]["field"] == "region"
    bad_date = county.get(
        "province_leader", f"/api/v1/regions/{PROVINCE}/overview", status=422, as_of="2008-13-01"
    )
    assert bad_date.mimetype == "application/problem+json"


def test_the_statement_pdf_prints_the_counties_and_the_totals(county: County, world: World):
    seen = county.json("province_auditor", f"/api/v1/regions/{PROVINCE}/overview")
    response = county.get("province_auditor", f"/api/v1/regions/{PROVINCE}/reports/statement.pdf")
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('inline; filename="region-34-statement-')
    assert "filename*=UTF-8''34-%E5%90%84%E5%8C%BA%E5%8E%BF" in disposition
    text = pdf.squeezed(response.data)
    assert "甲县" in text and "乙县" in text
    for column in ("appropriated", "disbursed", "outstanding"):
        assert f"{Decimal(seen['totals'][column]):,.2f}" in text, column
