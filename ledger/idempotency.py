"""Idempotent requests: the same key and body get the first answer, once (SPEC §11).

A client that did not hear the answer to a money-moving request sends it
again with the same ``Idempotency-Key``. Three rules:

- same key, same request (method, path and body, compared by hash): the
  stored first response is returned again and nothing is written;
- same key, another request: `IdempotencyKeyReused` (422);
- same key while the first is still running: `RequestInFlight` (409).

`idempotent` works in two transactions. The first *claims* the key (an
``in_flight`` row, committed at once, so a duplicate arriving meanwhile sees
it). The second is the request's own sealed transaction
(``ledger.transactions``): the business write, its audit record and the
stored response (status ``done``) commit together, so a stored answer
always means a committed write and vice versa. A request that fails gives
its claim back, so the client may try again with the same key.

A claim left behind by a crashed process goes stale after
`IN_FLIGHT_TIMEOUT` and may be taken over; each claim carries a random
token, and only its holder can complete it, so a slow first request that
lost its claim rolls back instead of writing twice. Keys are kept at least
`RETENTION` (30 days); `purge` removes older ones.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update

from ledger.audit import canonical_json
from ledger.clock import as_utc, utcnow
from ledger.db import Database, UnitOfWork, run_in_transaction
from ledger.errors import IdempotencyKeyReused, InvalidField, RequestInFlight
from ledger.models import IdempotencyRecord, IdempotencyStatus
from ledger.transactions import DeferredUnitOfWork, run_deferred

log = logging.getLogger(__name__)

MAX_KEY_LENGTH = 255
#: Visible ASCII only: no spaces, control characters or look-alikes in a key.
KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")
IN_FLIGHT_TIMEOUT = timedelta(minutes=5)
RETENTION = timedelta(days=30)


@dataclass(frozen=True)
class StoredResponse:
    """The answer to send: the first one (``replayed``) or the one just made."""

    status: int
    #: The JSON text of the body, or None for an empty body (204).
    body: str | None
    replayed: bool


@dataclass(frozen=True)
class Claim:
    """This request holds the key until it completes or releases it."""

    record_id: int
    token: str


def validate_key(key: str) -> str:
    """Return `key` if it is 1–255 visible ASCII characters, else raise InvalidField."""
    if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
        raise InvalidField(
            "Idempotency-Key 须为 1–255 个可见 ASCII 字符",
            "Idempotency-Key must be 1-255 visible ASCII characters",
            field="Idempotency-Key",
        )
    return key


def request_fingerprint(method: str, path: str, body: Any) -> str:
    """Hex SHA-256 of a request: the same JSON with keys reordered hashes the same.

    `body` is the parsed JSON (or None); bytes are hashed as they are.
    """
    digest = hashlib.sha256()
    digest.update(f"{method.upper()} {path}\n".encode())
    if isinstance(body, bytes):
        digest.update(b"bytes:" + body)
    else:
        digest.update(b"json:" + canonical_json(body).encode("utf-8"))
    return digest.hexdigest()


def claim(
    db: Database,
    *,
    actor: str,
    key: str,
    method: str,
    path: str,
    fingerprint: str,
    now: datetime | None = None,
    in_flight_timeout: timedelta = IN_FLIGHT_TIMEOUT,
) -> Claim | StoredResponse:
    """Claim `key` for this request, or return the stored answer, or refuse (422/409)."""
    validate_key(key)
    # A lost race to insert the same key is retryable (`RETRYABLE_CONSTRAINTS`):
    # the next attempt finds the winner's claim in flight.
    return run_in_transaction(
        db,
        lambda uow: _claim(
            uow,
            actor,
            key,
            method,
            path,
            fingerprint,
            as_utc(now) if now else utcnow(),
            in_flight_timeout,
        ),
    )


def _claim(
    uow: UnitOfWork,
    actor: str,
    key: str,
    method: str,
    path: str,
    fingerprint: str,
    now: datetime,
    in_flight_timeout: timedelta,
) -> Claim | StoredResponse:
    session = uow.session
    record = session.scalar(
        select(IdempotencyRecord)
        .where(IdempotencyRecord.actor == actor, IdempotencyRecord.key == key)
        .with_for_update()
    )
    token = secrets.token_hex(16)
    if record is None:
        record = IdempotencyRecord(
            actor=actor,
            key=key,
            method=method.upper()[:8],
            path=path[:512],
            request_hash=fingerprint,
            status=IdempotencyStatus.IN_FLIGHT,
            claim=token,
            created_at=now,
        )
        session.add(record)
        uow.commit()
        return Claim(record.id, token)
    if record.request_hash != fingerprint:
        raise IdempotencyKeyReused(
            f"幂等键 {key} 已用于另一请求({record.method} {record.path}),请换一个键",
            f"idempotency key {key} was used for another request "
            f"({record.method} {record.path}); use a new key",
            field="Idempotency-Key",
        )
    if record.status is IdempotencyStatus.DONE:
        assert record.response_status is not None
        return StoredResponse(record.response_status, record.response_body, replayed=True)
    if now - as_utc(record.created_at) < in_flight_timeout:
        raise RequestInFlight(
            f"使用幂等键 {key} 的请求正在处理,请稍后重试",
            f"a request with idempotency key {key} is still in flight; retry later",
            field="Idempotency-Key",
        )
    # The claim is stale (its process died): take it over.
    log.warning("taking over stale idempotency claim %s for %s", key, actor)
    record.claim, record.created_at = token, now
    uow.commit()
    return Claim(record.id, token)


def complete(
    uow: UnitOfWork, held: Claim, *, status: int, body: str | None, now: datetime | None = None
) -> None:
    """Store the response in the caller's transaction; refuse if the claim was taken over."""
    result = uow.session.execute(
        update(IdempotencyRecord)
        .where(
            IdempotencyRecord.id == held.record_id,
            IdempotencyRecord.claim == held.token,
            IdempotencyRecord.status == IdempotencyStatus.IN_FLIGHT,
        )
        .values(
            status=IdempotencyStatus.DONE,
            response_status=status,
            response_body=body,
            completed_at=now or utcnow(),
        )
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise RequestInFlight(
            "该幂等键已被另一请求接管", "the idempotency key was taken over by another request"
        )


def release(db: Database, held: Claim) -> None:
    """Give the key back after a failed request, so the client may retry with it."""

    def give_back(uow: UnitOfWork) -> None:
        uow.session.execute(
            delete(IdempotencyRecord).where(
                IdempotencyRecord.id == held.record_id,
                IdempotencyRecord.claim == held.token,
                IdempotencyRecord.status == IdempotencyStatus.IN_FLIGHT,
            )
        )
        uow.commit()

    run_in_transaction(db, give_back)


def idempotent(
    db: Database,
    *,
    actor: str,
    key: str,
    method: str,
    path: str,
    fingerprint: str,
    work: Callable[[DeferredUnitOfWork], tuple[int, str | None]],
    now: datetime | None = None,
) -> StoredResponse:
    """Run `work` once per key: claim, then write and store the answer in one transaction.

    `work(uow)` does the request's writes (the service "commits" a deferred
    unit of work) and returns ``(status, body_json)``; it does not seal. It
    may be rerun on a serialization failure. If it raises, or writes nothing,
    the claim is released.
    """
    held = claim(
        db, actor=actor, key=key, method=method, path=path, fingerprint=fingerprint, now=now
    )
    if isinstance(held, StoredResponse):
        return held

    def transaction(uow: DeferredUnitOfWork) -> tuple[StoredResponse, bool]:
        status, body = work(uow)
        if not uow.commit_requested:
            return StoredResponse(status, body, replayed=False), False
        complete(uow, held, status=status, body=body)
        uow.seal()
        return StoredResponse(status, body, replayed=False), True

    try:
        response, stored = run_deferred(db, transaction)
    except BaseException:
        _release_quietly(db, held)
        raise
    if not stored:
        _release_quietly(db, held)
    return response


def _release_quietly(db: Database, held: Claim) -> None:
    try:
        release(db, held)
    except Exception:  # the request's own error matters more; the claim goes stale
        log.exception("could not release idempotency claim %s", held.record_id)


def purge(uow: UnitOfWork, *, now: datetime | None = None, keep: timedelta = RETENTION) -> int:
    """Delete answered keys older than `keep` (at least 30 days); return how many."""
    keep = max(keep, RETENTION)
    result = uow.session.execute(
        delete(IdempotencyRecord).where(
            IdempotencyRecord.status == IdempotencyStatus.DONE,
            IdempotencyRecord.created_at < (now or utcnow()) - keep,
        )
    )
    uow.commit()
    return result.rowcount  # type: ignore[attr-defined,no-any-return]
