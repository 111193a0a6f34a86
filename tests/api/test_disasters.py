"""Disasters: the event, losses per loan, and proposals for every loan struck at once."""

from __future__ import annotations

from tests.api.conftest import assert_problem
from tests.api.programme import TOWN_B, County, World


def test_the_disasters_recorded(county: County, world: World):
    [event] = county.json("leader", f"{world.f}/disasters")
    assert event == county.json("clerk", f"{world.f}/disasters/0708")
    assert (event["name"], event["date"], event["townships"]) == (
        "7·8风雹灾",
        "2008-07-08",
        ["340123001"],
    )
    assert (event["losses"], event["assessed_loss"]) == (1, "3000.00")
    assert_problem(
        county.get("clerk", f"{world.f}/disasters/0813", status=None), 404, "record-not-found"
    )


def test_what_a_disaster_refuses(county: County, world: World):
    url = f"{world.f}/disasters"
    county.post(
        "clerk",
        url,
        {
            "code": "0708",
            "name": "重复",
            "date": "2008-07-08",
            "kind": "hail",
            "townships": [TOWN_B],
        },
        status=409,
    )
    unknown = county.post(
        "clerk",
        url,
        {
            "code": "X1",
            "name": "某灾",
            "date": "2008-07-08",
            "kind": "flood",
            "townships": ["340123999"],
        },
        status=None,
    )
    assert assert_problem(unknown, 404, "record-not-found")["errors"][0]["field"] == "townships"
    again = county.post(
        "clerk",
        f"{url}/0708/losses",
        {"loan": world.loan_a, "assessed_loss": "1.00", "inspector": "王"},
        status=409,
    )
    assert again.get_json()["code"] == "duplicate"
    elsewhere = county.post(
        "clerk",
        f"{url}/0708/losses",
        {"loan": world.loan_b, "assessed_loss": "1.00", "inspector": "王"},
        status=None,
    )
    assert assert_problem(elsewhere, 422, "invalid-field")["errors"][0]["field"] == "loan"


def test_proposals_for_every_loan_struck(county: County, world: World):
    url = f"{world.f}/disasters"
    county.create(
        "clerk",
        url,
        {
            "code": "0813",
            "name": "8·13洪灾",
            "date": "2008-08-13",
            "kind": "flood",
            "townships": [TOWN_B],
        },
    )
    reported = {"loan": world.loan_b, "assessed_loss": "800.00", "inspector": "县水利局 陈"}
    early = county.post(
        "clerk", f"{url}/0813/losses", {**reported, "assessed_on": "2008-08-12"}, status=None
    )
    problem = assert_problem(early, 422, "date-out-of-order")
    assert "2008-08-12" in problem["detail"] and "2008-08-13" in problem["detail"]
    loss = county.create("clerk", f"{url}/0813/losses", {**reported, "assessed_on": "2008-08-15"})
    assert (loss["disaster"], loss["township"], loss["assessed_loss"], loss["assessed_on"]) == (
        "0813",
        TOWN_B,
        "800.00",
        "2008-08-15",
    )
    [proposal] = county.create(
        "clerk",
        f"{url}/0813/write-offs",
        {"reason": "洪水冲毁", "share": "loss", "date": "2008-08-20"},
    )
    assert (proposal["loan"], proposal["amount"], proposal["disaster"]) == (
        world.loan_b,
        "800.00",
        "0813",
    )
    assert county.create("clerk", f"{url}/0813/extensions", {"reason": "x"}) == []  # busy
    county.create(
        "approver2",
        f"{world.f}/write-offs/decisions",
        {
            "ids": [proposal["id"]],
            "approve": True,
            "document_no": "县政发[2008]30号",
            "date": "2008-08-25",
        },
    )
    [extension] = county.create(
        "clerk",
        f"{url}/0813/extensions",
        {"reason": "灾后恢复", "months": 12, "date": "2008-08-26"},
    )
    assert extension["schedule"] == [{"due_date": "2009-08-26", "amount": "1200.00"}]
    assert extension["disaster"] == "0813" and extension["status"] == "proposed"
