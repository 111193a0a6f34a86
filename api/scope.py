"""Who may use a fund's endpoints: roles, then the fund (and loan) in the URL.

``@in_fund(Action.REPAY)`` on a view under ``/api/v1/funds/<f>`` is
``@require("clerk", "township")`` (401, then 403), the roles
`ledger.permissions` gives the action, followed by a check that
the fund exists and the user is granted it, and, with ``loan=True``, that
the loan ``<no>`` exists and belongs to the caller's township when the
caller is a township officer. Either failing is a 404 that reads exactly as
an unknown fund or loan would. Both are answered before the request body is
validated, so another township's loan is a 404 whatever the body holds
(SPEC §9: never reveal another township's data), and a 422 means the
caller could have acted had the input been right.

A write names its action, a read its readers (`COUNTY_READERS`,
`READERS`); both come from that one table, which the service called checks
again, with the loan's state, maker ≠ checker and the township confinement
of every record a body names.
"""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from functools import wraps
from typing import Any, TypeVar

from flask import current_app
from flask_smorest.utils import deepupdate

from ledger.permissions import Action, scope
from ledger.programmes import KINDS, REVOLVING
from ledger.read import access
from shell.auth import current_actor, require
from shell.db import get_db

F = TypeVar("F", bound=Callable[..., Any])

#: The county's readers: every row of the fund (the leader reads only).
COUNTY_READERS = Action.READ_FUND.roles
#: The kinds whose book a URL answers for: every programme kind.
EVERY_KIND = tuple(KINDS)
#: Readers of per-township records: township officers get their own township's only.
READERS = Action.READ_TOWNSHIP.roles


def in_fund(
    *who: str | Action,
    loan: bool = False,
    township: bool = False,
    kinds: tuple[str, ...] = (REVOLVING,),
) -> Callable[[F], F]:
    """`require` the roles (or an action's roles), then 404 unless the URL's fund (and
    loan ``no``, township ``t``) exist for the caller.

    The fund's URLs are the revolving fund's own unless they name `kinds`:
    the book's (accounts, journals, periods: `EVERY_KIND`) answer for every
    programme kind (SPEC §13); a society at any other is a 404, as no fund.
    """
    return gated(
        scope(*who),
        lambda session, actor, kwargs: access.check_visible(
            session,
            actor,
            kwargs["f"],
            kwargs["no"] if loan else None,
            township=kwargs["t"] if township else None,
            kinds=kinds,
        ),
    )


def gated(
    roles: tuple[str, ...], visible: Callable[[Any, Any, dict[str, Any]], object]
) -> Callable[[F], F]:
    """`require` `roles`, then run `visible(session, actor, url_kwargs)`, whose NotFound is the
    404 (documented), before the view reads its body."""

    def decorator(view: F) -> F:
        @wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            actor = current_actor()
            with get_db().read() as session:
                visible(session, actor, kwargs)
            return current_app.ensure_sync(view)(*args, **kwargs)

        doc = deepcopy(getattr(checked, "_apidoc", {}))
        doc["manual_doc"] = deepupdate(
            doc.get("manual_doc", {}), {"responses": {"404": "NOT_FOUND"}}
        )
        checked._apidoc = doc  # type: ignore[attr-defined]
        return require(*roles)(checked)

    return decorator
