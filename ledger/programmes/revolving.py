"""The revolving fund (周转金, SPEC §1-§12) as a programme kind.

Its code still lives in the core modules (`ledger.chart`,
`ledger.journal_templates`, `ledger.services`); this declares the kind so
that opening a fund goes through the one registry. Moving that code here is
a later step that changes no behaviour.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from ledger.chart import STANDARD_CHART
from ledger.models import Fund, FundSettings
from ledger.posting import JournalDraft
from ledger.programmes import REVOLVING, Programme


def _open(session: Session, fund: Fund) -> None:
    """A revolving fund starts with the default limits (SPEC §10)."""
    session.add(FundSettings(fund_id=fund.id))


def _any_draft(drafts: Sequence[JournalDraft]) -> None:
    """The revolving fund's rules are those of the core: nothing more to refuse."""


PROGRAMME = Programme(
    kind=REVOLVING,
    name_zh="周转金",
    name_en="Revolving fund",
    chart=STANDARD_CHART,
    open=_open,
    check_drafts=_any_draft,
)
