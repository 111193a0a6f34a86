"""Bad input is a 422 problem naming the field, and leaves the book as it was.

Amounts are strings with at most two decimals; numbers, exponents, NaN,
negatives, full-width digits and thousands separators are refused, never
rounded. Dates are ``YYYY-MM-DD`` and real. Unknown fields are refused, not
ignored; a missing field is named.
"""

from __future__ import annotations

import pytest

from tests.api.conftest import assert_problem
from tests.api.programme import TOWN_A, County, World
from tests.factories import audit_heads

GOOD = {"date": "2007-05-01", "amount": "100.00", "source": "county"}


def journal_count(county: County, world: World) -> int:
    return int(county.get("clerk", f"{world.f}/journals", per_page=1).headers["X-Total-Count"])


def audit_head(api_app) -> dict[str, tuple[int, str]]:
    """Every audit chain's head (the system's and each fund's)."""
    return audit_heads(api_app.extensions["ledger_db"])


def refused(county: County, path: str, body: object, field: str, who: str = "clerk") -> dict:
    response = county.post(who, path, body, status=None)
    problem = assert_problem(response, 422, "invalid-input")
    assert field in [error["field"] for error in problem["errors"]], problem["errors"]
    for error in problem["errors"]:
        assert error["message_zh"] and error["message_en"]
    return problem


@pytest.mark.parametrize(
    "amount",
    [
        100,
        100.5,
        "1e3",
        "0.001",
        "100.005",
        "NaN",
        "Infinity",
        "-5.00",
        "0.00",
        "１００.００",  # full-width digits
        "١٠٠",  # Arabic-Indic digits
        "1,000.00",
        " 100.00",
        "100.00 ",
        "+100.00",
        ".50",
        "",
        "99999999999999.99",
        "9" * 10_000,
        True,
        None,
        ["100.00"],
        {"amount": "100.00"},
    ],
)
def test_amounts_that_are_not_two_decimal_strings(county, world, api_app, amount):
    before, head = journal_count(county, world), audit_head(api_app)
    problem = refused(county, f"{world.f}/appropriations", {**GOOD, "amount": amount}, "amount")
    assert problem["errors"][0]["location"] == "json"
    assert journal_count(county, world) == before
    assert audit_head(api_app) == head


@pytest.mark.parametrize(
    "day",
    [
        "2007-02-30",
        "2007-02-29",
        "2007-13-01",
        "2007-00-10",
        "07-05-01",
        "2007/05/01",
        "2007-5-1",
        "２００７-05-01",
        "2007-05-01T00:00:00",
        20070501,
        "",
        None,
    ],
)
def test_dates_that_do_not_exist_or_are_not_iso(county, world, day):
    before = journal_count(county, world)
    refused(county, f"{world.f}/appropriations", {**GOOD, "date": day}, "date")
    assert journal_count(county, world) == before


@pytest.mark.parametrize("field", ["date", "amount", "source"])
def test_a_missing_field_is_named(county, world, field):
    before = journal_count(county, world)
    body = {k: v for k, v in GOOD.items() if k != field}
    problem = refused(county, f"{world.f}/appropriations", body, field)
    assert problem["errors"][0]["message_en"] == "Missing data for required field."
    assert journal_count(county, world) == before


def test_an_unknown_field_is_refused_not_ignored(county, world):
    before = journal_count(county, world)
    problem = refused(county, f"{world.f}/appropriations", {**GOOD, "amonut": "5.00"}, "amonut")
    assert problem["errors"][0]["message_en"] == "Unknown field."
    assert journal_count(county, world) == before


def test_every_problem_is_reported_at_once(county, world):
    problem = refused(
        county, f"{world.f}/allocations", {"date": "2007-02-30", "amount": 5, "extra": 1}, "date"
    )
    assert {e["field"] for e in problem["errors"]} == {"date", "amount", "township", "extra"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"approved_amount": "100.00", "schedule": []}, "schedule"),
        (
            {"approved_amount": "100.00", "schedule": [{"due_date": "2008-02-30", "amount": "1"}]},
            "schedule.0.due_date",
        ),
        (
            {"approved_amount": "100.00", "schedule": [{"due_date": "2008-01-01", "amount": 100}]},
            "schedule.0.amount",
        ),
        (
            {"approved_amount": "100.00", "schedule": [{"due_date": "2008-01-01"}]},
            "schedule.0.amount",
        ),
        ({"approved_amount": "100.00", "schedule": "2008-01-01:100.00"}, "schedule"),
    ],
)
def test_nested_schedule_errors_are_dotted(county, world, body, field):
    refused(county, f"{world.f}/loans/{world.loan_a}/approval", body, field)


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "households",
            {
                "name": "甲",
                "id_number": "110105194912310021",
                "township": TOWN_A,
                "village": "村",
                "party_member": "yes",
            },
            "party_member",
        ),
        (
            "households",
            {
                "name": "甲",
                "id_number": "1101051949123100",
                "township": TOWN_A,
                "village": "村",
                "party_member": True,
            },
            "id_number",
        ),
        ("townships", {"code": "３４０１２３００９", "name": "乡"}, "code"),
        (
            "loans",
            {
                "household": "1",
                "batch": "1",
                "project_type": "fish",
                "project": "x",
                "requested_amount": "100.00",
            },
            "household",
        ),
        (
            "loans",
            {
                "household": 1.5,
                "batch": "1",
                "project_type": "fish",
                "project": "x",
                "requested_amount": "100.00",
            },
            "household",
        ),
        ("write-offs", {"loan": "x", "amount": "1.00", "ground": "bad luck"}, "ground"),
        ("liaisons", {"name": "x" * 51, "township": TOWN_A, "monthly_salary": "1.00"}, "name"),
    ],
)
def test_syntax_errors_in_other_bodies(county, world, path, body, field):
    refused(county, f"{world.f}/{path}", body, field)


def test_a_rule_the_domain_checks_is_a_422_naming_the_field(county, world):
    """Syntax passes, semantics do not: the service names the field (GB 11643 check digit)."""
    response = county.post(
        "clerk",
        f"{world.f}/households",
        {
            "name": "甲",
            "id_number": "110105194912310021",
            "township": TOWN_A,
            "village": "村",
            "party_member": True,
        },
        status=None,
    )
    problem = assert_problem(response, 422, "invalid-field")
    assert problem["errors"][0]["field"] == "id_number"


def test_malformed_json_and_wrong_content_types(county, world):
    path = f"{world.f}/appropriations"
    headers = county.headers("clerk")
    before = journal_count(county, world)
    broken = county.client.post(
        path, data='{"amount": "1.00",', content_type="application/json", headers=headers
    )
    assert_problem(broken, 400, "malformed-request")
    form = county.client.post(path, data=GOOD, headers=headers)
    assert_problem(form, 422, "invalid-input")
    array = county.client.post(path, json=[GOOD], headers=headers)
    assert_problem(array, 422, "invalid-input")
    assert journal_count(county, world) == before


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"as_of": "2007-02-30"}, "as_of"),
        ({"from": "yesterday"}, "from"),
        ({"as_of": "2007-01-01", "from": "2007-02-01"}, "from"),
    ],
)
def test_bad_query_parameters(county, world, query, field):
    response = county.get("clerk", f"{world.f}/trial-balance", status=422, **query)
    assert field in [e["field"] for e in response.get_json()["errors"]]


def test_a_bad_loan_filter(county, world):
    response = county.get("clerk", f"{world.f}/loans", status=422, query={"status": "lost"})
    assert [(e["field"], e["location"]) for e in response.get_json()["errors"]] == [
        ("status", "query")
    ]
