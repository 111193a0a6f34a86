from __future__ import annotations

from reports.fonts import ENV


def test_health_reports_the_database(engine, make_app):
    client = make_app().test_client()
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok",
        "database": engine.dialect.name,
        "pdf": {"ok": True, "missing": None, "detail": None},
    }


def test_health_names_the_package_the_pdfs_miss(engine, make_app, monkeypatch, tmp_path):
    monkeypatch.setenv(ENV, str(tmp_path / "wqy-zenhei.ttc"))
    body = make_app().test_client().get("/api/v1/health").get_json()
    assert (body["status"], body["database"]) == ("ok", engine.dialect.name)
    assert body["pdf"]["ok"] is False
    assert body["pdf"]["missing"] == "fonts-wqy-zenhei"
    assert (
        ENV in body["pdf"]["detail"] and "apt-get install fonts-wqy-zenhei" in body["pdf"]["detail"]
    )


def test_openapi_document_lists_health(make_app):
    client = make_app().test_client()
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/health" in document["paths"]
