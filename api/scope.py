"""Who may use a fund's endpoints: roles, then the fund (and loan) in the URL.

``@in_fund("clerk", "township")`` on a view under ``/api/v1/funds/<f>`` is
``@require("clerk", "township")`` (401, then 403) followed by a check that
the fund exists and the user is granted it, and, with ``loan=True``, that
the loan ``<no>`` exists and belongs to the caller's township when the
caller is a township officer. Either failing is a 404 that reads exactly as
an unknown fund or loan would. Both are answered before the request body is
validated, so another township's loan is a 404 whatever the body holds
(SPEC §9: never reveal another township's data), and a 422 means the
caller could have acted had the input been right.

The role sets below are the API's half of SPEC §2; the services hold the
other half (maker ≠ checker, township confinement of every record a body
names).
"""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from functools import wraps
from typing import Any, TypeVar

from flask import current_app
from flask_smorest.utils import deepupdate

from ledger.read import access
from shell.auth import current_actor, require
from shell.db import get_db

F = TypeVar("F", bound=Callable[..., Any])

#: The county's readers: every row of the fund (the leader reads only).
COUNTY_READERS = ("clerk", "approver", "leader")
#: Readers of per-township records: township officers get their own township's only.
READERS = (*COUNTY_READERS, "township")
#: Who proposes write-offs, extensions and project changes (an approver may,
#: but then another approver decides: 四眼原则).
PROPOSERS = ("clerk", "approver")
#: Who collects money from households: the county clerk or the loan's own township.
COLLECTORS = ("clerk", "township")


def in_fund(*roles: str, loan: bool = False, township: bool = False) -> Callable[[F], F]:
    """`require(*roles)`, then 404 unless the URL's fund (and loan ``no``, township ``t``)
    exist for the caller."""

    def decorator(view: F) -> F:
        @wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            actor = current_actor()
            with get_db().read() as session:
                access.check_visible(
                    session,
                    actor,
                    kwargs["f"],
                    kwargs["no"] if loan else None,
                    township=kwargs["t"] if township else None,
                )
            return current_app.ensure_sync(view)(*args, **kwargs)

        doc = deepcopy(getattr(checked, "_apidoc", {}))
        doc["manual_doc"] = deepupdate(
            doc.get("manual_doc", {}), {"responses": {"404": "NOT_FOUND"}}
        )
        checked._apidoc = doc  # type: ignore[attr-defined]
        return require(*roles)(checked)

    return decorator
