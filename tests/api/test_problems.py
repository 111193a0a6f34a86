"""Every error is an RFC 9457 problem: domain families, framework errors, the unexpected."""

from __future__ import annotations

import logging
import re

import pytest

from tests.api.conftest import assert_problem, bearer
from tests.api.probes import SECRET


@pytest.mark.parametrize(
    ("kind", "status", "code", "field"),
    [
        ("not-found", 404, "not-found", "loan"),
        ("conflict", 409, "conflict", None),
        ("rule", 422, "rule-violated", "amount"),
        ("not-permitted", 403, "not-permitted", None),
        ("too-many", 429, "too-many-attempts", None),
    ],
)
def test_a_domain_family_maps_to_its_status(probe_app, kind, status, code, field):
    response = probe_app.test_client().get(f"/test/errors/{kind}")
    body = assert_problem(response, status, code)
    if field:
        assert body["errors"] == [
            {
                "field": field,
                "location": None,
                "message_zh": body["detail"],
                "message_en": body["detail_en"],
            }
        ]
    else:
        assert body["errors"] == []
    if status == 429:
        assert response.headers["Retry-After"] == "42"


def test_domain_problems_carry_chinese_and_english(probe_app):
    body = probe_app.test_client().get("/test/errors/not-found").get_json()
    assert (body["title"], body["title_en"]) == ("未找到", "Not found")
    assert (body["detail"], body["detail_en"]) == ("贷款不存在", "no such loan")


def test_an_unexpected_error_is_a_500_with_an_incident_and_no_details(probe_app, caplog):
    client = probe_app.test_client()
    with caplog.at_level(logging.ERROR, logger="shell.problems"):
        response = client.get("/test/errors/boom")
    body = assert_problem(response, 500, "internal-error")
    assert re.fullmatch(r"[0-9a-f]{32}", body["incident"])
    text = response.get_data(as_text=True)
    assert SECRET not in text and "RuntimeError" not in text and "postgres" not in text
    assert body["incident"] in body["detail"] and body["incident"] in body["detail_en"]
    [logged] = [r for r in caplog.records if body["incident"] in r.getMessage()]
    assert logged.exc_info is not None and logged.exc_info[0] is RuntimeError
    assert SECRET in str(logged.exc_info[1])  # the server log keeps what the client must not see


def test_an_unreachable_database_is_a_503_to_retry_not_an_incident(make_app, caplog):
    """No node takes writes (a standby being promoted): the client is told to retry."""
    app = make_app("postgresql+psycopg://ledger@/ledger?host=127.0.0.1:1&connect_timeout=1")
    with caplog.at_level(logging.WARNING, logger="shell.problems"):
        response = app.test_client().get("/api/v1/auth/me", headers=bearer("t" * 43))
    body = assert_problem(response, 503, "database-unavailable")
    assert response.headers["Retry-After"] == "2"
    assert "incident" not in body and "Idempotency-Key" in body["detail"]
    assert [r.levelname for r in caplog.records] == ["WARNING"]


def test_a_connection_lost_mid_query_is_a_503_and_other_database_errors_a_500(probe_app):
    client = probe_app.test_client()
    assert_problem(client.get("/test/errors/database-gone"), 503, "database-unavailable")
    broken = assert_problem(client.get("/test/errors/database-broken"), 500, "internal-error")
    assert broken["incident"]


def test_an_unknown_url_is_a_404_problem(app):
    body = assert_problem(app.test_client().get("/api/v1/no/such/thing"), 404, "not-found")
    assert body["instance"] == "/api/v1/no/such/thing"


def test_a_wrong_method_is_a_405_problem_with_allow(app):
    response = app.test_client().put("/api/v1/health")
    assert_problem(response, 405, "method-not-allowed")
    assert "GET" in response.headers["Allow"]


def test_an_oversized_body_is_a_413_problem(make_app):
    client = make_app(MAX_CONTENT_LENGTH=1024).test_client()
    response = client.post("/api/v1/auth/tokens", json={"username": "x" * 2000, "password": "y"})
    body = assert_problem(response, 413, "payload-too-large")
    assert "1024" in body["detail_en"]


def test_malformed_json_is_a_400_problem(app):
    response = app.test_client().post(
        "/api/v1/auth/tokens", data='{"username": "x",', content_type="application/json"
    )
    body = assert_problem(response, 400, "malformed-request")
    assert body["errors"][0]["message_zh"] == "请求体不是有效的 JSON。"


def test_a_sane_request_id_is_echoed_and_an_odd_one_replaced(app):
    client = app.test_client()
    assert (
        client.get("/api/v1/health", headers={"X-Request-Id": "abc-123"}).headers["X-Request-Id"]
        == "abc-123"
    )
    odd = client.get("/api/v1/health", headers={"X-Request-Id": "<script>"})
    assert re.fullmatch(r"[0-9a-f]{32}", odd.headers["X-Request-Id"])


def test_a_write_that_skips_the_audit_is_caught_in_tests(probe_app, make_user):
    from tests.api.conftest import bearer, login

    client = probe_app.test_client()
    token = login(client, make_user())
    response = client.post("/test/unaudited", headers=bearer(token))
    assert_problem(response, 500, "unaudited-write")


@pytest.mark.parametrize(
    ("amount", "message_en"),
    [
        (1000, 'Amounts are strings such as "1000.00", not numbers.'),
        (10.5, 'Amounts are strings such as "1000.00", not numbers.'),
        ("1e3", 'Not an amount: use digits with at most two decimals, e.g. "1000.00".'),
        ("0.001", 'Not an amount: use digits with at most two decimals, e.g. "1000.00".'),
        ("NaN", 'Not an amount: use digits with at most two decimals, e.g. "1000.00".'),
        ("１０", 'Not an amount: use digits with at most two decimals, e.g. "1000.00".'),
        ("-1", "Amount must be greater than zero."),
        ("0.00", "Amount must be greater than zero."),
        ("9" * 10_240, 'Not an amount: use digits with at most two decimals, e.g. "1000.00".'),
        (None, "Field may not be null."),
    ],
)
def test_a_bad_amount_is_a_422_naming_the_field(probe_app, amount, message_en):
    response = probe_app.test_client().post("/test/amounts", json={"amount": amount})
    body = assert_problem(response, 422, "invalid-input")
    [error] = body["errors"]
    assert (error["field"], error["location"], error["message_en"]) == (
        "amount",
        "json",
        message_en,
    )
    assert re.search(r"[\u4e00-\u9fff]", error["message_zh"])  # really Chinese


def test_amounts_and_dates_round_trip_as_strings(probe_app):
    response = probe_app.test_client().post(
        "/test/amounts", json={"amount": "1409.5", "signed": "-3", "on": "2008-02-29"}
    )
    assert response.status_code == 200
    assert response.get_json() == {"amount": "1409.50", "signed": "-3.00", "on": "2008-02-29"}


def test_an_impossible_date_is_a_422(probe_app):
    response = probe_app.test_client().post(
        "/test/amounts", json={"amount": "1.00", "on": "2007-02-30"}
    )
    [error] = assert_problem(response, 422, "invalid-input")["errors"]
    assert error["field"] == "on"
    assert error["message_zh"] == "日期不存在:2007-02-30。"
