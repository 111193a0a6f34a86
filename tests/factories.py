"""Factories for test data, in the indico manner: small functions with defaults."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from ledger.chart import CAPITAL, LOANS, SPECIAL_ACCOUNT, TOWNSHIP_FUNDS
from ledger.db import Database, UnitOfWork
from ledger.models import AuditHead, AuditRecord, Fund, Journal
from ledger.models.county import PLACEHOLDER
from ledger.posting import AccountRef, JournalDraft, credit, debit, journal
from ledger.services.funds import open_fund
from ledger.services.journals import PostedJournal, record_journal

_codes = itertools.count(1)
CLERK = "clerk-test"

SPECIAL = AccountRef(SPECIAL_ACCOUNT)
COUNTY = AccountRef(CAPITAL, "county")


@contextmanager
def committing(db: Database) -> Iterator[UnitOfWork]:
    """A unit of work committed when the block ends without an exception.

    Services only flush: this is a test's commit point, as a request, a CLI
    command or the demo load is the product's. An exception rolls back.
    """
    with db.uow() as uow:
        yield uow
        uow.commit()


def audit_heads(db: Database) -> dict[str, tuple[int, str]]:
    """Every audit chain's head: two equal snapshots mean nothing was audited between them."""
    heads = AuditHead.__table__
    with db.read() as session:
        return {row.chain: (row.seq, row.hash) for row in session.execute(select(heads))}


def audited_since(db: Database, heads: dict[str, tuple[int, str]]) -> list[AuditRecord]:
    """The records appended to any chain since `heads` was taken, in the order written."""
    with db.read() as session:
        records = [
            record
            for record in session.scalars(
                select(AuditRecord).order_by(AuditRecord.at, AuditRecord.chain, AuditRecord.seq)
            )
            if record.seq > heads.get(record.chain, (0, ""))[0]
        ]
        session.expunge_all()
    return records


def township(code: str = "340123001") -> AccountRef:
    return AccountRef(TOWNSHIP_FUNDS, code)


def loan(no: str) -> AccountRef:
    return AccountRef(LOANS, no)


#: Test funds start early enough for any date a test books.
OPENED_ON = date(2000, 1, 1)


def make_fund(
    db: Database,
    code: str | None = None,
    name: str = "测试周转金",
    opened_on: date | None = OPENED_ON,
    county: str = PLACEHOLDER,
) -> Fund:
    """Open a fund, by default in the county every install starts with.

    Named, not left to `open_fund`'s "the only county", because tests add counties.
    """
    code = code or f"F{next(_codes)}-{uuid.uuid4().hex[:6]}"
    with committing(db) as uow:
        return open_fund(uow, actor=ADMIN, code=code, name=name, opened_on=opened_on, county=county)


def transfer(
    on: date, debit_ref: AccountRef, credit_ref: AccountRef, amount: str, kind: str = "test"
) -> JournalDraft:
    return journal(
        on, kind, f"{kind} {amount}", [debit(debit_ref, amount), credit(credit_ref, amount)]
    )


def post_draft(db: Database, fund: Fund, draft: JournalDraft) -> PostedJournal:
    with committing(db) as uow:
        return record_journal(uow, fund.id, draft, actor=CLERK)


def journal_count(db: Database, fund: Fund) -> int:
    """How many journals `fund` has, as a connection of its own sees them."""
    with db.read() as session:
        return session.scalar(
            select(func.count()).select_from(Journal).where(Journal.fund_id == fund.id)
        )


def appropriate(
    db: Database, fund: Fund, amount: str, on: date = date(2007, 4, 1)
) -> PostedJournal:
    """拨入: money arrives in the special account as county capital."""
    return post_draft(db, fund, transfer(on, SPECIAL, COUNTY, amount, "appropriation"))


# --- the programme --------------------------------------------------------

from dataclasses import dataclass  # noqa: E402

from ledger.actors import Actor  # noqa: E402
from ledger.identifiers import id_check_char  # noqa: E402
from ledger.models import Loan  # noqa: E402
from ledger.schedule import make_schedule  # noqa: E402
from ledger.services import funding, loans, proposals, setup  # noqa: E402

CLERK_ACTOR = Actor(CLERK, "clerk")
APPROVER = Actor("approver-test", "approver")
ADMIN = Actor("admin-test", "admin")
_people = itertools.count(1)


def make_id_number(born: str = "19700101", region: str = "340123") -> str:
    """A valid GB 11643 ID number, different on every call."""
    first17 = f"{region}{born}{next(_people) % 1000:03d}"
    return first17 + id_check_char(first17)


@dataclass
class Programme:
    """A small fund ready to lend: two townships with cash, a batch, a project type."""

    fund: Fund
    townships: tuple[str, str]
    batch: str
    project_type: str
    liaisons: dict[str, int]

    @property
    def code(self) -> str:
        return self.fund.code


