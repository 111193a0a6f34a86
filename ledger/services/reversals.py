"""Red-ink reversal as a proposal (冲销申请): a clerk asks, another person approves.

A reversal rewrites what the book says happened, so it takes two people
(SPEC §2), like a write-off. The proposal names the journal and the reason;
approval posts the red-ink journal (`journals.post_reversal`), dated the
decision day, in the same transaction as the decision, and records its
voucher. Rejection posts nothing. While a proposal for a journal is pending
or approved, no second one is accepted.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ledger import dates, permissions, validate
from ledger.actors import Actor
from ledger.db import UnitOfWork
from ledger.errors import ProposalPending
from ledger.models import Journal, ProposalStatus, Reversal
from ledger.permissions import Action
from ledger.services import lookup
from ledger.services.journals import post_reversal, reversible
from ledger.services.proposals import (
    _check_decidable,
    _decide,
    _decision,
    _id,
    _lock_proposals,
)


def propose_reversal(
    uow: UnitOfWork, actor: Actor, fund_code: str, voucher: str, *, reason: str, on: date
) -> Reversal:
    """Ask for the red-ink reversal of `voucher`; nothing is posted until it is approved."""
    session = uow.session
    fund = lookup.fund(session, fund_code)
    permissions.check(actor, Action.PROPOSE_REVERSAL)
    reason = validate.text(reason, "reason", max_length=500)
    original = reversible(session, fund.id, voucher)
    on = dates.not_before(
        dates.business_day(on, "date", dates.PROPOSAL),
        original.posted_on,
        "date",
        dates.PROPOSAL,
        dates.ORIGINAL,
    )
    pending = session.scalar(
        select(Reversal.id).where(
            Reversal.journal_id == original.id, Reversal.status == ProposalStatus.PROPOSED
        )
    )
    if pending is not None:
        raise ProposalPending(
            f"凭证 {voucher} 已有待审批的冲销申请({pending})",
            f"voucher {voucher} already has a pending reversal ({pending})",
            field="voucher",
        )
    row = Reversal(
        fund_id=fund.id,
        journal_id=original.id,
        status=ProposalStatus.PROPOSED,
        reason=reason,
        proposed_by=actor.username,
        proposed_on=on,
    )
    session.add(row)
    uow.session.flush()
    return row


def decide_reversal(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    reversal_id: int,
    *,
    approve: bool,
    note: str,
    on: date,
) -> Reversal:
    """Approve (post the red-ink journal, dated `on`) or reject a reversal proposal."""
    session = uow.session
    fund = lookup.fund(session, fund_code)
    permissions.check(actor, Action.DECIDE_REVERSAL)
    approve, note, on, _ = _decision(approve, note, on, None, needs_document=False)
    row = _lock_proposals(session, Reversal, fund.id, _id(reversal_id, "reversal_id"))[0]
    _check_decidable(actor, row, on)
    _decide(row, actor, approve, note, on)
    if approve:
        original = session.get_one(Journal, row.journal_id)
        posted = post_reversal(
            uow, fund.id, original.voucher_no, actor=actor.username, reason=row.reason, posted_on=on
        )
        row.voucher = posted.voucher
    uow.session.flush()
    return row
