"""Idempotency-Key over HTTP (SPEC §11): replay, key reused (422), a duplicate waits."""

from __future__ import annotations

import threading
import uuid

from sqlalchemy import func, select

from ledger.audit import chain_head
from ledger.models import User
from tests.api.conftest import assert_problem, bearer, login

USERS = "/test/users"


def count_users(db, name: str) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).where(User.username == name)) or 0


def audit_seq(db) -> int:
    with db.read() as session:
        return chain_head(session)[0]


def admin_client(probe_app, make_user):
    client = probe_app.test_client()
    return client, bearer(login(client, make_user("admin")))


def new_name() -> str:
    return f"idem-{uuid.uuid4().hex[:10]}"


def test_same_key_same_body_replays_the_first_response(probe_app, make_user, committed_db):
    client, auth = admin_client(probe_app, make_user)
    name, key = new_name(), uuid.uuid4().hex
    before = audit_seq(committed_db)
    first = client.post(
        USERS, json={"username": name, "role": "leader"}, headers={**auth, "Idempotency-Key": key}
    )
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    assert first.get_json()["username"] == name
    # The same JSON with its keys in another order is the same request.
    second = client.post(
        USERS,
        data=f'{{"role": "leader",  "username": "{name}"}}',
        content_type="application/json",
        headers={**auth, "Idempotency-Key": key},
    )
    assert second.status_code == 201
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.get_data() == first.get_data()
    assert count_users(committed_db, name) == 1
    assert audit_seq(committed_db) == before + 1  # the replay wrote nothing


def test_same_key_other_body_is_422(probe_app, make_user, committed_db):
    client, auth = admin_client(probe_app, make_user)
    key = uuid.uuid4().hex
    headers = {**auth, "Idempotency-Key": key}
    name = new_name()
    first = client.post(USERS, json={"username": name, "role": "leader"}, headers=headers)
    assert first.status_code == 201
    other = client.post(USERS, json={"username": new_name(), "role": "leader"}, headers=headers)
    body = assert_problem(other, 422, "idempotency-key-reused")
    assert body["errors"][0]["field"] == "Idempotency-Key"
    assert count_users(committed_db, name) == 1


def test_keys_belong_to_their_user(probe_app, make_user):
    client, first_admin = admin_client(probe_app, make_user)
    second_admin = bearer(login(client, make_user("admin")))
    key = uuid.uuid4().hex
    for auth in (first_admin, second_admin):
        response = client.post(
            USERS,
            json={"username": new_name(), "role": "leader"},
            headers={**auth, "Idempotency-Key": key},
        )
        assert response.status_code == 201


def test_a_refused_request_gives_its_key_back(probe_app, make_user, committed_db):
    client, auth = admin_client(probe_app, make_user)
    headers = {**auth, "Idempotency-Key": uuid.uuid4().hex}
    name = new_name()
    refused = client.post(USERS, json={"username": name, "role": "boss"}, headers=headers)
    assert_problem(refused, 422, "invalid-field")
    again = client.post(USERS, json={"username": name, "role": "boss"}, headers=headers)
    assert_problem(again, 422, "invalid-field")
    assert "Idempotent-Replayed" not in again.headers
    fixed = client.post(USERS, json={"username": name, "role": "leader"}, headers=headers)
    assert fixed.status_code == 201
    assert count_users(committed_db, name) == 1


def test_a_duplicate_sent_while_the_first_runs_waits_for_its_answer(
    probe_app, make_user, committed_db
):
    _, auth = admin_client(probe_app, make_user)
    name, key = new_name(), uuid.uuid4().hex
    answers: list = []

    def send() -> None:
        response = probe_app.test_client().post(
            "/test/slow-users",
            json={"username": name, "role": "leader"},
            headers={**auth, "Idempotency-Key": key},
        )
        answers.append(response)

    first = threading.Thread(target=send)
    first.start()
    threading.Event().wait(0.1)
    send()
    first.join()
    assert [r.status_code for r in answers] == [201, 201]
    assert answers[0].get_data() == answers[1].get_data()
    assert sorted(r.headers.get("Idempotent-Replayed", "") for r in answers) == ["", "true"]
    assert count_users(committed_db, name) == 1


def test_ten_identical_requests_at_once_write_once(probe_app, make_user, committed_db):
    _, auth = admin_client(probe_app, make_user)
    name, key = new_name(), uuid.uuid4().hex
    answers: list = []
    start = threading.Barrier(10)

    def send() -> None:
        client = probe_app.test_client()
        start.wait()
        answers.append(
            client.post(
                "/test/slow-users",
                json={"username": name, "role": "leader"},
                headers={**auth, "Idempotency-Key": key},
            )
        )

    threads = [threading.Thread(target=send) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert count_users(committed_db, name) == 1
    assert [r.status_code for r in answers] == [201] * 10
    assert len({r.get_data() for r in answers}) == 1
    assert sum("Idempotent-Replayed" not in r.headers for r in answers) == 1


def test_a_malformed_key_is_refused(probe_app, make_user):
    client, auth = admin_client(probe_app, make_user)
    for key in ("k" * 256, "has space", "\u5bc6\u94a5"):
        response = client.post(
            USERS,
            json={"username": new_name(), "role": "leader"},
            headers={**auth, "Idempotency-Key": key.encode("utf-8").decode("latin-1")},
        )
        body = assert_problem(response, 422, "invalid-field")
        assert body["errors"][0]["field"] == "Idempotency-Key"


def test_the_header_is_documented(probe_app):
    document = probe_app.test_client().get("/api/v1/openapi.json").get_json()
    parameters = document["paths"]["/test/users"]["post"]["parameters"]
    assert {"in": "header", "name": "Idempotency-Key"}.items() <= parameters[0].items()
