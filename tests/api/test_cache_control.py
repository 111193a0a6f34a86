"""Answers for a signed-in caller are never stored by a browser or proxy cache.

They carry ID and phone numbers and the books; the web pages already send
``no-store``. The public answers (health, the OpenAPI document) may be cached.
"""

from __future__ import annotations

from tests.api.programme import County, World


def test_authenticated_json_is_no_store(county: County, world: World):
    for who, path in (
        ("clerk", f"{world.f}/households"),
        ("township_a", f"{world.f}/loans/{world.loan_a}"),
        ("leader", f"{world.f}/trial-balance"),
    ):
        response = county.get(who, path)
        assert response.headers["Cache-Control"] == "no-store", path


def test_refusals_to_a_token_are_no_store_too(county: County, world: World):
    refused = county.get("township_b", f"{world.f}/loans/{world.loan_a}", status=404)
    assert refused.headers["Cache-Control"] == "no-store"
    dead = county.get("disabled", f"{world.f}/households", status=401)
    assert dead.headers["Cache-Control"] == "no-store"


def test_a_write_is_no_store(county: County, world: World):
    response = county.client.post(
        f"{world.f}/townships",
        json={"code": "340123009", "name": "新乡镇"},
        headers=county.headers("clerk"),
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


def test_public_answers_are_left_alone(county: County):
    for path in ("/api/v1/health", "/api/v1/openapi.json"):
        response = county.get("anonymous", path)
        assert "Cache-Control" not in response.headers, path
