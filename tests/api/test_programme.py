"""A county programme run end to end through HTTP only, checked against the API's own figures.

One fund of 100,000.00, townships A and B, four households. Loans go
through every state (applied, verified, rejected, approved, contracted,
disbursed, closed, written off); a disaster brings a loss, a write-off
proposed by one approver and decided by another, an extension and a project
change; an overdue loan calls its liaison's salary guarantee; a mistaken
allocation is reversed in red ink and April is closed. The journals, by
hand (D = C):

    appropriation 100,000; allocations 20,000 A + 10,000 B; a mistaken
    1,000 to B and its red-ink reversal (−1,000); disbursements 5,000 (L1),
    3,000 (L2), 2,000 (L4); repayments 2,500 + 1,500 (L1); guarantee call
    3,000 (L2); salary deduction 400; remittance 2,500 (A); write-offs
    1,000 (L1, disaster) and 2,000 (L4, death); recovery 500 (L4)
    = 153,400.00 each side, 16 journals.
"""

from __future__ import annotations

from tests.api.programme import TOWN_A, TOWN_B, County, household, lend
from tests.api.roles import COUNTY_A


def balances(county: County, f: str, **query: str) -> dict[str, str]:
    tb = county.json("leader", f"{f}/trial-balance", **query)
    return {row["code"]: row["balance"] for row in tb["accounts"]}


