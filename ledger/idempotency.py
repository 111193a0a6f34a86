"""Idempotent requests: the same key and body get the first answer, once (SPEC §11).

A client that did not hear the answer to a money-moving request sends it
again with the same ``Idempotency-Key``. Two rules:

- same key, same request (method, path and body, compared by hash): the
  stored first response is returned again and nothing is written;
- same key, another request: `IdempotencyKeyReused` (422).

`idempotent` runs in ONE transaction, the request's: it inserts the key's
record, runs the work, stores the response (status ``done``) and commits,
so the key, the business write, its audit record and the answer commit
together or not at all. A duplicate arriving meanwhile waits for the first:
on SQLite behind its BEGIN IMMEDIATE, on PostgreSQL on the key's unique
index, whose violation reruns the duplicate (`ledger.db.RETRYABLE_CONSTRAINTS`),
which then finds the answer. A failed request, or a process killed
mid-request, leaves no record, so the retry simply runs. For the same reason
a connection lost during the COMMIT (a failover) is rerun at once: the rerun
either finds the answer or posts for the first time. Keys are kept at
least `RETENTION` (30 days); `purge` removes older ones.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, delete, select, update

from ledger.audit import canonical_json
from ledger.clock import as_utc, utcnow
from ledger.db import Database, UnitOfWork, dialect_insert, run_in_transaction
from ledger.errors import IdempotencyKeyReused, InvalidField
from ledger.models import IdempotencyRecord, IdempotencyStatus

MAX_KEY_LENGTH = 255
#: Visible ASCII only: no spaces, control characters or look-alikes in a key.
KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")
RETENTION = timedelta(days=30)
RECORDS = IdempotencyRecord.__table__
#: Every request runs these two: built once, not per call (building costs more than running).
_ANSWER = (
    update(RECORDS)
    .where(RECORDS.c.id == bindparam("record_id"))
    .values(
        status=IdempotencyStatus.DONE,
        response_status=bindparam("response_status"),
        response_body=bindparam("response_body"),
        completed_at=bindparam("completed_at"),
    )
)


@lru_cache(maxsize=4)
def _claim_statement(dialect: str) -> Any:
    insert = dialect_insert(dialect)(RECORDS)
    return insert.on_conflict_do_nothing(index_elements=[RECORDS.c.actor, RECORDS.c.key]).returning(
        RECORDS.c.id
    )


@dataclass(frozen=True)
class StoredResponse:
    """The answer to send: the first one (``replayed``) or the one just made."""

    status: int
    #: The JSON text of the body, or None for an empty body (204).
    body: str | None
    replayed: bool


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


def idempotent(
    db: Database,
    *,
    actor: str,
    key: str,
    method: str,
    path: str,
    fingerprint: str,
    work: Callable[[UnitOfWork], tuple[int, str | None]],
    now: datetime | None = None,
) -> StoredResponse:
    """Run `work` once per key: the key, the writes and the answer in one commit.

    `work(uow)` does the request's writes (it does not commit) and returns
    ``(status, body_json)``; this commits them with the answer. It may be
    rerun on a serialization failure. If it raises, the transaction rolls
    back with the key's record, so the key is free again. A replay commits
    nothing.
    """
    validate_key(key)
    created_at = as_utc(now) if now else utcnow()

    def transaction(uow: UnitOfWork) -> StoredResponse:
        claimed = _claim(uow, actor, key, method, path, fingerprint, created_at)
        if isinstance(claimed, StoredResponse):
            return claimed
        status, body = work(uow)
        answer = {
            "record_id": claimed,
            "response_status": status,
            "response_body": body,
            "completed_at": utcnow(),
        }
        uow.commit(_ANSWER, answer)  # the answer and the COMMIT: one round trip
        return StoredResponse(status, body, replayed=False)

    # A rerun after a commit of unknown outcome is safe: the key's record
    # committed with the write or not at all, so the rerun replays or posts.
    return run_in_transaction(db, transaction, outcome_checked=True)


def _claim(
    uow: UnitOfWork,
    actor: str,
    key: str,
    method: str,
    path: str,
    fingerprint: str,
    now: datetime,
) -> int | StoredResponse:
    """Insert the key's record (its id), or return the first answer to replay.

    One statement in the usual case: ``INSERT ... ON CONFLICT DO NOTHING``.
    While another transaction holds the key uncommitted, the insert waits for
    it (on PostgreSQL at the unique index; on SQLite ``BEGIN IMMEDIATE`` has
    already queued us), then inserts nothing, and the committed row is read.
    """
    table = RECORDS
    inserted = (
        uow.session.connection()
        .execute(
            _claim_statement(uow.dialect),
            {
                "actor": actor,
                "key": key,
                "method": method.upper()[:8],
                "path": path[:512],
                "request_hash": fingerprint,
                "status": IdempotencyStatus.IN_FLIGHT,
                "claim": secrets.token_hex(16),  # required by the former two-step design
                "created_at": now,
            },
        )
        .scalar()
    )
    if inserted is not None:
        return inserted
    # FOR UPDATE: a leftover in-flight row (see below) is taken by one request at a time.
    record = uow.session.execute(
        select(
            table.c.id,
            table.c.method,
            table.c.path,
            table.c.request_hash,
            table.c.status,
            table.c.response_status,
            table.c.response_body,
        )
        .where(table.c.actor == actor, table.c.key == key)
        .with_for_update()
    ).one()
    if record.request_hash != fingerprint:
        raise IdempotencyKeyReused(
            f"幂等键 {key} 已用于另一请求({record.method} {record.path}),请换一个键",
            f"idempotency key {key} was used for another request "
            f"({record.method} {record.path}); use a new key",
            field="Idempotency-Key",
        )
    if record.status is IdempotencyStatus.DONE:
        return StoredResponse(record.response_status, record.response_body, replayed=True)
    # A committed in-flight row can only be a leftover of a process that died
    # under the former two-transaction design: this request takes it over.
    return int(record.id)


def purge(uow: UnitOfWork, *, now: datetime | None = None, keep: timedelta = RETENTION) -> int:
    """Delete answered keys older than `keep` (at least 30 days); return how many."""
    keep = max(keep, RETENTION)
    result = uow.session.execute(
        delete(IdempotencyRecord).where(
            IdempotencyRecord.status == IdempotencyStatus.DONE,
            IdempotencyRecord.created_at < (now or utcnow()) - keep,
        )
    )
    return result.rowcount  # type: ignore[attr-defined,no-any-return]
