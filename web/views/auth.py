"""Log in, log out, and land on the right page for the user's role."""

from __future__ import annotations

import unicodedata
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import g, redirect, render_template, request, session, url_for

from ledger.actors import Role
from ledger.errors import LedgerError
from ledger.programmes import MUTUAL_AID
from ledger.read import setup
from ledger.services.users import revoke_token
from shell.auth import verify_login
from shell.db import get_db
from shell.problems import status_for
from shell.writes import commit_write
from web.blueprint import COUNTY, bp, home_of, page
from web.forms import FORM, FormState, blank
from web.responses import error_page
from web.session import check_csrf, sign_in, signed_in_actor

#: How many layers of percent-encoding `safe_next` peels before giving up.
_MAX_DECODINGS = 4


def safe_next(value: str | None) -> str:
    """The page to go to after login: `value` if it is surely a path on this site, else home.

    Browsers strip tabs and newlines inside a URL and read a backslash as a
    slash, so ``/%09/evil.example`` or ``/%5Cevil.example`` would leave the site:
    the value and every percent-decoding of it must be a plain local path,
    with nothing to strip (no control character or whitespace), no backslash,
    no scheme, no host and no leading ``//``. A refused value is not repaired.
    """
    home = url_for("web.home")
    if not value:
        return home
    layer = value
    for _ in range(_MAX_DECODINGS):
        if not _plain_local_path(layer):
            return home
        decoded = unquote(layer)
        if decoded == layer:
            return value
        layer = decoded
    return home  # still encoded after that many decodings: nobody types that


def _plain_local_path(text: str) -> bool:
    """A path on this site with nothing a browser would strip or reinterpret."""
    # Categories C (control, format, ...) and Z (spaces, line separators).
    if any(unicodedata.category(char)[0] in "CZ" for char in text):
        return False
    parts = urlsplit(text)
    return (
        text.startswith("/")
        and not text.startswith("//")
        and "\\" not in text
        and not parts.scheme
        and not parts.netloc
    )


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    next_page = safe_next(request.args.get("next"))
    if request.method == "GET":
        if signed_in_actor() is not None:
            return redirect(next_page)
        return render_template("web/login.html", title="登录", form=blank(), next=next_page)
    check_csrf()
    username = request.form.get("username", "").strip()
    form = FormState(values={"username": username})
    try:  # the API's login check: its own transaction, rerun while SQLite is busy
        actor = verify_login(username, request.form.get("password", ""))
    except LedgerError as error:
        form.error(FORM, error.detail_zh)
        page_ = render_template("web/login.html", title="登录", form=form, next=next_page)
        return page_, status_for(error)
    commit_write(
        lambda uow: {"token_id": sign_in(uow, actor)},
        actor=actor,
        target=f"user:{actor.username}",
        idempotent_key=False,
        include_body=False,
    )
    return redirect(next_page, code=303)


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    check_csrf()
    actor = signed_in_actor()
    if actor is not None:
        token = g.token
        commit_write(
            lambda uow: revoke_token(uow, token_id=token.token_id),
            status=204,
            target=f"token:{token.token_id}",
            idempotent_key=False,
        )
    session.clear()
    return redirect(url_for("web.login"), code=303)


@bp.route("/")
@page()
def home() -> Any:
    """One fund: straight to it. Several: a choice. The administrator has no business pages.

    A city's or a province's user lands on the choice whatever the funds, with
    their region's counties side by side at the top.
    """
    actor = g.actor
    if actor.role == Role.ADMIN:
        return error_page(
            403, "管理员账号用于管理用户(flask create-user、disable-user),没有业务页面。"
        )
    with get_db().read() as reading:
        funds = setup.funds(actor).all(reading)
    if len(funds) == 1 and not actor.above_county:
        return redirect(home_of(actor, funds[0].code, funds[0].kind))
    return render_template(
        "web/funds.html",
        title="选择基金",
        funds=funds,
        home=lambda row: home_of(actor, row.code, row.kind),
        societies=url_for("web.societies")
        if actor.role in COUNTY and any(row.kind == MUTUAL_AID for row in funds)
        else None,
        region=url_for("web.region", r=actor.region) if actor.above_county else None,
    )
