"""The big lists paged by cursor: ``after`` in, ``Link: <...>; rel="next"`` out.

Loans, households and journals; the loan list is the one checked in depth.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from ledger.read.listing import encode_cursor
from tests.api.conftest import assert_problem
from tests.api.programme import TOWN_A, TOWN_B, County, household, new_fund, set_up


def register(county: County, f: str, town: str) -> str:
    body = {
        "household": household(county, f, town, "孙五"),
        "batch": "1",
        "project_type": "fish",
        "project": "鱼塘",
        "requested_amount": "4000.00",
        "date": "2007-06-01",
    }
    return county.create("clerk", f"{f}/loans", body)["registration_no"]


@pytest.fixture(scope="module")
def book(county: County) -> tuple[str, dict[str, list[str]]]:
    """A fund with loans in both townships (registered, not lent: the list holds them too)."""
    _, f = new_fund(county, "P")
    set_up(county, f)
    loans = {town: [register(county, f, town) for _ in range(4)] for town in (TOWN_B, TOWN_A)}
    return f, loans


def next_after(response, per_page: int = 3) -> str | None:
    """The cursor of the Link header's next page, if there is one."""
    link = response.headers.get("Link")
    if link is None:
        return None
    url = re.fullmatch(r'<([^>]+)>; rel="next"', link)
    assert url is not None, link
    query = parse_qs(urlsplit(url[1]).query)
    assert "page" not in query and query["per_page"] == [str(per_page)]
    return query["after"][0]


def walk(
    county: County, who: str, url: str, between=None, key="registration_no", per_page=3
) -> list:
    """Every page, following the next links; `between` runs after the first page."""
    seen, after = [], None
    while True:
        cursor = {"after": after} if after else {}
        response = county.get(who, url, per_page=per_page, **cursor)
        seen += [row[key] for row in response.get_json()]
        after = next_after(response, per_page)
        if after is None:
            return seen
        if between is not None:
            between()
            between = None


def test_following_the_links_visits_every_loan_once_in_order(county, book):
    f, loans = book
    url = f"{f}/loans"
    everything = sorted(loans[TOWN_A]) + sorted(loans[TOWN_B])
    assert walk(county, "clerk", url) == everything
    first = county.get("clerk", url, per_page=3)
    assert first.headers["X-Total-Count"] == "8"
    last = county.get("clerk", url, per_page=3, after=encode_cursor((TOWN_B, loans[TOWN_B][-2])))
    assert [r["registration_no"] for r in last.get_json()] == [loans[TOWN_B][-1]]
    assert "Link" not in last.headers and last.headers["X-Total-Count"] == "8"
    # The old way still pages the same list.
    assert [r["registration_no"] for r in county.json("clerk", url, per_page=3, page=2)] == (
        everything[3:6]
    )
    assert next_after(county.get("clerk", url, per_page=3, page=2)) == encode_cursor(
        (TOWN_B, everything[5])
    )


def test_a_loan_added_between_pages_is_listed_once(county):
    _, f = new_fund(county, "Q")
    set_up(county, f)
    before = [register(county, f, town) for town in (TOWN_A,) * 4 + (TOWN_B,) * 2]
    added: list[str] = []
    seen = walk(county, "clerk", f"{f}/loans", lambda: added.append(register(county, f, TOWN_A)))
    # The first page ends inside township A; the new loan is that township's next
    # number, so it sorts after the page: listed once, and nothing shown twice.
    assert seen == [*before[:4], *added, *before[4:]]
    assert len(added) == 1 and len(set(seen)) == len(seen)


def test_a_township_officer_pages_through_their_own_loans_only(county, book):
    f, loans = book
    assert walk(county, "township_b", f"{f}/loans") == sorted(loans[TOWN_B])
    # A cursor into another township's loans shows nothing of them.
    elsewhere = encode_cursor((TOWN_A, ""))
    rows = county.json("township_b", f"{f}/loans", per_page=3, after=elsewhere)
    assert {r["township"] for r in rows} == {TOWN_B}


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor!",
        "e30",  # {}
        encode_cursor(("340123001",)),
        encode_cursor((1, 2)),
        encode_cursor(("340123001", "1-340123001-0001", "extra")),
        "%ff%fe",
    ],
)
def test_a_bad_cursor_is_a_400_in_both_languages(county, book, cursor):
    f, _ = book
    body = assert_problem(
        county.get("clerk", f"{f}/loans", status=None, after=cursor), 400, "bad-cursor"
    )
    assert body["title"] == "分页游标无效" and body["title_en"] == "Bad paging cursor"
    assert "after" in body["detail"] and "after" in body["detail_en"]


def test_a_cursor_too_long_is_refused_by_the_schema(county, book):
    f, _ = book
    response = county.get("clerk", f"{f}/loans", status=None, after="x" * 513)
    [error] = assert_problem(response, 422, "invalid-input")["errors"]
    assert (error["field"], error["location"]) == ("after", "query")


def test_the_cursor_and_the_link_header_are_documented(county):
    document = county.client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/funds/{f}/loans", "/api/v1/funds/{f}/aging"):
        operation = document["paths"][path]["get"]
        assert {"page", "per_page", "after"} <= {p["name"] for p in operation["parameters"]}
        headers = operation["responses"]["200"]["headers"]
        assert headers["Link"] == {"$ref": "#/components/headers/LINK_NEXT"}
        assert "400" in operation["responses"]
    aging = document["components"]["schemas"]["AgingOut"]["properties"]
    assert {"next", "overdue_loans", "loans"} <= set(aging)
    assert "rel" in document["components"]["headers"]["LINK_NEXT"]["description"]


def test_households_and_journals_are_paged_by_cursor_too(county, book):
    f, _ = book
    households = county.json("clerk", f"{f}/households", per_page=100)
    assert len(households) == 8
    assert walk(county, "clerk", f"{f}/households", key="id") == [h["id"] for h in households]
    assert set(walk(county, "township_b", f"{f}/households", key="id")) == {
        h["id"] for h in households if h["township"] == TOWN_B
    }
    vouchers = [j["voucher"] for j in county.json("clerk", f"{f}/journals", per_page=100)]
    assert len(vouchers) == 3  # the appropriation and two allocations
    assert walk(county, "clerk", f"{f}/journals", key="voucher", per_page=1) == vouchers
    bad = county.get("clerk", f"{f}/journals", status=None, after=encode_cursor(("2007-03",)))
    assert_problem(bad, 400, "bad-cursor")
