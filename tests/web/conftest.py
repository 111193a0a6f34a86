"""Web-page fixtures: the demo programme in a database of its own, and signed-in browsers.

The pages are tested two ways: with Flask's test client (every rule, on both
databases, fast) and with Playwright driving Debian's Chromium against a live
server (the issue's user journeys). Both use the demo programme, loaded once
per session into its own database, so the demo's logins are known.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import pytest
from argon2 import PasswordHasher

from ledger import dates
from ledger.actors import Actor, Role
from ledger.db import Database
from ledger.demo import load_demo
from ledger.schema import upgrade as migrate
from ledger.services import funding, users
from shell.app import create_app
from tests.conftest import isolated_url
from tests.factories import committing

CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Demo:
    url: str
    fund: str
    passwords: dict[str, str]


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    with isolated_url(tmp_path_factory.mktemp("web")) as url, pytest.MonkeyPatch.context() as mp:
        mp.setattr(users, "HASHER", CHEAP)
        db = Database.connect(url)
        migrate(db.engine)
        summary = load_demo(db)
        _fund_townships(db, summary.fund)
        db.engine.dispose()
        yield Demo(url, summary.fund, {name: password for name, _, password in summary.logins})


@pytest.fixture(scope="session")
def web_app(demo: Demo):
    app = create_app({"DATABASE_URL": demo.url, "TESTING": True, "SECRET_KEY": "test-key"})
    yield app
    app.extensions["ledger_db"].engine.dispose()


#: Townships the tests lend in; the demo left them little cash, so the county sends more.
LENDING_TOWNS = ("341525100", "341525101")


def _fund_townships(db: Database, fund: str) -> None:
    clerk = Actor("clerk", Role.CLERK)
    with committing(db) as uow:
        for town in LENDING_TOWNS:
            funding.record_allocation(
                uow, clerk, fund, on=dates.today(), township=town, amount=Decimal("150000.00")
            )


class Browser:
    """A test client that signs in through the login form and fills forms as a page would."""

    def __init__(self, app: Any, fund: str) -> None:
        self.client = app.test_client()
        self.fund = fund
        self.csrf = ""

    def get(self, path: str, **kwargs: Any) -> Any:
        response = self.client.get(path, **kwargs)
        if response.mimetype == "text/html":
            found = CSRF.search(response.get_data(as_text=True))
            if found:
                self.csrf = found.group(1)
        return response

    def login(self, username: str, password: str, next_page: str | None = None) -> Any:
        path = "/login" if next_page is None else f"/login?{urlencode({'next': next_page})}"
        self.get(path)
        return self.client.post(
            path, data={"username": username, "password": password, "csrf_token": self.csrf}
        )

    def post(self, path: str, data: dict[str, Any], *, key: str | None = None, **kw: Any) -> Any:
        """Submit a form: the session's CSRF value and a fresh idempotency key unless given."""
        form = {"csrf_token": self.csrf, "idempotency_key": key or uuid.uuid4().hex, **data}
        return self.client.post(path, data=form, **kw)

    def f(self, path: str = "") -> str:
        return f"/f/{self.fund}/{path}"


@pytest.fixture
def browser(web_app: Any, demo: Demo):
    """Sign in as a demo user: ``browser("clerk")``."""

    def signed_in(username: str) -> Browser:
        user = Browser(web_app, demo.fund)
        response = user.login(username, demo.passwords[username])
        assert response.status_code == 303, response.get_data(as_text=True)
        user.get(user.f("loans"))  # picks up the session's CSRF value
        return user

    return signed_in
