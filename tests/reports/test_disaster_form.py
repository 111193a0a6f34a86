"""灾害核销审批表: losses, proposed and approved write-offs in figures and 大写."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from ledger.labels import GROUND
from ledger.models import Disaster, LossReport, ProposalStatus, WriteOff
from ledger.money import daxie, fmt
from ledger.read.disasters import disaster_form
from reports.disaster_form import render_disaster_form
from tests.reports import pdf
from tests.reports.conftest import CLERK, GENERATED

pytestmark = pytest.mark.slow
ZERO = Decimal("0.00")


@pytest.mark.parametrize("code", ["0708", "0813"])
def test_disaster_form(demo, code):
    with demo.db.read() as session:
        disaster_id = session.scalar(select(Disaster.id).where(Disaster.code == code))
        losses = session.scalars(
            select(LossReport.assessed_loss).where(LossReport.disaster_id == disaster_id)
        ).all()
        proposals = session.execute(
            select(WriteOff.amount, WriteOff.status).where(WriteOff.disaster_id == disaster_id)
        ).all()
        data = disaster_form(session, CLERK, demo.code, code)
    approved = sum((a for a, s in proposals if s is ProposalStatus.APPROVED), ZERO)
    assert data.assessed_loss == sum(losses, ZERO)
    assert data.proposed == sum((a for a, _ in proposals), ZERO)
    assert data.approved == approved
    assert len(data.lines) >= len(losses)
    document = render_disaster_form(data, generated_at=GENERATED)
    text, flat = pdf.text(document), pdf.squeezed(document)
    assert data.name in text and data.occurred_on.isoformat() in text
    for amount in (data.assessed_loss, data.proposed, data.approved):
        assert fmt(amount) in text
        assert "人民币" + daxie(amount) in flat
    assert "审核人" in text and "审批人" in text and "经办人" in text
    pdf.assert_numbered(document)
    pdf.assert_embedded(document)


def test_hail_write_offs_show_ground_evidence_and_decision(demo):
    with demo.db.read() as session:
        data = disaster_form(session, CLERK, demo.code, "0708")
    document = render_disaster_form(data, generated_at=GENERATED)
    flat = pdf.squeezed(document)
    assert data.write_offs and all(w.ground == "disaster" for w in data.write_offs)
    assert GROUND["disaster"] in flat and "财发[2008]61号" in flat
    assert data.write_offs[0].evidence.replace(" ", "") in flat
    decided = [d for d in data.decisions if d.status == "approved"]
    assert decided and decided[0].document_no in flat
    assert {d.status for d in data.decisions} == {"approved", "rejected"}
    assert "未批准" in flat
