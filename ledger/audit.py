"""Appending to and verifying the hash-chained audit log (审计日志).

Every write appends one `AuditRecord` in the writer's own transaction, so a
write and its record commit or vanish together. Record *n* stores the hash
of record *n-1*; its own hash is SHA-256 over a canonical serialization of
all its fields including that previous hash. Whoever edits or deletes a
record behind the application's back (after disabling the triggers that
forbid it) must recompute every later hash and the head to hide it, and the
head is printed on leaders' statements; `verify` recomputes the chain and
names the first record that does not match.

Each fund keeps its own chain (named by its code), and writes that belong
to no fund go to the system chain (``""``): a write locks only its own
chain's head, so writers of different funds, or of different counties on one
cluster, never wait for each other here. Appending takes the chain's
`AuditHead` row FOR UPDATE, after flushing the caller's own changes:
concurrent writers of one fund queue on it for the shortest time, always
after their other locks (one lock order, no deadlock), and the chain stays a
line. On SQLite, ``BEGIN IMMEDIATE`` has already serialized writers. The
record and the head's move are written with the COMMIT, in its round trip
(`ledger.db.at_commit`): the head is held one round trip less.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from ledger.actors import Actor
from ledger.clock import as_utc, iso_utc, utcnow
from ledger.db import at_commit, transaction_info, upsert
from ledger.models import AuditHead, AuditRecord
from ledger.models.audit import GENESIS_HASH, SYSTEM_CHAIN

#: Bumped if the serialization ever changes; part of every hash.
HASH_VERSION = "audit-v1"
#: One row per chain: its newest record's seq and hash.
HEADS = AuditHead.__table__
#: `transaction_info` key: the heads this transaction has locked and moved, by chain.
_HELD_HEADS = "audit_heads"
#: Every write appends: its statements are built once, not per call.
_LOCK_HEAD = (
    select(HEADS.c.seq, HEADS.c.hash).where(HEADS.c.chain == bindparam("chain")).with_for_update()
)
_ADD_RECORD = insert(AuditRecord.__table__)
_MOVE_HEAD = (
    update(HEADS)
    .where(HEADS.c.chain == bindparam("head_chain"))
    .values(seq=bindparam("head_seq"), hash=bindparam("head_hash"))
)


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
    chain: str = SYSTEM_CHAIN,
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
    heads = transaction_info(session).setdefault(_HELD_HEADS, {})
    head = heads.get(chain) or _locked_head(session, chain)
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
    # Core statements, not the unit of work: no flush bookkeeping on the path
    # every write takes. They go with the COMMIT, in its round trip, while the
    # head stays locked; the transaction's next record here chains to this one.
    # The record goes first: the head may only move to a record that exists
    # (trigger), and the two cannot be one statement, whose parts would not
    # see each other's rows.
    at_commit(session, _ADD_RECORD, {**fields, "chain": chain, "hash": digest})
    at_commit(
        session, _MOVE_HEAD, {"head_chain": chain, "head_seq": fields["seq"], "head_hash": digest}
    )
    heads[chain] = _Head(fields["seq"], digest)
    return AuditRecord(**fields, chain=chain, hash=digest)


@dataclass(frozen=True)
class _Head:
    seq: int
    hash: str


def _locked_head(session: Session, chain: str) -> Any:
    """The chain's head row, locked; a fund's first write starts its chain at genesis."""
    connection = session.connection()
    head = connection.execute(_LOCK_HEAD, {"chain": chain}).first()
    if head is None:
        # Two first writers of a fund: the second waits here for the first.
        session.execute(
            upsert(session, HEADS)
            .values(chain=chain, seq=0, hash=GENESIS_HASH)
            .on_conflict_do_nothing()
        )
        head = connection.execute(_LOCK_HEAD, {"chain": chain}).one()
    return head


@dataclass(frozen=True)
class ChainReport:
    """What `verify` found in one chain: its records, its head, and the first broken record."""

    chain: str
    records: int
    head_seq: int
    head_hash: str
    broken_seq: int | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def verify(session: Session, chain: str = SYSTEM_CHAIN, *, batch: int = 1000) -> ChainReport:
    """Recompute one chain and compare it with the stored hashes and its head."""
    head = session.execute(select(HEADS.c.seq, HEADS.c.hash).where(HEADS.c.chain == chain)).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    in_chain = AuditRecord.chain == chain
    count = session.scalar(select(func.count()).select_from(AuditRecord).where(in_chain)) or 0
    expected_seq, prev_hash = 1, GENESIS_HASH

    def broken(seq: int, reason: str) -> ChainReport:
        return ChainReport(chain, count, head_seq, head_hash, seq, reason)

    records = session.scalars(
        select(AuditRecord)
        .where(in_chain)
        .order_by(AuditRecord.seq)
        .execution_options(yield_per=batch)
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
    if head is None and count:
        return broken(1, "its chain has no head")
    if head_seq != last_seq:
        if head_seq > last_seq:
            return broken(last_seq + 1, f"record {last_seq + 1} is missing (head at {head_seq})")
        return broken(head_seq + 1, f"record {head_seq + 1} is beyond the head")
    if head_hash != prev_hash:
        return broken(last_seq, "it no longer has the hash the chain head recorded")
    return ChainReport(chain, count, head_seq, head_hash)


def verify_all(session: Session) -> list[ChainReport]:
    """`verify` every chain: the system chain and each fund's (those with a head or a record)."""
    chains = set(session.scalars(select(HEADS.c.chain))) | set(
        session.scalars(select(AuditRecord.chain).distinct())
    )
    return [verify(session, chain) for chain in sorted(chains | {SYSTEM_CHAIN})]


def chain_head(session: Session, chain: str = SYSTEM_CHAIN) -> tuple[int, str]:
    """The chain's newest record's seq and hash (0 and the genesis hash when empty)."""
    head = session.execute(select(HEADS.c.seq, HEADS.c.hash).where(HEADS.c.chain == chain)).first()
    return (head.seq, head.hash) if head else (0, GENESIS_HASH)
