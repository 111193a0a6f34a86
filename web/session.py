"""Signing in to the web pages: a signed session cookie that holds an API token.

Logging in issues the same random, revocable bearer token the API hands out
(``ledger.services.users.issue_token``) and keeps it in Flask's signed
session cookie (HttpOnly, SameSite=Lax, Secure unless configured off for
plain-HTTP development). Every request resolves the token against the
database, so logging out (which revokes it) or disabling the user ends the
session at once, on every browser tab.

Forms are protected by a synchronizer token: a random ``csrf`` value kept in
the session and echoed in a hidden field of every form; a POST whose field
does not match is refused before anything else runs. Logging in starts a
fresh session (new CSRF value), so a token planted before login is useless.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta

from flask import abort, current_app, g, request, session

from ledger.actors import Actor
from ledger.errors import Unauthenticated
from ledger.services.users import issue_token
from shell.auth import authenticate_token

CSRF_FIELD = "csrf_token"


def csrf_token() -> str:
    """This session's CSRF value (created on first use)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return str(session["csrf"])


def check_csrf() -> None:
    """Refuse (400) a form POST whose hidden CSRF field does not match the session's."""
    sent = request.form.get(CSRF_FIELD, "")
    expected = session.get("csrf", "")
    if not sent or not expected or not hmac.compare_digest(str(sent), str(expected)):
        abort(400, description="csrf")


def signed_in_actor() -> Actor | None:
    """The actor behind the session's token, or None (no session, revoked, expired, disabled)."""
    if "actor" in g:
        return g.actor  # type: ignore[no-any-return]
    token = session.get("token")
    if not token:
        return None
    try:
        return authenticate_token(str(token))
    except Unauthenticated:
        session.pop("token", None)
        return None


def sign_in(uow, actor: Actor) -> int:
    """Issue a token for `actor` and start a fresh session holding it; return the token id."""
    ttl = timedelta(seconds=current_app.config["TOKEN_TTL_SECONDS"])
    issued = issue_token(uow, actor, ttl=ttl)
    session.clear()
    session["token"] = issued.token
    session.permanent = True
    csrf_token()
    return issued.token_id


def flash(message: str) -> None:
    """A one-line notice shown on the next page (「已记录……」)."""
    session.setdefault("notices", []).append(message)
    session.modified = True


def notices() -> list[str]:
    return list(session.pop("notices", []))
