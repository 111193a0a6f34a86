"""A list the database counts and pages, its rows typed.

Set-up records, proposals and closed months are shown a page at a time
with the total in a header, so the count and the slice must happen in the
database: a read returns the SELECT, not the rows. A `Listing` pairs that
SELECT with the frozen dataclass each row becomes, so no caller handles a
raw row, and the rows survive the read session.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

R = TypeVar("R")


@dataclass(frozen=True)
class Listing(Generic[R]):
    """A SELECT of plain columns and the frozen dataclass each of its rows becomes."""

    #: Plain columns labelled as `row`'s fields, with an ORDER BY.
    query: Select[Any]
    #: The frozen dataclass a row becomes.
    row: type[R]

    def where(self, *conditions: ColumnElement[bool]) -> Listing[R]:
        """The same list narrowed (to one record a service just wrote, say)."""
        return Listing(self.query.where(*conditions), self.row)

    def count(self, session: Session) -> int:
        return session.scalar(select(func.count()).select_from(self.query.subquery())) or 0

    def page(self, session: Session, offset: int, limit: int) -> list[R]:
        return self._rows(session, self.query.offset(offset).limit(limit))

    def all(self, session: Session) -> list[R]:
        return self._rows(session, self.query)

    def first(self, session: Session) -> R | None:
        found = session.execute(self.query.limit(1)).first()
        return None if found is None else self.row(**found._mapping)

    def one(self, session: Session) -> R:
        return self.row(**session.execute(self.query).one()._mapping)

    def _rows(self, session: Session, query: Select[Any]) -> list[R]:
        return [self.row(**found._mapping) for found in session.execute(query)]
