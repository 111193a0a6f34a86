"""The audit log (审计日志): an append-only, hash-chained record of every write.

Each `AuditRecord` stores who did what, when and from where, the hash of the
record before it (`prev_hash`) and its own `hash`, a SHA-256 over all of that
(see ``ledger.audit``). Changing or removing any record breaks the chain from
that record on, and ``audit-verify`` names it.

There is one chain per fund (named by the fund's code) and the system chain
(named ``""``) for writes that belong to no fund: logins, users, opening a
fund. `AuditHead` holds each chain's newest record number and hash.
Appending locks the chain's head, so concurrent writers of one fund extend
its chain one at a time while other funds' writers go on;
database triggers refuse UPDATE and DELETE on the records, refuse a record
that does not extend the head, and let the head move only one step forward
to a record that exists. (A future batch ALTER of these tables on SQLite
recreates them: the migration must recreate the triggers too.)
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ledger.db import Base

#: The `prev_hash` of the first record.
GENESIS_HASH = "0" * 64


#: The chain of writes that belong to no fund.
SYSTEM_CHAIN = ""


class AuditRecord(Base):
    __tablename__ = "audit_record"
    __table_args__ = (CheckConstraint("seq >= 1", "seq_positive"),)

    #: The fund's code, or `SYSTEM_CHAIN`.
    chain: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: 1, 2, 3 ... without gaps: the position in its chain.
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    #: What was done, e.g. ``POST /api/v1/funds/F1/loans`` or ``cli create-user``.
    action: Mapped[str] = mapped_column(String(255))
    #: The object acted on, e.g. ``loan:2007-1-340123001-0001``.
    target: Mapped[str | None] = mapped_column(String(255))
    #: Canonical JSON (sorted keys, no spaces), hashed exactly as stored.
    details: Mapped[str] = mapped_column(Text)
    request_id: Mapped[str | None] = mapped_column(String(64))
    client_addr: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """Where one chain ends (seq 0 and the genesis hash when it is new)."""

    __tablename__ = "audit_head"

    chain: Mapped[str] = mapped_column(String(32), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
