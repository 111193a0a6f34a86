"""明细账余额表: every sub-account of one chart line (townships, loans, liaisons ...).

For 1011 乡镇周转金 a row per township, for 1101 农户借款 a row per loan, for
1102 a row per liaison, for 3001 per source of capital, for 5001 per
disaster: opening balance, period debits and credits, closing balance, and
their totals, which equal the chart line in the trial balance.
"""

from __future__ import annotations

from datetime import datetime

from reportlab.platypus import Flowable

from ledger.labels import SOURCE, label
from ledger.read.books import SubledgerData
from reports import layout
from reports.layout import Col, money, money_or_blank

TITLE = "明细账余额表"

#: The heading of the key column per sub-ledger kind.
KEY_TITLE = {
    "township": ("乡镇代码", "乡镇"),
    "loan": ("登记编号", "借款人"),
    "liaison": ("联系人编号", "联系人"),
    "source": ("资金来源", "名称"),
    "disaster": ("灾害编号", "灾害"),
}


def render_subledger(data: SubledgerData, *, generated_at: datetime | None = None) -> bytes:
    """The sub-ledger listing PDF (from `ledger.books.subledger_listing`)."""
    h = layout.Heading(
        TITLE,
        layout.fund_label(data.fund.name, data.fund.code),
        layout.period_label(data.from_, data.to),
        generated_at or layout.now(),
        f"{data.code} {data.name}",
    )
    key_title, name_title = KEY_TITLE.get(data.subledger, ("子目", "名称"))
    rows = [
        [
            r.key,
            label(SOURCE, r.key) if data.subledger == "source" else r.name,
            money(r.opening),
            money_or_blank(r.debit),
            money_or_blank(r.credit),
            money(r.closing),
        ]
        for r in data.rows
    ]
    side = "借" if data.debit_normal else "贷"
    story: list[Flowable] = [
        *layout.title_block(h, f"余额方向:{side}", "单位:元"),
        layout.table(
            [
                Col(key_title, 24),
                Col(name_title, 20),
                Col("期初余额", 20, "R"),
                Col("本期借方", 20, "R"),
                Col("本期贷方", 20, "R"),
                Col("期末余额", 20, "R"),
            ],
            rows,
            total=[
                "合计",
                f"{len(rows):,} 个子目",
                money(data.opening),
                money(data.debit),
                money(data.credit),
                money(data.closing),
            ],
        ),
        layout.note(
            f"期末余额 = 期初余额 + 本期{'借方 - 贷方' if data.debit_normal else '贷方 - 借方'}"
            ";合计数与试算平衡表该科目一致。"
        ),
        layout.signatures([("", ["制表"]), ("", ["审核"])]),
    ]
    return layout.build(h, story)
