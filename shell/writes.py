"""Writes over HTTP: the service, its audit record and its idempotent answer, in one commit.

A write handler parses, then hands the service call to `commit_write`:

    @blp.route("/<no>/repayments")
    class Repayments(MethodView):
        @require("clerk", "township")
        @accepts_idempotency_key
        @blp.arguments(RepaymentIn)
        @blp.response(201, RepaymentOut)
        def post(self, data, f, no):
            actor = current_actor()
            return commit_write(
                lambda uow: record_repayment(uow, actor=actor, fund=f, loan=no, **data),
                schema=RepaymentOut(),
                target=f"fund:{f}/loan:{no}",
            )

`commit_write` is the request's commit point: it runs the work (the service
only flushes) in `ledger.db.run_in_transaction`, dumps the result with
`schema`, appends the audit record and, if the client sent
``Idempotency-Key``, stores the response; then everything commits once,
and reruns whole on a serialization failure. A replay of an
idempotent request returns the stored body with ``Idempotent-Replayed:
true`` and writes nothing (so no audit record either). The view returns the
finished `Response`; flask-smorest passes it through and still documents
`@blp.response`'s schema.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from copy import deepcopy
from functools import wraps
from typing import Any, TypeVar

from flask import Response, current_app, g, request
from marshmallow import Schema, fields, validate

from ledger.actors import Actor
from ledger.db import UnitOfWork, run_in_transaction
from ledger.idempotency import idempotent, request_fingerprint, validate_key
from shell.audit import audit_request
from shell.auth import current_actor
from shell.db import get_db

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"


class IdempotencyKeyHeader(Schema):
    """Documents the optional header (``commit_write`` reads it itself)."""

    idempotency_key = fields.String(
        data_key=IDEMPOTENCY_HEADER,
        validate=validate.Length(min=1, max=255),
        metadata={
            "description": "同一键同一请求只执行一次,重发得到第一次的响应 / "
            "the same key and request run once; a retry gets the first response "
            f"(with {REPLAYED_HEADER}: true; one sent while the first is running waits "
            "for it); another request with the key is 422"
        },
    )


def accepts_idempotency_key(view: F) -> F:
    """Document the ``Idempotency-Key`` header on a view (place it below ``@require``)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return current_app.ensure_sync(view)(*args, **kwargs)

    doc = deepcopy(getattr(wrapper, "_apidoc", {}))
    doc.setdefault("arguments", {}).setdefault("parameters", []).append(
        {"in": "headers", "required": False, "schema": IdempotencyKeyHeader}
    )
    wrapper._apidoc = doc  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def request_body_fingerprint() -> str:
    """The hash that tells a retry (same method, path, query and body) from another request."""
    if request.is_json:
        body: Any = request.get_json(silent=True)
    elif request.files:  # an upload: the files' contents, not the (consumed) stream
        body = {"form": request.form.to_dict(), "files": {}}
        for name, upload in request.files.items(multi=True):
            upload.stream.seek(0)  # the handler may have read it already
            body["files"][name] = hashlib.sha256(upload.stream.read()).hexdigest()
            upload.stream.seek(0)
    elif request.form:  # a web page's form: parsing it consumed the raw body
        body = {"form": request.form.to_dict(flat=False)}
    else:
        body = request.get_data()
    path = request.full_path.rstrip("?")
    return request_fingerprint(request.method, path, body)


def commit_write(
    work: Callable[[UnitOfWork], T],
    *,
    schema: Schema | None = None,
    status: int = 201,
    target: str | Callable[[T], str | None] | None = None,
    details: Mapping[str, Any] | None = None,
    actor: Actor | None = None,
    idempotent_key: bool = True,
    key: str | None = None,
    include_body: bool = True,
    headers: Mapping[str, str] | None = None,
    audited_by_service: bool = False,
) -> Response:
    """Run `work(uow)` (which calls one service) as this request's audited transaction.

    - `schema` dumps the service's result into the JSON body (none for 204);
    - `target` names the object acted on, as a string or from the result;
    - `details` are added to the audit record (the redacted JSON body is
      included unless `include_body` is false);
    - `actor` defaults to the authenticated one (the login view passes it);
    - `idempotent_key=False` ignores ``Idempotency-Key`` (never store a
      response that carries a secret, such as a new token);
    - `key` is the idempotency key when it comes from elsewhere than the
      header (a web form's hidden field);
    - `audited_by_service=True` says the service appended the write's audit
      record itself, in this transaction (a mutual-aid society's verbs
      write theirs on the society's chain, whatever door called them): no
      second record is added here, so each write is audited once.
    """
    who = actor or current_actor()
    if key is None and idempotent_key:
        key = request.headers.get(IDEMPOTENCY_HEADER)

    def transaction(uow: UnitOfWork) -> tuple[int, str | None]:
        result = work(uow)
        if status == 204:
            body = None
        else:
            dumped = schema.dump(result) if schema is not None else result
            body = current_app.json.dumps(dumped)
        if audited_by_service:
            g.audited = True
        else:
            audit_request(
                uow,
                actor=who,
                target=target(result) if callable(target) else target,
                details=details,
                include_body=include_body,
            )
        return status, body

    def committed(uow: UnitOfWork) -> tuple[int, str | None]:
        answer = transaction(uow)
        uow.commit()
        return answer

    db = get_db()
    replayed = False
    if key is None:
        code, body = run_in_transaction(db, committed)
    else:
        outcome = idempotent(
            db,
            actor=who.username,
            key=validate_key(key),
            method=request.method,
            path=request.path,
            fingerprint=request_body_fingerprint(),
            work=transaction,
        )
        code, body, replayed = outcome.status, outcome.body, outcome.replayed
    response = current_app.response_class(
        body, status=code, mimetype="application/json" if body is not None else None
    )
    if replayed:
        g.audit_exempt = True
        response.headers[REPLAYED_HEADER] = "true"
    response.headers.update(headers or {})
    return response
