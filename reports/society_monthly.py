"""互助社月报: a society's month for its committee and the county.

The balance sheet at the month's end with capital by source (财政扶贫资金,
社员互助金, 捐赠资金) each on its own line and never mixed, then the
reserves and the year's result not yet distributed; fee income, bank
interest and expenses in the month and the year to date; and the loans
outstanding by days past their due date.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ledger.programmes.mutual_aid.reads import MonthlyReport, SheetLine
from reports import layout, society_layout
from reports.layout import Col, money

TITLE = "互助社月报"
ZERO = Decimal("0.00")
SHEET = [Col("科目代码", 14, "C"), Col("科目", 50), Col("月末余额", 36, "R")]


def render_monthly_report(data: MonthlyReport, *, generated_at: datetime | None = None) -> bytes:
    """The monthly report PDF (from `ledger.programmes.mutual_aid.reads.monthly_report`)."""
    h = society_layout.heading(
        TITLE,
        data.society,
        layout.period_label(data.start, data.end),
        generated_at,
        f"{data.period} 月",
    )
    assets = sum((line.amount for line in data.assets), ZERO)
    liabilities = sum((line.amount for line in data.liabilities), ZERO)
    capital = sum((line.amount for line in data.capital), ZERO)
    story = [
        *layout.title_block(h, "单位:元", f"社员 {data.members} 户(贫困户 {data.poor_members} 户)"),
        layout.heading("一、资产负债表(月末)"),
        layout.table(SHEET, _rows(data.assets), total=["", "资产合计", money(assets)]),
        layout.spacer(4),
        layout.table(SHEET, _rows(data.liabilities), total=["", "负债合计", money(liabilities)]),
        layout.spacer(4),
        layout.table(SHEET, _rows(data.capital), total=["", "资金来源合计", money(capital)]),
        layout.para(
            f"负债与资金来源合计 {money(liabilities + capital)} 元,"
            + ("与资产合计相等。" if liabilities + capital == assets else "与资产合计不符!")
        ),
        layout.note(
            "财政扶贫资金、社员互助金、捐赠资金分别核算,不相混用;本年收益含尚未结转的占用费、利息收入减管理费用。"
        ),
        *layout.keep_with_next(layout.heading("二、收入与费用")),
        layout.table(
            [
                Col("科目代码", 14, "C"),
                Col("科目", 36),
                Col("本月", 25, "R"),
                Col("本年累计", 25, "R"),
            ],
            [[i.code, i.name, money(i.month), money(i.year)] for i in data.income],
        ),
        *layout.keep_with_next(layout.heading("三、借款账龄(按逾期天数)")),
        layout.table(
            [Col("账龄", 40), Col("笔数", 20, "R"), Col("本金余额", 40, "R")],
            [[a.label, f"{a.loans:,}", money(a.principal)] for a in data.ages],
            total=[
                "合计",
                f"{sum(a.loans for a in data.ages):,}",
                money(sum((a.principal for a in data.ages), ZERO)),
            ],
            red_rows=[i for i, a in enumerate(data.ages) if i and a.loans],
        ),
        layout.signatures([("", ["会计"]), ("", ["理事长"]), ("", ["监事长"])]),
    ]
    return layout.build(h, story)


def _rows(lines: tuple[SheetLine, ...]) -> list[list[str]]:
    return [[line.code, line.name, money(line.amount)] for line in lines]
