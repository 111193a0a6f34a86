"""The web pages' blueprint and the one decorator every page wears.

``@page(Action.REMIT)`` on a view: no live session redirects to the login
page (keeping where the user was going); a role that `ledger.permissions`
does not give the action (or, for ``@page(*COUNTY)``, not listed) is a 403
page; a fund ``<f>`` (and loan ``<no>``) in the URL that the user may not
see is a 404 page that reads exactly as a missing one, so URL tampering
reveals nothing; a POST must carry the session's CSRF field. Then the view
runs with `current_actor()` set, as an API handler would.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, g, redirect, request, url_for

from ledger.actors import Actor, Role
from ledger.permissions import Action, scope
from ledger.programmes import KINDS, MUTUAL_AID, REVOLVING
from ledger.read import access
from ledger.services import lookup
from shell.auth import check_role
from shell.db import get_db
from web.session import check_csrf, signed_in_actor

F = TypeVar("F", bound=Callable[..., Any])

bp = Blueprint(
    "web", __name__, template_folder="templates", static_folder="static", static_url_path="/assets"
)

#: The county's readers, and everyone who may read a township's records.
COUNTY = Action.READ_FUND.roles
EVERYONE = Action.READ_TOWNSHIP.roles


#: The programme kinds a page of the book itself (journals, trial balance) answers for.
EVERY_KIND = tuple(KINDS)


def page(
    *who: str | Action, loan: bool = False, kinds: tuple[str, ...] = (REVOLVING,)
) -> Callable[[F], F]:
    """Sign-in, role, fund/loan visibility and CSRF checks for a page (see the module doc).

    A fund ``<f>`` must be of one of `kinds`: the revolving fund's pages are a 404 for a
    society (whose own pages are ``/s/<s>/``), as its endpoints are, unless they are the
    book's (`EVERY_KIND`); ``g.fund_kind`` then picks the menu.
    """
    roles = scope(*who)
    for role in roles:
        Role(role)

    def decorator(view: F) -> F:
        @wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            actor = signed_in_actor()
            if actor is None:
                target = request.full_path.rstrip("?") if request.method == "GET" else None
                return redirect(url_for("web.login", next=target))
            if request.method == "POST":
                check_csrf()
            check_role(actor, roles)
            if "f" in kwargs:
                with get_db().read() as session:
                    access.check_visible(
                        session, actor, kwargs["f"], kwargs["no"] if loan else None, kinds=kinds
                    )
                    g.fund_kind = lookup.fund(session, kwargs["f"]).kind
            return view(*args, **kwargs)

        return checked  # type: ignore[return-value]

    return decorator


def home_of(actor: Actor, fund: str, kind: str = REVOLVING) -> str:
    """Where a user lands in a fund: a society's own home; else the leader's dashboard or
    the working overview."""
    if kind == MUTUAL_AID:
        return url_for("web.society", s=fund)
    if actor.role == Role.LEADER:
        return url_for("web.dashboard", f=fund)
    return url_for("web.overview", f=fund)
