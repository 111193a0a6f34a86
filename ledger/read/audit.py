"""The audit log read back (审计日志, SPEC §11 and §12): who did what to a fund's book, when,
from where, and the hash that chains each record to the one before.

A fund's chain is named by its code (`ledger.audit`); its records are read
in their chain order, a page at a time by seeking on (chain, seq), the
records' primary key, so the last page of a long chain costs what the
first does. The count of an unfiltered read is the chain's head (its newest
record's number, the records being gapless), not a count of the rows.

The auditors read it, of every county in their region, and the county's own
leader, who answers for the book; a city's or province's leader reads the
counties' statements and dashboards, not who did what in them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger import permissions, validate
from ledger.actors import Actor, Role
from ledger.clock import as_utc
from ledger.dates import CST
from ledger.errors import RoleNotAllowed
from ledger.models import AuditHead, AuditRecord
from ledger.permissions import Action
from ledger.read.access import fund
from ledger.read.books import check_dates
from ledger.read.listing import Listing, Seek


@dataclass(frozen=True)
class Author:
    """Who wrote a record: the user's login, and the role they acted in then."""

    login: str
    role: str


@dataclass(frozen=True)
class AuditEntry:
    """One record of the log: its place in the chain, who, what, when and from where."""

    seq: int
    at: datetime
    actor: Author
    action: str
    #: The object acted on (``loan:…``); None for a write on no one object.
    target: str | None
    client_addr: str | None
    hash: str


@dataclass(frozen=True)
class _Row:
    seq: int
    at: datetime
    actor: str
    role: str
    action: str
    target: str | None
    client_addr: str | None
    hash: str


def records(
    session: Session,
    actor: Actor,
    fund_code: str,
    *,
    from_: date | None = None,
    to: date | None = None,
    login: str | None = None,
    after: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[int, list[AuditEntry], str | None]:
    """(count, one page, the next page's cursor) of the fund's audit records in chain order:
    those after the cursor `after` (or after `offset` ones), recorded on the days from `from_`
    to `to` (China's days), by the user `login`, where given."""
    permissions.check(actor, Action.READ_AUDIT)
    if actor.role == Role.LEADER and actor.above_county:
        raise RoleNotAllowed(
            "市、省级领导无权查阅区县的审计日志(请由审计人员查阅)",
            "a city's or province's leader may not read a county's audit log (its auditors may)",
        )
    check_dates(from_, to)
    chain = fund(session, actor, fund_code).code
    r = AuditRecord
    query = select(r.seq, r.at, r.actor, r.role, r.action, r.target, r.client_addr, r.hash).where(
        r.chain == chain
    )
    if from_ is not None:
        query = query.where(r.at >= _start_of(from_))
    if to is not None:
        query = query.where(r.at < _start_of(to + timedelta(days=1)))
    if login is not None:
        query = query.where(r.actor == validate.text(login, "actor", max_length=64))
    listing = Listing(query.order_by(r.seq), _Row, ("seq",))
    if from_ is None and to is None and login is None:
        total = session.scalar(select(AuditHead.seq).where(AuditHead.chain == chain)) or 0
    else:
        total = listing.count(session)
    found: Seek[_Row] = listing.slice(session, after, offset, limit)
    page = [
        AuditEntry(
            e.seq, as_utc(e.at), Author(e.actor, e.role), e.action, e.target, e.client_addr, e.hash
        )
        for e in found.items
    ]
    return total, page, found.next


def _start_of(day: date) -> datetime:
    """The instant China's `day` begins, in UTC (the records' time is UTC)."""
    return datetime.combine(day, time.min, CST).astimezone(UTC)
