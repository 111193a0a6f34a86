"""Pages of a list: the rows of one page and the numbers the page links need."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

PER_PAGE = 50


@dataclass(frozen=True)
class Listing:
    items: Sequence[Any]
    page: int
    pages: int
    total: int


def paged(rows: Sequence[Any], page: int, per_page: int = PER_PAGE) -> Listing:
    """Page `page` of `rows` (a page past the end shows the last one)."""
    pages = max(1, -(-len(rows) // per_page))
    page = min(max(page, 1), pages)
    start = (page - 1) * per_page
    return Listing(rows[start : start + per_page], page, pages, len(rows))
