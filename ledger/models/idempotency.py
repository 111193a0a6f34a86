"""Idempotency keys (幂等键): a retried request gets the first answer, not a second posting.

A client sends an ``Idempotency-Key`` with a money-moving request. The key's
record, the business write and the stored response (status ``done``) commit
together in one transaction; an ``in_flight`` row is only ever seen inside
that transaction, or left behind by the former two-step design. The
request's hash tells a true retry from a different request that reuses the
key (SPEC §11).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ledger.db import Base, enum_column


class IdempotencyStatus(enum.Enum):
    IN_FLIGHT = "in_flight"
    DONE = "done"


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_record"
    __table_args__ = (
        UniqueConstraint("actor", "key"),
        CheckConstraint("(status = 'done') = (response_status IS NOT NULL)", "response_iff_done"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Keys are per user: two users may pick the same key.
    actor: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(255))
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(512))
    #: Hex SHA-256 of method, path and canonical body.
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[IdempotencyStatus] = mapped_column(
        enum_column(IdempotencyStatus, "idempotency_status")
    )
    #: Random per record; it served the former two-step claim and is kept unused.
    claim: Mapped[str] = mapped_column(String(32))
    response_status: Mapped[int | None] = mapped_column(Integer)
    #: The JSON text of the first response, replayed byte for byte.
    response_body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
