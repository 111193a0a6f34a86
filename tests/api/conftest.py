"""API fixtures: apps on the test database, users with tokens, the probe blueprint.

The app commits for real (to the session's test database or schema), so
every user gets a fresh name.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from argon2 import PasswordHasher

from ledger.db import Database
from ledger.services import users
from tests.api import probes

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id with tiny parameters: the same code path in milliseconds, not half a second."""
    monkeypatch.setattr(users, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def probe_app(make_app):
    """An app with the test-only ``/test`` blueprint (registered before any request)."""
    app = make_app()
    app.extensions["flask-smorest"]["apis"][""]["ext_obj"].register_blueprint(probes.blp)
    return app


@pytest.fixture
def make_user(committed_db: Database) -> Callable[..., str]:
    """Create a user (committed) and return the username."""
    db = committed_db

    def factory(
        role: str = "clerk",
        *,
        township: str | None = None,
        fund: str | None = None,
        password: str = PASSWORD,
    ) -> str:
        name = f"{role}-{uuid.uuid4().hex[:10]}"
        if role == "township" and township is None:
            township = "340123001"
        with db.uow() as uow:
            users.create_user(
                uow,
                username=name,
                password=password,
                role=role,
                township_code=township,
                fund_code=fund,
            )
        return name

    return factory


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def login(client, username: str, password: str = PASSWORD, **kwargs) -> str:
    response = client.post(
        "/api/v1/auth/tokens", json={"username": username, "password": password}, **kwargs
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["token"]


def assert_problem(response, status: int, code: str) -> dict:
    """The response is an RFC 9457 problem with our fields; return its body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["type"] == f"https://zhouzhuanjin.example/problems/{code}"
    assert body["code"] == code
    assert body["status"] == status
    for key in ("title", "title_en", "detail", "detail_en"):
        assert isinstance(body[key], str) and body[key], key
    assert body["instance"] == response.request.path
    assert isinstance(body["errors"], list)
    assert body["request_id"] == response.headers["X-Request-Id"]
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and 'File "' not in text
    return body
