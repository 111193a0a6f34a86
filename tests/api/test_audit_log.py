"""The audit log over HTTP (审计日志, SPEC §12): paged by sequence, filtered, confined."""

from __future__ import annotations

import random
import re
from datetime import date, datetime, timedelta

from ledger.dates import CST
from tests.api.conftest import assert_problem
from tests.api.programme import County, World
from tests.api.roles import COUNTY_B


def follow(county: County, who: str, url: str, **params) -> tuple[list[dict], list[str]]:
    """Every record, following the Link headers from the first page; and each page's total."""
    found, totals = [], []
    response = county.get(who, url, **params)
    while True:
        found += response.get_json()
        totals.append(response.headers["X-Total-Count"])
        link = response.headers.get("Link")
        if link is None:
            return found, totals
        next_url = re.fullmatch(r'<([^>]+)>; rel="next"', link).group(1)
        response = county.client.get(next_url, headers=county.headers(who))
        assert response.status_code == 200, response.get_data(as_text=True)


def cst_day(at: str) -> date:
    return datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone(CST).date()


def test_the_log_is_the_chain_in_order_paged_by_sequence(county: County, world: World):
    url = f"{world.f}/audit"
    everything = county.get("auditor", url, per_page=500)
    records = everything.get_json()
    assert everything.headers["X-Total-Count"] == str(len(records)) and len(records) > 10
    assert "Link" not in everything.headers
    assert [r["sequence"] for r in records] == list(range(1, len(records) + 1))
    first = records[0]
    assert set(first) == {"sequence", "at", "actor", "action", "what", "from", "hash"}
    assert first["actor"] == {"login": county.name("clerk"), "role": "clerk"}
    assert first["action"] == f"POST /api/v1/funds/{world.code}/townships"
    assert re.fullmatch(r"[0-9a-f]{64}", first["hash"])
    assert len({r["hash"] for r in records}) == len(records)
    assert all(r["action"].startswith(("POST", "PATCH", "DELETE")) for r in records)
    # Three at a time, by the Link header: the same records, none twice, the total each time.
    paged, totals = follow(county, "auditor", url, per_page=3)
    assert paged == records and set(totals) == {str(len(records))}
    # The fund's leader and the province's auditor read the same.
    assert county.json("leader", url, per_page=500) == records
    assert county.json("province_auditor", url, per_page=500) == records


def test_the_log_filtered_by_user_and_day(county: County, world: World):
    url = f"{world.f}/audit"
    records = county.json("auditor", url, per_page=500)
    clerk = county.name("clerk")
    theirs, totals = follow(county, "auditor", url, per_page=4, actor=clerk)
    assert theirs == [r for r in records if r["actor"]["login"] == clerk]
    assert set(totals) == {str(len(theirs))}
    assert county.get("auditor", url, actor="nobody").headers["X-Total-Count"] == "0"
    day = cst_day(records[0]["at"])
    on_day = [r for r in records if cst_day(r["at"]) == day]
    assert county.json("auditor", url, per_page=500, **{"from": day, "to": day}) == on_day
    before = county.get("auditor", url, to=day - timedelta(days=1))
    assert before.get_json() == [] and before.headers["X-Total-Count"] == "0"


def test_bad_filters_are_refused_naming_the_field(county: County, world: World):
    url = f"{world.f}/audit"
    backwards = county.get("auditor", url, status=422, **{"from": "2030-01-02", "to": "2030-01-01"})
    assert assert_problem(backwards, 422, "invalid-field")["errors"][0]["field"] == "from"
    for params, field in (
        ({"actor": "x" * 65}, "actor"),
        ({"to": "2030-02-30"}, "to"),
        ({"after": "not-a-cursor"}, "after"),
    ):
        answer = county.get("auditor", url, status=None, **params)
        assert answer.status_code in (400, 422), params
        assert field in answer.get_data(as_text=True), params


def test_only_auditors_and_the_countys_own_leader_read_it(county: County, world: World):
    url = f"{world.f}/audit"
    for who in ("clerk", "approver", "admin", "township_a"):
        assert_problem(county.get(who, url, status=403), 403, "role-not-permitted")
    for who in ("city_a_leader", "province_leader"):
        refused = assert_problem(county.get(who, url, status=403), 403, "role-not-allowed")
        assert "审计人员" in refused["detail"] and "auditors" in refused["detail_en"]
    county.get("city_a_auditor", url)


def test_each_county_reads_its_own_log_only_both_ways(county: County, world: World):
    code = f"B{random.randrange(10**9)}"
    county.create(
        "b_admin", "/api/v1/funds", {"code": code, "name": "乙县基金", "county": COUNTY_B}
    )
    b_url = f"/api/v1/funds/{code}/audit"
    county.create(
        "b_clerk", f"/api/v1/funds/{code}/townships", {"code": f"{COUNTY_B}001", "name": "乙镇"}
    )
    (record,) = county.json("b_auditor", b_url)
    assert record["actor"]["login"] == county.name("b_clerk") and code in record["action"]
    assert county.json("province_auditor", b_url) == [record]
    a_url = f"{world.f}/audit"
    for who, url in (
        ("auditor", b_url),
        ("leader", b_url),
        ("city_a_auditor", b_url),
        ("b_auditor", a_url),
        ("b_leader", a_url),
        ("city_b_auditor", a_url),
    ):
        assert_problem(county.get(who, url, status=404), 404, "fund-not-found")
    assert all(
        code not in r["action"] for r in county.json("province_auditor", a_url, per_page=500)
    )
