"""互助社运行情况汇总表: every society of a county side by side, for the county.

A row per society (capital by source, members and poor members, loans
outstanding and overdue, fee income of the year so far, reserves), the
total row, how each column is reckoned, and a bar chart of each society's
loans outstanding and overdue.
"""

from __future__ import annotations

from datetime import datetime

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from ledger.programmes.mutual_aid.reads import CountySocieties, SocietyFigures
from reports import charts, layout
from reports.layout import WIDE, Col, money

TITLE = "村级扶贫互助社运行情况汇总表"
#: What every society's name ends with; the chart prints the rest (the village).
SUFFIX = "扶贫互助社"

COLS = [
    Col("序号", 5, "C"),
    Col("互助社", 22),
    Col("财政扶贫资金", 12, "R"),
    Col("社员互助金", 10, "R"),
    Col("捐赠资金", 8, "R"),
    Col("社员户数", 7, "R"),
    Col("贫困户", 6, "R"),
    Col("借款余额", 11, "R"),
    Col("逾期金额", 9, "R"),
    Col("本年占用费收入", 9, "R"),
    Col("公积金、公益金、风险准备金", 11, "R"),
]


def render_society_rollup(data: CountySocieties, *, generated_at: datetime | None = None) -> bytes:
    """The roll-up PDF (from `ledger.programmes.mutual_aid.reads.county_societies`)."""
    counties = sorted({row.society.county_name for row in data.rows})
    h = layout.Heading(
        TITLE,
        f"辖区 {'、'.join(counties) or data.region}({data.region})",
        f"截至 {data.as_of.isoformat()}",
        generated_at or layout.now(),
        f"{len(data.rows)} 个互助社",
    )
    rows = [
        [str(i), row.society.name, *_figures(row)] for i, row in enumerate(data.rows, start=1)
    ] or [["—", "辖区内没有互助社", *[""] * 9]]
    overdue_rows = [i for i, row in enumerate(data.rows) if row.overdue]
    story: list[Flowable] = [
        *layout.title_block(h, "单位:元"),
        layout.heading("一、各互助社情况"),
        layout.table(
            COLS,
            rows,
            total=["", f"合计 {len(data.rows)} 个", *_figures(data.totals)],
            width=WIDE,
            size=7,
            red_rows=overdue_rows,
        ),
        layout.note(
            "资金按来源分列,不相混用:财政扶贫资金归互助社所有,不退还;社员互助金为社员入股,退社时退还"
            "(配股不另列,含在财政扶贫资金中);社员户数不含已退社社员。逾期金额为已过到期日未还的本金,"
            "有逾期的互助社以红字列示。本年占用费收入为当年 1 月 1 日至截止日计提的占用费,"
            "年度结转后仍计入。"
        ),
        Spacer(1, 4 * mm),
        KeepTogether(
            [
                layout.heading("二、各互助社借款余额与逾期金额(万元)"),
                layout.note(f"图中互助社名称省去“{SUFFIX}”。"),
                charts.outstanding_and_overdue(
                    [row.society.name.removesuffix(SUFFIX) for row in data.rows],
                    [row.loans_outstanding for row in data.rows],
                    [row.overdue for row in data.rows],
                    width=WIDE,
                ),
            ]
        ),
        layout.signatures([("", ["编制人"]), ("", ["审核人"]), ("", ["单位负责人"])], width=WIDE),
    ]
    return layout.build(h, story, wide=True)


def _figures(f: SocietyFigures) -> list[str]:
    return [
        money(f.fiscal_capital),
        money(f.member_shares),
        money(f.donations),
        f"{f.members:,}",
        f"{f.poor_members:,}",
        money(f.loans_outstanding),
        money(f.overdue),
        money(f.fee_income),
        money(f.reserves),
    ]
