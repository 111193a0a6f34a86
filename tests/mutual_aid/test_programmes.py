"""Programme kinds: a fund's kind picks its chart and its first rows, through one registry."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ledger.chart import STANDARD_CHART
from ledger.errors import InvalidField
from ledger.models import AccountKind, ChartAccount, Fund, FundSettings, SubLedger
from ledger.programmes import KINDS, programme
from ledger.programmes.mutual_aid.models import SocietyRules
from ledger.programmes.mutual_aid.programme import DEFAULT_RULES
from ledger.services.funds import open_fund
from tests.factories import ADMIN, committing, make_fund
from tests.mutual_aid.society import OPENED, make_society

#: SPEC §13's chart: code, type, sub-ledger.
SOCIETY_CHART = {
    "1001": (AccountKind.ASSET, SubLedger.NONE),
    "1201": (AccountKind.ASSET, SubLedger.LOAN),
    "1301": (AccountKind.ASSET, SubLedger.LOAN),
    "2201": (AccountKind.LIABILITY, SubLedger.MEMBER),
    "2202": (AccountKind.LIABILITY, SubLedger.NONE),
    "3001": (AccountKind.NET_ASSETS, SubLedger.NONE),
    "3002": (AccountKind.NET_ASSETS, SubLedger.MEMBER),
    "3003": (AccountKind.NET_ASSETS, SubLedger.DONOR),
    "3101": (AccountKind.NET_ASSETS, SubLedger.NONE),
    "3102": (AccountKind.NET_ASSETS, SubLedger.NONE),
    "3103": (AccountKind.NET_ASSETS, SubLedger.NONE),
    "3201": (AccountKind.NET_ASSETS, SubLedger.NONE),
    "4001": (AccountKind.INCOME, SubLedger.LOAN),
    "4002": (AccountKind.INCOME, SubLedger.NONE),
    "5001": (AccountKind.EXPENSE, SubLedger.NONE),
}


def _chart(db, fund):
    with db.read() as session:
        rows = session.scalars(select(ChartAccount).where(ChartAccount.fund_id == fund.id))
        return {row.code: (row.kind, row.subledger) for row in rows}


def test_a_society_opens_with_the_chart_of_spec_13_and_a_default_charter(db):
    fund = make_society(db, fiscal=None)
    assert fund.kind == "mutual_aid"
    assert _chart(db, fund) == SOCIETY_CHART
    with db.read() as session:
        rules = session.scalars(select(SocietyRules).where(SocietyRules.fund_id == fund.id)).all()
        assert session.get(FundSettings, fund.id) is None  # the revolving fund's limits: not here
        assert [(r.effective_on, r.share_size, r.notice_days) for r in rules] == [
            (OPENED, DEFAULT_RULES["share_size"], 7)
        ]
        assert str(rules[0].fee_rate) == "0.006"


def test_a_fund_is_revolving_with_the_standard_chart_unless_told(db):
    fund = make_fund(db)
    assert fund.kind == "revolving"
    assert _chart(db, fund) == {line.code: (line.kind, line.subledger) for line in STANDARD_CHART}
    with db.read() as session:
        assert session.get(FundSettings, fund.id) is not None


def test_an_unknown_kind_is_refused_and_nothing_is_opened(db):
    with pytest.raises(InvalidField) as refused, committing(db) as uow:
        open_fund(uow, actor=ADMIN, code="X-KIND", name="x", kind="lottery")
    assert refused.value.field == "kind"
    assert "revolving" in refused.value.detail_zh and "mutual_aid" in refused.value.detail_en
    with db.read() as session:
        assert session.scalar(select(Fund).where(Fund.code == "X-KIND")) is None


def test_the_database_refuses_a_kind_it_does_not_know(db):
    fund = make_fund(db)
    with pytest.raises(IntegrityError, match="kind"), committing(db) as uow:
        uow.session.execute(update(Fund).where(Fund.id == fund.id).values(kind="lottery"))


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_registered_kind_declares_itself(kind):
    declared = programme(kind)
    assert declared.kind == kind
    assert len({line.code for line in declared.chart}) == len(declared.chart)
