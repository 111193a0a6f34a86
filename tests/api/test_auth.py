"""Tokens over HTTP: log in, who am I, log out; 401 and 403; rate limits; the audit of it."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from ledger.audit import chain_head
from ledger.clock import utcnow
from ledger.models import ApiToken, AuditRecord
from ledger.models.audit import SYSTEM_CHAIN
from ledger.services import users
from shell.app import create_app, trusted_proxies
from tests.api.conftest import PASSWORD, assert_problem, bearer, login
from tests.factories import committing

TOKENS = "/api/v1/auth/tokens"
ME = "/api/v1/auth/me"


def head(db) -> tuple[int, str]:
    with db.read() as session:
        return chain_head(session)


def audit_record(db, seq: int) -> AuditRecord:
    with db.read() as session:
        record = session.get_one(AuditRecord, (SYSTEM_CHAIN, seq))  # logins belong to no fund
        session.expunge(record)  # keep its loaded values after the read ends
    return record


def test_token_lifecycle(app, make_user):
    client = app.test_client()
    name = make_user("township", township="340123002")
    response = client.post(TOKENS, json={"username": name.upper(), "password": PASSWORD})
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert set(body) == {"token", "token_type", "expires_at"}
    assert body["token_type"] == "Bearer"
    expires = datetime.fromisoformat(body["expires_at"])
    assert timedelta(hours=11, minutes=59) < expires - utcnow() <= timedelta(hours=12)

    me = client.get(ME, headers=bearer(body["token"]))
    assert me.status_code == 200
    assert me.get_json() == {
        "username": name,
        "role": "township",
        "township": "340123002",
        "fund": None,
        "token_expires_at": body["expires_at"],
    }

    out = client.delete(f"{TOKENS}/current", headers=bearer(body["token"]))
    assert out.status_code == 204
    assert out.data == b""
    assert_problem(client.get(ME, headers=bearer(body["token"])), 401, "invalid-token")
    again = client.delete(f"{TOKENS}/current", headers=bearer(body["token"]))
    assert_problem(again, 401, "invalid-token")


def test_the_database_keeps_only_the_tokens_hash(app, make_user, committed_db):
    token = login(app.test_client(), make_user())
    with committed_db.read() as session:
        hashes = session.scalars(select(ApiToken.token_hash)).all()
    assert users.token_hash(token) in hashes
    assert token not in hashes


def test_login_is_audited_and_a_refused_login_is_not(app, make_user, committed_db):
    client = app.test_client()
    name = make_user("approver")
    before = head(committed_db)
    refused = client.post(TOKENS, json={"username": name, "password": "wrong password"})
    assert_problem(refused, 401, "authentication-failed")
    assert head(committed_db) == before

    response = client.post(
        TOKENS,
        json={"username": name, "password": PASSWORD},
        headers={"X-Request-Id": "req-login-1"},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert response.status_code == 201
    assert response.headers["X-Request-Id"] == "req-login-1"
    seq, _ = head(committed_db)
    assert seq == before[0] + 1
    record = audit_record(committed_db, seq)
    assert (record.actor, record.role) == (name, "approver")
    assert record.action == "POST /api/v1/auth/tokens"
    assert record.target == f"user:{name}"
    assert (record.request_id, record.client_addr) == ("req-login-1", "192.0.2.7")
    assert PASSWORD not in record.details
    assert json.loads(record.details)["endpoint"] == "auth.Tokens"


def test_logout_is_audited(app, make_user, committed_db):
    client = app.test_client()
    name = make_user()
    token = login(client, name)
    before, _ = head(committed_db)
    assert client.delete(f"{TOKENS}/current", headers=bearer(token)).status_code == 204
    seq, _ = head(committed_db)
    assert seq == before + 1
    record = audit_record(committed_db, seq)
    assert (record.actor, record.action) == (name, "DELETE /api/v1/auth/tokens/current")
    assert record.target.startswith("token:")


def test_wrong_password_and_unknown_user_read_the_same(app, make_user):
    client = app.test_client()
    name = make_user()
    wrong = client.post(TOKENS, json={"username": name, "password": "not the password"})
    unknown = client.post(TOKENS, json={"username": "nobody-here", "password": PASSWORD})
    first = assert_problem(wrong, 401, "authentication-failed")
    second = assert_problem(unknown, 401, "authentication-failed")
    assert wrong.headers["WWW-Authenticate"].startswith("Bearer")
    drop = ("request_id",)
    assert {k: v for k, v in first.items() if k not in drop} == {
        k: v for k, v in second.items() if k not in drop
    }


def test_login_failures_are_rate_limited_per_username_and_client(app, make_user):
    client = app.test_client()
    name = make_user()
    here = {"REMOTE_ADDR": "198.51.100.1"}
    for _ in range(5):
        response = client.post(
            TOKENS, json={"username": name, "password": "guess-guess"}, environ_base=here
        )
        assert_problem(response, 401, "authentication-failed")
    # Even the right password is refused now, from this address.
    blocked = client.post(TOKENS, json={"username": name, "password": PASSWORD}, environ_base=here)
    assert_problem(blocked, 429, "too-many-attempts")
    assert 1 <= int(blocked.headers["Retry-After"]) <= 15 * 60
    # Another client, or another username from this client, is not blocked.
    login(client, name, environ_base={"REMOTE_ADDR": "198.51.100.2"})
    login(client, make_user(), environ_base=here)


def test_a_successful_login_clears_earlier_failures(app, make_user):
    client = app.test_client()
    name = make_user()
    for _ in range(4):
        client.post(TOKENS, json={"username": name, "password": "guess-guess"})
    login(client, name)
    for _ in range(4):
        client.post(TOKENS, json={"username": name, "password": "guess-guess"})
    login(client, name)


def test_missing_malformed_and_unknown_tokens_are_401(app):
    client = app.test_client()
    body = assert_problem(client.get(ME), 401, "authentication-required")
    assert client.get(ME).headers["WWW-Authenticate"] == 'Bearer realm="zhouzhuanjin"'
    assert "Bearer" in body["detail_en"]
    for header in ("Basic dXNlcjpwdw==", "Bearer", "Bearer    ", "Token abc"):
        assert_problem(client.get(ME, headers={"Authorization": header}), 401, "invalid-token")
    assert_problem(client.get(ME, headers=bearer("x" * 43)), 401, "invalid-token")
    assert_problem(client.get(ME, headers=bearer("x" * 5000)), 401, "invalid-token")


def test_an_expired_token_is_401(app, make_user, committed_db):
    name = make_user()
    with committing(committed_db) as uow:
        actor = users.actor_of(users.get_user(uow.session, name))
        issued = users.issue_token(
            uow, actor, now=utcnow() - timedelta(hours=2), ttl=timedelta(hours=1)
        )
    assert_problem(app.test_client().get(ME, headers=bearer(issued.token)), 401, "invalid-token")


def test_disabling_a_user_ends_their_tokens_at_once(app, make_user, committed_db):
    client = app.test_client()
    name = make_user("leader")
    token = login(client, name)
    assert client.get(ME, headers=bearer(token)).status_code == 200
    with committing(committed_db) as uow:
        users.disable_user(uow, username=name)
    assert_problem(client.get(ME, headers=bearer(token)), 401, "invalid-token")
    refused = client.post(TOKENS, json={"username": name, "password": PASSWORD})
    assert_problem(refused, 401, "authentication-failed")


def test_using_a_token_records_when_it_was_last_used(app, make_user, committed_db):
    client = app.test_client()
    token = login(client, make_user())
    client.get(ME, headers=bearer(token))
    with committed_db.read() as session:
        last_used = session.scalar(
            select(ApiToken.last_used_at).where(ApiToken.token_hash == users.token_hash(token))
        )
    assert last_used is not None


def test_a_role_not_admitted_is_403_after_authentication(probe_app, make_user):
    client = probe_app.test_client()
    assert_problem(client.get("/test/admin-only"), 401, "authentication-required")
    clerk = login(client, make_user("clerk"))
    body = assert_problem(
        client.get("/test/admin-only", headers=bearer(clerk)), 403, "role-not-permitted"
    )
    assert "admin" in body["detail_en"]
    admin = login(client, make_user("admin"))
    assert client.get("/test/admin-only", headers=bearer(admin)).status_code == 200


def test_a_township_officer_is_told_another_township_does_not_exist(probe_app, make_user):
    client = probe_app.test_client()
    officer = login(client, make_user("township", township="340123001"))
    own = client.get("/test/townships/340123001", headers=bearer(officer))
    assert own.status_code == 200
    other = client.get("/test/townships/340123009", headers=bearer(officer))
    assert_problem(other, 404, "not-found")
    clerk = login(client, make_user("clerk"))
    assert client.get("/test/townships/340123009", headers=bearer(clerk)).status_code == 200


def test_login_input_is_validated_as_problems(app):
    client = app.test_client()
    body = assert_problem(client.post(TOKENS, json={"username": "x"}), 422, "invalid-input")
    assert body["errors"] == [
        {
            "field": "password",
            "location": "json",
            "message_zh": "缺少必填字段。",
            "message_en": "Missing data for required field.",
        }
    ]
    body = assert_problem(
        client.post(TOKENS, json={"username": "x", "password": "y", "admin": True}),
        422,
        "invalid-input",
    )
    assert [(e["field"], e["message_zh"]) for e in body["errors"]] == [("admin", "未知字段。")]
    long_name = client.post(TOKENS, json={"username": "u" * 65, "password": "y"})
    assert assert_problem(long_name, 422, "invalid-input")["errors"][0]["field"] == "username"
    not_json = client.post(TOKENS, data="username=x&password=y")
    fields = {e["field"] for e in assert_problem(not_json, 422, "invalid-input")["errors"]}
    assert fields == {"username", "password"}
    listed = client.post(TOKENS, json=["x", "y"])
    assert assert_problem(listed, 422, "invalid-input")["errors"][0]["field"] is None


def test_openapi_declares_bearer_security_and_problem_responses(app):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": document["components"]["securitySchemes"]["bearerAuth"]["description"],
    }
    me = document["paths"]["/api/v1/auth/me"]["get"]
    assert me["security"] == [{"bearerAuth": []}]
    assert me["responses"]["401"] == {"$ref": "#/components/responses/UNAUTHORIZED"}
    login_op = document["paths"]["/api/v1/auth/tokens"]["post"]
    assert "security" not in login_op
    assert set(login_op["responses"]) >= {"201", "401", "422", "429", "default"}
    logout = document["paths"]["/api/v1/auth/tokens/current"]["delete"]
    assert logout["security"] == [{"bearerAuth": []}]
    unauthorized = document["components"]["responses"]["UNAUTHORIZED"]
    assert unauthorized["content"] == {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
    }


PROXY = {"REMOTE_ADDR": "10.0.0.1"}  # the office's reverse proxy


def from_client(address: str) -> dict:
    """What a proxy sends on behalf of the clerk at `address`."""
    return {"environ_base": PROXY, "headers": {"X-Forwarded-For": address}}


def fail_five_times(client, name: str, address: str) -> None:
    for _ in range(5):
        wrong = client.post(
            TOKENS, json={"username": name, "password": "guess-guess"}, **from_client(address)
        )
        assert_problem(wrong, 401, "authentication-failed")


def test_without_a_trusted_proxy_the_forwarded_address_is_ignored(app, make_user):
    """Anyone can send X-Forwarded-For: unless a proxy is trusted, the throttle keys on the peer."""
    client = app.test_client()
    name = make_user()
    fail_five_times(client, name, "203.0.113.1")
    other_clerk = client.post(
        TOKENS, json={"username": name, "password": PASSWORD}, **from_client("203.0.113.2")
    )
    assert_problem(other_clerk, 429, "too-many-attempts")


def test_behind_a_trusted_proxy_each_clerk_is_throttled_alone(make_app, make_user, committed_db):
    client = make_app(TRUSTED_PROXIES=1).test_client()
    name = make_user()
    fail_five_times(client, name, "203.0.113.1")
    blocked = client.post(
        TOKENS, json={"username": name, "password": PASSWORD}, **from_client("203.0.113.1")
    )
    assert_problem(blocked, 429, "too-many-attempts")
    # A client cannot pose as another by prepending to the header: one proxy, one hop.
    spoofed = client.post(
        TOKENS,
        json={"username": name, "password": PASSWORD},
        **from_client("203.0.113.9, 203.0.113.1"),
    )
    assert_problem(spoofed, 429, "too-many-attempts")
    # The clerk at the next desk signs in, and the audit log says from where.
    login(client, name, **from_client("203.0.113.2"))
    record = audit_record(committed_db, head(committed_db)[0])
    assert (record.actor, record.client_addr) == (name, "203.0.113.2")


def test_the_number_of_trusted_proxies_is_a_whole_number():
    assert trusted_proxies("0") == 0 and trusted_proxies(" 2 ") == 2
    for bad in ("", "two", "-1", "1.5"):
        with pytest.raises(ValueError, match="LEDGER_TRUSTED_PROXIES"):
            trusted_proxies(bad)


def test_a_wrong_upload_limit_stops_the_start(monkeypatch):
    monkeypatch.setenv("LEDGER_UPLOAD_MAX_RATIO", "lots")
    with pytest.raises(ValueError, match="LEDGER_UPLOAD_MAX_RATIO"):
        create_app({"DATABASE_URL": "sqlite://"})
