"""API fixtures: apps on the test database, users with tokens, the probe blueprint.

The app commits for real (to the session's test database or schema), so
every user gets a fresh name.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
from argon2 import PasswordHasher

from ledger.actors import SYSTEM
from ledger.db import Database
from ledger.schema import upgrade as migrate
from ledger.services import counties, users
from shell.app import create_app
from tests.api import probes
from tests.api.programme import TOWN_A, TOWN_B, County, SocietyWorld, build_society, build_world
from tests.api.roles import COUNTY_A, COUNTY_B, TENANTS
from tests.conftest import isolated_url
from tests.factories import committing

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
        with committing(db) as uow:
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


# --- a county's people and a programme, shared by the resource tests ---------------


@pytest.fixture(scope="session")
def programme_db(tmp_path_factory) -> Iterator[Database]:
    """A database of its own for the programme-level API tests.

    Their apps commit for real, so their rows stay; kept apart, they cannot
    leak into tests that count rows across the whole test database.
    """
    with isolated_url(tmp_path_factory.mktemp("programme")) as url:
        db = Database.connect(url)
        migrate(db.engine)
        yield db
        db.engine.dispose()


def enlist(
    db: Database,
    role: str,
    *,
    township: str | None = None,
    fund: str | None = None,
    region: str | None = None,
):
    """Create a user with a cheap hash and a token; return (username, token)."""
    name = f"{role}-{uuid.uuid4().hex[:8]}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(users, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        with committing(db) as uow:
            user = users.create_user(
                uow,
                username=name,
                password=PASSWORD,
                role=role,
                township_code=township,
                fund_code=fund,
                region=region,
            )
        with committing(db) as uow:
            return name, users.issue_token(uow, users.actor_of(user)).token


@pytest.fixture(scope="session")
def people(programme_db: Database) -> dict[str, str]:
    """A bearer token per role, made once: county A's clerk(2), approver(2), township A (2)
    and B, leader, auditor, admin, a society's cashier, and a disabled user whose token died
    with the account; and the `TENANTS`: county B's people and the cities' and the province's.
    """
    with committing(programme_db) as uow:
        for code, name in ((COUNTY_A, "甲县"), (COUNTY_B, "乙县")):
            counties.add_county(uow, actor=SYSTEM, code=code, name=name)
    cast = {
        "clerk": ("clerk", None),
        "clerk2": ("clerk", None),
        "approver": ("approver", None),
        "approver2": ("approver", None),
        "township_a": ("township", TOWN_A),
        "township_a2": ("township", TOWN_A),
        "township_b": ("township", TOWN_B),
        "leader": ("leader", None),
        "auditor": ("auditor", None),
        "admin": ("admin", None),
        "cashier": ("cashier", None),
        "disabled": ("clerk", None),
    }
    everyone = {who: (role, COUNTY_A, township) for who, (role, township) in cast.items()}
    everyone.update({who: (role, region, town) for who, (role, region, town, _) in TENANTS.items()})
    tokens = {}
    for who, (role, region, township) in everyone.items():
        tokens[f"{who}:name"], tokens[who] = enlist(
            programme_db, role, township=township, region=region
        )
    with committing(programme_db) as uow:
        users.disable_user(uow, username=tokens["disabled:name"])
    return tokens


@pytest.fixture(scope="module")
def api_app(programme_db: Database):
    """One app per test module (the programme it builds is committed, under a fresh fund)."""
    url = programme_db.engine.url.render_as_string(hide_password=False)
    app = create_app({"DATABASE_URL": url, "TESTING": True})
    yield app
    app.extensions["ledger_db"].engine.dispose()


@pytest.fixture(scope="module")
def county(api_app, people):
    """A JSON client that speaks as any of `people`."""
    return County(api_app.test_client(), people)


@pytest.fixture(scope="module")
def world(county):
    """A small programme built over HTTP, with one loan of each kind a test needs."""
    return build_world(county)


@pytest.fixture(scope="module")
def society_world(county, programme_db) -> SocietyWorld:
    """A society of county A with a member and a loan applied for."""
    return build_society(county, programme_db)
