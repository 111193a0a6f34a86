"""The audit trail of HTTP writes: who, in which role, when, what, request id, from where.

Every request gets a request id (the client's ``X-Request-Id`` when it is a
sane token, else a new one), echoed in the response. A write handler goes
through ``shell.writes.commit_write``, which calls `audit_request` inside the
write's own transaction, so a write and its audit record commit together or
not at all (a refused request leaves the audit head where it was).

As a safety net, a successful POST/PUT/PATCH/DELETE that was not audited is
logged as an error, and with ``AUDIT_STRICT`` (on in testing) answered with
a 500 so the missing call is caught in tests, not in production.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, g, request

from ledger.actors import Actor
from ledger.audit import append_audit
from ledger.db import UnitOfWork
from ledger.models import AuditRecord
from ledger.models.audit import SYSTEM_CHAIN
from shell.problems import problem

log = logging.getLogger(__name__)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
#: Body keys never copied into the audit log.
_SECRET_KEYS = re.compile(r"pass|token|secret", re.IGNORECASE)
#: Larger JSON bodies are summarised, not copied.
MAX_AUDITED_BODY_CHARS = 8192


def request_id() -> str:
    """This request's id (from ``X-Request-Id`` or generated)."""
    if "request_id" not in g:
        given = request.headers.get("X-Request-Id", "")
        g.request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
    return str(g.request_id)


def client_addr() -> str:
    """The client's address (behind a proxy, configure ProxyFix so this is the real one)."""
    return (request.remote_addr or "unknown")[:64]


def redacted(value: Any) -> Any:
    """`value` with secrets (passwords, tokens) replaced by ``"***"``."""
    if isinstance(value, Mapping):
        return {
            k: "***" if isinstance(k, str) and _SECRET_KEYS.search(k) else redacted(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redacted(v) for v in value]
    return value


def request_details() -> dict[str, Any]:
    """What the request carried, for the record: its JSON body (redacted) or a summary."""
    details: dict[str, Any] = {"endpoint": request.endpoint}
    if request.query_string:
        details["query"] = request.query_string.decode("latin-1")[:1024]
    if request.is_json:
        body = request.get_json(silent=True)
        if body is not None:
            text = str(body)
            details["body"] = (
                redacted(body)
                if len(text) <= MAX_AUDITED_BODY_CHARS
                else {"omitted": f"{len(text)} characters"}
            )
    elif request.mimetype == "application/x-www-form-urlencoded" and request.form:
        details["body"] = redacted(request.form.to_dict())  # a web page's form
    elif request.content_length:
        details["body"] = {"content_type": request.mimetype, "bytes": request.content_length}
    if key := request.headers.get("Idempotency-Key"):
        details["idempotency_key"] = key[:255]
    return details


def audit_request(
    uow: UnitOfWork,
    *,
    actor: Actor,
    target: str | None = None,
    details: Mapping[str, Any] | None = None,
    action: str | None = None,
    include_body: bool = True,
) -> AuditRecord:
    """Append this request's audit record in `uow`'s transaction (the caller commits).

    `action` defaults to ``METHOD /path``; `details` are merged over the
    request's own (redacted body, query, idempotency key).
    """
    record_details = request_details() if include_body else {"endpoint": request.endpoint}
    record_details.update(details or {})
    record = append_audit(
        uow.session,
        chain=(request.view_args or {}).get("f", SYSTEM_CHAIN),
        actor=actor,
        action=action or f"{request.method} {request.path}",
        target=target,
        details=record_details,
        request_id=request_id(),
        client_addr=client_addr(),
    )
    g.audited = True
    return record


def init_app(app: Flask) -> None:
    """Give every request an id, and flag successful writes that left no audit record."""
    app.config.setdefault("AUDIT_STRICT", app.testing)

    @app.before_request
    def _assign_request_id() -> None:
        request_id()

    @app.after_request
    def _finish(response: Response) -> Response:
        response = _check_audited(response)
        response.headers["X-Request-Id"] = request_id()
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    def _check_audited(response: Response) -> Response:
        if (
            request.method in WRITE_METHODS
            and 200 <= response.status_code < 300
            and not g.get("audited")
            and not g.get("audit_exempt")
        ):
            log.error("unaudited write: %s %s", request.method, request.path)
            if app.config["AUDIT_STRICT"]:
                return problem(
                    500,
                    "unaudited-write",
                    title=("写操作未记入审计日志", "Write not audited"),
                    detail=(
                        f"{request.method} {request.path} 没有调用审计",
                        f"{request.method} {request.path} did not append an audit record",
                    ),
                )
        return response
