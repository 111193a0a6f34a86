"""Lists: ``?page=&per_page=`` in, ``X-Total-Count`` out."""

from __future__ import annotations

import uuid

import pytest

from ledger.services import users
from tests.api.conftest import assert_problem
from tests.factories import committing


def test_a_page_of_a_list_and_the_total(probe_app):
    client = probe_app.test_client()
    response = client.get("/test/items?page=3&per_page=10")
    assert response.status_code == 200
    assert response.headers["X-Total-Count"] == "25"
    assert "X-Pagination" not in response.headers
    assert [item["n"] for item in response.get_json()] == [20, 21, 22, 23, 24]
    assert len(client.get("/test/items").get_json()) == 25  # default 50 a page
    beyond = client.get("/test/items?page=9&per_page=10")
    assert beyond.get_json() == [] and beyond.headers["X-Total-Count"] == "25"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("per_page=0", "per_page"),
        ("per_page=501", "per_page"),
        ("per_page=ten", "per_page"),
        ("page=0", "page"),
        ("page=-1", "page"),
    ],
)
def test_bad_paging_is_a_422(probe_app, query, field):
    response = probe_app.test_client().get(f"/test/items?{query}")
    [error] = assert_problem(response, 422, "invalid-input")["errors"]
    assert (error["field"], error["location"]) == (field, "query")


def test_a_select_is_counted_and_sliced_in_the_database(probe_app, committed_db):
    prefix = f"pg{uuid.uuid4().hex[:6]}-"
    for n in range(7):
        with committing(committed_db) as uow:
            users.create_user(uow, username=f"{prefix}{n}", password="long enough", role="leader")
    response = probe_app.test_client().get(f"/test/users-by-prefix/{prefix}?page=2&per_page=3")
    assert response.headers["X-Total-Count"] == "7"
    assert [u["username"] for u in response.get_json()] == [f"{prefix}{n}" for n in (3, 4, 5)]


def test_the_header_and_parameters_are_documented(probe_app):
    document = probe_app.test_client().get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/test/items"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert names == {"page", "per_page"}
    assert operation["responses"]["200"]["headers"] == {
        "X-Total-Count": {"$ref": "#/components/headers/X_TOTAL_COUNT"}
    }
    assert document["components"]["headers"]["X_TOTAL_COUNT"]["schema"] == {
        "type": "integer",
        "minimum": 0,
    }