def make_programme(
    db: Database,
    *,
    capital: str = "100000.00",
    allocate: str = "20000.00",
    standard: str = "5000.00",
    county: str = PLACEHOLDER,
) -> Programme:
    fund = make_fund(db, county=county)
    towns = ("340123001", "340123002")
    liaisons = {}
    with committing(db) as uow:
        funding.record_appropriation(
            uow, CLERK_ACTOR, fund.code, on=date(2007, 3, 1), amount=capital, source="county"
        )
    for code, name, person in zip(towns, ("但家庙镇", "衡山镇"), ("王明", "李强"), strict=True):
        with committing(db) as uow:
            setup.add_township(uow, CLERK_ACTOR, fund.code, code=code, name=name)
        with committing(db) as uow:
            liaisons[code] = setup.add_liaison(
                uow, CLERK_ACTOR, fund.code, name=person, township=code, monthly_salary="2000.00"
            ).id
        with committing(db) as uow:
            funding.record_allocation(
                uow, CLERK_ACTOR, fund.code, on=date(2007, 4, 1), township=code, amount=allocate
            )
    with committing(db) as uow:
        setup.add_batch(uow, CLERK_ACTOR, fund.code, code="1", name="第一批", budget=capital)
    with committing(db) as uow:
        setup.add_project_type(
            uow, CLERK_ACTOR, fund.code, code="pig", name="养猪", borrowing_standard=standard
        )
    return Programme(fund, towns, "1", "pig", liaisons)


def make_household(
    db: Database, prog: Programme, township: str | None = None, id_number: str | None = None
) -> int:
    with committing(db) as uow:
        return setup.add_household(
            uow,
            CLERK_ACTOR,
            prog.code,
            name="周勤",
            id_number=id_number or make_id_number(),
            township=township or prog.townships[0],
            village="黄檀树村",
            party_member=True,
        ).id


STAGES = ("applied", "verified", "approved", "contracted", "disbursed")


def make_loan(
    db: Database,
    prog: Programme,
    *,
    amount: str = "3000.00",
    stage: str = "disbursed",
    township: str | None = None,
    instalments: int = 3,
    household: int | None = None,
) -> Loan:
    """A loan taken through the lifecycle up to `stage`; instalments due yearly from 2008-04-01."""
    township = township or prog.townships[0]
    household = household or make_household(db, prog, township)
    with committing(db) as uow:
        loan = loans.register_loan(
            uow,
            CLERK_ACTOR,
            prog.code,
            household=household,
            batch=prog.batch,
            project_type=prog.project_type,
            project="养猪 10 头",
            requested_amount=amount,
            on=date(2007, 4, 2),
        )
    no = loan.registration_no
    steps = STAGES[1 : STAGES.index(stage) + 1]
    for step in steps:
        with committing(db) as uow:
            if step == "verified":
                loan = loans.verify_loan(
                    uow,
                    CLERK_ACTOR,
                    prog.code,
                    no,
                    visited_on=date(2007, 4, 5),
                    visitor="县办",
                    eligible=True,
                )
            elif step == "approved":
                schedule = [
                    (d.due_date, d.amount)
                    for d in make_schedule(
                        Decimal(amount), first_due=date(2008, 4, 1), count=instalments
                    )
                ]
                loan = loans.approve_loan(
                    uow,
                    CLERK_ACTOR,
                    prog.code,
                    no,
                    approved_amount=amount,
                    schedule=schedule,
                    on=date(2007, 4, 8),
                )
            elif step == "contracted":
                loan = loans.sign_contract(
                    uow,
                    CLERK_ACTOR,
                    prog.code,
                    no,
                    contract_no=no,
                    iou_no=no,
                    liaison=prog.liaisons[township],
                    technical_lead="农技站 张工",
                    signed_on=date(2007, 4, 9),
                )
            else:
                loans.disburse_loan(
                    uow, CLERK_ACTOR, prog.code, no, on=date(2007, 4, 10), amount=amount
                )
    return loan


from ledger.services import reversals  # noqa: E402


def reverse(
    uow: UnitOfWork, fund_code: str, voucher: str, *, on: date, reason: str = "录入错误"
) -> str:
    """Reverse `voucher` in red ink the one way the product does: proposed, then approved.

    A clerk proposes and an approver approves, both on `on`; returns the red voucher.
    """
    row = reversals.propose_reversal(uow, CLERK_ACTOR, fund_code, voucher, reason=reason, on=on)
    return reversals.decide_reversal(
        uow, APPROVER, fund_code, row.id, approve=True, note="", on=on
    ).voucher


def write_off(
    db: Database,
    prog: Programme,
    registration_no: str,
    amount: str,
    *,
    proposed_on: date,
    decided_on: date | None = None,
) -> None:
    """Write `amount` of a loan off the way the product does: a clerk proposes (the
    borrower died), an approver approves with the county's document, on `decided_on`
    (the day proposed when None)."""
    with committing(db) as uow:
        row = proposals.propose_write_off(
            uow,
            CLERK_ACTOR,
            prog.code,
            loan=registration_no,
            amount=amount,
            ground="death",
            reason="借款人病故",
            evidence="死亡证明",
            on=proposed_on,
        )
    with committing(db) as uow:
        proposals.decide_write_off(
            uow,
            APPROVER,
            prog.code,
            row.id,
            approve=True,
            note="同意",
            on=decided_on or proposed_on,
            document_no="县财字〔2008〕1号",
        )
