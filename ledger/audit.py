"""Appending to and verifying the hash-chained audit log (审计日志).

Every write appends one `AuditRecord` in the writer's own transaction, so a
write and its record commit or vanish together. Record *n* stores the hash
of record *n-1*; its own hash is SHA-256 over a canonical serialization of
all its fields including that previous hash. Whoever edits or deletes a
record behind the application's back (after disabling the triggers that
forbid it) must recompute every later hash and the head to hide it, and the
head is printed on leaders' statements; `verify` recomputes the chain and
names the first record that does not match.

Appending takes the single `AuditHead` row FOR UPDATE, after flushing the
caller's own changes: concurrent writers queue on it for the shortest time,
always after their other locks (one lock order, no deadlock), and the chain
stays a line. On SQLite, ``BEGIN IMMEDIATE`` has already serialized writers.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from ledger.actors import Actor
from ledger.clock import as_utc, iso_utc, utcnow
from ledger.models import AuditHead, AuditRecord
from ledger.models.audit import GENESIS_HASH

#: Bumped if the serialization ever changes; part of every hash.
HASH_VERSION = "audit-v1"


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 text: one spelling per value."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def record_hash(
    *,
    seq: int,
    at: datetime,
    actor: str,
    role: str,
    action: str,
    target: str | None,
    details: str,
    request_id: str | None,
    client_addr: str | None,
    prev_hash: str,
) -> str:
    """The SHA-256 (hex) of one record, chained to the one before by `prev_hash`."""
    fields = [
        HASH_VERSION,
        seq,
        iso_utc(at),
        actor,
        role,
        action,
        target,
        details,
        request_id,
        client_addr,
        prev_hash,
    ]
    return hashlib.sha256(canonical_json(fields).encode("utf-8")).hexdigest()


def _hash_of(record: AuditRecord) -> str:
    return record_hash(
        seq=record.seq,
        at=record.at,
        actor=record.actor,
        role=record.role,
        action=record.action,
        target=record.target,
        details=record.details,
        request_id=record.request_id,
        client_addr=record.client_addr,
        prev_hash=record.prev_hash,
    )


def append_audit(
    session: Session,
    *,
    actor: Actor,
    action: str,
    target: str | None = None,
    details: Mapping[str, Any] | None = None,
    request_id: str | None = None,
    client_addr: str | None = None,
    at: datetime | None = None,
) -> AuditRecord:
    """Append a record to the chain inside the caller's transaction (which commits it).

    Returns the record as written (not attached to the session).
    """
    # Flush first: the caller's row locks are taken before the head's, and
    # the head is then held only until the commit that follows.
    session.flush()
    heads = AuditHead.__table__
    head = session.execute(
        select(heads.c.seq, heads.c.hash).where(heads.c.id == 1).with_for_update()
    ).one()
    fields = {
        "seq": head.seq + 1,
        "at": as_utc(at) if at else utcnow(),
        "actor": actor.username[:64],
        "role": str(actor.role)[:16],
        "action": action[:255],
        "target": None if target is None else target[:255],
        "details": canonical_json(dict(details or {})),
        "request_id": None if request_id is None else request_id[:64],
        "client_addr": None if client_addr is None else client_addr[:64],
        "prev_hash": head.hash,
    }
    digest = record_hash(**fields)
    # Core statements, not the unit of work: two round trips and no flush
    # bookkeeping on the path every write takes. The record goes first: the
    # head may only move to a record that exists (trigger).
    session.execute(insert(AuditRecord.__table__).values(**fields, hash=digest))
    session.execute(update(heads).where(heads.c.id == 1).values(seq=fields["seq"], hash=digest))
    return AuditRecord(**fields, hash=digest)


@dataclass(frozen=True)
class ChainReport:
    """What `verify` found: the record count, the head, and the first broken record."""

    records: int
    head_seq: int
    head_hash: str
    broken_seq: int | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def verify(session: Session, *, batch: int = 1000) -> ChainReport:
    """Recompute the whole chain and compare it with the stored hashes and the head."""
    head = session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one()
    count = session.scalar(select(func.count()).select_from(AuditRecord)) or 0
    expected_seq, prev_hash = 1, GENESIS_HASH

    def broken(seq: int, reason: str) -> ChainReport:
        return ChainReport(count, head.seq, head.hash, seq, reason)

    records = session.scalars(
        select(AuditRecord).order_by(AuditRecord.seq).execution_options(yield_per=batch)
    )
    try:  # a server-side cursor on PostgreSQL: close it even when stopping early
        for record in records:
            if record.seq != expected_seq:
                return broken(expected_seq, f"record {expected_seq} is missing")
            if _hash_of(record) != record.hash:
                return broken(record.seq, "its hash does not match its contents")
            if record.prev_hash != prev_hash:
                # This record is consistent in itself, so the one before it was
                # rewritten, hash and all, after this one was chained to it.
                return broken(
                    max(record.seq - 1, 1),
                    f"it no longer has the hash record {record.seq} was chained to",
                )
            expected_seq, prev_hash = expected_seq + 1, record.hash
    finally:
        records.close()
    last_seq = expected_seq - 1
    if head.seq != last_seq:
        if head.seq > last_seq:
            return broken(last_seq + 1, f"record {last_seq + 1} is missing (head at {head.seq})")
        return broken(head.seq + 1, f"record {head.seq + 1} is beyond the head")
    if head.hash != prev_hash:
        return broken(last_seq, "it no longer has the hash the chain head recorded")
    return ChainReport(count, head.seq, head.hash)


def verify_chain(session: Session) -> int | None:
    """The seq of the first broken record, or None if the chain is intact."""
    return verify(session).broken_seq


def chain_head(session: Session) -> tuple[int, str]:
    """The newest record's seq and hash (0 and the genesis hash when empty)."""
    head = session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one()
    return head.seq, head.hash
