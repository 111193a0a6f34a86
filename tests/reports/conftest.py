"""Report fixtures: the demo programme, loaded once into a database of its own.

The demo takes the better part of a minute to load, so the report tests
share one copy (session scope) and only read it; tests that need to write
(a reversal, a household with a very long village name) use the ordinary
rolled-back `db` fixture and the factories.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from ledger.actors import Actor
from ledger.db import Database
from ledger.demo import FUND
from ledger.services import lookup

CLERK = Actor("clerk", "clerk")
#: A fixed "generated at" so that two renders of the same data are the same bytes.
GENERATED = datetime(2009, 1, 5, 1, 30, tzinfo=UTC)


@dataclass(frozen=True)
class Demo:
    db: Database
    fund_id: int
    code: str = FUND


@pytest.fixture(scope="session")
def demo(loaded_demo: Database) -> Demo:
    with loaded_demo.read() as session:
        return Demo(loaded_demo, lookup.fund(session, FUND).id)