def test_a_county_programme_over_http(county: County) -> None:
    # --- the fund and its set-up ---------------------------------------------------
    fund = county.create(
        "admin",
        "/api/v1/funds",
        {
            "code": "E2E-" + county.name("clerk")[-8:],
            "name": "农村贫困党员脱贫工程周转金",
            "county": COUNTY_A,
        },
    )
    f = f"/api/v1/funds/{fund['code']}"
    assert fund["name"] == "农村贫困党员脱贫工程周转金"
    for code, name in ((TOWN_A, "但家庙镇"), (TOWN_B, "衡山镇")):
        assert county.create("clerk", f"{f}/townships", {"code": code, "name": name}) == {
            "code": code,
            "name": name,
        }
    fish = county.create(
        "clerk",
        f"{f}/project-types",
        {"code": "fish", "name": "鱼塘养殖", "borrowing_standard": "5000.00"},
    )
    assert fish["borrowing_standard"] == "5000.00"
    county.create(
        "clerk",
        f"{f}/project-types",
        {"code": "pig", "name": "养猪", "borrowing_standard": "3000.00"},
    )
    batch = county.create(
        "clerk", f"{f}/batches", {"code": "1", "name": "第一批", "budget": "100000.00"}
    )
    assert batch["budget"] == "100000.00"
    wang = county.create(
        "clerk",
        f"{f}/liaisons",
        {
            "name": "王明",
            "township": TOWN_A,
            "monthly_salary": "2000.00",
            "phone": "+8613912345678",
        },
    )
    assert wang["phone"] == "13912345678" and wang["township"] == TOWN_A
    zhang = county.create(
        "clerk", f"{f}/liaisons", {"name": "张华", "township": TOWN_A, "monthly_salary": "1800.00"}
    )
    li = county.create(
        "clerk", f"{f}/liaisons", {"name": "李强", "township": TOWN_B, "monthly_salary": "2000.00"}
    )
    h1, h2, h3 = (household(county, f, TOWN_A, name) for name in ("周勤", "陈平", "刘村长"))
    h4 = household(county, f, TOWN_B, "赵六")
    assert county.get("township_b", f"{f}/households/{h1}", status=404)

    # --- money in and down ------------------------------------------------------------
    money = county.create(
        "clerk",
        f"{f}/appropriations",
        {"date": "2007-03-01", "amount": "100000.00", "source": "county"},
    )
    assert (money["voucher"], money["amount"], money["kind"]) == (
        "记-2007-03-0001",
        "100000.00",
        "appropriation",
    )
    for town, amount, voucher in ((TOWN_A, "20000.00", "0001"), (TOWN_B, "10000.00", "0002")):
        sent = county.create(
            "clerk",
            f"{f}/allocations",
            {"date": "2007-04-01", "township": town, "amount": amount, "batch": "1"},
        )
        assert sent["voucher"] == f"记-2007-04-{voucher}" and sent["batch"] == "1"
    mistake = county.create(
        "clerk", f"{f}/allocations", {"date": "2007-04-20", "township": TOWN_B, "amount": "1000.00"}
    )["voucher"]

    # --- L1 through every step, one request each ------------------------------------------
    loan = county.create(
        "clerk",
        f"{f}/loans",
        {
            "household": h1,
            "batch": "1",
            "project_type": "fish",
            "project": "鱼塘 3 亩",
            "requested_amount": "5000.00",
            "date": "2007-04-02",
        },
    )
    l1 = loan["registration_no"]
    assert l1 == f"1-{TOWN_A}-0001" and loan["status"] == "applied"
    assert loan["three_lines_one"] is False  # no contract or IOU yet
    loans = f"{f}/loans/{l1}"
    loan = county.create(
        "clerk",
        f"{loans}/verification",
        {"visited_on": "2007-04-03", "visitor": "县扶贫办 刘", "eligible": True},
    )
    assert loan["status"] == "verified" and loan["visitor"] == "县扶贫办 刘"
    loan = county.create(
        "clerk",
        f"{loans}/approval",
        {
            "approved_amount": "5000.00",
            "date": "2007-04-05",
            "schedule": [
                {"due_date": "2008-04-01", "amount": "2500.00"},
                {"due_date": "2009-04-01", "amount": "2500.00"},
            ],
        },
    )
    assert (loan["status"], loan["approved_amount"]) == ("approved", "5000.00")
    assert [(i["due_date"], i["amount"]) for i in loan["schedule"]] == [
        ("2008-04-01", "2500.00"),
        ("2009-04-01", "2500.00"),
    ]
    loan = county.create(
        "clerk",
        f"{loans}/contract",
        {
            "contract_no": l1,
            "iou_no": l1,
            "liaison": wang["id"],
            "technical_lead": "李技术",
            "signed_on": "2007-04-06",
        },
    )
    assert (loan["status"], loan["three_lines_one"], loan["liaison"]) == (
        "contracted",
        True,
        wang["id"],
    )
    paid = county.create(
        "clerk", f"{loans}/disbursements", {"date": "2007-04-10", "amount": "5000.00"}
    )
    assert (paid["status"], paid["amount"], paid["outstanding"]) == (
        "disbursed",
        "5000.00",
        "5000.00",
    )
    assert paid["voucher"].startswith("记-2007-04-")

    # --- L2 (overdue later), L3 (rejected), before April closes ------------------------------
    l2 = lend(
        county,
        f,
        household_id=h2,
        liaison=wang["id"],
        amount="3000.00",
        project_type="pig",
        schedule=[("2008-01-15", "3000.00")],
        disbursed="2007-04-12",
    )
    l3 = county.create(
        "clerk",
        f"{f}/loans",
        {
            "household": h3,
            "batch": "1",
            "project_type": "pig",
            "project": "养猪",
            "requested_amount": "3000.00",
            "date": "2007-04-02",
        },
    )["registration_no"]
    rejected = county.create(
        "clerk",
        f"{f}/loans/{l3}/verification",
        {
            "visited_on": "2007-04-03",
            "visitor": "县扶贫办 刘",
            "eligible": False,
            "reason": "村干部,不符合条件",
        },
    )
    assert (rejected["status"], rejected["exclusion_reason"]) == ("rejected", "村干部,不符合条件")

    # --- a mistake reversed in red ink, then April closed -------------------------------------
    asked = county.create(
        "clerk", f"{f}/journals/{mistake}/reversal", {"reason": "误拨衡山镇", "date": "2007-04-21"}
    )
    rejected_reversal = county.create(
        "approver", f"{f}/reversals/{asked['id']}/decision", {"approve": False, "note": "先核实"}
    )
    assert (rejected_reversal["status"], rejected_reversal["voucher"]) == ("rejected", None)
    asked = county.create(
        "clerk", f"{f}/journals/{mistake}/reversal", {"reason": "误拨衡山镇", "date": "2007-04-21"}
    )
    approved = county.create(
        "approver",
        f"{f}/reversals/{asked['id']}/decision",
        {"approve": True, "date": "2007-04-21"},
    )
    red = county.json("clerk", f"{f}/journals/{approved['voucher']}")
    assert red["reverses"] == mistake and red["red"] is True
    assert red["entries"] == [
        {"account": f"1011/{TOWN_B}", "debit": "-1000.00", "credit": "0.00"},
        {"account": "1001", "debit": "0.00", "credit": "-1000.00"},
    ]
    assert county.json("clerk", f"{f}/journals/{mistake}")["reversed_by"] == red["voucher"]
    county.post("clerk", f"{f}/journals/{mistake}/reversal", {"reason": "again"}, status=409)
    april = county.create("clerk", f"{f}/periods/2007-04/close", None)
    assert april["closed"] is True and april["closed_by"] == county.name("clerk")
    late = county.post(
        "clerk",
        f"{f}/remittances",
        {"date": "2007-04-30", "township": TOWN_A, "amount": "1.00"},
        status=409,
    )
    assert late.get_json()["code"] == "period-closed"
    # A reversal approved into the closed month is refused whole: no journal, still proposed.
    asked = county.create(
        "clerk",
        f"{f}/journals/{paid['voucher']}/reversal",
        {"reason": "查错", "date": "2007-04-29"},
    )
    decide = f"{f}/reversals/{asked['id']}/decision"
    refused = county.post("approver", decide, {"approve": True, "date": "2007-04-30"}, status=409)
    assert refused.get_json()["code"] == "period-closed"
    pending = county.json("clerk", f"{f}/reversals", query={"status": "proposed"})
    assert [(r["id"], r["voucher"]) for r in pending] == [(asked["id"], None)]
    county.create("approver", decide, {"approve": False, "note": "无误"})
    county.post("clerk", f"{f}/periods/2007-04/reopen", {"reason": "补记"}, status=403)
    reopened = county.create("approver", f"{f}/periods/2007-04/reopen", {"reason": "核对"})
    assert reopened["closed"] is False and reopened["reopened_by"] == county.name("approver")
    assert county.create("clerk2", f"{f}/periods/2007-04/close", None)["closed"] is True

    # --- L4 in township B ---------------------------------------------------------------------
    l4 = lend(
        county,
        f,
        household_id=h4,
        liaison=li["id"],
        amount="2000.00",
        schedule=[("2008-05-01", "2000.00")],
        registered="2007-05-01",
        disbursed="2007-05-02",
    )

    # --- repayments, the guarantee, the township's remittance ---------------------------------
    county.post(
        "township_b", f"{loans}/repayments", {"date": "2008-03-20", "amount": "2500.00"}, status=404
    )
    repaid = county.create(
        "township_a", f"{loans}/repayments", {"date": "2008-03-20", "amount": "2500.00"}
    )
    assert (repaid["kind"], repaid["outstanding"], repaid["township"]) == (
        "repayment",
        "2500.00",
        TOWN_A,
    )
    over = county.post(
        "township_a", f"{loans}/repayments", {"date": "2008-03-21", "amount": "2500.01"}, status=409
    )
    assert over.get_json()["code"] == "overpayment"
    overdue = county.json("clerk", f"{f}/loans", overdue_on="2008-02-01")
    assert [(r["registration_no"], r["overdue_days"], r["overdue_amount"]) for r in overdue] == [
        (l2, 17, "3000.00"),
    ]
    county.post(
        "clerk",
        f"{f}/loans/{l2}/guarantee-calls",
        {"date": "2008-03-01", "amount": "3000.00"},
        status=403,
    )
    call = county.create(
        "approver", f"{f}/loans/{l2}/guarantee-calls", {"date": "2008-03-01", "amount": "3000.00"}
    )
    assert (call["liaison"], call["monthly_cap"], call["loan_status"]) == (
        wang["id"],
        "400.00",
        "closed",
    )
    assert [p["amount"] for p in call["plan"]] == ["400.00"] * 7 + ["200.00"]
    deducted = county.create(
        "clerk",
        f"{f}/liaisons/{wang['id']}/salary-deductions",
        {"date": "2008-04-05", "amount": "400.00"},
    )
    assert deducted["owed"] == "2600.00"
    capped = county.post(
        "clerk",
        f"{f}/liaisons/{wang['id']}/salary-deductions",
        {"date": "2008-04-20", "amount": "0.01"},
        status=422,
    )
    assert capped.get_json()["code"] == "over-limit"
    county.post(
        "township_a",
        f"{f}/remittances",
        {"date": "2008-04-30", "township": TOWN_B, "amount": "1.00"},
        status=404,
    )
    county.create(
        "township_a",
        f"{f}/remittances",
        {"date": "2008-04-30", "township": TOWN_A, "amount": "2500.00"},
    )
    change = county.create(
        "clerk",
        f"{loans}/liaison-changes",
        {"effective_on": "2008-01-01", "liaison": zhang["id"], "reason": "工作调动"},
    )
    assert (change["previous_liaison"], change["liaison"]) == (wang["id"], zhang["id"])

    # --- the 7·8 hail: loss, write-off (maker ≠ checker), extension, project change --------
    county.create(
        "clerk",
        f"{f}/disasters",
        {
            "code": "0708",
            "name": "7·8风雹灾",
            "date": "2008-07-08",
            "kind": "hail",
            "townships": [TOWN_A],
        },
    )
    county.create(
        "clerk",
        f"{f}/disasters/0708/losses",
        {"loan": l1, "assessed_loss": "3000.00", "inspector": "县农业局 王"},
    )
    county.post(
        "clerk",
        f"{f}/disasters/0708/losses",
        {"loan": l4, "assessed_loss": "100.00", "inspector": "王"},
        status=422,
    )
    proposal = county.create(
        "approver",
        f"{f}/write-offs",
        {
            "loan": l1,
            "amount": "1000.00",
            "ground": "disaster",
            "disaster": "0708",
            "reason": "鱼塘冲毁",
            "evidence": "灾情核定表",
            "date": "2008-07-20",
        },
    )
    assert proposal["status"] == "proposed" and proposal["voucher"] is None
    assert county.json("leader", loans)["pending_write_off"] == "1000.00"
    decide = f"{f}/write-offs/{proposal['id']}/decision"
    own = county.post(
        "approver",
        decide,
        {"approve": True, "document_no": "县政发[2008]12号", "date": "2008-07-25"},
        status=403,
    )
    assert own.get_json()["code"] == "maker-is-checker"
    county.post("clerk", decide, {"approve": True, "document_no": "x"}, status=403)
    approved = county.create(
        "approver2",
        decide,
        {"approve": True, "date": "2008-07-25", "document_no": "县政发[2008]12号"},
    )
    assert (approved["status"], approved["decided_by"]) == ("approved", county.name("approver2"))
    assert county.json("clerk", f"{f}/journals/{approved['voucher']}")["entries"] == [
        {"account": "5001/0708", "debit": "1000.00", "credit": "0.00"},
        {"account": f"1101/{l1}", "debit": "0.00", "credit": "1000.00"},
    ]
    extension = county.create(
        "clerk",
        f"{f}/extensions",
        {
            "loan": l1,
            "reason": "受灾,延期一年",
            "date": "2008-08-01",
            "schedule": [{"due_date": "2009-06-01", "amount": "1500.00"}],
        },
    )
    county.create(
        "approver",
        f"{f}/extensions/{extension['id']}/decision",
        {"approve": True, "date": "2008-08-05", "note": "同意"},
    )
    after = county.json("clerk", loans)
    assert (after["extended"], after["schedule_version"], after["outstanding"]) == (
        True,
        2,
        "1500.00",
    )
    too_big = county.post(
        "clerk",
        f"{f}/project-changes",
        {
            "loan": l1,
            "project_type": "pig",
            "project": "改养猪",
            "reason": "鱼塘毁",
            "date": "2008-08-10",
        },
        status=422,
    )
    assert too_big.get_json()["code"] == "over-limit"
    change = county.create(
        "clerk",
        f"{f}/project-changes",
        {
            "loan": l1,
            "project_type": "fish",
            "project": "鱼塘重建",
            "reason": "灾后重建",
            "date": "2008-08-10",
        },
    )
    county.create(
        "approver",
        f"{f}/project-changes/{change['id']}/decision",
        {"approve": True, "date": "2008-08-12"},
    )
    assert county.json("township_a", loans)["project"] == "鱼塘重建"

    # --- L4 written off on death, then partly recovered (账销案存) -------------------------
    death = county.create(
        "clerk",
        f"{f}/write-offs",
        {
            "loan": l4,
            "amount": "2000.00",
            "ground": "death",
            "evidence": "死亡证明",
            "date": "2008-09-01",
        },
    )
    county.create(
        "approver",
        f"{f}/write-offs/{death['id']}/decision",
        {"approve": True, "document_no": "县政发[2008]20号", "date": "2008-09-05"},
    )
    recovery = county.create(
        "township_b", f"{f}/loans/{l4}/recoveries", {"date": "2008-10-01", "amount": "500.00"}
    )
    assert (recovery["kind"], recovery["status"]) == ("recovery", "written_off")

    # --- L1 repaid in full ----------------------------------------------------------------------
    last = county.create(
        "clerk", f"{loans}/repayments", {"date": "2009-05-01", "amount": "1500.00"}
    )
    assert (last["status"], last["outstanding"]) == ("closed", "0.00")

    # --- the figures, from the API ----------------------------------------------------------------
    tb = county.json("leader", f"{f}/trial-balance")
    assert tb["totals"]["debit"] == tb["totals"]["credit"] == "153400.00"
    assert tb["totals"]["balanced"] is True
    assert balances(county, f) == {
        "1001": "72900.00",
        "1011": "22000.00",
        "1101": "0.00",
        "1102": "2600.00",
        "3001": "100000.00",
        "4001": "0.00",
        "4002": "500.00",
        "5001": "1000.00",
        "5002": "2000.00",
    }
    assert balances(county, f, as_of="2007-04-30")["1011"] == "22000.00"  # 20,000 + 10,000 − 8,000
    journals = county.get("clerk", f"{f}/journals", per_page=5)
    assert journals.headers["X-Total-Count"] == "16"
    accounts = {a["code"]: a for a in county.json("clerk", f"{f}/accounts")}
    assert {s["account"]: s["balance"] for s in accounts["1011"]["subaccounts"]} == {
        f"1011/{TOWN_A}": "13500.00",
        f"1011/{TOWN_B}": "8500.00",
    }

    figures = {
        row["registration_no"]: (
            row["status"],
            row["disbursed"],
            row["repaid"],
            row["guarantee_called"],
            row["written_off"],
            row["outstanding"],
        )
        for row in county.json("clerk", f"{f}/loans")
    }
    assert figures == {
        l1: ("closed", "5000.00", "4000.00", "0.00", "1000.00", "0.00"),
        l2: ("closed", "3000.00", "0.00", "3000.00", "0.00", "0.00"),
        l3: ("rejected", "0.00", "0.00", "0.00", "0.00", "0.00"),
        l4: ("written_off", "2000.00", "0.00", "0.00", "2000.00", "0.00"),
    }
    mine = county.get("township_a", f"{f}/loans")
    assert mine.headers["X-Total-Count"] == "3"
    assert {r["registration_no"] for r in mine.get_json()} == {l1, l2, l3}
    assert [r["registration_no"] for r in county.json("township_b", f"{f}/loans")] == [l4]
    history = [e["action"] for e in county.json("clerk", loans)["history"]]
    assert history == [  # in business-date order: the 2008-01-01 handover, then 03-20's repayment
        "registered",
        "verified",
        "approved",
        "contracted",
        "disbursed",
        "liaison_changed",
        "repaid",
        "write_off_proposed",
        "write_off_approved",
        "extension_proposed",
        "extended",
        "project_change_proposed",
        "project_changed",
        "repaid",
    ]

    summary = county.json("leader", f"{f}/summary")
    assert (summary["capital"], summary["special_cash"], summary["township_cash"]) == (
        "100000.00",
        "72900.00",
        "22000.00",
    )
    assert (summary["liaison_receivable"], summary["recoveries_income"]) == ("2600.00", "500.00")
    assert (summary["disbursed_to_date"], summary["turnover"]) == ("10000.00", "0.10")
    position = county.json("township_a", f"{f}/townships/{TOWN_A}/position")
    assert (position["cash"], position["remitted"], position["balanced"]) == (
        "13500.00",
        "2500.00",
        True,
    )
    county.get("township_a", f"{f}/townships/{TOWN_B}/position", status=404)
    exposure = county.json("township_a", f"{f}/liaisons/{wang['id']}")
    assert (exposure["called"], exposure["deducted"], exposure["owed"]) == (
        "3000.00",
        "400.00",
        "2600.00",
    )
    aging = county.json("leader", f"{f}/aging", as_of="2008-02-01")
    assert [(b["label"], b["loans"]) for b in aging["buckets"] if b["loans"]] == [("1-30", 1)]
    assert county.json("clerk", f"{f}/three-line-report") == []
