"""Pages of a list: the rows of one page and the numbers the page links need.

A small list is sliced here (`paged`); a big one is sought in the database
(`ledger.read.listing`), and its page links carry the cursor (`sought`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ledger.read.listing import Seek

PER_PAGE = 50


@dataclass(frozen=True)
class Listing:
    items: Sequence[Any]
    #: The page's number; 0 on a sought page, whose number is not known.
    page: int
    pages: int
    total: int
    #: A sought page's cursor of the page after it (None on the last page).
    next: str | None = None


def sought(total: int, page: Seek[Any], per_page: int = PER_PAGE) -> Listing:
    """A page found after a cursor: its links are to the first page and the next one."""
    return Listing(page.items, 0, max(1, -(-total // per_page)), total, page.next)


def paged(rows: Sequence[Any], page: int, per_page: int = PER_PAGE) -> Listing:
    """Page `page` of `rows` (a page past the end shows the last one)."""
    pages = max(1, -(-len(rows) // per_page))
    page = min(max(page, 1), pages)
    start = (page - 1) * per_page
    return Listing(rows[start : start + per_page], page, pages, len(rows))
