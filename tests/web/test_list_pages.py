"""The loan list page: a page at a time, its next link carrying the cursor."""

from __future__ import annotations

import re
from html import unescape

import pytest

from tests.web.journeys import HENGSHAN

ROW = re.compile(r'<td><a href="/f/[^/]+/loans/([^"]+)">')
NEXT = re.compile(r'<a rel="next" href="([^"]+)">')


def walk(user, first: str) -> list[str]:
    """Every registration number the list shows, following its next links."""
    seen, url = [], first
    while url:
        html = user.get(url).get_data(as_text=True)
        seen += ROW.findall(html)
        found = NEXT.search(html)
        url = unescape(found.group(1)) if found else None
        if url:
            assert "after=" in url and "page=" not in url
    return seen


@pytest.fixture
def small_pages(monkeypatch):
    """Pages of three loans, so the demo's loans take several."""
    monkeypatch.setattr("web.views.loans.PER_PAGE", 3)


def test_the_next_links_walk_every_loan_once_in_order(browser, small_pages):
    clerk = browser("clerk")
    seen = walk(clerk, clerk.f("loans"))
    assert len(seen) > 3 and len(set(seen)) == len(seen)
    first = clerk.get(clerk.f("loans")).get_data(as_text=True)
    assert "首页" not in first and f"共 {len(seen)} 条" in first
    later = clerk.get(unescape(NEXT.search(first).group(1))).get_data(as_text=True)
    assert 'rel="first"' in later
    # The filters ride along on every link: a township's loans only, all of them.
    town = walk(clerk, clerk.f(f"loans?township={HENGSHAN}"))
    officer = walk(browser("hengshan"), clerk.f("loans"))
    assert town == officer and set(town) < set(seen)
    assert [no for no in seen if no in set(town)] == town


def test_a_bad_cursor_is_a_400_page(browser):
    clerk = browser("clerk")
    response = clerk.get(clerk.f("loans?after=nonsense"))
    assert response.status_code == 400
    assert "分页游标" in response.get_data(as_text=True)
