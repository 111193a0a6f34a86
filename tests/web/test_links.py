"""Every link a page shows works: crawl each role's pages from its home and follow them."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

import pytest

HREF = re.compile(r'href="(/[^"#]*)"')
#: Enough to reach every kind of page (a loan, a voucher, a liaison...) without crawling all.
MAX_PAGES = 70
#: One of each kind of record page is enough, and one query of each path (pages 2, 3... of a
#: list are the same page).
RECORD = re.compile(r"/(loans|journals|liaisons|disasters)/[^/?]+$")


@pytest.mark.parametrize("who", ["clerk", "approver", "leader", "hengshan"])
def test_every_link_on_every_page_works(browser, who):
    user = browser(who)
    seen: set[str] = set()
    paths: set[str] = set()
    kinds: set[str] = set()
    queue = ["/"]
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = user.get(url, follow_redirects=True)
        assert response.status_code == 200, (who, url, response.status_code)
        if response.mimetype != "text/html":
            assert response.mimetype in (
                "application/pdf",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ), url
            continue
        for link in HREF.findall(response.get_data(as_text=True)):
            link = unescape(link)
            path = urlsplit(link).path
            if path.startswith("/assets/") or link in seen or path in paths:
                continue
            paths.add(path)
            record = RECORD.search(path)
            if record:
                if record.group(1) in kinds:
                    continue
                kinds.add(record.group(1))
            queue.append(link)
    assert len(seen) > 10, seen
