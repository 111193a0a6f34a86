"""A busy SQLite file never turns a request into a 500: every write reruns whole.

Another process (a second gunicorn worker, a backup) may hold the write
lock longer than the busy timeout. Here the timeout is cut to 50 ms and a
plain sqlite3 connection holds ``BEGIN IMMEDIATE`` for 0.3 s while requests
that write arrive: the login (its failure counter and the token), the first
use of a token (its last-used time) and an idempotent money-moving POST
(its claim, then the write). Each must wait its turn and answer as usual.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy.engine import make_url

import ledger.db
from tests.api.conftest import PASSWORD, bearer
from tests.factories import make_programme
from tests.web.conftest import Browser

HOLD_SECONDS = 0.3


@pytest.fixture
def busy_app(make_app, database_url: str, monkeypatch: pytest.MonkeyPatch):
    if make_url(database_url).get_backend_name() != "sqlite":
        pytest.skip("the write lock held by another process is SQLite's; PostgreSQL locks rows")
    monkeypatch.setattr(ledger.db, "DEFAULT_SQLITE_TIMEOUT_S", 0.05)
    return make_app()


@contextmanager
def write_lock_held(database_url: str) -> Iterator[None]:
    """Another connection takes the write lock and gives it back after HOLD_SECONDS."""
    holder = sqlite3.connect(
        make_url(database_url).database, isolation_level=None, check_same_thread=False
    )
    holder.execute("BEGIN IMMEDIATE")
    timer = threading.Timer(HOLD_SECONDS, holder.rollback)
    started = time.monotonic()
    timer.start()
    try:
        yield
    finally:
        timer.join()
        holder.close()
    # Not vacuous: the request really had to wait for the lock.
    assert time.monotonic() - started >= HOLD_SECONDS


def test_login_and_first_use_of_a_token_wait_for_the_lock(busy_app, make_user, database_url):
    name = make_user("clerk")
    client = busy_app.test_client()
    with write_lock_held(database_url):
        response = client.post("/api/v1/auth/tokens", json={"username": name, "password": PASSWORD})
    assert response.status_code == 201, response.get_json()
    token = response.get_json()["token"]

    with write_lock_held(database_url):  # the first use records the token's last-used time
        me = client.get("/api/v1/auth/me", headers=bearer(token))
    assert me.status_code == 200, me.get_json()
    assert me.get_json()["username"] == name


def test_a_failed_login_is_still_counted_when_the_database_was_busy(
    busy_app, make_user, database_url
):
    name = make_user("clerk")
    client = busy_app.test_client()
    for _ in range(busy_app.config["LOGIN_MAX_FAILURES"]):
        with write_lock_held(database_url):
            wrong = client.post("/api/v1/auth/tokens", json={"username": name, "password": "no"})
        assert wrong.status_code == 401, wrong.get_json()
    refused = client.post("/api/v1/auth/tokens", json={"username": name, "password": PASSWORD})
    assert refused.status_code == 429, refused.get_json()


def test_an_idempotent_repayment_waits_for_the_lock_and_posts_once(
    busy_app, make_user, committed_db, database_url
):
    programme = make_programme(committed_db)
    name = make_user("clerk", fund=programme.code)
    client = busy_app.test_client()
    token = client.post(
        "/api/v1/auth/tokens", json={"username": name, "password": PASSWORD}
    ).get_json()["token"]
    client.get("/api/v1/auth/me", headers=bearer(token))  # the token's first use, done
    path = f"/api/v1/funds/{programme.code}/appropriations"
    body = {"date": "2007-05-02", "amount": "12.34", "source": "county"}
    headers = {**bearer(token), "Idempotency-Key": "busy-1"}

    with write_lock_held(database_url):
        first = client.post(path, json=body, headers=headers)
    assert first.status_code == 201, first.get_json()
    with write_lock_held(database_url):
        again = client.post(path, json=body, headers=headers)
    assert again.status_code == 201, again.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["voucher"] == first.get_json()["voucher"]
    assert first.get_json()["amount"] == "12.34"


def test_the_login_page_waits_for_the_lock_too(busy_app, make_user, database_url):
    name = make_user("clerk")
    browser = Browser(busy_app, fund="")
    browser.get("/login")  # the form's CSRF value (the session cookie holds its twin)
    with write_lock_held(database_url):
        signed_in = browser.login(name, PASSWORD)
    assert signed_in.status_code == 303, signed_in.get_data(as_text=True)
