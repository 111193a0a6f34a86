"""试算平衡表: every chart line's opening, period turnover and closing balance.

Balances print in the debit (借) or credit (贷) column by where they sit, so
the six columns pair up: Σ opening debits = Σ opening credits, Σ period
debits = Σ period credits, Σ closing debits = Σ closing credits, when the
book balances.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from reportlab.platypus import Flowable

from ledger.dates import today
from ledger.read.books import TrialBalance, TrialBalanceRow
from reports import layout
from reports.layout import Col, money_or_blank

TITLE = "试算平衡表"
ZERO = Decimal("0.00")


def sides(balance: Decimal, debit_normal: bool) -> tuple[Decimal, Decimal]:
    """(debit, credit) columns of a balance signed on the account's normal side."""
    if debit_normal:
        return (balance, ZERO) if balance >= 0 else (ZERO, -balance)
    return (ZERO, balance) if balance >= 0 else (-balance, ZERO)


def _columns(row: TrialBalanceRow) -> tuple[Decimal, ...]:
    debit_normal = row.kind.debit_normal
    return (
        *sides(row.opening, debit_normal),
        row.debit,
        row.credit,
        *sides(row.balance, debit_normal),
    )


def render_trial_balance(data: TrialBalance, *, generated_at: datetime | None = None) -> bytes:
    """The trial balance PDF (from `ledger.read.books.trial_balance_of`)."""
    h = layout.Heading(
        TITLE,
        layout.fund_label(data.fund.name, data.fund.code),
        layout.period_label(data.from_, data.as_of or today()),
        generated_at or layout.now(),
    )
    figures = [_columns(r) for r in data.rows]
    totals = [sum((f[i] for f in figures), ZERO) for i in range(6)]
    rows = [
        [r.code, r.name, *(money_or_blank(x) for x in f)]
        for r, f in zip(data.rows, figures, strict=True)
    ]
    balanced = totals[0] == totals[1] and totals[2] == totals[3] and totals[4] == totals[5]
    story: list[Flowable] = [
        *layout.title_block(h, "单位:元"),
        layout.table(
            [
                Col("科目代码", 10, "C"),
                Col("科目名称", 18),
                *(Col(t, 18, "R") for t in ("借方", "贷方") * 3),
            ],
            rows,
            total=["合计", "", *(layout.money(x) for x in totals)],
            header=[
                ["科目代码", "科目名称", "期初余额", "", "本期发生额", "", "期末余额", ""],
                ["", "", *("借方", "贷方") * 3],
            ],
            styles=[
                ("SPAN", (0, 0), (0, 1)),
                ("SPAN", (1, 0), (1, 1)),
                ("SPAN", (2, 0), (3, 0)),
                ("SPAN", (4, 0), (5, 0)),
                ("SPAN", (6, 0), (7, 0)),
            ],
        ),
        layout.para(
            "试算结果:" + ("借贷平衡。" if balanced else "借贷不平衡,请检查!"), layout.BODY
        ),
        layout.note(
            "期初余额为期间开始前的余额(自开账起编制时为零);余额按所在方向列示,"
            "资产、费用类科目余额在借方,基金、收入类科目余额在贷方。"
        ),
        layout.signatures([("", ["制表"]), ("", ["审核"]), ("", ["会计主管"])]),
    ]
    return layout.build(h, story)
