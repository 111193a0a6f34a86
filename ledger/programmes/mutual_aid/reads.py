"""A society's figures, read from its accounts: what the county's side-by-side list and a
loan's page show (SPEC §13). Capital by source is each source's own account, never mixed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.models import SubLedger
from ledger.posting import AccountRef
from ledger.programmes.mutual_aid import chart, templates
from ledger.programmes.mutual_aid.models import LoanState, SocietyLoan, SocietyMember
from ledger.read.books import balance, subaccount_balances

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class SocietyFigures:
    fiscal_capital: Decimal
    member_shares: Decimal
    donations: Decimal
    #: 公积金 + 公益金 + 风险准备金.
    reserves: Decimal
    members: int
    poor_members: int
    loans_outstanding: Decimal
    #: Principal outstanding of loans past their due date on `as_of`.
    overdue: Decimal
    fee_income: Decimal
    bank: Decimal


#: The chart lines kept by sub-ledger (member, donor, loan).
BY_KEY = {line.code for line in chart.CHART if line.subledger is not SubLedger.NONE}


def _line(session: Session, fund_id: int, code: str) -> Decimal:
    """A chart line's balance: the plain account, or the sum of its sub-accounts."""
    if code in BY_KEY:
        return sum(
            (row.balance for row in subaccount_balances(session, fund_id, code).values()), ZERO
        )
    return balance(session, fund_id, AccountRef(code)).balance


def society_figures(session: Session, fund_id: int, as_of: date) -> SocietyFigures:
    """The society's figures now, its overdue loans judged on `as_of`."""
    members = session.execute(
        select(func.count(), func.count().filter(SocietyMember.poor)).where(
            SocietyMember.fund_id == fund_id, SocietyMember.left_on.is_(None)
        )
    ).one()
    overdue_loans = session.scalars(
        select(SocietyLoan.no).where(
            SocietyLoan.fund_id == fund_id,
            SocietyLoan.state == LoanState.LENT,
            SocietyLoan.due_on < as_of,
        )
    ).all()
    principal = subaccount_balances(session, fund_id, chart.LOANS)
    return SocietyFigures(
        fiscal_capital=_line(session, fund_id, chart.FISCAL_CAPITAL),
        member_shares=_line(session, fund_id, chart.MEMBER_SHARES),
        donations=_line(session, fund_id, chart.DONATIONS),
        reserves=sum(
            (
                _line(session, fund_id, c)
                for c in (chart.RESERVE, chart.WELFARE, chart.RISK_RESERVE)
            ),
            ZERO,
        ),
        members=members[0],
        poor_members=members[1],
        loans_outstanding=sum((row.balance for row in principal.values()), ZERO),
        overdue=sum((principal[no].balance for no in overdue_loans if no in principal), ZERO),
        fee_income=_line(session, fund_id, chart.FEE_INCOME),
        bank=_line(session, fund_id, chart.BANK),
    )


@dataclass(frozen=True)
class LoanFigures:
    no: str
    state: str
    principal_outstanding: Decimal
    #: Accrued and not yet paid (1301).
    fee_accrued: Decimal
    #: Paid so far: the fee income less what is still receivable.
    fee_paid: Decimal
    due_on: date | None


def loan_figures(session: Session, fund_id: int, loan: SocietyLoan) -> LoanFigures:
    no = loan.no
    receivable = balance(session, fund_id, templates.fee_receivable(no)).balance
    income = balance(session, fund_id, templates.fee_income(no)).balance
    return LoanFigures(
        no=no,
        state=loan.state.value,
        principal_outstanding=balance(session, fund_id, templates.loan_principal(no)).balance,
        fee_accrued=receivable,
        fee_paid=income - receivable,
        due_on=loan.due_on,
    )
