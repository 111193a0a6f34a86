"""A list the database counts and pages, its rows typed.

Set-up records, proposals and closed months are shown a page at a time
with the total in a header, so the count and the slice must happen in the
database: a read returns the SELECT, not the rows. A `Listing` pairs that
SELECT with the frozen dataclass each row becomes, so no caller handles a
raw row, and the rows survive the read session.

A big list (loans, households, journals) is paged by seeking, not by
offset: a page is the rows after the last one shown, in the order of the
listing's `keys`, which an index gives, so page 2,000 costs what page 1
does and a row added meanwhile is neither skipped nor shown twice. The
position is handed out as an opaque cursor (`encode_cursor`).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, func, select, tuple_
from sqlalchemy.orm import Session

from ledger.errors import BadCursor

R = TypeVar("R")
T = TypeVar("T")

#: A cursor is a few keys, base64-encoded: anything much longer was not handed out.
MAX_CURSOR = 512
#: How many rows a `Listing.scan` page reads at most, in pages' lengths, before it answers.
SCAN_PAGES = 10
#: How many rows `Listing.scan` reads at a time for a whole list.
SCAN_STEP = 500


@dataclass(frozen=True)
class Seek(Generic[R]):
    """One page found by seeking, and the cursor of the page after it (None on the last)."""

    items: list[R]
    next: str | None


@dataclass(frozen=True)
class Listing(Generic[R]):
    """A SELECT of plain columns and the frozen dataclass each of its rows becomes."""

    #: Plain columns labelled as `row`'s fields, with an ORDER BY.
    query: Select[Any]
    #: The frozen dataclass a row becomes.
    row: type[R]
    #: The fields the ORDER BY sorts on, together unique: what `seek` pages by.
    keys: tuple[str, ...] = ()
    #: When the first key is another table's (a township's code), whose order no index
    #: of this one gives: each of its values in order, with the condition that selects
    #: its rows (``Loan.township_id == 7``). `seek` then seeks one group at a time, in
    #: the order of the other keys, which an index on (group column, other keys) gives.
    groups: tuple[tuple[Any, ColumnElement[bool]], ...] = ()
    #: A SELECT of one number, how many rows the list holds, from kept counts: what
    #: `count` reads instead of counting the rows, which grow with the book.
    total: Select[Any] | None = None

    def where(self, *conditions: ColumnElement[bool]) -> Listing[R]:
        """The same list narrowed (to one record a service just wrote, say): counted by
        its rows, as the kept total counts the list unnarrowed."""
        return Listing(self.query.where(*conditions), self.row, self.keys, self.groups)

    def count(self, session: Session) -> int:
        if self.total is not None:
            return int(session.scalar(self.total) or 0)
        return session.scalar(select(func.count()).select_from(self.query.subquery())) or 0

    def page(self, session: Session, offset: int, limit: int) -> list[R]:
        return self._rows(session, self.query.offset(offset).limit(limit))

    def seek(self, session: Session, after: str | None, limit: int) -> Seek[R]:
        """Up to `limit` rows after the cursor `after` (from the first row if None)."""
        start = None if after is None else decode_cursor(after, self.key_types())
        if not self.groups:
            found = self.after(session, start, limit + 1)
        else:
            found = []
            rest = self.keys[1:]
            order = [self.query.selected_columns[name] for name in rest]
            for value, condition in self.groups:
                if len(found) > limit:
                    break
                if start is not None and value < start[0]:
                    continue
                part = Listing(
                    self.query.where(condition).order_by(None).order_by(*order), self.row, rest
                )
                since = start[1:] if start is not None and value == start[0] else None
                found += part.after(session, since, limit + 1 - len(found))
        items = found[:limit]
        return Seek(items, self.cursor(items[-1]) if len(found) > limit else None)

    def slice(self, session: Session, after: str | None, offset: int, limit: int) -> Seek[R]:
        """The rows after the cursor `after`, or (for an old client's page number) after
        `offset` rows, read past; the next page's cursor either way."""
        if after is not None or not offset:
            return self.seek(session, after, limit)
        found = self.page(session, offset, limit + 1)
        items = found[:limit]
        return Seek(items, self.cursor(items[-1]) if len(found) > limit else None)

    def scan(
        self,
        session: Session,
        keep: Callable[[list[R]], list[T]],
        *,
        after: str | None = None,
        offset: int = 0,
        limit: int | None = 50,
    ) -> Seek[T]:
        """A page of what `keep` makes of the rows, read a page's length at a time: for a
        list whose rows are candidates that only a computation (`keep`, given rows in order,
        returns those that stay, each with this listing's `keys` as attributes) sorts out.

        After the cursor `after`, or (an old client's page number) after `offset` kept
        rows, read past; all of them if `limit` is None. A page costs the rows read for it,
        never the list before it: after `SCAN_PAGES` pages' worth of rows it answers with
        what it kept so far (perhaps nothing) and the cursor of the last row read, so a
        page may be short and still have a next one: the cursor says whether more follow.
        """
        step = SCAN_STEP if limit is None else limit + 1
        wanted = None if limit is None else offset + limit
        found: list[T] = []
        cursor, read = after, 0
        while True:
            part = self.seek(session, cursor, step)
            found += keep(part.items)
            read += len(part.items)
            if wanted is not None and len(found) > wanted:
                items = found[offset:wanted]
                return Seek(items, self.cursor(items[-1]))  # type: ignore[arg-type]
            if part.next is None:
                return Seek(found[offset:], None)
            if wanted is not None and not offset and read >= SCAN_PAGES * step:
                return Seek(found, part.next)
            cursor = part.next

    def after(self, session: Session, values: tuple[Any, ...] | None, limit: int) -> list[R]:
        """Up to `limit` rows whose keys come after `values` (from the first row if None)."""
        query = self.query
        if values is not None:
            keys = [self.query.selected_columns[name] for name in self.keys]
            # One key compares plainly, so the index serves it on every database.
            query = query.where(
                keys[0] > values[0] if len(keys) == 1 else tuple_(*keys) > tuple_(*values)
            )
        return self._rows(session, query.limit(limit))

    def key_types(self) -> tuple[type, ...]:
        return tuple(self.query.selected_columns[name].type.python_type for name in self.keys)

    def cursor(self, row: R) -> str:
        """The cursor that seeks the rows after `row`."""
        return encode_cursor(tuple(getattr(row, name) for name in self.keys))

    def all(self, session: Session) -> list[R]:
        return self._rows(session, self.query)

    def first(self, session: Session) -> R | None:
        found = session.execute(self.query.limit(1)).first()
        return None if found is None else self.row(**found._mapping)

    def one(self, session: Session) -> R:
        return self.row(**session.execute(self.query).one()._mapping)

    def _rows(self, session: Session, query: Select[Any]) -> list[R]:
        return [self.row(**found._mapping) for found in session.execute(query)]


def encode_cursor(values: tuple[Any, ...]) -> str:
    """An opaque, URL-safe cursor holding a row's keys."""
    plain = [v.isoformat() if isinstance(v, date) else v for v in values]
    text = json.dumps(plain, ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, types: tuple[type, ...]) -> tuple[Any, ...]:
    """The keys `encode_cursor` put in `cursor`, as `types`; anything else is `BadCursor`."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        plain = json.loads(text)
        if not isinstance(plain, list) or len(plain) != len(types):
            raise ValueError(plain)
        return tuple(_typed(value, kind) for value, kind in zip(plain, types, strict=True))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as error:
        raise BadCursor(
            "分页游标 after 无效:请使用上一页响应中给出的链接",
            "the paging cursor `after` is not valid: use the link the previous page gave",
            field="after",
        ) from error


def _typed(value: Any, kind: type) -> Any:
    if kind is date and isinstance(value, str):
        return date.fromisoformat(value)
    if kind in (str, int) and type(value) is kind:
        return value
    raise ValueError(value)
