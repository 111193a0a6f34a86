"""Log in, log out, and land on the right page for the user's role."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app, g, redirect, render_template, request, session, url_for

from api import get_db
from api.audit import client_addr
from api.problems import status_for
from api.writes import commit_write
from ledger import listings
from ledger.actors import Role
from ledger.errors import LedgerError
from ledger.services.users import check_password, revoke_token
from web.blueprint import bp, home_of, page
from web.forms import FORM, FormState, blank
from web.responses import error_page
from web.session import check_csrf, sign_in, signed_in_actor


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site (never ``//elsewhere`` or a full URL) is followed after login."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    next_page = _safe_next(request.args.get("next"))
    if request.method == "GET":
        if signed_in_actor() is not None:
            return redirect(next_page or url_for("web.home"))
        return render_template("web/login.html", title="登录", form=blank(), next=next_page)
    check_csrf()
    username = request.form.get("username", "").strip()
    form = FormState(values={"username": username})
    config = current_app.config
    try:
        with get_db().uow() as uow:  # its own transaction: a failure must be recorded
            actor = check_password(
                uow,
                username=username,
                password=request.form.get("password", ""),
                client=client_addr(),
                max_failures=config["LOGIN_MAX_FAILURES"],
                window=timedelta(seconds=config["LOGIN_FAILURE_WINDOW_SECONDS"]),
            )
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
    return redirect(next_page or url_for("web.home"), code=303)


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
    """One fund: straight to it. Several: a choice. The administrator has no business pages."""
    actor = g.actor
    if actor.role == Role.ADMIN:
        return error_page(
            403, "管理员账号用于管理用户(flask create-user、disable-user),没有业务页面。"
        )
    with get_db().read() as reading:
        funds = list(reading.execute(listings.funds(actor)))
    if len(funds) == 1:
        return redirect(home_of(actor, funds[0].code))
    return render_template(
        "web/funds.html", title="选择基金", funds=funds, home=lambda code: home_of(actor, code)
    )
