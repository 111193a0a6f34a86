"""Journal templates, one per business event (SPEC §4 posting rules): each a balanced draft.

| event                                   | debit           | credit          |
|-----------------------------------------|-----------------|-----------------|
| appropriation received (拨入)           | 1001            | 3001 source     |
| allocation to a township (拨付乡镇)     | 1011 township   | 1001            |
| disbursement to a household (发放)      | 1101 loan       | 1011 township   |
| repayment collected by township (收回)  | 1011 township   | 1101 loan       |
| remittance township → county (上缴)     | 1001            | 1011 township   |
| guarantee called (担保代偿)             | 1102 liaison    | 1101 loan       |
| salary deduction received (工资代扣)     | 1001            | 1102 liaison    |
| disaster write-off (灾害核销)            | 5001 disaster   | 1101 loan       |
| other write-off (其他核销)               | 5002            | 1101 loan       |
| fee collected (资金占用费)               | 1011 township   | 4001            |
| recovery of a written-off loan (核销收回)| 1011 township   | 4002 loan       |

Nothing here touches the database; services post what these return.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ledger import chart
from ledger.posting import AccountRef, JournalDraft, credit, debit, journal

SPECIAL = AccountRef(chart.SPECIAL_ACCOUNT)


def township_funds(code: str) -> AccountRef:
    return AccountRef(chart.TOWNSHIP_FUNDS, code)


def loan_account(registration_no: str) -> AccountRef:
    return AccountRef(chart.LOANS, registration_no)


def liaison_receivable(liaison_id: int) -> AccountRef:
    return AccountRef(chart.LIAISON_RECEIVABLE, str(liaison_id))


def capital(source: str) -> AccountRef:
    return AccountRef(chart.CAPITAL, source)


def appropriation(on: date, amount: Decimal, source: str, memo: str) -> JournalDraft:
    return journal(
        on,
        "appropriation",
        memo or f"拨入 {source}",
        [debit(SPECIAL, amount), credit(capital(source), amount)],
    )


def allocation(on: date, township: str, amount: Decimal, memo: str) -> JournalDraft:
    return journal(
        on,
        "allocation",
        memo,
        [
            debit(township_funds(township), amount, township=township),
            credit(SPECIAL, amount, township=township),
        ],
    )


def remittance(on: date, township: str, amount: Decimal, memo: str) -> JournalDraft:
    return journal(
        on,
        "remittance",
        memo,
        [
            debit(SPECIAL, amount, township=township),
            credit(township_funds(township), amount, township=township),
        ],
    )


def disbursement(on: date, loan_no: str, township: str, amount: Decimal) -> JournalDraft:
    refs = {"township": township, "loan": loan_no}
    return journal(
        on,
        "disbursement",
        f"发放借款 {loan_no}",
        [
            debit(loan_account(loan_no), amount, **refs),
            credit(township_funds(township), amount, **refs),
        ],
    )


def repayment(on: date, loan_no: str, township: str, amount: Decimal) -> JournalDraft:
    refs = {"township": township, "loan": loan_no}
    return journal(
        on,
        "repayment",
        f"收回借款 {loan_no}",
        [
            debit(township_funds(township), amount, **refs),
            credit(loan_account(loan_no), amount, **refs),
        ],
    )


def guarantee_call(on: date, loan_no: str, liaison_id: int, amount: Decimal) -> JournalDraft:
    refs = {"loan": loan_no, "liaison": str(liaison_id)}
    return journal(
        on,
        "guarantee_call",
        f"担保代偿 {loan_no}",
        [
            debit(liaison_receivable(liaison_id), amount, **refs),
            credit(loan_account(loan_no), amount, **refs),
        ],
    )


def salary_deduction(on: date, liaison_id: int, amount: Decimal) -> JournalDraft:
    refs = {"liaison": str(liaison_id)}
    return journal(
        on,
        "salary_deduction",
        f"工资代扣 联系人 {liaison_id}",
        [debit(SPECIAL, amount, **refs), credit(liaison_receivable(liaison_id), amount, **refs)],
    )


def write_off(
    on: date, loan_no: str, amount: Decimal, disaster: str | None, memo: str
) -> JournalDraft:
    """Disaster write-offs go to 5001 by disaster; every other ground to 5002."""
    expense = (
        AccountRef(chart.DISASTER_WRITE_OFFS, disaster)
        if disaster
        else AccountRef(chart.OTHER_WRITE_OFFS)
    )
    refs = {"loan": loan_no, "disaster": disaster}
    return journal(
        on,
        "write_off",
        memo,
        [debit(expense, amount, **refs), credit(loan_account(loan_no), amount, **refs)],
    )


def fee(on: date, township: str, loan_no: str, amount: Decimal) -> JournalDraft:
    refs = {"township": township, "loan": loan_no}
    return journal(
        on,
        "fee",
        f"资金占用费 {loan_no}",
        [
            debit(township_funds(township), amount, **refs),
            credit(AccountRef(chart.FEE_INCOME), amount, **refs),
        ],
    )


def recovery(on: date, loan_no: str, township: str, amount: Decimal) -> JournalDraft:
    refs = {"township": township, "loan": loan_no}
    return journal(
        on,
        "recovery",
        f"核销收回 {loan_no}",
        [
            debit(township_funds(township), amount, **refs),
            credit(AccountRef(chart.RECOVERIES, loan_no), amount, **refs),
        ],
    )
