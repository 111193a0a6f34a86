"""A clerk's journey through the forms, shared by the page tests."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from ledger import dates
from tests.factories import make_id_number
from tests.web.conftest import LENDING_TOWNS

HENGSHAN, OTHER_TOWN = LENDING_TOWNS  # the demo township officer's own, and another
LOAN_URL = re.compile(r"/loans/([A-Za-z0-9_-]+)$")
OPTION = re.compile(r'<option value="(\d+)"')


def register_household(clerk: Any, township: str = HENGSHAN, name: str = "王小二") -> int:
    response = clerk.post(
        clerk.f("households/new"),
        {
            "name": name,
            "id_number": make_id_number(born="19800101"),
            "township": township,
            "village": "胡家湾村",
            "party_member": "false",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("household=", 1)[1])


def register_loan(clerk: Any, household: int, amount: str = "3000.00") -> str:
    page = clerk.get(clerk.f("loans/new")).get_data(as_text=True)
    batch = re.search(r'<select id="batch".*?<option value="([^"]+)"', page, re.S).group(1)
    kind = re.search(r'<select id="project_type".*?<option value="([^"]+)"', page, re.S).group(1)
    response = clerk.post(
        clerk.f("loans/new"),
        {
            "household": str(household),
            "batch": batch,
            "project_type": kind,
            "project": "养猪 5 头",
            "requested_amount": amount,
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    return LOAN_URL.search(response.headers["Location"]).group(1)


def step(clerk: Any, no: str, action: str, data: dict[str, str]) -> Any:
    response = clerk.post(clerk.f(f"loans/{no}/{action}"), data)
    assert response.status_code == 303, response.get_data(as_text=True)
    return response


def lend(clerk: Any, township: str = HENGSHAN, amount: str = "3000.00") -> str:
    """A new household and loan, taken through to disbursement; its registration number."""
    today = dates.today()
    no = register_loan(clerk, register_household(clerk, township), amount)
    step(
        clerk,
        no,
        "verification",
        {"visited_on": today.isoformat(), "visitor": "李会计", "eligible": "true"},
    )
    step(
        clerk,
        no,
        "approval",
        {
            "approved_amount": amount,
            "first_due": date(today.year + 1, 12, 1).isoformat(),
            "count": "2",
        },
    )
    page = clerk.get(clerk.f(f"loans/{no}")).get_data(as_text=True)
    liaison = OPTION.search(page[page.index('id="contract-liaison"') :]).group(1)
    step(
        clerk,
        no,
        "contract",
        {
            "contract_no": no,
            "iou_no": no,
            "liaison": liaison,
            "technical_lead": "张技术员",
            "signed_on": today.isoformat(),
        },
    )
    step(clerk, no, "disbursement", {"date": today.isoformat(), "amount": amount})
    return no
