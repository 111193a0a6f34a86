"""Loans over HTTP: the list and its filters, one loan, and each step's refusals."""

from __future__ import annotations

import pytest

from tests.api.conftest import assert_problem
from tests.api.programme import TOWN_A, TOWN_B, County, World, household, lend, new_fund, set_up


def numbers(rows: list[dict]) -> list[str]:
    return [row["registration_no"] for row in rows]


def register(county: County, world: World, town: str = TOWN_A, **extra) -> dict:
    body = {
        "household": household(county, world.f, town, "孙五"),
        "batch": "1",
        "project_type": "fish",
        "project": "鱼塘",
        "requested_amount": "4000.00",
        "date": "2007-06-01",
        **extra,
    }
    return county.create("clerk", f"{world.f}/loans", body)


def approve(county: County, world: World, no: str, amount: str = "4000.00") -> dict:
    county.create(
        "clerk",
        f"{world.f}/loans/{no}/verification",
        {"visited_on": "2007-06-02", "visitor": "县办", "eligible": True},
    )
    return county.create(
        "clerk",
        f"{world.f}/loans/{no}/approval",
        {
            "approved_amount": amount,
            "date": "2007-06-03",
            "schedule": [{"due_date": "2008-06-01", "amount": amount}],
        },
    )


def test_the_list_filters_and_pages(county: County, world: World):
    url = f"{world.f}/loans"
    everything = county.get("leader", url)
    assert numbers(everything.get_json()) == [world.loan_a, world.loan_b]
    assert everything.headers["X-Total-Count"] == "2"
    row = everything.get_json()[0]
    assert (row["township"], row["household"], row["household_name"]) == (
        TOWN_A,
        world.household_a,
        "张三",
    )
    assert (row["disbursed"], row["outstanding"], row["pending_write_off"]) == (
        "5000.00",
        "5000.00",
        "1000.00",
    )
    assert numbers(county.json("clerk", url, township=TOWN_B)) == [world.loan_b]
    assert numbers(county.json("clerk", url, query={"status": "applied"})) == []
    assert numbers(county.json("clerk", url, batch="2")) == []
    assert numbers(county.json("clerk", url, overdue_on="2008-01-15")) == []
    late = county.json("clerk", url, overdue_on="2008-01-16")
    assert [(r["registration_no"], r["overdue_days"], r["aging_bucket"]) for r in late] == [
        (world.loan_b, 1, "1-30"),
    ]
    second = county.get("clerk", url, per_page=1, page=2)
    assert numbers(second.get_json()) == [world.loan_b]
    assert second.headers["X-Total-Count"] == "2"
    assert numbers(county.json("township_b", url)) == [world.loan_b]
    assert_problem(county.get("township_b", url, status=None, township=TOWN_A), 404, "not-found")


def test_one_loan_now_and_as_of_a_day(county: County, world: World):
    url = f"{world.f}/loans/{world.loan_b}"
    loan = county.json("township_b", url)
    assert (loan["status"], loan["liaison"], loan["schedule_version"]) == (
        "disbursed",
        world.liaison_b,
        1,
    )
    assert loan["liaisons"] == [
        {
            "liaison": world.liaison_b,
            "name": "李强",
            "effective_on": "2007-04-02",
            "reason": "签订责任书",
        },
    ]
    before = county.json("clerk", url, as_of="2007-04-09")
    assert (before["disbursed"], before["overdue_days"]) == ("0.00", 0)
    assert_problem(
        county.get("clerk", f"{world.f}/loans/NO-SUCH", status=None), 404, "record-not-found"
    )


def test_registration_numbers(county: County, world: World):
    loan = register(county, world, registration_no="SP-0001")
    assert loan["registration_no"] == loan["application_no"] == "SP-0001"
    again = county.post(
        "clerk",
        f"{world.f}/loans",
        {
            "household": loan["household"],
            "batch": "1",
            "project_type": "pig",
            "project": "猪",
            "requested_amount": "100.00",
            "registration_no": "SP-0002",
        },
        status=409,
    )
    assert again.get_json()["code"] == "duplicate-loan-in-batch"
    unknown = county.post(
        "clerk",
        f"{world.f}/loans",
        {
            "household": 999_999,
            "batch": "1",
            "project_type": "pig",
            "project": "猪",
            "requested_amount": "100.00",
        },
        status=404,
    )
    assert unknown.get_json()["errors"][0]["field"] == "household"


