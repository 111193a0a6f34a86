"""The pages keep counties apart as the API does (SPEC §12): a fund of another county is
a page that does not exist, and the fund list shows the region's funds only."""

from __future__ import annotations

import pytest

from ledger.actors import SYSTEM
from ledger.db import Database
from ledger.services import counties, users
from tests.factories import committing
from tests.web.conftest import CHEAP, Browser

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def outsiders(web_app, demo) -> dict[str, str]:
    """A clerk of another county and a province's leader and auditor, none over the demo's."""
    db = Database.connect(demo.url)
    people = {
        "other-county-clerk": ("clerk", "340123"),
        "other-province-leader": ("leader", "34"),
        "other-province-auditor": ("auditor", "34"),
    }
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(users, "HASHER", CHEAP)
        with committing(db) as uow:
            counties.add_county(uow, actor=SYSTEM, code="340123", name="甲县")
            for name, (role, region) in people.items():
                users.create_user(uow, username=name, password=PASSWORD, role=role, region=region)
    db.engine.dispose()
    return {name: role for name, (role, _) in people.items()}


@pytest.mark.parametrize("page", ["loans", "journals", "trial-balance"])
def test_another_countys_fund_is_a_page_that_does_not_exist(web_app, demo, outsiders, page):
    for name in outsiders:
        user = Browser(web_app, demo.fund)
        assert user.login(name, PASSWORD).status_code == 303
        response = user.get(user.f(page))
        assert response.status_code == 404, (name, page)
        assert demo.fund not in response.get_data(as_text=True).split("<main", 1)[-1]


def test_the_fund_list_shows_the_regions_funds_only(web_app, demo, outsiders, browser):
    user = Browser(web_app, demo.fund)
    user.login("other-province-auditor", PASSWORD)
    listed = user.get("/")
    assert listed.status_code == 200 and demo.fund not in listed.get_data(as_text=True)
    # the demo's own people, who have no region, still reach the demo fund
    assert browser("leader").get(browser("leader").f("loans")).status_code == 200


def test_a_region_user_sees_each_fund_with_its_county(web_app, demo):
    """Above a county the list mixes counties' funds, so each names its county."""
    db = Database.connect(demo.url)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(users, "HASHER", CHEAP)
        with committing(db) as uow:
            users.create_user(
                uow, username="demo-province-leader", password=PASSWORD, role="leader", region="00"
            )
    db.engine.dispose()
    user = Browser(web_app, demo.fund)
    user.login("demo-province-leader", PASSWORD)
    page = user.get("/").get_data(as_text=True)
    assert f"({demo.fund})</a> <small>本县(待更名)</small>" in page
