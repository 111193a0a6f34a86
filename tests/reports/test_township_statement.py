"""乡镇对账单: the township's account movement by movement, balances and the township check."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ledger.actors import Actor
from ledger.errors import NotFound
from ledger.journal_templates import township_funds
from ledger.money import daxie, fmt
from ledger.read.books import balance
from ledger.read.fund import township_positions, township_statement
from reports.township_statement import render_township_statement
from tests.reports import pdf
from tests.reports.conftest import CLERK, GENERATED

pytestmark = pytest.mark.slow

TOWN, OTHER = "341525100", "341525101"
FROM, TO = date(2007, 1, 1), date(2008, 12, 20)


@pytest.fixture(scope="module")
def statement(demo):
    with demo.db.read() as session:
        data = township_statement(session, CLERK, demo.code, TOWN, from_=FROM, to=TO)
    return data, render_township_statement(data, generated_at=GENERATED)


def test_balances_are_the_ledgers(demo, statement):
    data, document = statement
    with demo.db.read() as session:
        closing = balance(session, demo.fund_id, township_funds(TOWN), TO).balance
        opening = balance(session, demo.fund_id, township_funds(TOWN), FROM - timedelta(1))
        position = next(
            p for p in township_positions(session, demo.fund_id, CLERK, as_of=TO) if p.code == TOWN
        )
    assert data.closing == closing == position.cash
    assert data.opening == opening.balance
    assert data.closing == data.opening + sum(x.debit for x in data.lines) - sum(
        x.credit for x in data.lines
    )
    assert data.lines and data.lines[-1].balance == data.closing
    text = pdf.text(document)
    assert "衡山镇(341525100)" in text
    assert fmt(data.closing) in text and fmt(data.debit) in text and fmt(data.credit) in text
    assert f"期末余额大写:人民币{daxie(data.closing)}" in pdf.squeezed(document)
    for line in data.lines[:3]:
        assert line.voucher in text


def test_prints_the_township_identity(statement):
    data, document = statement
    p = data.position
    assert p.balanced
    text = pdf.text(document)
    sent = p.allocated - p.remitted + p.fees + p.recoveries
    for amount in (p.allocated, p.cash, p.loans_outstanding, sent):
        assert fmt(amount) in text
    assert "核对结果:相符" in text
    # The households behind the loans column add up to it.
    assert sum(r.outstanding for r in data.loans) == p.loans_outstanding
    assert data.loans[0].registration_no in text


def test_signature_lines_and_pages(statement):
    _, document = statement
    text = pdf.text(document)
    assert "县财政结算中心(盖章)" in text and "衡山镇财政所(盖章)" in text
    assert text.count("经办人:") == 2 and text.count("负责人:") == 2
    pdf.assert_numbered(document)
    pdf.assert_embedded(document)


def test_a_township_officer_sees_only_their_own(demo):
    own = Actor("hengshan", "township", TOWN)
    with demo.db.read() as session:
        data = township_statement(session, own, demo.code, TOWN, to=TO)
        assert data.township == TOWN
        with pytest.raises(NotFound):
            township_statement(session, own, demo.code, OTHER, to=TO)
        with pytest.raises(NotFound):  # and unknown reads the same as another's
            township_statement(session, own, demo.code, "341525999", to=TO)
