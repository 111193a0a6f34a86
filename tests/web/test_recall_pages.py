"""A recall (提前收回) on the pages: proposed from a diverted-money finding on the
inspections page, decided by the approver on the proposals page, which shows the
loan, the finding and what falls due, and then shown on the loan page."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from ledger import dates
from ledger.models import ProposalStatus, Recall
from ledger.money import fmt
from tests.web.journeys import HENGSHAN, lend
from tests.web.test_pages import count, error_beside

TODAY = dates.today()


def _diverted_finding(clerk, no: str) -> str:
    """An inspection of 衡山镇 visiting loan `no`, and a finding its money was diverted."""
    done = clerk.post(
        clerk.f("inspections"),
        {
            "township": HENGSHAN,
            "date": TODAY.isoformat(),
            "kind": "scheduled",
            "inspectors": "县扶贫办 赵",
            "loans": no,
        },
    )
    assert done.status_code == 303, done.get_data(as_text=True)
    page = clerk.get(clerk.f("inspections")).get_data(as_text=True)
    inspection = re.search(r"督查 (\d+) 已登记", page).group(1)
    found = clerk.post(
        clerk.f("inspections/findings"),
        {
            "inspection": inspection,
            "kind": "diverted",
            "loan": no,
            "description": "借款用于购买摩托车",
            "responsible": "衡山镇财政所",
            "correct_by": (TODAY + timedelta(days=15)).isoformat(),
        },
    )
    assert found.status_code == 303, found.get_data(as_text=True)
    page = clerk.get(clerk.f("inspections")).get_data(as_text=True)
    return re.search(r"问题 (\d+) 已登记", page).group(1)


def _row(html: str, finding: str) -> str:
    return re.search(rf'<tr id="finding-{finding}">.*?</tr>', html, re.S).group(0)


def test_a_recall_proposed_on_a_finding_decided_and_shown_on_the_loan(browser, demo):
    clerk, approver, officer = browser("clerk"), browser("approver"), browser("hengshan")
    no = lend(clerk, HENGSHAN, "3000.00")
    finding = _diverted_finding(clerk, no)
    row = _row(clerk.get(clerk.f("inspections")).get_data(as_text=True), finding)
    assert "提议提前收回" in row and f'name="loan" value="{no}"' in row
    assert "提议提前收回" not in _row(
        officer.get(officer.f("inspections")).get_data(as_text=True), finding
    )
    path = clerk.f(f"findings/{finding}/recall")
    assert officer.post(path, {"loan": no, "reason": "挪用"}).status_code == 403

    bare = clerk.post(path, {"loan": no, "reason": ""})
    assert bare.status_code == 422
    assert error_beside(bare.get_data(as_text=True), f"recall-{finding}-reason")
    proposed = clerk.post(path, {"loan": no, "reason": "挪用购车,提前收回"})
    assert proposed.status_code == 303, proposed.get_data(as_text=True)
    page = clerk.get(clerk.f("inspections")).get_data(as_text=True)
    recall = re.search(r"提前收回申请 (\d+) 已提出", page).group(1)
    assert "提议提前收回" not in _row(page, finding)  # one is pending on it now
    pending = (Recall.id == int(recall), Recall.status == ProposalStatus.PROPOSED)
    assert count(demo, Recall, *pending) == 1

    mine = clerk.get(clerk.f("proposals")).get_data(as_text=True)
    article = re.search(
        rf'<article class="proposal" id="recalls-{recall}">.*?</article>', mine, re.S
    )
    assert "批准</button>" not in article.group(0)  # a clerk proposes, never decides
    waiting = approver.get(approver.f("proposals")).get_data(as_text=True)
    article = re.search(
        rf'<article class="proposal" id="recalls-{recall}">.*?</article>', waiting, re.S
    ).group(0)
    assert no in article and f"问题 {finding}" in article and "借款用于购买摩托车" in article
    assert f"{fmt(Decimal('3000.00'))}</span> 元" in article
    assert "批准</button>" in article and "收回日期" in article
    early = approver.post(
        approver.f(f"proposals/recalls/{recall}"),
        {"approve": "true", "date": (TODAY - timedelta(days=1)).isoformat()},
    )
    assert early.status_code == 422  # not before the proposal
    assert error_beside(early.get_data(as_text=True), f"recalls-{recall}-date")

    decided = approver.post(
        approver.f(f"proposals/recalls/{recall}"),
        {"approve": "true", "note": "同意收回", "date": TODAY.isoformat()},
    )
    assert decided.status_code == 303, decided.get_data(as_text=True)
    notice = approver.get(approver.f("proposals")).get_data(as_text=True)
    assert f"提前收回申请 {recall} 已批准" in notice
    assert f'id="recalls-{recall}"' not in notice
    loan = clerk.get(clerk.f(f"loans/{no}")).get_data(as_text=True)
    shown = re.search(r'<dd class="warn" id="recalled-on">([^<]+)</dd>', loan).group(1)
    assert shown.startswith(TODAY.isoformat())
    assert f"还款计划(已于 {TODAY.isoformat()} 提前收回)" in loan
    schedule = re.search(r'<tr id="instalment-1">.*?</tr>', loan, re.S).group(0)
    assert TODAY.isoformat() in schedule and "3,000.00" in schedule
    assert 'id="instalment-2"' not in loan  # everything falls due on the recall day
