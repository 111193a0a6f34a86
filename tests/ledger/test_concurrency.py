"""Concurrent writers: no money created or lost, no negative balance, no voucher skipped.

SPEC §11: "under concurrent requests no money is created or lost, no balance
goes negative, no voucher number repeats or skips". Threads post random
transfers among guarded accounts through `run_in_transaction` (which reruns
on serialization failures, deadlocks and SQLite busy) while other threads
read the trial balance. These tests really commit (`committed_db`), each in
a fund of its own, and run on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
import random
import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

import pytest
from sqlalchemy import event, select

from ledger.actors import Actor
from ledger.audit import append_audit, verify
from ledger.db import Database, UnitOfWork, run_in_transaction
from ledger.errors import AlreadyReversed, InsufficientBalance
from ledger.idempotency import idempotent, request_fingerprint
from ledger.models import Account, Fund, Journal, ProposalStatus, Reversal
from ledger.posting import JournalDraft
from ledger.read.books import balance, trial_balance
from ledger.services.journals import PostedJournal, post_many
from ledger.services.reversals import decide_reversal, propose_reversal
from tests.factories import (
    CLERK,
    CLERK_ACTOR,
    COUNTY,
    SPECIAL,
    appropriate,
    loan,
    make_fund,
    post_draft,
    township,
    transfer,
)
from tests.ledger.crash_child import book_problems, voucher_seqs

pytestmark = pytest.mark.slow

D = Decimal
WRITERS = 8
READERS = 2
GUARDED = (SPECIAL, township("A"), township("B"), township("C"))
CAPITAL = D("10000.00")
#: What each township gets before the threads start; the rest stays in 1001.
ALLOCATION = "1500.00"
MONTHS = ((2007, 4), (2007, 5))
APRIL_END, MAY_START = date(2007, 4, 30), date(2007, 5, 1)


def random_transfer(rng: random.Random) -> JournalDraft:
    """Up to 2500 yuan between two guarded accounts: often more than the source holds."""
    source, target = rng.sample(GUARDED, 2)
    fen = rng.randint(1, 250_000)
    year, month = rng.choice(MONTHS)
    return transfer(
        date(year, month, rng.randint(1, 28)),
        target,
        source,
        f"{fen // 100}.{fen % 100:02d}",
        kind="transfer",
    )


def post_and_commit(
    fund_id: int, drafts: list[JournalDraft], uow: UnitOfWork
) -> list[PostedJournal]:
    posted = post_many(uow, fund_id, drafts, actor=CLERK)
    uow.commit()
    return posted


def writer(db: Database, fund_id: int, index: int) -> tuple[list[PostedJournal], int]:
    """Post 25-40 single transfers and small batches; returns what posted and the refusals."""
    rng = random.Random(7919 * index)
    rounds = rng.randint(25, 40)
    # One posting per thread asks for more than the whole fund holds: refused for sure.
    impossible = rng.randrange(rounds)
    posted: list[PostedJournal] = []
    refused = 0
    for round_no in range(rounds):
        if round_no == impossible:
            drafts = [
                transfer(
                    date(2007, 4, 15),
                    township("A"),
                    SPECIAL,
                    str(CAPITAL + D("0.01")),
                    kind="transfer",
                )
            ]
        else:
            drafts = [random_transfer(rng) for _ in range(rng.choice((1, 1, 1, 2, 3)))]
        try:
            posted += run_in_transaction(db, partial(post_and_commit, fund_id, drafts))
        except InsufficientBalance:
            refused += 1
    return posted, refused


def reader(db: Database, fund_id: int, stop: threading.Event) -> int:
    """Read trial balances (whole book, to April's end, May alone) until told to stop."""
    reads = 0
    windows = ({}, {"as_of": APRIL_END}, {"from_": MAY_START})
    while not stop.is_set() or reads < len(windows):
        with db.read() as session:
            totals = trial_balance(session, fund_id, **windows[reads % len(windows)]).totals
            negative = [
                (ref, b) for ref in GUARDED if (b := balance(session, fund_id, ref).balance) < 0
            ]
        assert totals.balanced and totals.debit == totals.credit, totals
        assert negative == []
        reads += 1
    return reads


def test_concurrent_transfers_keep_the_book_whole(committed_db):
    db = committed_db
    fund = make_fund(db)
    setup = [appropriate(db, fund, str(CAPITAL), on=date(2007, 4, 1))]
    setup += [
        post_draft(db, fund, transfer(date(2007, 4, 1), ref, SPECIAL, ALLOCATION))
        for ref in GUARDED[1:]
    ]

    stop = threading.Event()
    with ThreadPoolExecutor(max_workers=WRITERS + READERS) as pool:
        readers = [pool.submit(reader, db, fund.id, stop) for _ in range(READERS)]
        writers = [pool.submit(writer, db, fund.id, i) for i in range(WRITERS)]
        try:
            outcomes = [w.result() for w in writers]
        finally:
            stop.set()
        reads = sum(r.result() for r in readers)

    posted = setup + [p for done, _ in outcomes for p in done]
    refused = sum(n for _, n in outcomes)
    assert refused >= WRITERS  # at least the impossible one per thread
    assert len(posted) > 2 * WRITERS + len(setup)
    assert reads >= READERS * 3

    vouchers = [p.voucher for p in posted]
    assert len(set(vouchers)) == len(vouchers), "a voucher number was handed out twice"
    with db.read() as session:
        assert book_problems(session, fund.id, vouchers) == []
        in_book = set(session.scalars(select(Journal.voucher_no).where(Journal.fund_id == fund.id)))
        assert in_book == set(vouchers), "the book holds journals nobody was told about"
        # Each month's series is exactly 1..N, N = the postings of that month.
        per_month = Counter(f"{p.posted_on:%Y-%m}" for p in posted)
        assert voucher_seqs(session, fund.id) == {
            month: list(range(1, n + 1)) for month, n in per_month.items()
        }
        balances = {str(ref): balance(session, fund.id, ref).balance for ref in GUARDED}
        assert all(b >= 0 for b in balances.values()), balances
        assert sum(balances.values()) == CAPITAL, balances
        assert balance(session, fund.id, COUNTY).balance == CAPITAL
        totals = trial_balance(session, fund.id).totals
        assert totals.balanced and totals.debit == totals.credit


def two_proposals(db: Database, fund: Fund, voucher: str) -> list[int]:
    """Two pending reversal proposals for `voucher`, as two clerks proposing at once leave.

    Each clerk's check for a pending proposal can pass before the other's row
    is committed; the second row is written directly to stand for that race.
    """
    with db.uow() as uow:
        first = propose_reversal(
            uow, CLERK_ACTOR, fund.code, voucher, reason="录入错误", on=date(2007, 4, 2)
        )
        second = Reversal(
            fund_id=first.fund_id,
            journal_id=first.journal_id,
            status=ProposalStatus.PROPOSED,
            reason=first.reason,
            proposed_by="clerk-2",
            proposed_on=first.proposed_on,
        )
        uow.session.add(second)
        uow.commit()
        return [first.id, second.id]


def approver(
    db: Database, fund_code: str, start: threading.Barrier, proposal: tuple[str, int]
) -> Reversal | AlreadyReversed:
    """Approve one of the two proposals at the same moment as the other approver."""
    name, reversal_id = proposal
    start.wait(timeout=10)

    def work(uow: UnitOfWork) -> Reversal:
        decided = decide_reversal(
            uow,
            actor=Actor(name, "approver"),
            fund_code=fund_code,
            reversal_id=reversal_id,
            approve=True,
            note="",
            on=date(2007, 4, 3),
        )
        uow.commit()
        return decided

    try:
        return run_in_transaction(db, work)
    except AlreadyReversed as refusal:
        return refusal


@pytest.mark.parametrize("overdraws", [False, True])
def test_two_approvers_reversing_one_journal_get_one_reversal(committed_db, overdraws):
    db = committed_db
    fund = make_fund(db)
    appropriate(db, fund, "1000.00")
    for attempt in range(5):
        if overdraws:
            # A second reversal would take 1011/A below zero: the loser must still hear
            # "already reversed", because the original's row lock makes it wait and re-read.
            original = post_draft(
                db, fund, transfer(date(2007, 4, 2), township("A"), SPECIAL, "10.00")
            )
        else:
            # Reversing this twice would still leave 1001 positive: only the unique
            # reversal rule, not the balance guard, can refuse the second approver.
            original = appropriate(db, fund, "10.00", on=date(2007, 4, 2))
        ids = two_proposals(db, fund, original.voucher)
        press = partial(approver, db, fund.code, threading.Barrier(2))
        with ThreadPoolExecutor(max_workers=2) as pool:
            outcomes = list(pool.map(press, zip(["approver-1", "approver-2"], ids, strict=True)))

        reversals = [o for o in outcomes if isinstance(o, Reversal)]
        refusals = [o for o in outcomes if isinstance(o, AlreadyReversed)]
        assert (len(reversals), len(refusals)) == (1, 1), (attempt, outcomes)
        assert reversals[0].journal_id == original.id
        with db.read() as session:
            reversed_by = session.scalars(
                select(Journal.voucher_no).where(Journal.reverses_id == original.id)
            ).all()
            assert reversed_by == [reversals[0].voucher]

    with db.read() as session:
        assert book_problems(session, fund.id) == []
        assert balance(session, fund.id, SPECIAL).balance == D("1000.00")
        assert balance(session, fund.id, township("A")).balance == 0


def request_writer(db: Database, fund: Fund, index: int, start: threading.Barrier) -> list[str]:
    """Post 12 transfers on 2007-04-20 as requests do: key, posting, audit record, answer.

    The writers move money both ways between the same accounts (A to B and
    B to A), so two of them lock the same rows at once in opposite business
    order: only the posting's fixed lock order keeps them from deadlocking.
    """
    rng = random.Random(104729 * index)
    acknowledged = []
    start.wait(timeout=30)
    for n in range(12):
        source, target = rng.sample(GUARDED, 2)
        draft = transfer(date(2007, 4, 20), target, source, "0.01", kind="transfer")

        def work(uow: UnitOfWork, draft: JournalDraft = draft) -> tuple[int, str]:
            posted = post_many(uow, fund.id, [draft], actor=CLERK)[0]
            append_audit(uow.session, chain=fund.code, actor=CLERK_ACTOR, action="POST journal")
            return 201, json.dumps({"voucher": posted.voucher})

        answer = idempotent(
            db,
            actor=CLERK,
            key=f"w{index}-{n}-{uuid.uuid4().hex}",
            method="POST",
            path="/journals",
            fingerprint=request_fingerprint("POST", "/journals", {"n": n}),
            work=work,
        )
        acknowledged.append(json.loads(answer.body or "{}")["voucher"])
    return acknowledged


def test_eight_writers_on_one_fund_month_number_without_gaps_or_deadlocks(committed_db):
    db = committed_db
    fund = make_fund(db)
    setup = [appropriate(db, fund, str(CAPITAL), on=date(2007, 4, 1))]
    setup += [
        post_draft(db, fund, transfer(date(2007, 4, 1), ref, SPECIAL, ALLOCATION))
        for ref in GUARDED[1:]
    ]
    reruns: list[str] = []

    @event.listens_for(db.engine, "handle_error")
    def note(context: Any) -> None:
        reruns.append(str(context.original_exception))

    start = threading.Barrier(WRITERS)
    try:
        with ThreadPoolExecutor(max_workers=WRITERS) as pool:
            runs = [pool.submit(request_writer, db, fund, i, start) for i in range(WRITERS)]
            acknowledged = [voucher for run in runs for voucher in run.result()]
    finally:
        event.remove(db.engine, "handle_error", note)

    # No statement failed, so no deadlock, no serialization failure, no SQLite busy.
    assert reruns == []
    assert len(set(acknowledged)) == len(acknowledged) == WRITERS * 12
    with db.read() as session:
        vouchers = [p.voucher for p in setup] + acknowledged
        assert book_problems(session, fund.id, vouchers) == []
        assert voucher_seqs(session, fund.id) == {"2007-04": list(range(1, len(vouchers) + 1))}
        chain = verify(session, fund.code)
        assert chain.ok and chain.records == WRITERS * 12


def test_writers_opening_one_new_sub_account_at_once_share_it(committed_db):
    """A loan's first journals from eight writers at once: one account row, every fen on it.

    The first INSERT opens the sub-account and returns it locked; the others
    wait on its key, insert nothing, and lock the row it made.
    """
    db = committed_db
    fund = make_fund(db)
    appropriate(db, fund, "100.00", on=date(2007, 4, 1))
    new_loan = loan("1-340123001-0099")
    start = threading.Barrier(WRITERS)

    def lend(_: int) -> str:
        start.wait(timeout=30)
        draft = transfer(date(2007, 4, 2), new_loan, SPECIAL, "1.00")
        return run_in_transaction(db, partial(post_and_commit, fund.id, [draft]))[0].voucher

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        vouchers = list(pool.map(lend, range(WRITERS)))

    assert len(set(vouchers)) == WRITERS
    with db.read() as session:
        opened = session.scalars(
            select(Account.id).where(Account.fund_id == fund.id, Account.subkey == new_loan.key)
        ).all()
        assert len(opened) == 1
        assert balance(session, fund.id, new_loan).balance == D("8.00")
        assert book_problems(session, fund.id) == []
