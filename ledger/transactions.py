"""Sealed transactions: the service's work, its audit record and its stored answer, as one.

A service commits its unit of work once, at its end (STYLE "Transactions").
A request needs more in that same transaction: the audit record of the write
and, for an idempotent request, the response the client will get. Both are
known only after the service returns (the voucher number, the new id), so
the shell runs the service in a `DeferredUnitOfWork`: the service's
``commit()`` only flushes (constraint errors still surface there) and notes
that a commit was asked for; the shell then adds what it must and calls
`DeferredUnitOfWork.seal`, the one real commit.

If the service never asks for a commit, sealing rolls back: the shell must
not commit what the service chose not to.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.orm import Session, sessionmaker

from ledger.db import Database, UnitOfWork, rerun_until_done

T = TypeVar("T")


class DeferredUnitOfWork(UnitOfWork):
    """A unit of work whose ``commit()`` waits for `seal()`."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        super().__init__(sessions)
        self.commit_requested = False

    def __enter__(self) -> DeferredUnitOfWork:
        super().__enter__()
        self.commit_requested = False
        return self

    def commit(self) -> None:
        # Flush so that unique keys and CHECKs refuse now, in the service,
        # exactly as a real commit would; the commit itself comes at seal().
        self.session.flush()
        self.commit_requested = True

    def seal(self) -> bool:
        """Commit for real if the work asked for it; return whether it did."""
        if not self.commit_requested:
            return False
        UnitOfWork.commit(self)
        return True


def run_deferred(db: Database, work: Callable[[DeferredUnitOfWork], T], *, attempts: int = 10) -> T:
    """Run `work(uow)` in a `DeferredUnitOfWork`, rerunning it on a retryable error.

    `work` calls the service (which "commits"), adds its audit record and
    whatever else belongs in the transaction, and calls ``uow.seal()``. As
    with `ledger.db.run_in_transaction`, a serialization failure, deadlock,
    busy database or connection lost before the commit reruns the whole of
    `work` from scratch.
    """
    return rerun_until_done(lambda: DeferredUnitOfWork(db.sessions), work, attempts=attempts)
