"""联系人担保责任单: exposure, calls and deductions, hand-overs."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ledger.actors import Actor
from ledger.errors import NotFound
from ledger.models import GuaranteeCall, Liaison, LiaisonAssignment, Township
from ledger.money import daxie, fmt
from ledger.read.guarantees import liaison_exposures, liaison_statement
from reports.liaison_statement import render_liaison_statement
from tests.reports import pdf
from tests.reports.conftest import CLERK, GENERATED

pytestmark = pytest.mark.slow


def test_called_liaison(demo):
    with demo.db.read() as session:
        liaison_id = session.scalar(select(GuaranteeCall.liaison_id))
        exposure = liaison_exposures(session, demo.fund_id, CLERK, liaison_ids=[liaison_id])[0]
        data = liaison_statement(session, CLERK, demo.code, liaison_id)
    assert data.exposure == exposure
    assert exposure.called == exposure.deducted + exposure.owed
    assert sum(r.outstanding for r in data.loans) == exposure.exposure
    assert [r.registration_no for r in data.loans] == list(exposure.loans)
    assert sum(p.amount for c in data.calls for p in c.plan) == exposure.called
    assert sum(d.amount for d in data.deductions) == exposure.deducted
    document = render_liaison_statement(data, generated_at=GENERATED)
    text, flat = pdf.text(document), pdf.squeezed(document)
    assert exposure.name in text
    for amount in (exposure.exposure, exposure.called, exposure.deducted, exposure.monthly_salary):
        assert fmt(amount) in text
    assert "人民币" + daxie(exposure.exposure) in flat
    assert "资金不回收,责任不解除" in flat
    assert data.calls[0].voucher in text and data.deductions[-1].voucher in text
    assert "联系人:" not in text or "签字确认" in text
    pdf.assert_numbered(document)
    pdf.assert_embedded(document)


def test_hand_over_is_on_both_liaisons_statements(demo):
    with demo.db.read() as session:
        loan_id = session.scalar(
            select(LiaisonAssignment.loan_id)
            .group_by(LiaisonAssignment.loan_id)
            .having(func.count() > 1)
        )
        people = session.scalars(
            select(LiaisonAssignment.liaison_id)
            .where(LiaisonAssignment.loan_id == loan_id)
            .order_by(LiaisonAssignment.effective_on)
        ).all()
        statements = [liaison_statement(session, CLERK, demo.code, p) for p in people]
    assert len(people) == 2
    before, after = statements
    for data in statements:
        assert len(data.history) == 2
        text = pdf.text(render_liaison_statement(data, generated_at=GENERATED))
        assert before.exposure.name in text and after.exposure.name in text
        assert "责任移交记录" in text and "不脱钩" in text
    # The loan is in the successor's exposure, no longer in the predecessor's.
    moved = before.history[0].registration_no
    assert moved in after.exposure.loans and moved not in before.exposure.loans


def test_another_townships_liaison_is_not_found(demo):
    with demo.db.read() as session:
        liaison_id, town = session.execute(
            select(Liaison.id, Township.code).join(Township, Township.id == Liaison.township_id)
        ).first()
        other = "341525115" if town != "341525115" else "341525100"
        with pytest.raises(NotFound):
            liaison_statement(session, Actor("t", "township", other), demo.code, liaison_id)