def test_three_lines_not_one_stops_the_money(county: County, world: World):
    no = register(county, world)["registration_no"]
    approve(county, world, no)
    signed = county.create(
        "clerk",
        f"{world.f}/loans/{no}/contract",
        {
            "contract_no": no,
            "iou_no": "JJ-77",
            "liaison": world.liaison_a,
            "technical_lead": "李技术",
            "signed_on": "2007-06-05",
        },
    )
    assert signed["status"] == "contracted" and signed["three_lines_one"] is False
    assert signed["three_line_problems"][0]["en"].startswith("IOU number JJ-77 differs")
    report = county.json("clerk", f"{world.f}/three-line-report")
    assert [(r["registration_no"], r["iou_no"]) for r in report] == [(no, "JJ-77")]
    assert county.json("township_b", f"{world.f}/three-line-report") == []
    refused = county.post(
        "clerk",
        f"{world.f}/loans/{no}/disbursements",
        {"date": "2007-06-06", "amount": "1.00"},
        status=None,
    )
    assert_problem(refused, 409, "three-lines-not-one")


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        (
            {
                "approved_amount": "4000.01",
                "schedule": [{"due_date": "2008-06-01", "amount": "4000.01"}],
            },
            "over-limit",
            "approved_amount",
        ),
        (
            {
                "approved_amount": "4000.00",
                "schedule": [{"due_date": "2008-06-01", "amount": "3999.99"}],
            },
            "schedule-mismatch",
            "schedule",
        ),
        (
            {
                "approved_amount": "4000.00",
                "schedule": [{"due_date": "2011-06-01", "amount": "4000.00"}],
            },
            "schedule-mismatch",
            "schedule[0].due_date",
        ),
    ],
)
def test_approvals_the_rules_refuse(county: County, world: World, body, code, field):
    no = register(county, world)["registration_no"]
    county.create(
        "clerk",
        f"{world.f}/loans/{no}/verification",
        {"visited_on": "2007-06-02", "visitor": "县办", "eligible": True},
    )
    response = county.post(
        "clerk", f"{world.f}/loans/{no}/approval", {**body, "date": "2007-06-03"}, status=None
    )
    assert assert_problem(response, 422, code)["errors"][0]["field"] == field


def test_steps_out_of_order_are_409(county: County, world: World):
    url = f"{world.f}/loans/{world.loan_a}"
    again = county.post(
        "clerk",
        f"{url}/verification",
        {"visited_on": "2007-06-02", "visitor": "县办", "eligible": True},
        status=None,
    )
    assert_problem(again, 409, "invalid-transition")
    early = county.post(
        "approver",
        f"{url}/guarantee-calls",
        {"date": "2007-06-01", "amount": "1.00"},
        status=None,
    )
    assert_problem(early, 409, "not-overdue")
    recovery = county.post(
        "clerk", f"{url}/recoveries", {"date": "2007-06-01", "amount": "1.00"}, status=None
    )
    assert_problem(recovery, 409, "invalid-transition")


def test_disbursing_more_than_the_township_holds(county: County, world: World):
    no = register(county, world, TOWN_B, requested_amount="5000.00")["registration_no"]
    approve(county, world, no, "5000.00")
    county.create(
        "clerk",
        f"{world.f}/loans/{no}/contract",
        {
            "contract_no": no,
            "iou_no": no,
            "liaison": world.liaison_b,
            "technical_lead": "李",
            "signed_on": "2007-06-05",
        },
    )
    county.create(
        "clerk",
        f"{world.f}/remittances",
        {"date": "2007-06-06", "township": TOWN_B, "amount": "4000.00"},
    )
    short = county.post(
        "clerk",
        f"{world.f}/loans/{no}/disbursements",
        {"date": "2007-06-07", "amount": "5000.00"},
        status=None,
    )
    body = assert_problem(short, 409, "insufficient-funds")
    assert body["errors"][0]["field"] == "amount" and "4000" in body["detail_en"]
    part = county.create(
        "clerk", f"{world.f}/loans/{no}/disbursements", {"date": "2007-06-07", "amount": "4000.00"}
    )
    assert (part["status"], part["outstanding"]) == ("disbursed", "4000.00")


