"""The society as a programme kind, for the registry in `ledger.programmes`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from ledger.actors import SYSTEM
from ledger.models import Fund
from ledger.programmes import MUTUAL_AID, Programme
from ledger.programmes.mutual_aid.chart import CHART
from ledger.programmes.mutual_aid.models import SocietyRules
from ledger.programmes.mutual_aid.rules import check_closed_village

#: From when the first 章程 holds if the society was opened without a start date.
FIRST_RULES_FROM = date(1990, 1, 1)

#: A new society's first 章程: the common terms of the provinces' model rules
#: (share 1,000 yuan, loans up to 5,000 and five times the shares, 12 months,
#: 6‰ a month and 9‰ overdue, 7 days' notice, groups of 3 to 7), which its
#: members' meeting then changes by adding a version.
DEFAULT_RULES = {
    "share_size": Decimal("1000.00"),
    "loan_cap": Decimal("5000.00"),
    "loan_share_multiple": 5,
    "max_term_months": 12,
    "fee_rate_ppm": 6000,
    "overdue_fee_rate_ppm": 9000,
    "notice_days": 7,
    "group_min": 3,
    "group_max": 7,
    "reserve_bp": 3000,
    "welfare_bp": 1000,
    "risk_bp": 3000,
    "staff_bp": 1000,
    "dividend_bp": 2000,
}


def _open(session: Session, fund: Fund) -> None:
    """A new society starts with the default 章程, in force from its start."""
    session.add(
        SocietyRules(
            fund_id=fund.id,
            effective_on=fund.opened_on or FIRST_RULES_FROM,
            recorded_by=SYSTEM.username,
            **DEFAULT_RULES,
        )
    )


PROGRAMME = Programme(
    kind=MUTUAL_AID,
    name_zh="村级扶贫互助资金",
    name_en="Village mutual-aid society",
    chart=CHART,
    open=_open,
    check_drafts=check_closed_village,
)
