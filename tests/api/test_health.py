from __future__ import annotations


def test_health_reports_the_database(engine, make_app):
    client = make_app().test_client()
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": engine.dialect.name}


def test_openapi_document_lists_health(make_app):
    client = make_app().test_client()
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/health" in document["paths"]
