"""Programme kinds (项目类型): the one place a fund's kind picks its chart and rules.

A fund is of one kind (`Fund.kind`): the county's revolving fund
(``revolving``, SPEC §1-§12) or a village mutual-aid society (``mutual_aid``,
SPEC §13). Both keep their books on the shared double-entry core (journals,
entries, vouchers, periods, the audit chain); what differs is declared here,
as a `Programme`, by the kind's own module:

- `chart`: the lines a fund of the kind opens with;
- `open`: what else opening one writes (its settings, its first 章程);
- `check_drafts`: the rules the posting path holds every journal of the kind
  to, whoever posts it (the society's 封闭运行).

`KINDS` maps a kind to the module that declares it; the module is imported
when first asked for, so a kind's services may themselves use the core that
asks.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ledger.errors import InvalidField

if TYPE_CHECKING:  # the models import this package (a kind's tables register with them)
    from sqlalchemy.orm import Session

    from ledger.chart import ChartLine
    from ledger.models import Fund
    from ledger.posting import JournalDraft

REVOLVING = "revolving"
MUTUAL_AID = "mutual_aid"


@dataclass(frozen=True)
class Programme:
    """What makes a programme kind: its chart, its opening, its posting rules."""

    kind: str
    name_zh: str
    name_en: str
    chart: tuple[ChartLine, ...]
    #: Writes the kind's own rows for a fund just opened (and flushed).
    open: Callable[[Session, Fund], None]
    #: Refuses a journal the kind's rules forbid (raises a `LedgerError`).
    check_drafts: Callable[[Sequence[JournalDraft]], None]


KINDS: dict[str, str] = {
    REVOLVING: "ledger.programmes.revolving",
    MUTUAL_AID: "ledger.programmes.mutual_aid.programme",
}


def programme(kind: str) -> Programme:
    """The programme of `kind`; an unknown kind is refused naming the known ones."""
    module = KINDS.get(kind) if isinstance(kind, str) else None
    if module is None:
        known = ", ".join(KINDS)
        raise InvalidField(
            f"项目类型 {kind!r} 无效,应为 {known} 之一",
            f"programme kind {kind!r} is not one of {known}",
            field="kind",
        )
    return importlib.import_module(module).PROGRAMME
