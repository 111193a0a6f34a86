"""Business dates over HTTP: a date out of order or in the future answers 422 naming both dates."""

from __future__ import annotations

from datetime import date

from tests.api.conftest import assert_problem
from tests.api.programme import TOWN_A, County, World, household


def test_a_repayment_before_its_disbursement_is_refused(county: County, world: World):
    url = f"{world.f}/loans/{world.loan_b}/repayments"
    before = county.json("clerk", f"{world.f}/loans/{world.loan_b}")
    early = county.post("clerk", url, {"date": "2006-12-31", "amount": "100.00"}, status=None)
    body = assert_problem(early, 422, "date-out-of-order")
    assert body["detail"] == "还款日 2006-12-31 早于发放日 2007-04-10"
    assert (
        body["detail_en"] == "repayment date 2006-12-31 is before the disbursement date 2007-04-10"
    )
    assert body["errors"][0]["field"] == "date"
    assert county.json("clerk", f"{world.f}/loans/{world.loan_b}") == before


def test_a_repayment_after_today_is_refused(county: County, world: World, set_today):
    set_today(date(2010, 3, 1))
    url = f"{world.f}/loans/{world.loan_b}/repayments"
    late = county.post("clerk", url, {"date": "2030-01-01", "amount": "100.00"}, status=None)
    body = assert_problem(late, 422, "date-in-future")
    assert body["detail"] == "还款日 2030-01-01 晚于今天 2010-03-01"
    far = county.post("clerk", url, {"date": "9999-12-31", "amount": "1.00"}, status=None)
    assert_problem(far, 422, "date-in-future")


def test_a_schedule_due_before_the_approval_names_the_approval_date(county: County, world: World):
    person = household(county, world.f, TOWN_A, "王五")
    loan = county.create(
        "clerk",
        f"{world.f}/loans",
        {
            "household": person,
            "batch": "1",
            "project_type": "pig",
            "project": "养猪 3 头",
            "requested_amount": "1000.00",
            "date": "2008-11-20",
        },
    )
    no = loan["registration_no"]
    early = county.post(
        "clerk",
        f"{world.f}/loans/{no}/verification",
        {"visited_on": "2008-11-19", "visitor": "县办", "eligible": True},
        status=None,
    )
    assert assert_problem(early, 422, "date-out-of-order")["errors"][0]["field"] == "visited_on"
    county.post(
        "clerk",
        f"{world.f}/loans/{no}/verification",
        {"visited_on": "2008-12-01", "visitor": "县办", "eligible": True},
    )
    refused = county.post(
        "clerk",
        f"{world.f}/loans/{no}/approval",
        {
            "approved_amount": "1000.00",
            "schedule": [{"due_date": "2007-12-31", "amount": "1000.00"}],
            "date": "2008-12-05",
        },
        status=None,
    )
    body = assert_problem(refused, 422, "schedule-mismatch")
    assert body["detail"] == "到期日 2007-12-31 须晚于审定日 2008-12-05"
    assert body["errors"][0]["field"] == "schedule[0].due_date"
