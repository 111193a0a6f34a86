"""Money in and down: appropriations, allocations, remittances, and what they post."""

from __future__ import annotations

from tests.api.conftest import assert_problem
from tests.api.programme import TOWN_A, TOWN_B, County, World


def test_an_appropriation_and_its_journal(county: County, world: World):
    money = county.create(
        "clerk",
        f"{world.f}/appropriations",
        {"date": "2007-05-10", "amount": "1234.50", "source": "province", "memo": "省级补助"},
    )
    assert money == {
        "voucher": money["voucher"],
        "date": "2007-05-10",
        "kind": "appropriation",
        "amount": "1234.50",
        "township": None,
        "source": "province",
        "batch": None,
        "memo": "省级补助",
    }
    journal = county.json("leader", f"{world.f}/journals/{money['voucher']}")
    assert journal["entries"] == [
        {"account": "1001", "debit": "1234.50", "credit": "0.00"},
        {"account": "3001/province", "debit": "0.00", "credit": "1234.50"},
    ]
    slash = county.post(
        "clerk",
        f"{world.f}/appropriations",
        {"date": "2007-05-10", "amount": "1.00", "source": "a/b"},
        status=422,
    )
    assert slash.get_json()["errors"][0]["field"] == "source"


def test_an_allocation_cannot_spend_money_the_county_does_not_hold(county: County, world: World):
    too_much = county.post(
        "clerk",
        f"{world.f}/allocations",
        {"date": "2007-05-11", "township": TOWN_A, "amount": "9999999.00"},
        status=None,
    )
    assert assert_problem(too_much, 409, "insufficient-funds")["errors"][0]["field"] == "amount"
    no_batch = county.post(
        "clerk",
        f"{world.f}/allocations",
        {"date": "2007-05-11", "township": TOWN_A, "amount": "1.00", "batch": "9"},
        status=None,
    )
    assert assert_problem(no_batch, 404, "record-not-found")["errors"][0]["field"] == "batch"


def test_a_township_remits_its_own_money_only(county: County, world: World):
    url = f"{world.f}/remittances"
    sent = county.create(
        "township_b", url, {"date": "2007-05-12", "township": TOWN_B, "amount": "100.00"}
    )
    assert (sent["kind"], sent["township"], sent["memo"]) == ("remittance", TOWN_B, "衡山镇 上缴")
    other = county.post(
        "township_b",
        url,
        {"date": "2007-05-12", "township": TOWN_A, "amount": "1.00"},
        status=None,
    )
    assert_problem(other, 404, "record-not-found")
    more = county.post(
        "township_b",
        url,
        {"date": "2007-05-12", "township": TOWN_B, "amount": "99999.00"},
        status=None,
    )
    assert_problem(more, 409, "insufficient-funds")
    for who in ("leader", "approver", "admin"):
        county.post(
            who, url, {"date": "2007-05-12", "township": TOWN_B, "amount": "1.00"}, status=403
        )
