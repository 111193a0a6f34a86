"""收益分配表: a society's year-end distribution, for the members' meeting.

The year's fee and interest income less approved expenses, and where a
positive result went by the 章程's percentages: 公积金 (added to capital),
公益金, 风险准备金, staff subsidies and dividends to members in proportion
to their shares (bought plus allocated) on 31 December. Each part is rounded
down to the fen and the fen left over go to 公积金, so the parts sum to the
result exactly.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ledger.programmes.mutual_aid.reads import DistributionTable
from reports import layout, society_layout
from reports.layout import Col, money

TITLE = "收益分配表"
ZERO = Decimal("0.00")


def render_distribution_table(
    data: DistributionTable, *, generated_at: datetime | None = None
) -> bytes:
    """The distribution PDF (from `ledger.programmes.mutual_aid.reads.distribution_table`)."""
    d = data.distribution
    h = society_layout.heading(
        TITLE, data.society, f"{d.year} 年度", generated_at, f"{d.year} 年度"
    )
    declared = sum(d.dividends.values(), ZERO)
    parts = {
        "reserve": d.reserve,
        "welfare": d.welfare,
        "risk": d.risk,
        "staff": d.staff,
        "dividend": declared,
    }
    story = [
        *layout.title_block(h, "单位:元", f"凭证 {'、'.join(d.vouchers) or '无(本年无收支)'}"),
        layout.heading("一、本年收益"),
        layout.table(
            [Col("项目", 50), Col("金额", 50, "R")],
            [["占用费及利息收入", money(d.income)], ["减:管理费用", money(d.expenses)]],
            total=["本年收益", money(d.result)],
        ),
        layout.heading("二、分配"),
        layout.table(
            [Col("项目", 40), Col("章程比例", 20, "R"), Col("金额", 40, "R")],
            [
                [name, society_layout.share(data.percentages[key]), money(parts[key])]
                for key, name in society_layout.PARTS.items()
            ],
            total=["合计", "100%", money(sum(parts.values(), ZERO))],
        ),
        layout.note("各项按比例计算后舍去分以下尾数,尾差计入公积金;本年收益为负数时不分配。"),
        *layout.keep_with_next(layout.heading("三、社员分红明细")),
        layout.table(
            [
                Col("序号", 8, "C"),
                Col("社员", 30),
                Col("股金(入股+配股)", 31, "R"),
                Col("分红", 31, "R"),
            ],
            [
                [str(i), row.name, money(row.shares), money(row.dividend)]
                for i, row in enumerate(data.dividends, start=1)
            ]
            or [["—", "本年度无分红", "", ""]],
            total=[
                "合计",
                f"{len(data.dividends)} 户",
                money(sum((row.shares for row in data.dividends), ZERO)),
                money(declared),
            ],
        ),
        layout.signatures(
            [("", ["会计"]), ("", ["理事长"]), ("", ["监事长"])],
            intro="以上分配方案经社员(代表)大会讨论通过。",
        ),
    ]
    return layout.build(h, story)
