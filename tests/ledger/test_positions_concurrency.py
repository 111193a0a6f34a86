"""Concurrent postings and schedule changes keep the kept figures exact.

Threads repay loans of the same townships (backdated and not), and one
extends a loan, each through `run_in_transaction`, really committing; on
PostgreSQL two writers of one loan's or one township's rows conflict and
one is rerun. Afterwards every kept figure equals the entries'.
"""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event, select

from ledger.db import UnitOfWork, run_in_transaction
from ledger.errors import LedgerError
from ledger.models import LoanEvent
from ledger.services import loans, proposals
from tests.factories import APPROVER, CLERK_ACTOR, make_loan, make_programme, reverse
from tests.ledger.kept_figures import assert_kept_matches

pytestmark = pytest.mark.slow

TODAY = date(2008, 12, 31)
THREADS = 6
REPAYMENTS = 30


def test_concurrent_repayments_and_an_extension_keep_the_figures(committed_db, set_today):
    set_today(TODAY)
    prog = make_programme(committed_db, capital="100000.00", allocate="30000.00")
    nos = [
        make_loan(
            committed_db, prog, amount="3000.00", township=prog.townships[i % 2]
        ).registration_no
        for i in range(6)
    ]

    def repayments(index: int) -> int:
        rng = random.Random(index)
        done = 0
        for _ in range(REPAYMENTS):
            no = rng.choice(nos)
            on = TODAY - timedelta(days=rng.randint(0, 400))
            amount = Decimal(rng.randint(1, 40_000)) / 100

            def work(uow: UnitOfWork, no=no, on=on, amount=amount) -> None:
                loans.repay_loan(uow, CLERK_ACTOR, prog.code, no, on=on, amount=amount)
                uow.commit()

            try:
                run_in_transaction(committed_db, work)
                done += 1
            except LedgerError:
                pass
        return done

    def extension() -> int:
        def propose(uow: UnitOfWork):
            row = proposals.propose_extension(
                uow,
                CLERK_ACTOR,
                prog.code,
                loan=nos[0],
                schedule=[(date(2009, 6, 1), "1500.00"), (date(2010, 6, 1), "1500.00")],
                reason="受灾",
                on=date(2008, 6, 1),
            )
            uow.commit()
            return row.id

        def decide(uow: UnitOfWork) -> None:
            proposals.decide_extension(
                uow, APPROVER, prog.code, row_id, approve=True, note="同意", on=date(2008, 6, 2)
            )
            uow.commit()

        try:
            row_id = run_in_transaction(committed_db, propose)
            run_in_transaction(committed_db, decide)
        except LedgerError:
            return 0  # repaid meanwhile: the schedule no longer sums to what is owed
        return 1

    with ThreadPoolExecutor(THREADS + 1) as pool:
        done = [pool.submit(repayments, i) for i in range(THREADS)]
        extended = pool.submit(extension)
        assert sum(f.result() for f in done) > 0
        extended.result()
    assert_kept_matches(
        committed_db,
        prog.fund.id,
        prog.code,
        (None, TODAY, date(2008, 4, 2), date(2008, 6, 1), date(2008, 6, 2)),
    )


def test_lending_and_reversing_a_townships_loans_at_once_keeps_the_figures(committed_db, set_today):
    """Disbursements dated today (their kept rows go with the journal) and red-ink reversals
    of other households' disbursements (theirs are read back after it) at once, in one
    township: they share its account, its households' days and its activity rows, lock the
    loans and households before the accounts and the counters, and never deadlock."""
    set_today(TODAY)
    db = committed_db
    prog = make_programme(db, capital="100000.00", allocate="30000.00")
    lend = [make_loan(db, prog, amount="2000.00", stage="contracted") for _ in range(THREADS)]
    lent = [make_loan(db, prog, amount="1000.00") for _ in range(THREADS)]
    with db.read() as session:
        vouchers = [
            session.scalar(
                select(LoanEvent.voucher).where(
                    LoanEvent.loan_id == loan.id, LoanEvent.action == "disbursed"
                )
            )
            for loan in lent
        ]
    failures: list[str] = []

    @event.listens_for(db.engine, "handle_error")
    def note(context: Any) -> None:
        failures.append(str(context.original_exception))

    def disburse(no: str) -> None:
        def work(uow: UnitOfWork) -> None:
            loans.disburse_loan(uow, CLERK_ACTOR, prog.code, no, on=TODAY, amount="2000.00")
            uow.commit()

        run_in_transaction(db, work)

    def red_ink(voucher: str) -> None:
        def work(uow: UnitOfWork) -> None:
            reverse(uow, prog.code, voucher, on=TODAY)
            uow.commit()

        run_in_transaction(db, work)

    try:
        with ThreadPoolExecutor(2 * THREADS) as pool:
            runs = [pool.submit(disburse, loan.registration_no) for loan in lend]
            runs += [pool.submit(red_ink, voucher) for voucher in vouchers]
            for run in runs:
                run.result()
    finally:
        event.remove(db.engine, "handle_error", note)
    assert not [f for f in failures if "deadlock" in f.lower()]
    assert_kept_matches(db, prog.fund.id, prog.code, (None, TODAY, date(2007, 4, 10)))
