"""各区县周转金运行情况对照表: a region's counties side by side, for the city's or
province's leaders (SPEC §12).

One row per county (its funds summed, as each county's own fund statement
prints them on the same date), the total row, how each column is reckoned,
and a bar chart of outstanding and overdue by county.
"""

from __future__ import annotations

from datetime import datetime

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from ledger.read.regions import Figures, RegionOverview
from reports import charts, layout
from reports.layout import WIDE, Col, money, percent

TITLE = "各区县周转金运行情况对照表"

COLS = [
    Col("区县", 16),
    Col("代码", 10),
    Col("基金数", 7, "R"),
    Col("基金总额", 17, "R"),
    Col("累计发放", 17, "R"),
    Col("累计回收", 17, "R"),
    Col("借款余额", 17, "R"),
    Col("逾期金额", 15, "R"),
    Col("累计核销", 15, "R"),
    Col("回收率", 10, "R"),
    Col("周转次数", 9, "R"),
]


def render_region_statement(data: RegionOverview, *, generated_at: datetime | None = None) -> bytes:
    """The region statement PDF for `data` (from `ledger.read.regions.overview`)."""
    h = layout.Heading(
        TITLE,
        f"辖区 {data.region}",
        f"截至 {data.as_of.isoformat()}",
        generated_at or layout.now(),
        f"{len(data.counties)} 个区县",
    )
    rows = [[c.name, c.county, f"{c.funds:,}", *_figures(c)] for c in data.counties] or [
        ["—", "", "0", *_figures(Figures())]
    ]
    total = ["合计", "", f"{sum(c.funds for c in data.counties):,}", *_figures(data.totals)]
    story: list[Flowable] = [
        *layout.title_block(h, "单位:元"),
        layout.heading("一、分区县情况"),
        layout.table(COLS, rows, total=total, width=WIDE, size=7.5),
        layout.note(
            "各区县数字为该县全部基金(本人可查阅的基金)之和,与各基金同日的周转金运行情况报告一致:"
            "基金总额 = 累计拨入(减红字冲销);累计回收 = 农户还款 + 联系人担保代偿;"
            "逾期金额 = 已到期未还本金;回收率 = 累计回收 ÷(累计回收 + 逾期金额);"
            "周转次数 = 累计发放 ÷ 基金总额。合计行的回收率与周转次数按合计数重新计算,不是平均数。"
        ),
        Spacer(1, 4 * mm),
        KeepTogether(
            [
                layout.heading("二、各区县借款余额与逾期金额(万元)"),
                charts.outstanding_and_overdue(
                    [c.name for c in data.counties],
                    [c.outstanding for c in data.counties],
                    [c.overdue for c in data.counties],
                ),
            ]
        ),
        layout.signatures([("", ["编制人"]), ("", ["审核人"]), ("", ["单位负责人"])], width=WIDE),
    ]
    return layout.build(h, story, wide=True)


def _figures(f: Figures) -> list[str]:
    return [
        money(f.appropriated),
        money(f.disbursed),
        money(f.recovered),
        money(f.outstanding),
        money(f.overdue),
        money(f.written_off),
        percent(f.recovery_rate),
        "—" if f.turnover is None else f"{f.turnover} 次",
    ]