def test_a_liaison_change_needs_a_liaison_of_the_borrowers_township(county: County, world: World):
    url = f"{world.f}/loans/{world.loan_b}/liaison-changes"
    other = county.post(
        "clerk",
        url,
        {"effective_on": "2008-01-01", "liaison": world.liaison_a, "reason": "调动"},
        status=None,
    )
    assert assert_problem(other, 422, "invalid-field")["errors"][0]["field"] == "liaison"


def test_a_loan_repaid_in_2008_and_written_off_back_in_2007(county: County):
    """History in business-date order; the schedule tells repaid from written off."""
    _, f = new_fund(county)
    liaisons = set_up(county, f)
    no = lend(
        county,
        f,
        household_id=household(county, f, TOWN_A, "赵六"),
        liaison=liaisons["a"],
        amount="3000.00",
        schedule=[("2008-04-01", "1000.00"), ("2009-04-01", "1000.00"), ("2010-04-01", "1000.00")],
    )
    county.post("clerk", f"{f}/loans/{no}/repayments", {"date": "2008-03-20", "amount": "1500.00"})
    proposal = county.create(
        "clerk",
        f"{f}/write-offs",
        {
            "loan": no,
            "amount": "1500.00",
            "ground": "death",
            "reason": "借款人病故",
            "date": "2007-11-20",
        },
    )
    county.post(
        "approver",
        f"{f}/write-offs/{proposal['id']}/decision",
        {"approve": True, "document_no": "县政发[2007]9号", "date": "2007-12-01"},
    )
    loan = county.json("clerk", f"{f}/loans/{no}")
    assert [(e["date"], e["action"]) for e in loan["history"]][-3:] == [
        ("2007-11-20", "write_off_proposed"),
        ("2007-12-01", "write_off_approved"),
        ("2008-03-20", "repaid"),
    ]
    # The 2007 write-off settled the oldest instalments first, then the repayment.
    assert [
        (i["state"], i["repaid"], i["written_off"], i["paid"], i["settled"])
        for i in loan["schedule"]
    ] == [
        ("written_off", "0.00", "1000.00", "1000.00", True),
        ("settled", "500.00", "500.00", "1000.00", True),
        ("repaid", "1000.00", "0.00", "1000.00", True),
    ]
    before = county.json("clerk", f"{f}/loans/{no}", as_of="2008-01-01")
    assert [(i["state"], i["written_off"]) for i in before["schedule"]] == [
        ("written_off", "1000.00"),
        ("partly_settled", "500.00"),
        ("not_due", "0.00"),
    ]


def test_registration_over_the_borrowing_standard_is_refused_naming_the_field(
    county: County, world: World
):
    body = {
        "household": household(county, world.f, TOWN_A, "钱六"),
        "batch": "1",
        "project_type": "pig",  # standard 3,000.00
        "project": "养猪",
        "requested_amount": "3000.01",
        "date": "2007-06-01",
    }
    over = county.post("clerk", f"{world.f}/loans", body, status=None)
    problem = assert_problem(over, 422, "over-limit")
    assert problem["errors"][0]["field"] == "requested_amount"
    assert problem["detail_en"] == (
        "requested amount 3000.01 exceeds the borrowing standard of pig (3000.00)"
    )
    assert problem["detail"] == "申请金额 3,000.01 超过项目类型 养猪 的借款标准 3,000.00"
    assert county.create("clerk", f"{world.f}/loans", {**body, "requested_amount": "3000.00"})
