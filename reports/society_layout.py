"""What the society's reports share: the page heading that names the society and its
county, and the Chinese words for a loan's state and a distribution's parts."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ledger.programmes.mutual_aid.reads import ListedSociety
from reports import layout

#: A loan's state (`LoanState` values) as the village reads it.
LOAN_STATE = {
    "applied": "已申请",
    "noticed": "公示中",
    "approved": "已审批",
    "lent": "借款中",
    "repaid": "已还清",
    "written_off": "已核销",
}
#: The parts of a year's result (`SocietyRules.distribution` keys), in the 章程's order.
PARTS = {
    "reserve": "公积金",
    "welfare": "公益金",
    "risk": "风险准备金",
    "staff": "管理人员补贴",
    "dividend": "社员分红",
}


def heading(
    title: str,
    society: ListedSociety,
    period: str,
    generated_at: datetime | None,
    subject: str = "",
) -> layout.Heading:
    """A society report's running heading: the society with its county and code."""
    return layout.Heading(
        title,
        f"{society.county_name} {layout.fund_label(society.name, society.fund)}",
        period,
        generated_at or layout.now(),
        subject,
    )


def rate(monthly: Decimal) -> str:
    """A monthly rate as the 章程 prints it: ``0.006`` is 6‰ a month."""
    return f"月 {(monthly * 1000).normalize():f}‰"


def share(fraction: Decimal) -> str:
    """A fraction of the result as a percentage: ``0.30`` is 30%."""
    return f"{(fraction * 100).normalize():f}%"
