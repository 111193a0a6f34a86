"""Users, argon2id passwords, tokens (expiry, revocation, disabling) and the login rate limit."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from ledger.actors import Role
from ledger.clock import utcnow
from ledger.errors import (
    AuthenticationFailed,
    DuplicateKey,
    FundNotFound,
    InvalidField,
    TooManyAttempts,
    UserNotFound,
)
from ledger.models import ApiToken, LoginFailure, User
from ledger.services import users
from tests.factories import committing, make_fund

PASSWORD = "correct horse battery"
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    monkeypatch.setattr(users, "HASHER", CHEAP)


def add_user(db, username="alice", role="clerk", **kwargs) -> User:
    with committing(db) as uow:
        return users.create_user(uow, username=username, password=PASSWORD, role=role, **kwargs)


def login(db, username="alice", password=PASSWORD, client="10.0.0.1", **kwargs):
    with db.uow() as uow:
        try:
            return users.authenticate(
                uow, username=username, password=password, client=client, **kwargs
            )
        finally:
            uow.commit()  # a failure too, as shell.auth.verify_login commits it


def resolve(db, token, **kwargs):
    with db.read() as session:
        return users.resolve_token(session, token, **kwargs)


def test_passwords_are_hashed_with_argon2id_rfc9106_parameters(db, monkeypatch):
    monkeypatch.setattr(users, "HASHER", PasswordHasher())
    user = add_user(db)
    assert user.password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert PASSWORD not in user.password_hash
    assert PasswordHasher().verify(user.password_hash, PASSWORD)


def test_a_user_is_created_with_a_normalised_name(db):
    user = add_user(db, username="  Alice.W ", role="township", township_code="340123001")
    assert (user.username, user.role, user.township_code, user.disabled) == (
        "alice.w",
        Role.TOWNSHIP,
        "340123001",
        False,
    )
    assert users.actor_of(user) == users.Actor("alice.w", "township", "340123001", user.id)


@pytest.mark.parametrize(
    ("username", "role", "township", "password", "field"),
    [
        ("a", "clerk", None, PASSWORD, "username"),
        ("has space", "clerk", None, PASSWORD, "username"),
        ("张三", "clerk", None, PASSWORD, "username"),
        ("-dash", "clerk", None, PASSWORD, "username"),
        ("x" * 65, "clerk", None, PASSWORD, "username"),
        ("bob", "boss", None, PASSWORD, "role"),
        ("bob", "Clerk", None, PASSWORD, "role"),
        ("bob", "township", None, PASSWORD, "township"),
        ("bob", "township", "34012300", PASSWORD, "township"),
        ("bob", "township", "３４０１２３００１", PASSWORD, "township"),
        ("bob", "clerk", "340123001", PASSWORD, "township"),
        ("bob", "leader", None, "short", "password"),
        ("bob", "leader", None, "p" * 1025, "password"),
    ],
)
def test_create_user_refuses(db, username, role, township, password, field):
    with db.uow() as uow, pytest.raises(InvalidField) as refused:
        users.create_user(
            uow, username=username, password=password, role=role, township_code=township
        )
    assert refused.value.field == field


def test_usernames_are_unique_whatever_their_case(db):
    add_user(db, "carol")
    with pytest.raises(DuplicateKey) as refused:
        add_user(db, "CAROL")
    assert refused.value.field == "username"


def test_a_fund_grant_must_name_an_existing_fund(db):
    with pytest.raises(FundNotFound):
        add_user(db, fund_code="NO-SUCH-FUND")
    fund = make_fund(db)
    user = add_user(db, "dave", fund_code=fund.code)
    assert users.actor_of(user).fund_code == fund.code


def test_the_database_refuses_a_township_user_without_a_township(db):
    with db.uow() as uow, pytest.raises(IntegrityError):
        uow.session.execute(
            text(
                "INSERT INTO app_user (username, password_hash, role, disabled) "
                "VALUES ('eve', 'x', 'township', false)"
            )
        )


def test_authenticate_issues_an_expiring_token_stored_as_its_hash(db):
    add_user(db, role="approver")
    now = utcnow()
    issued = login(db, now=now, ttl=timedelta(hours=2))
    assert issued.expires_at == now + timedelta(hours=2)
    assert len(issued.token) >= 43  # token_urlsafe(32)
    with db.read() as session:
        stored = session.scalars(select(ApiToken.token_hash)).all()
    assert hashlib.sha256(issued.token.encode()).hexdigest() in stored
    assert issued.token not in stored
    resolved = resolve(db, issued.token, now=now)
    assert resolved is not None
    assert (resolved.actor.username, resolved.actor.role) == ("alice", "approver")
    assert resolved.token_id == issued.token_id


def test_a_token_stops_working_when_it_expires(db):
    add_user(db)
    now = utcnow()
    issued = login(db, now=now, ttl=timedelta(hours=1))
    assert resolve(db, issued.token, now=now + timedelta(minutes=59)) is not None
    assert resolve(db, issued.token, now=now + timedelta(hours=1)) is None


def test_a_revoked_token_stops_working(db):
    add_user(db)
    issued = login(db)
    with committing(db) as uow:
        assert users.revoke_token(uow, token_id=issued.token_id) is True
    assert resolve(db, issued.token) is None
    with committing(db) as uow:
        assert users.revoke_token(uow, token_id=issued.token_id) is False


def test_disabling_a_user_ends_every_token_at_once(db):
    add_user(db)
    tokens = [login(db), login(db)]
    with committing(db) as uow:
        user = users.disable_user(uow, username="ALICE")
    assert user.disabled and user.disabled_at is not None
    assert all(resolve(db, t.token) is None for t in tokens)
    with db.read() as session:
        revoked = session.scalars(
            select(ApiToken.revoked_at).where(ApiToken.user_id == user.id)
        ).all()
    assert len(revoked) == 2 and None not in revoked
    with pytest.raises(AuthenticationFailed):
        login(db)
    with committing(db) as uow:
        users.enable_user(uow, username="alice")
    assert all(resolve(db, t.token) is None for t in tokens)  # old tokens stay dead
    assert resolve(db, login(db).token) is not None


def test_a_disabled_user_cannot_be_issued_a_token_after_the_password_check(db):
    add_user(db)
    with committing(db) as uow:
        actor = users.check_password(uow, username="alice", password=PASSWORD, client="c")
    with committing(db) as uow:
        users.disable_user(uow, username="alice")
    with db.uow() as uow, pytest.raises(AuthenticationFailed):
        users.issue_token(uow, actor)


def test_disabling_an_unknown_user_is_not_found(db):
    with db.uow() as uow, pytest.raises(UserNotFound):
        users.disable_user(uow, username="ghost")


@pytest.mark.parametrize("token", ["", "short", None, 12345, "x" * 300])
def test_nonsense_tokens_resolve_to_nobody(db, token):
    assert resolve(db, token) is None


def test_wrong_password_and_unknown_user_fail_alike(db):
    add_user(db)
    with pytest.raises(AuthenticationFailed) as wrong:
        login(db, password="not the password")
    with pytest.raises(AuthenticationFailed) as unknown:
        login(db, username="nobody")
    assert (wrong.value.detail_zh, wrong.value.detail_en) == (
        unknown.value.detail_zh,
        unknown.value.detail_en,
    )


def failures(db, username="alice", client="10.0.0.1", now=None, n=5):
    for _ in range(n):
        with pytest.raises(AuthenticationFailed):
            login(db, username=username, password="guess-guess", client=client, now=now)


def test_five_failures_in_fifteen_minutes_lock_the_username_and_client(db):
    add_user(db)
    start = utcnow()
    failures(db, now=start)
    with pytest.raises(TooManyAttempts) as locked:
        login(db, now=start + timedelta(minutes=1))  # even with the right password
    assert locked.value.retry_after == 14 * 60
    assert login(db, client="10.0.0.2", now=start) is not None  # another client may
    # The window slides: once the failures are 15 minutes old, the pair may try again.
    assert login(db, now=start + timedelta(minutes=15, seconds=1)) is not None


def test_an_unknown_username_is_rate_limited_too(db):
    start = utcnow()
    failures(db, username="nobody", now=start)
    with pytest.raises(TooManyAttempts):
        login(db, username="nobody", now=start)


def test_a_success_clears_the_failures_of_that_username_and_client(db):
    add_user(db)
    failures(db, n=4)
    login(db)
    with db.read() as session:
        left = session.scalars(select(LoginFailure).where(LoginFailure.username == "alice"))
        assert list(left) == []
    failures(db, n=4)
    login(db)


def test_failure_limits_are_parameters(db):
    add_user(db)
    with pytest.raises(AuthenticationFailed):
        login(db, password="guess-guess", max_failures=1)
    with pytest.raises(TooManyAttempts):
        login(db, max_failures=1)


def test_a_hash_with_old_parameters_is_upgraded_at_login(db, monkeypatch):
    user = add_user(db)
    assert user.password_hash.startswith("$argon2id$v=19$m=8,t=1,p=1$")
    monkeypatch.setattr(users, "HASHER", PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    login(db)
    with db.read() as session:
        upgraded = session.scalar(select(User.password_hash).where(User.username == "alice"))
    assert upgraded.startswith("$argon2id$v=19$m=16,t=2,p=1$")
    login(db)


def test_token_use_is_recorded_at_most_every_few_minutes(db):
    add_user(db)
    now = utcnow()
    issued = login(db, now=now)
    with committing(db) as uow:
        users.touch_token(uow, issued.token_id, now=now)
    assert resolve(db, issued.token, now=now).last_used_at == now
    with committing(db) as uow:
        users.touch_token(uow, issued.token_id, now=now + timedelta(minutes=1))
    assert resolve(db, issued.token, now=now).last_used_at == now
    later = now + timedelta(minutes=6)
    with committing(db) as uow:
        users.touch_token(uow, issued.token_id, now=later)
    assert resolve(db, issued.token, now=later).last_used_at == later
