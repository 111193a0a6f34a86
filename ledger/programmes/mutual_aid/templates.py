"""A society's journals, one per business event (SPEC §13 posting table), as balanced drafts.

| event                          | debit        | credit                      |
|--------------------------------|--------------|-----------------------------|
| fiscal capital received        | 1001         | 3001                        |
| share bought (入股)            | 1001         | 3002 member                 |
| donation (捐赠)                | 1001         | 3003 donor                  |
| loan paid out (放款)           | 1201 loan    | 1001                        |
| usage fee accrued (计提占用费) | 1301 loan    | 4001 loan                   |
| repayment: fee, then principal | 1001         | 1301 loan, then 1201 loan   |
| bank interest (利息)           | 1001         | 4002                        |
| approved expense (管理费用)    | 5001         | 1001                        |
| share refunded on exit (退股)  | 3002 member  | 1001                        |

The journal kinds here are the names `rules.OUTFLOWS` knows; nothing here
touches the database.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ledger.posting import AccountRef, JournalDraft, Line, credit, debit, journal
from ledger.programmes.mutual_aid import chart

BANK = AccountRef(chart.BANK)
FISCAL = AccountRef(chart.FISCAL_CAPITAL)


def member_shares(member_id: int) -> AccountRef:
    return AccountRef(chart.MEMBER_SHARES, str(member_id))


def loan_principal(no: str) -> AccountRef:
    return AccountRef(chart.LOANS, no)


def fee_receivable(no: str) -> AccountRef:
    return AccountRef(chart.FEE_RECEIVABLE, no)


def fee_income(no: str) -> AccountRef:
    return AccountRef(chart.FEE_INCOME, no)


def _inflow(on: date, kind: str, memo: str, to: AccountRef, amount: Decimal) -> JournalDraft:
    return journal(on, kind, memo, [debit(BANK, amount), credit(to, amount)])


def fiscal_capital(on: date, amount: Decimal, memo: str) -> JournalDraft:
    return _inflow(on, "fiscal_capital", memo or "收到财政扶贫资金", FISCAL, amount)


def share_bought(on: date, member_id: int, amount: Decimal) -> JournalDraft:
    return _inflow(on, "share_bought", f"社员 {member_id} 入股", member_shares(member_id), amount)


def donation(on: date, donor: str, amount: Decimal) -> JournalDraft:
    return _inflow(on, "donation", f"收到 {donor} 捐赠", AccountRef(chart.DONATIONS, donor), amount)


def bank_interest(on: date, amount: Decimal) -> JournalDraft:
    return _inflow(on, "bank_interest", "存款利息", AccountRef(chart.BANK_INTEREST), amount)


def loan_payout(on: date, no: str, amount: Decimal) -> JournalDraft:
    return journal(
        on,
        "loan_payout",
        f"发放互助借款 {no}",
        [debit(loan_principal(no), amount, loan=no), credit(BANK, amount, loan=no)],
    )


def fee_accrual(on: date, no: str, amount: Decimal) -> JournalDraft:
    return journal(
        on,
        "fee_accrual",
        f"计提占用费 {no}",
        [debit(fee_receivable(no), amount, loan=no), credit(fee_income(no), amount, loan=no)],
    )


def repayment(on: date, no: str, fee: Decimal, principal: Decimal) -> JournalDraft:
    """The money in, settling the accrued fee first and then principal."""
    lines: list[Line] = [debit(BANK, fee + principal, loan=no)]
    if fee:
        lines.append(credit(fee_receivable(no), fee, loan=no))
    if principal:
        lines.append(credit(loan_principal(no), principal, loan=no))
    return journal(on, "repayment", f"收回互助借款 {no}", lines)


def expense(on: date, amount: Decimal, purpose: str) -> JournalDraft:
    return journal(
        on, "expense", purpose, [debit(AccountRef(chart.EXPENSES), amount), credit(BANK, amount)]
    )


def share_refund(on: date, member_id: int, amount: Decimal) -> JournalDraft:
    return journal(
        on,
        "share_refund",
        f"社员 {member_id} 退股",
        [debit(member_shares(member_id), amount), credit(BANK, amount)],
    )
