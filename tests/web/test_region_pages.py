"""The region page (SPEC §12): a province's leader lands on a link to it and reads the
counties side by side, the figures the fund's own summary gives; outside their region
it is a page that does not exist."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.actors import SYSTEM, Actor
from ledger.db import Database
from ledger.models.county import PLACEHOLDER, PLACEHOLDER_NAME
from ledger.money import fmt
from ledger.read import fund
from ledger.services import counties, users
from tests.factories import committing
from tests.web.conftest import CHEAP, Browser

PASSWORD = "correct horse battery"
#: The demo's fund is in the install's first county, 000000: region 00 holds it.
DEMO_PROVINCE = PLACEHOLDER[:2]


@pytest.fixture(scope="module")
def leaders(web_app, demo) -> None:
    """A province's leader over a county of no fund, and an auditor over the demo's county."""
    db = Database.connect(demo.url)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(users, "HASHER", CHEAP)
        with committing(db) as uow:
            counties.add_county(uow, actor=SYSTEM, code="630102", name="城东区")
            for name, role, region in (
                ("province-63-leader", "leader", "63"),
                ("province-00-auditor", "auditor", DEMO_PROVINCE),
            ):
                users.create_user(uow, username=name, password=PASSWORD, role=role, region=region)
    db.engine.dispose()


def signed_in(web_app, demo, name: str) -> Browser:
    user = Browser(web_app, demo.fund)
    assert user.login(name, PASSWORD).status_code == 303
    return user


def test_a_province_leader_lands_on_a_link_to_the_region(web_app, demo, leaders):
    user = signed_in(web_app, demo, "province-63-leader")
    landing = user.get("/")
    assert landing.status_code == 200 and 'href="/regions/63"' in landing.get_data(as_text=True)
    page = user.get("/regions/63")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "城东区" in html and "630102" in html and "合计" in html
    assert "/api/v1/regions/63/reports/statement.pdf" in html
    assert demo.fund not in html


def test_the_region_page_shows_the_funds_own_figures(web_app, demo, leaders):
    user = signed_in(web_app, demo, "province-00-auditor")
    page = user.get(f"/regions/{DEMO_PROVINCE}?as_of=2008-12-31")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and PLACEHOLDER_NAME in html
    db = Database.connect(demo.url)
    with db.read() as session:
        s = fund.summary(session, Actor("reader", "leader"), demo.fund, date(2008, 12, 31))
    db.engine.dispose()
    for amount in (s.capital, s.disbursed_to_date, s.recovered, s.outstanding, s.overdue_amount):
        assert fmt(amount) in html, amount
    assert f"{s.recovery_rate}%" in html and "as_of=2008-12-31" in html
    # every fund page leads back to the region's counties
    loans = user.get(user.f("loans")).get_data(as_text=True)
    assert f'href="/regions/{DEMO_PROVINCE}">各区县对照</a>' in loans
    county_clerk = Browser(web_app, demo.fund)
    county_clerk.login("clerk", demo.passwords["clerk"])
    assert "各区县对照" not in county_clerk.get(county_clerk.f("loans")).get_data(as_text=True)


@pytest.mark.parametrize(
    ("path", "status"), [(f"/regions/{DEMO_PROVINCE}", 404), ("/regions/341", 422)]
)
def test_another_region_is_a_page_that_does_not_exist(web_app, demo, leaders, path, status):
    user = signed_in(web_app, demo, "province-63-leader")
    response = user.get(path)
    assert response.status_code == status
    assert demo.fund not in response.get_data(as_text=True)


def test_a_township_officer_may_not_open_it(browser):
    assert browser("hengshan").get(f"/regions/{DEMO_PROVINCE}").status_code == 403
