"""进展情况汇报: the programme's progress over a period, as the county sends it up.

Eight sections, each a table of `ledger.read.progress.ProgressReport`: the
period's lending by township and batch, plan against actual, recovery with
the townships ranked, disasters, visits, inspections, and the outcomes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from reportlab.platypus import Flowable

from ledger.labels import FINDING_KIND, label
from ledger.read.plans import PlanActualRow, Tally
from ledger.read.progress import Activity, DisasterLine, ProgressReport, Recovery
from ledger.read.rates import percent as share
from reports import layout
from reports.layout import Col, money, percent

TITLE = "进展情况汇报"


def render_progress_report(data: ProgressReport, *, generated_at: datetime | None = None) -> bytes:
    """The progress report PDF for `data` (from `ledger.read.progress.progress_report`)."""
    h = layout.Heading(
        f"{data.fund_name}{TITLE}",
        layout.fund_label(data.fund_name, data.fund_code),
        layout.period_label(data.start, data.end),
        generated_at or layout.now(),
    )
    story: list[Flowable] = [*layout.title_block(h, "单位:元、户")]
    story += _overview(data)
    story += _lending(data)
    story += _plans(data)
    story += _recovery(data)
    story += _disasters(data)
    story += _visits(data)
    story += _inspections(data)
    story += _outcomes(data)
    return layout.build(h, story)


def _count(n: int, unit: str = "户") -> str:
    return f"{n:,} {unit}"


def _overview(data: ProgressReport) -> list[Flowable]:
    r, t = data.recovery, data.recovery.to_date
    pairs: list[tuple[str, Decimal | str]] = [
        ("本期登记户数", _count(data.activity.registered.households)),
        ("本期登记金额", data.activity.registered.amount),
        ("本期发放户数", _count(data.activity.disbursed.households)),
        ("本期发放金额", data.activity.disbursed.amount),
        ("本期回收(还款+代偿)", r.recovered),
        ("本期核销", r.written_off),
        ("累计发放", t.disbursed),
        ("累计回收", t.recovered),
        ("借款余额", t.outstanding),
        ("逾期金额", t.overdue_amount),
        ("回收率", percent(r.recovery_rate)),
        ("有借款乡镇", _count(len(data.townships), "个")),
        ("受灾户数", _count(data.disasters.total.households)),
        ("核定损失", data.disasters.total.assessed_loss),
        ("本期应走访(户次)", _count(data.visits_total.due, "户次")),
        ("未走访(户次)", _count(data.visits_total.missing, "户次")),
        (f"{data.outcome_year} 年末脱贫户数", _count(data.outcomes.total.out)),
        ("未整改问题", _count(len(data.inspections.open), "个")),
    ]
    return [
        layout.heading("一、总体情况"),
        layout.amounts(pairs),
        layout.note(
            "本期:期间内(含起止日)发生的数;累计:截至期末。"
            "回收 = 农户还款 + 联系人担保代偿;回收率 = 累计回收 ÷(累计回收 + 逾期金额)。"
        ),
    ]


ACTIVITY_COLS = [
    Col("登记户数", 8, "R"),
    Col("登记金额", 15, "R"),
    Col("审定户数", 8, "R"),
    Col("审定金额", 15, "R"),
    Col("发放户数", 8, "R"),
    Col("发放金额", 15, "R"),
]


def _tallies(*tallies: Tally) -> list[str]:
    return [cell for t in tallies for cell in (f"{t.households:,}", money(t.amount))]


def _activity_row(a: Activity) -> list[str]:
    return [a.name, *_tallies(a.registered, a.approved, a.disbursed)]


def _lending(data: ProgressReport) -> list[Flowable]:
    total = _activity_row(data.activity)
    return [
        *layout.keep_with_next(layout.heading("二、本期借款发放情况")),
        layout.para("分乡镇", layout.BODY),
        layout.table(
            [Col("乡镇", 16), *ACTIVITY_COLS],
            [_activity_row(a) for a in data.by_township] or [["—", *[""] * 6]],
            total=total,
        ),
        layout.spacer(6),
        layout.para("分批次", layout.BODY),
        layout.table(
            [Col("批次", 16), *ACTIVITY_COLS],
            [_activity_row(a) for a in data.by_batch] or [["—", *[""] * 6]],
            total=total,
        ),
        layout.note("户数按户计,一户多笔借款只计一次,故各行户数之和可多于合计。"),
    ]


def _plan_row(name: str, row: PlanActualRow) -> list[str]:
    return [
        name,
        *_tallies(row.planned, row.registered, row.disbursed),
        percent(row.disbursed_share),
    ]


def _plans(data: ProgressReport) -> list[Flowable]:
    story: list[Flowable] = [*layout.keep_with_next(layout.heading("三、计划完成情况"))]
    cols = [
        Col("乡镇", 16),
        Col("计划户数", 8, "R"),
        Col("计划金额", 15, "R"),
        Col("登记户数", 8, "R"),
        Col("登记金额", 15, "R"),
        Col("发放户数", 8, "R"),
        Col("发放金额", 15, "R"),
        Col("完成率", 9, "R"),
    ]
    for year in data.plans:
        version = (
            f"{year.plan_first_year} 年起三年规划第 {year.plan_version} 版"
            if year.plan_version
            else "无规划"
        )
        story += [
            layout.para(f"{year.year} 年度(截至 {year.as_of.isoformat()},{version})"),
            layout.table(
                cols,
                [_plan_row(r.township_name, r) for r in year.townships] or [["—", *[""] * 7]],
                total=_plan_row("合计", year.total),
            ),
            layout.spacer(4),
        ]
    story.append(layout.note("完成率 = 本年发放金额 ÷ 计划金额;实际数为该年 1 月 1 日至期末。"))
    return story


def _recovery_row(rank: str, r: Recovery) -> list[str]:
    t = r.to_date
    return [
        rank,
        r.name,
        money(r.repaid),
        money(r.called),
        money(r.written_off),
        money(t.disbursed),
        money(t.recovered),
        money(t.outstanding),
        money(t.overdue_amount),
        percent(r.recovery_rate),
    ]


def _recovery(data: ProgressReport) -> list[Flowable]:
    cols = [
        Col("名次", 5, "C"),
        Col("乡镇", 14),
        Col("本期还款", 13, "R"),
        Col("本期代偿", 11, "R"),
        Col("本期核销", 11, "R"),
        Col("累计发放", 14, "R"),
        Col("累计回收", 14, "R"),
        Col("借款余额", 14, "R"),
        Col("逾期金额", 12, "R"),
        Col("回收率", 9, "R"),
    ]
    return [
        *layout.keep_with_next(layout.heading("四、回收情况及乡镇排名")),
        layout.table(
            cols,
            [_recovery_row(str(i), r) for i, r in enumerate(data.townships, start=1)]
            or [["", "—", *[""] * 8]],
            total=_recovery_row("", data.recovery),
            size=7.5,
        ),
        layout.note(
            "乡镇按累计回收率由高到低排名(周转金收回多少,来年才能借出多少);"
            "回收率相同的按累计回收由多到少;尚无到期的排在最后。"
        ),
    ]


def _disaster_row(d: DisasterLine) -> list[str]:
    return [
        d.name,
        layout.day(d.occurred_on),
        f"{d.households:,}",
        f"{d.projects:,}",
        money(d.assessed_loss),
        money(d.written_off),
    ]


def _disasters(data: ProgressReport) -> list[Flowable]:
    cols = [
        Col("灾害", 22),
        Col("发生日期", 12, "C"),
        Col("受灾户数", 9, "R"),
        Col("受灾项目", 9, "R"),
        Col("核定损失", 15, "R"),
        Col("已核销", 15, "R"),
    ]
    return [
        *layout.keep_with_next(layout.heading("五、灾害情况")),
        layout.table(
            cols,
            [_disaster_row(d) for d in data.disasters.lines] or [["本期无灾害", *[""] * 5]],
            total=_disaster_row(data.disasters.total),
        ),
        layout.note(
            "受灾项目:每份核定的损失计一个受毁项目;合计中一户多次受灾只计一户,项目每受灾一次计一次。"
            "已核销:截至期末批准的该灾害核销。"
        ),
    ]


def _visits(data: ProgressReport) -> list[Flowable]:
    cols = [
        Col("乡镇", 20),
        Col("应走访(户次)", 14, "R"),
        Col("已走访", 12, "R"),
        Col("未走访", 12, "R"),
        Col("走访率", 10, "R"),
    ]

    def row(name: str, due: int, done: int) -> list[str]:
        return [
            name,
            f"{due:,}",
            f"{done:,}",
            f"{due - done:,}",
            percent(share(Decimal(done), Decimal(due))),
        ]

    total = data.visits_total
    return [
        *layout.keep_with_next(layout.heading("六、联系人走访情况")),
        layout.table(
            cols,
            [row(v.name, v.due, v.done) for v in data.visits] or [["—", "", "", "", ""]],
            total=row("合计", total.due, total.done),
        ),
        layout.note("联系人每月至少到联系户一次:每笔尚有欠款的借款每月计应走访一户次。"),
    ]


def _inspections(data: ProgressReport) -> list[Flowable]:
    i = data.inspections
    pairs: Sequence[tuple[str, Decimal | str]] = [
        ("本期督查次数", _count(i.held, "次")),
        ("查验借款户", _count(i.loans_visited)),
        ("本期发现问题", _count(i.findings, "个")),
        ("期末未整改问题(其中逾期)", f"{len(i.open):,} 个({i.overdue:,} 个)"),
    ]
    cols = [
        Col("发现日期", 12, "C"),
        Col("乡镇", 13),
        Col("问题", 13),
        Col("借款编号", 16),
        Col("责任人", 13),
        Col("整改期限", 12, "C"),
        Col("已过天数", 9, "R"),
    ]
    rows = [
        [
            layout.day(f.found_on),
            f.township_name,
            label(FINDING_KIND, f.kind),
            f.loan or "乡镇账务",
            f.responsible,
            layout.day(f.correct_by),
            f"{f.age_days:,}",
        ]
        for f in i.open
    ]
    return [
        *layout.keep_with_next(layout.heading("七、督查情况")),
        layout.amounts(pairs),
        layout.spacer(4),
        layout.para("期末未整改问题(按发现先后)", layout.BODY),
        layout.table(
            cols,
            rows or [["—", "", "", "", "", "", ""]],
            red_rows=[n for n, f in enumerate(i.open) if f.overdue],
        ),
        layout.note("红字:已过整改期限仍未销号。"),
    ]


def _outcomes(data: ProgressReport) -> list[Flowable]:
    o, g = data.outcomes, data.growth
    cols = [
        Col("乡镇", 18),
        Col("年末统计户数", 12, "R"),
        Col("脱贫", 9, "R"),
        Col("返贫", 9, "R"),
        Col("贫困", 9, "R"),
        Col("专业户", 9, "R"),
    ]

    def status(r) -> list[str]:
        return [r.name, *(f"{n:,}" for n in (r.households, r.out, r.back, r.poor, r.specialised))]

    growth_cols = [
        Col("乡镇", 18),
        Col("户数", 8, "R"),
        Col("登记时人均纯收入合计", 18, "R"),
        Col("年末人均纯收入合计", 18, "R"),
        Col("增长", 14, "R"),
        Col("增长率", 10, "R"),
    ]

    def growth(r) -> list[str]:
        return [
            r.name,
            f"{r.households:,}",
            money(r.at_registration),
            money(r.at_year_end),
            money(r.growth),
            percent(r.growth_percent),
        ]

    return [
        *layout.keep_with_next(layout.heading(f"八、脱贫成效({data.outcome_year} 年末)")),
        layout.table(
            cols, [status(r) for r in o.rows] or [["—", *[""] * 5]], total=status(o.total)
        ),
        layout.spacer(6),
        layout.para("收入增长(登记时与年末相比)", layout.BODY),
        layout.table(
            growth_cols,
            [growth(r) for r in g.rows] or [["—", *[""] * 5]],
            total=growth(g.total),
        ),
        layout.note("仅计乡镇复核通过的收入;脱贫、返贫按当年贫困线判定。"),
    ]
