"""对账结果: a township's book matched with the county's, and the bank reconciliation statement.

Both from `ledger.reconciliation` (read-only). The township result lists
every line with its verdict (相符, 金额不符, 仅县账有, 仅乡镇账有) and both
books' balances; the bank statement is the 银行存款余额调节表 with its four
adjustment lines and the two adjusted balances side by side.
"""

from __future__ import annotations

from datetime import datetime

from reportlab.platypus import Flowable

from ledger.labels import kind_label
from ledger.reconciliation import (
    BankReconciliation,
    Line,
    TownshipReconciliation,
    verdict_rows,
)
from reports import layout
from reports.layout import Col, money

LINE_COLS = [
    Col("结果", 16, "C"),
    Col("日期", 17, "C"),
    Col("业务", 14, "C"),
    Col("借据号 / 摘要", 34),
    Col("县账金额", 22, "R"),
    Col("对方金额", 22, "R"),
    Col("对方行号", 12, "C"),
]


def _line_row(verdict: str, ours: Line | None, theirs: Line | None) -> list[str]:
    either = ours or theirs
    assert either is not None
    return [
        verdict,
        layout.day(either.on),
        kind_label(either.kind),
        either.iou or either.reference or (ours.voucher if ours else "") or "",
        money(ours.amount) if ours else "",
        money(theirs.amount) if theirs else "",
        str(theirs.row) if theirs and theirs.row else "",
    ]


def township_check(data: TownshipReconciliation) -> list[Flowable]:
    """The township's own book matched with the county's, for the statement's last section."""
    m = data.matching
    return [
        *layout.keep_with_next(layout.heading("四、与乡镇账逐笔核对(收入为正,支出为负)")),
        layout.facts(
            [
                ("县账期初余额", money(data.county_opening)),
                ("乡镇账期初余额", money(data.township_opening)),
                ("县账期末余额", money(data.county_closing)),
                ("乡镇账期末余额", money(data.township_closing)),
                ("相符", f"{len(m.matched)} 笔"),
                ("金额不符", f"{len(m.amount_differences)} 笔"),
                ("仅县账有", f"{len(m.only_county)} 笔"),
                ("仅乡镇账有", f"{len(m.only_other)} 笔"),
            ]
        ),
        layout.para(
            "核对结论:" + ("两账相符。" if data.agreed else "两账不符,请按下列明细逐笔核查。"),
            layout.BODY,
        ),
        layout.table(LINE_COLS, [_line_row(*r) for r in verdict_rows(m)]),
    ]


def render_bank_reconciliation(
    data: BankReconciliation, *, generated_at: datetime | None = None
) -> bytes:
    h = layout.Heading(
        "银行存款余额调节表",
        layout.fund_label(data.fund.name, data.fund.code),
        layout.period_label(data.from_, data.to),
        generated_at or layout.now(),
        "专户存款(1001)",
    )
    rows = [
        ["单位账面余额", money(data.book_balance), "银行对账单余额", money(data.statement_balance)],
        [
            "加:银行已收、单位未收",
            money(data.bank_in_not_booked),
            "加:单位已收、银行未收",
            money(data.booked_in_not_at_bank),
        ],
        [
            "减:银行已付、单位未付",
            money(data.bank_out_not_booked),
            "减:单位已付、银行未付",
            money(data.booked_out_not_at_bank),
        ],
    ]
    story: list[Flowable] = [
        *layout.title_block(h, "单位:元"),
        layout.table(
            [Col("单位账", 34), Col("金额", 16, "R"), Col("银行账", 34), Col("金额", 16, "R")],
            rows,
            total=[
                "调节后的账面余额",
                money(data.adjusted_book),
                "调节后的银行余额",
                money(data.adjusted_statement),
            ],
        ),
        layout.para(
            "调节结果:" + ("两者相等,账实相符。" if data.reconciled else "两者不等,请查明原因。"),
            layout.BODY,
        ),
        layout.heading("未达账项及核对明细"),
        layout.table(LINE_COLS, [_line_row(*r) for r in verdict_rows(data.matching)]),
        layout.signatures([("县财政结算中心(盖章)", ["编制人", "复核人", "负责人"])]),
    ]
    return layout.build(h, story)
