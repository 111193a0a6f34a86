"""Users, passwords and API tokens: who may call the ledger, and for how long.

Passwords are hashed with argon2id (RFC 9106's second recommended setting:
3 passes over 64 MiB, 4 lanes) and re-hashed at the next login when the
setting changes. Logging in checks the password and hands out a random
bearer token (``secrets.token_urlsafe(32)``, 256 bits); the database keeps
only its SHA-256, so a leaked backup contains no usable token. A token
expires after `TOKEN_TTL`, can be revoked, and stops working the moment
its user is disabled.

Password guessing is slowed in the database, so it holds across processes:
after `MAX_FAILURES` failed logins for one username from one client address
within `FAILURE_WINDOW`, that pair is refused (`TooManyAttempts`) until the
oldest failure leaves the window. An unknown username costs the same
argon2 work and gets the same answer as a wrong password.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ledger.actors import COUNTY_DIGITS, REGION_ROLES, SYSTEM, Actor, Role, in_region
from ledger.clock import as_utc, utcnow
from ledger.db import UnitOfWork
from ledger.errors import (
    AuthenticationFailed,
    DuplicateKey,
    FundNotFound,
    InvalidField,
    TooManyAttempts,
    UserNotFound,
)
from ledger.models import ApiToken, Fund, LoginFailure, User
from ledger.services import counties

#: argon2id with the library defaults (t=3, m=64 MiB, p=4). Tests may swap it
#: for a cheaper one; hashes record their own parameters, so old ones verify.
HASHER = PasswordHasher()

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
TOWNSHIP_CODE = re.compile(r"[0-9]{9}")
FUND_CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")
MIN_PASSWORD_LENGTH = 8
#: argon2 would take longer; nobody types more.
MAX_PASSWORD_LENGTH = 1024

TOKEN_TTL = timedelta(hours=12)
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
#: Failed logins older than this are deleted as new ones arrive.
FAILURE_RETENTION = timedelta(days=1)
#: ``last_used_at`` is refreshed at most this often.
TOUCH_INTERVAL = timedelta(minutes=5)


@dataclass(frozen=True)
class IssuedToken:
    """A new bearer token: `token` is shown to the client once and never stored."""

    token: str
    expires_at: datetime
    token_id: int
    actor: Actor


@dataclass(frozen=True)
class ResolvedToken:
    """A valid token and the actor it stands for."""

    actor: Actor
    token_id: int
    expires_at: datetime
    last_used_at: datetime | None


def normalize_username(username: str) -> str:
    return username.strip().lower()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def actor_of(user: User) -> Actor:
    return Actor(
        username=user.username,
        role=Role(user.role),
        township_code=user.township_code,
        user_id=user.id,
        fund_code=user.fund_code,
        region=user.region,
    )


def hash_password(password: str) -> str:
    """Check the password policy and return its argon2id hash."""
    if not isinstance(password, str) or not (
        MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH
    ):
        raise InvalidField(
            f"密码长度须为 {MIN_PASSWORD_LENGTH}–{MAX_PASSWORD_LENGTH} 个字符",
            f"password must be {MIN_PASSWORD_LENGTH}-{MAX_PASSWORD_LENGTH} characters",
            field="password",
        )
    return HASHER.hash(password)


#: Roles whose work lies in the funds they are granted. Without a grant a township
#: officer would read the same township code in every fund (another fund's 衡山镇);
#: a society's cashier keeps one society's money.
FUND_BOUND_ROLES = frozenset({Role.CLERK, Role.TOWNSHIP, Role.CASHIER})


def require_fund_grant(role: str, fund_code: str | None) -> None:
    """Refuse a clerk, township officer or society cashier who is granted no fund.

    ``create-user`` calls it before asking for the password, and the demo
    grants its clerk and township officer the demo fund. `create_user` itself
    does not: the tests' shared users span every fund.
    """
    if role in FUND_BOUND_ROLES and not fund_code:
        raise InvalidField(
            "业务会计(clerk)、乡镇用户(township)和出纳(cashier)须指定所属基金(--fund),"
            "否则可读取所有基金",
            "clerk, township and cashier users must be granted a fund (--fund); "
            "without one they would read every fund",
            field="fund",
        )


def check_region(
    session: Session, region: str | None, role: Role, township_code: str | None
) -> None:
    """Refuse a malformed region, a writer above a county, a township or county outside it."""
    if region is None:
        return
    counties.check_region_code(region)
    if len(region) < COUNTY_DIGITS and role not in REGION_ROLES:
        raise InvalidField(
            f"市级、省级用户只能是 {'、'.join(REGION_ROLES)}(只读)",
            f"a city's or a province's user may only be {' or '.join(REGION_ROLES)} (read-only)",
            field="role",
        )
    if len(region) == 6:
        counties.county(session, SYSTEM, region, "region")
    if township_code is not None and not township_code.startswith(region):
        raise InvalidField(
            f"乡镇 {township_code} 不在辖区 {region} 内",
            f"township {township_code} lies outside the region {region}",
            field="township",
        )


def _fund_in_region(session: Session, fund_code: str, region: str | None) -> bool:
    county = session.scalar(select(Fund.county_code).where(Fund.code == fund_code))
    return county is not None and in_region(county, region)


def create_user(
    uow: UnitOfWork,
    *,
    username: str,
    password: str,
    role: str,
    township_code: str | None = None,
    fund_code: str | None = None,
    region: str | None = None,
) -> User:
    """Create a user; a ``township`` officer needs a township, nobody else may have one.

    A `region` confines the user to a county (6 digits, which must exist), a
    city (4) or a province (2); above a county the user may only read
    (`REGION_ROLES`), and a township or a fund granted must lie in the region.
    Without one the user sees every county, as on a one-county install.
    """
    name = normalize_username(username) if isinstance(username, str) else ""
    if not USERNAME.fullmatch(name):
        raise InvalidField(
            "用户名须为 2–64 个小写字母、数字或 . _ -,以字母或数字开头",
            "username must be 2-64 lower-case letters, digits, '.', '_' or '-', "
            "starting with a letter or digit",
            field="username",
        )
    try:
        user_role = Role(role)
    except ValueError:
        raise InvalidField(
            f"角色须为 {'、'.join(Role)} 之一",
            f"role must be one of {', '.join(Role)}",
            field="role",
        ) from None
    if user_role is Role.TOWNSHIP:
        if not isinstance(township_code, str) or not TOWNSHIP_CODE.fullmatch(township_code):
            raise InvalidField(
                "乡镇用户须指定 9 位乡镇代码",
                "a township user needs a 9-digit township code",
                field="township",
            )
    elif township_code is not None:
        raise InvalidField(
            "只有乡镇用户才绑定乡镇",
            "only township users are bound to a township",
            field="township",
        )
    session = uow.session
    check_region(session, region, user_role, township_code)
    if fund_code is not None and (
        not isinstance(fund_code, str)
        or not FUND_CODE.fullmatch(fund_code)
        or not _fund_in_region(session, fund_code, region)
    ):
        raise FundNotFound(
            f"基金 {fund_code} 不存在", f"fund {fund_code} does not exist", field="fund"
        )
    duplicate = DuplicateKey(f"用户名 {name} 已存在", f"username {name} is taken", field="username")
    if session.scalar(select(User.id).where(User.username == name)) is not None:
        raise duplicate
    user = User(
        username=name,
        password_hash=hash_password(password),
        role=user_role,
        township_code=township_code,
        fund_code=fund_code,
        region=region,
        disabled=False,
    )
    session.add(user)
    try:
        uow.session.flush()
    except IntegrityError:  # a concurrent create of the same name won
        raise duplicate from None
    return user


def get_user(session: Session, username: str) -> User:
    name = normalize_username(username)
    user = session.scalar(select(User).where(User.username == name))
    if user is None:
        raise UserNotFound(f"用户 {name} 不存在", f"user {name} does not exist", field="username")
    return user


@functools.cache
def _dummy_hash(params: tuple[int, int, int]) -> str:
    """A hash to verify against when the user does not exist (same cost, same answer)."""
    return HASHER.hash(secrets.token_urlsafe(16))


def _verify_password(
    uow: UnitOfWork,
    username: str,
    password: str,
    client: str,
    now: datetime,
    max_failures: int,
    window: timedelta,
) -> Actor:
    """Return the actor, or record the failure and raise (the caller commits the record)."""
    session = uow.session
    name = normalize_username(username)[:64] if isinstance(username, str) else ""
    client = (client or "unknown")[:64]
    recent = select(LoginFailure.at).where(
        LoginFailure.username == name, LoginFailure.client == client, LoginFailure.at > now - window
    )
    count = session.scalar(select(func.count()).select_from(recent.subquery())) or 0
    if count >= max_failures:
        oldest = as_utc(session.scalar(select(func.min(recent.subquery().c.at))) or now)
        wait = max(1, math.ceil((oldest + window - now).total_seconds()))
        raise TooManyAttempts(
            f"登录失败次数过多,请 {math.ceil(wait / 60)} 分钟后再试",
            f"too many failed logins; try again in {wait} seconds",
            retry_after=wait,
        )
    user = session.scalar(select(User).where(User.username == name)) if name else None
    password = password if isinstance(password, str) else ""
    try:
        if user is None:
            params = (HASHER.time_cost, HASHER.memory_cost, HASHER.parallelism)
            HASHER.verify(_dummy_hash(params), password)
            ok = False
        else:
            ok = HASHER.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None or user.disabled:
        session.add(LoginFailure(username=name, client=client, at=now))
        session.execute(delete(LoginFailure).where(LoginFailure.at < now - FAILURE_RETENTION))
        uow.session.flush()
        raise AuthenticationFailed("用户名或密码错误", "wrong username or password")
    session.execute(
        delete(LoginFailure).where(LoginFailure.username == name, LoginFailure.client == client)
    )
    if HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = HASHER.hash(password)
    return actor_of(user)


def check_password(
    uow: UnitOfWork,
    *,
    username: str,
    password: str,
    client: str,
    now: datetime | None = None,
    max_failures: int = MAX_FAILURES,
    window: timedelta = FAILURE_WINDOW,
) -> Actor:
    """Return who logs in, or raise AuthenticationFailed / TooManyAttempts.

    Writes either way: a failure is recorded for the rate limit (the caller
    commits it before passing AuthenticationFailed on), a success clears the
    failures of that username and client (and may re-hash).
    """
    when = as_utc(now) if now else utcnow()
    actor = _verify_password(uow, username, password, client, when, max_failures, window)
    uow.session.flush()
    return actor


def issue_token(
    uow: UnitOfWork, actor: Actor, *, now: datetime | None = None, ttl: timedelta = TOKEN_TTL
) -> IssuedToken:
    """Create a bearer token for `actor` (who just proved their password)."""
    when = as_utc(now) if now else utcnow()
    user = uow.session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is None or user.disabled:  # disabled between the password check and now
        raise AuthenticationFailed("用户名或密码错误", "wrong username or password")
    token = secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id, token_hash=token_hash(token), created_at=when, expires_at=when + ttl
    )
    uow.session.add(row)
    uow.session.flush()
    return IssuedToken(token, row.expires_at, row.id, actor)


def authenticate(
    uow: UnitOfWork,
    *,
    username: str,
    password: str,
    client: str,
    now: datetime | None = None,
    ttl: timedelta = TOKEN_TTL,
    max_failures: int = MAX_FAILURES,
    window: timedelta = FAILURE_WINDOW,
) -> IssuedToken:
    """Check the password and issue a token, in one transaction; failures are recorded."""
    when = as_utc(now) if now else utcnow()
    actor = _verify_password(uow, username, password, client, when, max_failures, window)
    return issue_token(uow, actor, now=when, ttl=ttl)


def resolve_token(
    session: Session, token: str, *, now: datetime | None = None
) -> ResolvedToken | None:
    """The actor behind a bearer token, or None if unknown, expired, revoked or disabled."""
    if not isinstance(token, str) or not 16 <= len(token) <= 256:
        return None
    when = as_utc(now) if now else utcnow()
    row = session.execute(
        select(ApiToken, User)
        .join(User, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == token_hash(token))
    ).first()
    if row is None:
        return None
    api_token, user = row
    expires_at = as_utc(api_token.expires_at)
    if api_token.revoked_at is not None or user.disabled or expires_at <= when:
        return None
    last_used = None if api_token.last_used_at is None else as_utc(api_token.last_used_at)
    return ResolvedToken(actor_of(user), api_token.id, expires_at, last_used)


def touch_token(
    uow: UnitOfWork,
    token_id: int,
    *,
    now: datetime | None = None,
    interval: timedelta = TOUCH_INTERVAL,
) -> None:
    """Record that a token was used, at most once per `interval`."""
    when = as_utc(now) if now else utcnow()
    uow.session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token_id,
            (ApiToken.last_used_at.is_(None)) | (ApiToken.last_used_at < when - interval),
        )
        .values(last_used_at=when)
    )
    uow.session.flush()


def revoke_token(uow: UnitOfWork, *, token_id: int, now: datetime | None = None) -> bool:
    """Revoke a token; False if it was already revoked."""
    when = as_utc(now) if now else utcnow()
    result = uow.session.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=when)
    )
    uow.session.flush()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def disable_user(uow: UnitOfWork, *, username: str, now: datetime | None = None) -> User:
    """Disable a user and revoke all their tokens at once."""
    when = as_utc(now) if now else utcnow()
    user = get_user(uow.session, username)
    if not user.disabled:
        user.disabled, user.disabled_at = True, when
    uow.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=when)
    )
    uow.session.flush()
    return user


def enable_user(uow: UnitOfWork, *, username: str) -> User:
    """Let a disabled user log in again (their old tokens stay revoked)."""
    user = get_user(uow.session, username)
    user.disabled, user.disabled_at = False, None
    uow.session.flush()
    return user
