"""账龄分析表: overdue loans by how long they have been overdue.

The five buckets of SPEC §5 (1–30, 31–90, 91–180, 181–365, 365+ days) with
loans, overdue amount and outstanding, then every overdue loan bucket by
bucket, longest first, with the liaison who answers for it.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from reportlab.platypus import Flowable

from ledger.labels import BUCKET, label
from ledger.read.fund import Aging
from reports import layout
from reports.layout import Col, money, percent

TITLE = "账龄分析表"
ZERO = Decimal("0.00")

DETAIL_COLS = [
    Col("登记编号", 24),
    Col("借款人", 12),
    Col("乡镇", 14),
    Col("村", 14),
    Col("项目", 22),
    Col("联系人", 12),
    Col("逾期天数", 10, "R"),
    Col("逾期金额", 17, "R"),
    Col("借款余额", 17, "R"),
]


def render_aging(data: Aging, *, generated_at: datetime | None = None) -> bytes:
    """The aging report PDF (from `ledger.read.fund.aging`)."""
    a = data
    subject = f"{data.township_name}({data.township})" if data.township else "全部乡镇"
    h = layout.Heading(
        TITLE,
        layout.fund_label(data.fund.name, data.fund.code),
        f"截至 {a.as_of.isoformat()}",
        generated_at or layout.now(),
        subject,
    )

    def share(amount: Decimal) -> str:
        if a.outstanding == 0:
            return "—"
        return percent((amount * 100 / a.outstanding).quantize(Decimal("0.01")))

    summary = [
        [
            label(BUCKET, b.label),
            f"{b.loans:,}",
            money(b.overdue_amount),
            money(b.outstanding),
            share(b.outstanding),
        ]
        for b in a.buckets
    ]
    story: list[Flowable] = [
        *layout.title_block(h, "单位:元"),
        layout.heading("一、账龄汇总"),
        layout.table(
            [
                Col("逾期天数", 20),
                Col("户数", 10, "R"),
                Col("逾期金额(已到期未还)", 22, "R"),
                Col("借款余额", 22, "R"),
                Col("占全部借款余额", 16, "R"),
            ],
            summary,
            total=[
                "逾期合计",
                f"{a.overdue_loans:,}",
                money(a.overdue_amount),
                money(a.overdue_outstanding),
                percent(a.overdue_share),
            ],
        ),
        layout.para(
            f"全部借款余额 {money(a.outstanding)} 元(大写 {layout.in_words(a.outstanding)}),"
            f"其中逾期借款余额 {money(a.overdue_outstanding)} 元。"
        ),
        layout.note(
            "逾期天数 = 截止日 - 最早一笔未还清分期的到期日(到期日次日为第 1 天);"
            "已展期的借款按展期后的还款计划计算,已结清或已核销的借款不计逾期。"
        ),
        layout.heading("二、逾期借款明细"),
    ]
    if not a.loans:
        story.append(layout.para("截至该日无逾期借款。"))
    for bucket in reversed(a.buckets):
        loans = sorted(
            (r for r in a.loans if r.bucket == bucket.label),
            key=lambda r: (-r.overdue_days, r.registration_no),
        )
        if not loans:
            continue
        rows = [
            [
                r.registration_no,
                r.household,
                r.township_name,
                r.village,
                r.project,
                data.liaisons.get(r.liaison_id, "") if r.liaison_id is not None else "",
                f"{r.overdue_days:,}" + ("(展期)" if r.extended else ""),
                money(r.overdue_amount),
                money(r.outstanding),
            ]
            for r in loans
        ]
        story += [
            *layout.keep_with_next(
                layout.para(f"{label(BUCKET, bucket.label)}:{len(loans)} 户", layout.BODY)
            ),
            layout.table(
                DETAIL_COLS,
                rows,
                total=[
                    "小计",
                    f"{len(loans)} 户",
                    "",
                    "",
                    "",
                    "",
                    "",
                    money(bucket.overdue_amount),
                    money(bucket.outstanding),
                ],
                size=7.5,
            ),
        ]
    story.append(layout.signatures([("", ["制表"]), ("", ["审核"])]))
    return layout.build(h, story)
