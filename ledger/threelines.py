"""三线合一 ("three lines in one"): the application (申请书), the contract
(合同书) and the IOU (借据) must all carry the loan's registration number.

`three_line_problems` is the one place the rule lives: disbursement refuses a
loan with any problem, and the three-line report lists every loan with its
problems.
"""

from __future__ import annotations

from ledger.models import Loan

DOCUMENTS = (
    ("application_no", "申请书编号", "application number"),
    ("contract_no", "合同书编号", "contract number"),
    ("iou_no", "借据编号", "IOU number"),
)


def three_line_problems(loan: Loan) -> list[tuple[str, str]]:
    """Every way the loan's numbers are not one, as (Chinese, English) reasons."""
    problems = []
    for attribute, zh, en in DOCUMENTS:
        number = getattr(loan, attribute)
        if not number:
            problems.append((f"{zh}缺失", f"{en} missing"))
        elif number != loan.registration_no:
            problems.append(
                (
                    f"{zh} {number} 与登记编号 {loan.registration_no} 不一致",
                    f"{en} {number} differs from registration number {loan.registration_no}",
                )
            )
    return problems
