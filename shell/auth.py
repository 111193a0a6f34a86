"""Bearer-token authentication and role checks for the API.

``@require("clerk", "leader")`` on a view: the request must carry
``Authorization: Bearer <token>`` for a live token of a user in one of
those roles: 401 when the token is missing, unknown, expired, revoked or its
user disabled; 403 for another role. A GET or HEAD without the header may
carry the signed-in web session's cookie instead, so that pages can link the
PDF and XLSX downloads; a write never can. ``@require()`` admits any role. The `Actor` is then
`current_actor()` (also ``flask.g.actor``). The decorator also documents the
operation's bearer security and its 401/403 answers in the OpenAPI document.

Place it above the flask-smorest decorators, so that who-are-you (401) and
may-you (403) are answered before the body is validated (422).

Object-level rules stay with the services and handlers: `confine_township`
turns another township's record into a 404, `township_filter` pins a
township officer's lists to their own township.
"""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, g, request, session
from flask_smorest.utils import deepupdate

from ledger.actors import Actor, Role, confine_fund, confine_township, township_filter
from ledger.clock import utcnow
from ledger.db import UnitOfWork, run_in_transaction
from ledger.errors import (
    AuthenticationFailed,
    AuthenticationRequired,
    InvalidToken,
    RoleNotPermitted,
)
from ledger.services.users import ResolvedToken, check_password, resolve_token, touch_token
from shell.audit import client_addr
from shell.db import get_db

__all__ = [
    "BEARER_SCHEME",
    "authenticate_request",
    "confine_fund",
    "confine_township",
    "current_actor",
    "current_token",
    "require",
    "township_filter",
    "verify_login",
]

#: The name of the security scheme in the OpenAPI document.
BEARER_SCHEME = "bearerAuth"
SECURITY_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "POST /api/v1/auth/tokens 获得的令牌 / a token from POST /api/v1/auth/tokens",
}
TOUCH_INTERVAL = timedelta(minutes=5)

F = TypeVar("F", bound=Callable[..., Any])


#: Methods that may authenticate with the web session's cookie instead of a header.
COOKIE_METHODS = frozenset({"GET", "HEAD"})


def _bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if not header and request.method in COOKIE_METHODS and session.get("token"):
        # A signed-in browser downloading a PDF or spreadsheet the web pages link to.
        # Reads only: a write always needs the header, so a forged cross-site form
        # cannot reach the API with the cookie.
        return str(session["token"])
    if not header:
        raise AuthenticationRequired(
            "需要登录:请在 Authorization 头中提供 Bearer 令牌",
            "authentication required: send Authorization: Bearer <token>",
        )
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken(
            "Authorization 头应为 Bearer <令牌>", "the Authorization header must be Bearer <token>"
        )
    return token.strip()


def authenticate_request() -> Actor:
    """Resolve the request's bearer token to an Actor (cached on `g`), or raise 401."""
    if "actor" in g:
        return g.actor  # type: ignore[no-any-return]
    return authenticate_token(_bearer_token())


def authenticate_token(token: str) -> Actor:
    """The actor of a live `token` (kept on `g` for this request), or raise 401."""
    db = get_db()
    now = utcnow()
    with db.read() as reading:
        resolved = resolve_token(reading, token, now=now)
    if resolved is None:
        raise InvalidToken("令牌无效、已过期或已被撤销", "the token is invalid, expired or revoked")
    if resolved.last_used_at is None or now - resolved.last_used_at >= TOUCH_INTERVAL:

        def touch(uow: UnitOfWork) -> None:
            touch_token(uow, resolved.token_id, now=now, interval=TOUCH_INTERVAL)
            uow.commit()

        run_in_transaction(db, touch)
    g.actor, g.token = resolved.actor, resolved
    return resolved.actor


def verify_login(username: str, password: str) -> Actor:
    """Who logs in with this password, or raise (401, or 429 after too many failures).

    Its own transaction, rerun when the database is busy: a failure is
    committed for the rate limit although the request then fails.
    """
    config = current_app.config

    def check(uow: UnitOfWork) -> Actor:
        try:
            actor = check_password(
                uow,
                username=username,
                password=password,
                client=client_addr(),
                max_failures=config["LOGIN_MAX_FAILURES"],
                window=timedelta(seconds=config["LOGIN_FAILURE_WINDOW_SECONDS"]),
            )
        except AuthenticationFailed:
            uow.commit()  # the failure the service recorded counts towards the limit
            raise
        uow.commit()
        return actor

    return run_in_transaction(get_db(), check)


def current_actor() -> Actor:
    """The authenticated actor of this request (authenticating if not done yet)."""
    return authenticate_request()


def current_token() -> ResolvedToken:
    """The token this request authenticated with."""
    authenticate_request()
    return g.token  # type: ignore[no-any-return]


def check_role(actor: Actor, roles: tuple[str, ...]) -> None:
    if roles and actor.role not in roles:
        raise RoleNotPermitted(
            f"角色 {actor.role} 无权执行此操作(需要:{'、'.join(roles)})",
            f"role {actor.role} may not do this (needs: {', '.join(roles)})",
        )


def require(*roles: str) -> Callable[[F], F]:
    """Decorator: authenticate the request and admit only `roles` (any role if none)."""
    for role in roles:
        Role(role)  # a typo in a role name fails at import, not at request time

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            check_role(authenticate_request(), roles)
            return current_app.ensure_sync(view)(*args, **kwargs)

        responses = {"401": "UNAUTHORIZED"}
        if roles:
            responses["403"] = "FORBIDDEN"
        doc = deepcopy(getattr(wrapper, "_apidoc", {}))
        doc["manual_doc"] = deepupdate(
            doc.get("manual_doc", {}),
            {"security": [{BEARER_SCHEME: []}], "responses": responses},
        )
        # Machine-readable, for clients and the authorization matrix test.
        doc["manual_doc"]["x-roles"] = list(roles) or [role.value for role in Role]
        wrapper._apidoc = doc  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator
