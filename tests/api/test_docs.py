"""The OpenAPI document and the offline documentation page at /api/v1/docs."""

from __future__ import annotations

import re

METHODS = ("get", "post", "put", "patch", "delete")
OPEN = {"/api/v1/health", "/api/v1/auth/tokens", "/api/v1/openapi.json"}


def operations(document: dict) -> list[tuple[str, str, dict]]:
    return [
        (method, path, item[method])
        for path, item in document["paths"].items()
        for method in METHODS
        if method in item
    ]


def test_every_operation_is_documented(api_app):
    document = api_app.test_client().get("/api/v1/openapi.json").get_json()
    for method, path, op in operations(document):
        where = f"{method.upper()} {path}"
        assert op.get("summary"), where
        assert op.get("tags"), where
        if path in OPEN:
            continue
        assert op["security"] == [{"bearerAuth": []}], where
        assert "401" in op["responses"] and op["x-roles"], where
        if method in ("post", "patch") and "requestBody" in op:
            assert "422" in op["responses"], where
        # Every write takes an idempotency key; a reconciliation upload is a query
        # with a body (it writes nothing), so there is nothing to replay.
        if (
            method == "post"
            and path.startswith("/api/v1/funds/")
            and "/reconciliations/" not in path
        ):
            names = [p["name"] for p in op.get("parameters", []) if p.get("in") == "header"]
            assert names == ["Idempotency-Key"], where


def test_lists_are_paginated_with_a_total(api_app):
    document = api_app.test_client().get("/api/v1/openapi.json").get_json()
    for path in (
        "/api/v1/funds/{f}/loans",
        "/api/v1/funds/{f}/journals",
        "/api/v1/funds/{f}/households",
    ):
        op = document["paths"][path]["get"]
        assert {"page", "per_page"} <= {p["name"] for p in op["parameters"]}, path
        assert "X-Total-Count" in op["responses"]["200"]["headers"], path


def test_amounts_are_documented_as_strings(api_app):
    document = api_app.test_client().get("/api/v1/openapi.json").get_json()
    amount = document["components"]["schemas"]["AppropriationIn"]["properties"]["amount"]
    assert amount["type"] == "string" and amount["pattern"] == r"^-?[0-9]+(\.[0-9]{1,2})?$"


def test_the_docs_page_loads_nothing_from_anywhere(api_app):
    client = api_app.test_client()
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "<script" not in html and " src=" not in html
    assert re.findall(r"href=['\"]([^'\"]+)", html) == ["openapi.json"]
    policy = page.headers["Content-Security-Policy"]
    assert policy.startswith("default-src 'none'") and "'sha256-" in policy
    document = client.get("/api/v1/openapi.json").get_json()
    for method, path, _ in operations(document):
        assert f'{method.upper()}</span> <span class="path">{path}</span>' in html, path
    assert "还款" in html  # summaries in Chinese come through unescaped
