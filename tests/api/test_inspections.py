"""Inspections over HTTP: an inspection and its findings, the open findings by age,
closing with evidence, and a recall proposed on diverted money and decided by
another approver, after which the loan owes everything on the recall day."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import assert_problem
from tests.api.programme import TOWN_A, TOWN_B, County, household, lend, new_fund, set_up


def _programme(county: County) -> tuple[str, str, str]:
    """A fund with a 5,000.00 loan in township A (due 2008 and 2009) and 2,000.00 in B."""
    _, f = new_fund(county, "I")
    liaisons = set_up(county, f)
    loan_a = lend(
        county,
        f,
        household_id=household(county, f, TOWN_A, "周勤"),
        liaison=liaisons["a"],
        amount="5000.00",
        schedule=[("2008-04-01", "2500.00"), ("2009-04-01", "2500.00")],
    )
    loan_b = lend(
        county,
        f,
        household_id=household(county, f, TOWN_B, "邓为才"),
        liaison=liaisons["b"],
        amount="2000.00",
        schedule=[("2008-01-15", "2000.00")],
    )
    return f, loan_a, loan_b


def _inspect(county: County, f: str, town: str, loans: list[str], **extra: Any) -> Any:
    body = {
        "township": town,
        "date": "2007-06-01",
        "kind": "unscheduled",
        "inspectors": "县扶贫办 张三、李四",
        "loans": loans,
        **extra,
    }
    return county.post("clerk", f"{f}/inspections", body, status=None)


def _finding(county: County, f: str, inspection: int, loan: str | None, **extra: Any) -> Any:
    body = {
        "kind": "diverted",
        "loan": loan,
        "description": "借款 2000 元用于建房",
        "responsible": "乡财政所 王",
        "correct_by": "2007-07-01",
        **extra,
    }
    return county.post("clerk", f"{f}/inspections/{inspection}/findings", body, status=None)


def test_an_inspection_its_findings_their_age_and_closing(county: County):
    f, loan_a, loan_b = _programme(county)
    elsewhere = _inspect(county, f, TOWN_A, [loan_b])
    assert assert_problem(elsewhere, 422, "invalid-field")["errors"][0]["field"] == "loans[0]"
    early = _inspect(county, f, TOWN_A, [loan_a], date="2007-04-05")  # before disbursement
    assert_problem(early, 422, "date-out-of-order")
    refused = county.post("township_a", f"{f}/inspections", {}, status=None)
    assert_problem(refused, 403, "role-not-permitted")

    made = _inspect(county, f, TOWN_A, [loan_a]).get_json()
    assert (made["township"], made["township_name"], made["loans"]) == (
        TOWN_A,
        "但家庙镇",
        [loan_a],
    )
    assert made["kind"] == "unscheduled" and made["inspected_on"] == "2007-06-01"

    bare = _finding(county, f, made["id"], None)
    assert assert_problem(bare, 422, "invalid-field")["errors"][0]["field"] == "loan"
    before = _finding(county, f, made["id"], loan_a, correct_by="2007-05-31")
    assert assert_problem(before, 422, "date-out-of-order")["errors"][0]["field"] == "correct_by"
    diverted = _finding(county, f, made["id"], loan_a).get_json()
    books = _finding(
        county, f, made["id"], None, kind="records_mismatch", correct_by="2007-06-15"
    ).get_json()
    assert (diverted["kind"], diverted["loan"], diverted["closed_on"]) == ("diverted", loan_a, None)

    listed = county.json("township_a", f"{f}/inspections/{made['id']}/findings")
    assert [x["id"] for x in listed] == [diverted["id"], books["id"]]
    hidden = county.get("township_b", f"{f}/inspections/{made['id']}/findings", status=None)
    assert_problem(hidden, 404, "record-not-found")
    assert county.json("township_b", f"{f}/inspections") == []
    assert [i["id"] for i in county.json("township_a", f"{f}/inspections")] == [made["id"]]

    open_on = county.json("clerk", f"{f}/findings/open", as_of="2007-06-20")
    assert [(x["id"], x["age_days"], x["overdue"], x["recallable"]) for x in open_on] == [
        (diverted["id"], 19, False, True),
        (books["id"], 19, True, False),
    ]
    assert county.json("township_b", f"{f}/findings/open", as_of="2007-06-20") == []
    assert county.json("clerk", f"{f}/findings/open", as_of="2007-05-31") == []

    path = f"{f}/findings/{books['id']}/close"
    no_evidence = county.post("approver", path, {"date": "2007-06-25"}, status=None)
    assert assert_problem(no_evidence, 422, "evidence-missing")["errors"][0]["field"] == "evidence"
    assert county.post("township_a", path, {"evidence_ref": "整改-1"}, status=403)
    closed = county.create("approver", path, {"date": "2007-06-25", "evidence_ref": "整改-1"})
    assert (closed["closed_on"], closed["evidence_ref"], closed["evidence"]) == (
        "2007-06-25",
        "整改-1",
        None,
    )
    again = county.post("clerk", path, {"evidence": "再次"}, status=None)
    assert_problem(again, 409, "finding-closed")
    # closed on the 25th: open as of the 24th, not after
    assert [x["id"] for x in county.json("clerk", f"{f}/findings/open", as_of="2007-06-24")] == [
        diverted["id"],
        books["id"],
    ]
    assert [x["id"] for x in county.json("clerk", f"{f}/findings/open", as_of="2007-06-25")] == [
        diverted["id"]
    ]


def test_a_recall_on_diverted_money_makes_the_loan_fall_due(county: County):
    f, loan_a, loan_b = _programme(county)
    inspection = _inspect(county, f, TOWN_A, [loan_a]).get_json()["id"]
    diverted = _finding(county, f, inspection, loan_a).get_json()["id"]
    other = _finding(county, f, inspection, loan_a, kind="not_reached").get_json()["id"]
    county.post(
        "clerk", f"{f}/loans/{loan_a}/repayments", {"date": "2007-06-02", "amount": "500.00"}
    )

    body = {"loan": loan_a, "finding": diverted, "reason": "挪用建房", "date": "2007-06-05"}
    wrong = county.post("clerk", f"{f}/recalls", {**body, "finding": other}, status=None)
    assert assert_problem(wrong, 409, "no-diverted-finding")["errors"][0]["field"] == "finding"
    assert county.post("township_a", f"{f}/recalls", body, status=403)
    proposed = county.create("clerk", f"{f}/recalls", body)
    assert (proposed["status"], proposed["loan"], proposed["finding"], proposed["amount"]) == (
        "proposed",
        loan_a,
        diverted,
        "4500.00",
    )
    assert proposed["found_on"] == "2007-06-01"
    twice = county.post("approver", f"{f}/recalls", body, status=None)
    assert twice.status_code == 409
    pending = county.json("clerk", f"{f}/findings/open", as_of="2007-06-05")
    assert [x["recallable"] for x in pending if x["id"] == diverted] == [False]

    decision = f"{f}/recalls/{proposed['id']}/decision"
    assert county.post("clerk", decision, {"approve": True}, status=403)
    decided = county.create(
        "approver", decision, {"approve": True, "note": "同意", "date": "2007-06-10"}
    )
    assert (decided["status"], decided["decided_on"]) == ("approved", "2007-06-10")
    loan = county.json("clerk", f"{f}/loans/{loan_a}")
    assert loan["recalled_on"] == "2007-06-10"
    assert [(i["due_date"], i["amount"]) for i in loan["schedule"]] == [("2007-06-10", "4500.00")]
    assert loan["history"][-1]["action"] == "recalled"
    listed = county.json("leader", f"{f}/recalls", {"status": "approved"})
    assert [r["id"] for r in listed] == [proposed["id"]]
    assert county.get("township_a", f"{f}/recalls", status=403)

    # township B's loan: the approver proposes, so another approver must decide
    other_inspection = _inspect(county, f, TOWN_B, [loan_b]).get_json()["id"]
    ground = _finding(county, f, other_inspection, loan_b).get_json()["id"]
    mine = county.create(
        "approver",
        f"{f}/recalls",
        {"loan": loan_b, "finding": ground, "reason": "挪用", "date": "2007-06-05"},
    )
    own = county.post("approver", f"{f}/recalls/{mine['id']}/decision", {"approve": True}, None)
    assert_problem(own, 403, "maker-is-checker")
    rejected = county.create(
        "approver2", f"{f}/recalls/{mine['id']}/decision", {"approve": False, "note": "已整改"}
    )
    assert rejected["status"] == "rejected"
    [again] = [x for x in county.json("clerk", f"{f}/findings/open") if x["id"] == ground]
    assert again["recallable"] is True  # rejected: the finding may ground another proposal
    assert county.json("clerk", f"{f}/loans/{loan_b}")["recalled_on"] is None
