"""周转金运行情况报告: the leaders' fund statement, also the quarterly meeting pack.

KPIs (capital by source, cash, loans, risk, turnover, capacity), the
period's money movements, the townships and batches, a bar chart of
outstanding and overdue by township, aging buckets, the 12-column
周转金回收情况表 on a landscape page, each township's plan against what was
registered, approved and disbursed in the period's years, and the audit
chain head.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from ledger.labels import BUCKET, SOURCE, label
from ledger.read.fund import FundStatementData, GroupFigures, RecoveryRow
from ledger.read.plans import PlanActualRow, PlanAgainstActual
from reports import charts, layout
from reports.layout import WIDE, Col, money, percent

TITLE = "周转金运行情况报告"
ZERO = Decimal("0.00")


def render_fund_statement(
    data: FundStatementData, *, generated_at: datetime | None = None
) -> bytes:
    """The fund statement PDF for `data` (from `ledger.fund.fund_statement`)."""
    h = layout.Heading(
        TITLE,
        layout.fund_label(data.fund.name, data.fund.code),
        layout.period_label(data.from_, data.to),
        generated_at or layout.now(),
    )
    story: list[Flowable] = [*layout.title_block(h, "单位:元")]
    story += _kpis(data)
    story += _flows(data)
    story += _townships(data)
    story += _batches(data)
    story += _aging(data)
    story += layout.landscape_pages()
    story += _recovery(data)
    story += _plans(data)
    story += _closing(data)
    return layout.build(h, story)


def _kpis(data: FundStatementData) -> list[Flowable]:
    s = data.summary
    sources = sorted(s.capital_by_source.items(), key=lambda kv: (-kv[1], kv[0]))
    rows: list[list[layout.Cell]] = [
        [label(SOURCE, key), money(amount), percent(_share(amount, s.capital)), ""]
        for key, amount in sources
    ] or [["—", money(ZERO), "—", ""]]
    # The capital in 大写 fills the fourth column beside the source rows.
    rows[0][3] = layout.para(f"基金总额大写:{layout.in_words(s.capital)}", layout.CELL)
    capital = layout.table(
        [Col("资金来源", 30), Col("金额", 25, "R"), Col("占基金总额", 15, "R"), Col("说明", 50)],
        rows,
        total=["基金总额", money(s.capital), "100.00%" if s.capital else "—", ""],
        styles=[("SPAN", (3, 1), (3, len(rows)))],
    )
    pairs: list[tuple[str, Decimal | str]] = [
        ("专户存款", s.special_cash),
        ("乡镇持有周转金", s.township_cash),
        ("借款余额", s.outstanding),
        ("联系人代偿应收", s.liaison_receivable),
        ("逾期金额(已到期未还)", s.overdue_amount),
        ("逾期户数", f"{s.overdue_loans:,} 户"),
        ("逾期借款余额", s.overdue_outstanding),
        ("逾期借款余额占比", percent(s.overdue_share)),
        ("累计核销", s.written_off),
        ("待处理(核销)", s.pending_write_off),
        ("累计回收(还款+代偿)", s.recovered),
        ("回收率", percent(s.recovery_rate)),
        ("累计发放", s.disbursed_to_date),
        ("周转次数", "—" if s.turnover is None else f"{s.turnover} 次"),
        ("扶持户数", f"{s.households_served:,} 户"),
        ("借款笔数", f"{s.loans:,} 笔"),
        ("资金占用费收入", s.fee_income),
        ("核销收回", s.recoveries_income),
        ("可再周转资金(专户+乡镇)", s.relending_capacity),
        ("", ""),
    ]
    funds_in = s.capital + s.fee_income + s.recoveries_income
    funds_out = (
        s.special_cash + s.township_cash + s.outstanding + s.liaison_receivable + s.written_off
    )
    check = "相符" if funds_in == funds_out else f"不符,差额 {money(funds_in - funds_out)}"
    return [
        layout.heading("一、资金来源"),
        capital,
        layout.heading("二、主要指标"),
        layout.amounts(pairs),
        layout.para(f"借款余额大写:{layout.in_words(s.outstanding)}", layout.BODY),
        layout.note(
            f"资金构成核对:基金总额 + 资金占用费 + 核销收回 = {money(funds_in)};"
            f"专户存款 + 乡镇持有 + 借款余额 + 联系人代偿应收 + 累计核销 = {money(funds_out)}。"
            f"{check}。回收率 = 累计回收 ÷(累计回收 + 逾期金额);逾期借款余额占比 = "
            "逾期借款余额 ÷ 借款余额;周转次数 = 累计发放 ÷ 基金总额。"
        ),
    ]


def _share(amount: Decimal, whole: Decimal) -> Decimal | None:
    if whole == 0:
        return None
    return (amount * 100 / whole).quantize(Decimal("0.01"))


def _flows(data: FundStatementData) -> list[Flowable]:
    f = data.flows
    title = "三、本期资金运动" if data.from_ else "三、累计资金运动"
    pairs: list[tuple[str, Decimal | str]] = [
        ("拨入资金", f.appropriated),
        ("拨付乡镇", f.allocated),
        ("发放借款", f.disbursed),
        ("农户还款", f.repaid),
        ("担保代偿(转联系人)", f.called),
        ("工资代扣到账", f.deducted),
        ("核销", f.written_off),
        ("乡镇上缴专户", f.remitted),
        ("核销收回", f.recoveries),
        ("资金占用费", f.fees),
    ]
    return [layout.heading(title), layout.amounts(pairs)]


def _group_row(g: GroupFigures | None) -> list[str]:
    if g is None:
        return ["0", "", "", "", "", "", "0"]
    return [
        f"{g.loans:,}",
        money(g.disbursed),
        money(g.recovered),
        money(g.written_off),
        money(g.outstanding),
        money(g.overdue_amount),
        f"{g.overdue_loans:,}",
    ]


def _group_total(groups: tuple[GroupFigures, ...]) -> list[str]:
    return [
        f"{sum(g.loans for g in groups):,}",
        money(sum((g.disbursed for g in groups), ZERO)),
        money(sum((g.recovered for g in groups), ZERO)),
        money(sum((g.written_off for g in groups), ZERO)),
        money(sum((g.outstanding for g in groups), ZERO)),
        money(sum((g.overdue_amount for g in groups), ZERO)),
        f"{sum(g.overdue_loans for g in groups):,}",
    ]


GROUP_COLS = [
    Col("户数", 7, "R"),
    Col("累计发放", 17, "R"),
    Col("累计回收", 17, "R"),
    Col("核销", 14, "R"),
    Col("借款余额", 17, "R"),
    Col("逾期金额", 15, "R"),
    Col("逾期户数", 9.5, "R"),
]


def _townships(data: FundStatementData) -> list[Flowable]:
    groups = {g.key: g for g in data.summary.by_township}
    cols = [Col("乡镇", 17), *GROUP_COLS, Col("乡镇持有资金", 16, "R")]
    rows = [[t.name, *_group_row(groups.get(t.code)), money(t.cash)] for t in data.townships]
    listed = {t.code for t in data.townships}
    rows += [  # loans of a township the reader may not list (never for a clerk)
        [g.name, *_group_row(g), ""] for g in data.summary.by_township if g.key not in listed
    ]
    total = [
        "合计",
        *_group_total(data.summary.by_township),
        money(sum((t.cash for t in data.townships), ZERO)),
    ]
    return [
        *layout.keep_with_next(layout.heading("四、分乡镇情况")),
        layout.table(cols, rows, total=total, size=7.5),
        Spacer(1, 4 * mm),
        KeepTogether(
            [
                layout.para("各乡镇借款余额与逾期金额(万元)", layout.BODY),
                _chart(data),
            ]
        ),
    ]


def _chart(data: FundStatementData) -> Drawing:
    """Outstanding and overdue per township, every township listed (one without loans: 0)."""
    groups = {g.key: g for g in data.summary.by_township}
    towns = [(t.name, groups.get(t.code)) for t in data.townships]
    return charts.outstanding_and_overdue(
        [name for name, _ in towns],
        [ZERO if g is None else g.outstanding for _, g in towns],
        [ZERO if g is None else g.overdue_amount for _, g in towns],
    )


def _batches(data: FundStatementData) -> list[Flowable]:
    cols = [Col("批次", 17), *GROUP_COLS]
    rows = [[f"第 {g.name} 批", *_group_row(g)] for g in data.summary.by_batch]
    total = ["合计", *_group_total(data.summary.by_batch)]
    return [
        *layout.keep_with_next(layout.heading("五、分批次情况")),
        layout.table(cols, rows, total=total, size=7.5),
    ]


def _aging(data: FundStatementData) -> list[Flowable]:
    a = data.aging
    cols = [
        Col("逾期天数", 20),
        Col("户数", 10, "R"),
        Col("逾期金额", 20, "R"),
        Col("借款余额", 20, "R"),
        Col("占借款余额比例", 16, "R"),
    ]

    rows = [
        [
            label(BUCKET, b.label),
            f"{b.loans:,}",
            money(b.overdue_amount),
            money(b.outstanding),
            percent(_share(b.outstanding, a.outstanding)),
        ]
        for b in a.buckets
    ]
    total = [
        "逾期合计",
        f"{a.overdue_loans:,}",
        money(a.overdue_amount),
        money(a.overdue_outstanding),
        percent(a.overdue_share),
    ]
    return [
        *layout.keep_with_next(layout.heading("六、账龄分析"), room=60 * mm),
        layout.table(cols, rows, total=total),
        layout.note(
            f"截至 {a.as_of.isoformat()},借款余额 {money(a.outstanding)} 元。逾期天数自最早一期"
            "未还款的到期日次日起算;展期借款按展期后的还款计划计算。"
        ),
    ]


RECOVERY_HEAD = (
    "年初余额",
    "本年借出",
    "年末余额",
    "累计借出",
    "本年应收到期数",
    "累计应收到期数",
    "本年待处理(核销)数",
    "本年回收数",
    "其中收回本年到期数",
    "累计回收数",
    "本年回收率",
    "累计回收率",
)
RECOVERY_NUMBERS = (
    "1",
    "2",
    "3=1+2-7-8",
    "4",
    "5",
    "6",
    "7",
    "8",
    "9",
    "10",
    "11=9÷5",
    "12=10÷6",
)


def _recovery_row(row: RecoveryRow) -> list[str]:
    return [
        money(row.opening),
        money(row.lent),
        money(row.closing),
        money(row.lent_to_date),
        money(row.due_this_year),
        money(row.due_to_date),
        money(row.written_off),
        money(row.recovered),
        money(row.recovered_of_due),
        money(row.recovered_to_date),
        percent(row.rate_this_year),
        percent(row.rate_to_date),
    ]


def _recovery(data: FundStatementData) -> list[Flowable]:
    table = data.recovery
    cols = [Col("乡镇", 15)] + [
        Col(t, 13 if i < 10 else 9, "R") for i, t in enumerate(RECOVERY_HEAD)
    ]
    header = [["乡镇", *RECOVERY_HEAD], ["", *RECOVERY_NUMBERS]]
    rows = [[r.name, *_recovery_row(r)] for r in table.rows]
    total = ["合计", *_recovery_row(table.total)]
    return [
        layout.heading(f"七、周转金回收情况表({table.year} 年度)"),
        layout.table(
            cols,
            rows,
            total=total,
            width=WIDE,
            size=7,
            header=header,
            styles=[("SPAN", (0, 0), (0, 1))],
        ),
        layout.note(
            f"单位:元。按财政支农周转金借用情况表口径,{table.year} 年 1 月 1 日至 12 月 31 日;"
            "8 本年回收数含联系人担保代偿;7 为本年批准核销数;9 按先到期先收回计算。"
        ),
    ]


PLAN_KINDS = ("计划", "登记", "审定", "发放")


def _plan_row(name: str, row: PlanActualRow) -> list[str]:
    tallies = (row.planned, row.registered, row.approved, row.disbursed)
    return [
        name,
        *(cell for t in tallies for cell in (f"{t.households:,}", money(t.amount))),
        percent(row.disbursed_share),
    ]


def _plan_table(report: PlanAgainstActual) -> list[Flowable]:
    cols = [Col("乡镇", 16)]
    for _ in PLAN_KINDS:
        cols += [Col("户数", 8, "R"), Col("金额", 17, "R")]
    cols.append(Col("发放占计划", 11, "R"))
    header = [
        ["乡镇", *(cell for kind in PLAN_KINDS for cell in (kind, "")), "发放占计划"],
        ["", *(cell for _ in PLAN_KINDS for cell in ("户数", "金额")), ""],
    ]
    spans = [("SPAN", (1 + 2 * i, 0), (2 + 2 * i, 0)) for i in range(len(PLAN_KINDS))]
    return [
        *layout.keep_with_next(
            layout.para(
                f"{report.year} 年(对照 {report.plan_first_year} 年起的规划第 "
                f"{report.plan_version} 版)",
                layout.BODY,
            )
        ),
        layout.table(
            cols,
            [_plan_row(t.township_name, t) for t in report.townships],
            total=_plan_row("合计", report.total),
            width=WIDE,
            size=7.5,
            header=header,
            styles=[
                ("SPAN", (0, 0), (0, 1)),
                ("SPAN", (len(cols) - 1, 0), (len(cols) - 1, 1)),
                *spans,
            ],
        ),
    ]


def _plans(data: FundStatementData) -> list[Flowable]:
    """Each year's plan against actual per township; a year without a plan in one line."""
    story: list[Flowable] = [layout.heading("八、计划完成情况")]
    unplanned = [r.year for r in data.plans if r.plan_version is None]
    compared = [r for r in data.plans if r.plan_version is not None]
    for report in compared:
        if report.townships:
            story += _plan_table(report)
        else:
            story.append(
                layout.para(
                    f"{report.year} 年:规划第 {report.plan_version} 版未安排扶持户,"
                    "也没有登记、审定或发放。",
                    layout.BODY,
                )
            )
    if unplanned:
        years = "、".join(str(year) for year in unplanned)
        story.append(layout.para(f"{years} 年没有制定计划,不作对照。", layout.BODY))
    if any(r.townships for r in compared):
        story.append(
            layout.note(
                f"截至 {data.to.isoformat()}。户数按农户计,一户多笔借款只计一次;登记、审定、"
                "发放按当年发生数计;发放占计划 = 发放金额 ÷ 计划金额。"
            )
        )
    return story


def _closing(data: FundStatementData) -> list[Flowable]:
    return [
        Spacer(1, 3 * mm),
        layout.para(
            f"本基金审计日志链头:第 {data.audit_seq:,} 条记录,SHA-256 {data.audit_hash}"
            if data.audit_seq
            else f"本基金审计日志尚无记录(初始链头 SHA-256 {data.audit_hash})",
            layout.BODY,
        ),
        layout.note(
            "链头随每一次写入而变化;用 flask --app wsgi audit-verify 可核验审计日志未被篡改,"
            "并与本报告所印链头比对。"
        ),
        layout.signatures(
            [
                ("", ["编制人"]),
                ("", ["审核人"]),
                ("", ["单位负责人"]),
            ],
            width=WIDE,
        ),
    ]
