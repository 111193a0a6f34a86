"""Write-offs, extensions and project changes: listed, proposed, decided by someone else."""

from __future__ import annotations

import pytest

from tests.api.conftest import assert_problem
from tests.api.programme import TOWN_A, County, World


def test_the_lists_and_their_filters(county: County, world: World):
    url = f"{world.f}/write-offs"
    [row] = county.json("leader", url)
    assert (row["id"], row["loan"], row["township"], row["amount"]) == (
        world.write_off,
        world.loan_a,
        TOWN_A,
        "1000.00",
    )
    assert (row["ground"], row["disaster"], row["status"], row["voucher"]) == (
        "disaster",
        "0708",
        "proposed",
        None,
    )
    assert row["proposed_by"] == county.name("clerk") and row["proposed_on"] == "2008-07-20"
    assert county.json("clerk", url, query={"status": "approved"}) == []
    assert county.json("clerk", url, loan=world.loan_b) == []
    assert [r["id"] for r in county.json("clerk", url, disaster="0708")] == [world.write_off]
    [extension] = county.json("approver", f"{world.f}/extensions")
    assert extension["schedule"] == [{"due_date": "2010-01-01", "amount": "5000.00"}]
    [change] = county.json("approver", f"{world.f}/project-changes")
    assert (change["project_type"], change["project"]) == ("fish", "鱼塘扩建")


PROPOSALS = {
    "write-offs": {"loan": None, "amount": "500.00", "ground": "other", "reason": "无力偿还"},
    "extensions": {
        "loan": None,
        "reason": "困难",
        "schedule": [{"due_date": "2009-12-01", "amount": "2000.00"}],
    },
    "project-changes": {"loan": None, "project_type": "pig", "project": "养猪", "reason": "改项"},
}


@pytest.mark.parametrize("kind", list(PROPOSALS))
def test_no_one_decides_their_own_proposal(county: County, world: World, kind):
    body = {**PROPOSALS[kind], "loan": world.loan_b, "date": "2008-02-01"}
    proposal = county.create("approver", f"{world.f}/{kind}", body)
    decision = f"{world.f}/{kind}/{proposal['id']}/decision"
    own = county.post("approver", decision, {"approve": False, "note": "自审"}, status=None)
    assert_problem(own, 403, "maker-is-checker")
    county.post("clerk", decision, {"approve": False, "note": "x"}, status=403)
    silent = county.post("approver2", decision, {"approve": False}, status=None)
    assert assert_problem(silent, 422, "invalid-field")["errors"][0]["field"] == "note"
    rejected = county.create(
        "approver2", decision, {"approve": False, "note": "不同意", "date": "2008-02-03"}
    )
    assert (rejected["status"], rejected["decided_by"], rejected["decision_note"]) == (
        "rejected",
        county.name("approver2"),
        "不同意",
    )
    loan = county.json("clerk", f"{world.f}/loans/{world.loan_b}")
    assert loan["pending_write_off"] == "0.00" and loan["outstanding"] == "2000.00"


def test_approving_a_write_off_posts_it(county: County, world: World):
    decision = f"{world.f}/write-offs/{world.write_off}/decision"
    bare = county.post("approver", decision, {"approve": True, "date": "2008-07-25"}, status=None)
    assert assert_problem(bare, 422, "invalid-field")["errors"][0]["field"] == "document_no"
    done = county.create(
        "approver",
        decision,
        {"approve": True, "date": "2008-07-25", "document_no": "县政发[2008]12号"},
    )
    assert done["status"] == "approved" and done["voucher"].startswith("记-2008-07-")
    loan = county.json("clerk", f"{world.f}/loans/{world.loan_a}")
    assert (loan["written_off"], loan["outstanding"], loan["pending_write_off"]) == (
        "1000.00",
        "4000.00",
        "0.00",
    )
    twice = county.post(
        "approver2",
        decision,
        {"approve": True, "document_no": "x", "date": "2008-07-26"},
        status=None,
    )
    assert_problem(twice, 409, "invalid-transition")
    # The extension proposed for 5,000 no longer fits what the loan owes.
    stale = county.post(
        "approver",
        f"{world.f}/extensions/{world.extension}/decision",
        {"approve": True, "date": "2008-07-26"},
        status=None,
    )
    assert_problem(stale, 422, "schedule-mismatch")


def test_many_write_offs_under_one_document(county: County, world: World):
    ids = [
        county.create(
            "clerk",
            f"{world.f}/write-offs",
            {
                "loan": world.loan_b,
                "amount": amount,
                "ground": "death",
                "evidence": "死亡证明",
                "date": "2008-03-01",
            },
        )["id"]
        for amount in ("100.00", "200.00")
    ]
    url = f"{world.f}/write-offs/decisions"
    decided = county.create(
        "approver",
        url,
        {"ids": ids, "approve": True, "document_no": "县政发[2008]5号", "date": "2008-03-05"},
    )
    assert [(d["id"], d["status"], d["document_no"]) for d in decided] == [
        (ids[0], "approved", "县政发[2008]5号"),
        (ids[1], "approved", "县政发[2008]5号"),
    ]
    assert len({d["voucher"] for d in decided}) == 2
    assert county.json("clerk", f"{world.f}/loans/{world.loan_b}")["written_off"] == "300.00"
    again = county.post(
        "approver2", url, {"ids": ids, "approve": False, "note": "撤回"}, status=None
    )
    assert_problem(again, 409, "invalid-transition")


def test_a_project_change_approved(county: County, world: World):
    decided = county.create(
        "approver",
        f"{world.f}/project-changes/{world.project_change}/decision",
        {"approve": True, "date": "2008-07-30", "note": "同意重建"},
    )
    assert decided["status"] == "approved"
    assert county.json("clerk", f"{world.f}/loans/{world.loan_a}")["project"] == "鱼塘扩建"
    missing = county.post(
        "approver", f"{world.f}/project-changes/999999/decision", {"approve": True}, status=None
    )
    assert_problem(missing, 404, "record-not-found")
