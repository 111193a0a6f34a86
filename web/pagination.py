"""Pages of a big list: the rows of one page and what the page's links need.

A page is sought in the database after a cursor (`ledger.read.listing`);
its links go to the first page and, with the next cursor, to the next one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, fields, validate

from ledger.read.listing import MAX_CURSOR, Seek

PER_PAGE = 50


class PageQuery(Schema):
    """Which page of a list a link asks for."""

    #: The cursor a page's "next" link carries (`ledger.read.listing`).
    after = fields.String(validate=validate.Length(max=MAX_CURSOR))
    #: An old link's page number: that page, by offset.
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))


@dataclass(frozen=True)
class Listing:
    items: Sequence[Any]
    pages: int
    total: int
    #: The cursor of the page after this one (None on the last page).
    next: str | None = None


def sought(total: int, page: Seek[Any], per_page: int = PER_PAGE) -> Listing:
    """A page found after a cursor, of a list of `total` rows."""
    return Listing(page.items, max(1, -(-total // per_page)), total, page.next)
