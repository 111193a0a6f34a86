"""Hostile input: whatever a client sends, the answer is a 4xx problem and nothing is written.

Complements test_bad_input.py (which covers each field's rules): here the
request itself is strange. Huge numbers, NaN literals, full-width digits,
10 kB strings, NUL characters, 10,000 levels of nesting, duplicated keys,
invalid UTF-8, wrong content types. After each, the journal count and the
audit chain head are what they were. On PostgreSQL a NUL that reached a
query would be a 500; it must be refused before.
"""

from __future__ import annotations

import json

import pytest

from tests.api.conftest import assert_problem
from tests.api.programme import TOWN_A, County, World
from tests.api.test_bad_input import GOOD, audit_head, journal_count

HOUSEHOLD = {
    "name": "张三",
    "id_number": "340123196503010016",
    "township": TOWN_A,
    "village": "胡家湾村",
    "party_member": False,
    "phone": "13912345678",
}


def raw(body: object) -> str:
    return json.dumps(body, ensure_ascii=False)


# (what, endpoint (under the fund), raw body, content type, expected status, code)
CASES = [
    (
        "a number too large for any float",
        "appropriations",
        raw(GOOD).replace('"100.00"', "1" + "0" * 400),
        "application/json",
        422,
        "invalid-input",
    ),
    (
        "an id too large for BIGINT",
        "loans",
        raw({"household_id": 2**80}),
        "application/json",
        422,
        "invalid-input",
    ),
    (
        "a NaN literal",
        "appropriations",
        raw(GOOD).replace('"100.00"', "NaN"),
        "application/json",
        400,
        "malformed-request",
    ),
    (
        "an Infinity literal",
        "appropriations",
        raw(GOOD).replace('"100.00"', "-Infinity"),
        "application/json",
        400,
        "malformed-request",
    ),
    (
        "full-width digits in a date",
        "appropriations",
        raw({**GOOD, "date": "２００７-05-01"}),
        "application/json",
        422,
        "invalid-input",
    ),
    (
        "a 10 kB name",
        "households",
        raw({**HOUSEHOLD, "name": "张" * 10_000}),
        "application/json",
        422,
        "invalid-input",
    ),
    (
        "a 10 kB memo",
        "appropriations",
        raw({**GOOD, "memo": "x" * 10_240}),
        "application/json",
        422,
        "invalid-input",
    ),
    (
        "a NUL in a name",
        "households",
        raw({**HOUSEHOLD, "name": "张\u0000三"}),
        "application/json",
        400,
        "malformed-request",
    ),
    (
        "a NUL in a key",
        "appropriations",
        raw({**GOOD, "me\u0000mo": "x"}),
        "application/json",
        400,
        "malformed-request",
    ),
    (
        "10,000 levels of arrays",
        "appropriations",
        "[" * 10_000 + "]" * 10_000,
        "application/json",
        400,
        "malformed-request",
    ),
    (
        "10,000 levels of objects",
        "appropriations",
        '{"a":' * 10_000 + "1" + "}" * 10_000,
        "application/json",
        400,
        "malformed-request",
    ),
    (
        "a duplicated key",
        "appropriations",
        raw(GOOD)[:-1] + ', "amount": "100000.00"}',
        "application/json",
        400,
        "malformed-request",
    ),
    (
        "a duplicated key in a nested object",
        "disasters",
        '{"code": "x", "name": "y", "date": "2008-07-08", "kind": "hail", "townships": ["1"],'
        ' "extra": {"a": 1, "a": 2}}',
        "application/json",
        400,
        "malformed-request",
    ),
    (
        "invalid UTF-8",
        "appropriations",
        b'{"date": "2007-05-01", "amount": "100.00", "source": "\xff\xfe"}',
        "application/json",
        400,
        "malformed-request",
    ),
    (
        "an array, not an object",
        "appropriations",
        raw([GOOD]),
        "application/json",
        422,
        "invalid-input",
    ),
    ("a bare string", "appropriations", raw("100.00"), "application/json", 422, "invalid-input"),
    ("JSON sent as text/plain", "appropriations", raw(GOOD), "text/plain", 422, "invalid-input"),
    ("XML", "appropriations", "<amount>100.00</amount>", "application/xml", 422, "invalid-input"),
    ("an empty body", "appropriations", "", "application/json", 422, "invalid-input"),
]


@pytest.mark.parametrize(
    ("endpoint", "body", "content_type", "status", "code"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_hostile_bodies_are_refused_and_change_nothing(
    county: County, world: World, api_app, endpoint, body, content_type, status, code
):
    before = journal_count(county, world), audit_head(api_app)
    response = county.client.post(
        f"{world.f}/{endpoint}",
        data=body,
        content_type=content_type,
        headers=county.headers("clerk"),
    )
    problem = assert_problem(response, status, code)
    for error in problem["errors"]:
        assert error["message_zh"] and error["message_en"]
    assert (journal_count(county, world), audit_head(api_app)) == before


def test_the_duplicate_key_is_named(county: County, world: World):
    response = county.client.post(
        f"{world.f}/appropriations",
        data=raw(GOOD)[:-1] + ', "amount": "100000.00"}',
        content_type="application/json",
        headers=county.headers("clerk"),
    )
    [error] = assert_problem(response, 400, "malformed-request")["errors"]
    assert "'amount'" in error["message_en"] and "'amount'" in error["message_zh"]


@pytest.mark.parametrize(
    "url",
    [
        "/townships/%00/position",
        "/loans/W%00",
        "/aging?township=%00",
        "/journals?%00=1",
        "/loans?township=" + "张" * 10_000,
        "/loans?status=" + "x" * 10_000,
    ],
)
def test_hostile_urls_are_refused(county: County, world: World, api_app, url):
    before = audit_head(api_app)
    response = county.client.get(f"{world.f}{url}", headers=county.headers("clerk"))
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/problem+json"
    assert audit_head(api_app) == before


def test_a_nul_in_the_login_name_is_a_400_not_a_database_error(county: County):
    response = county.client.post(
        "/api/v1/auth/tokens", json={"username": "clerk\u0000", "password": "x"}
    )
    assert_problem(response, 400, "malformed-request")
