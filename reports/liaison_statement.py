"""联系人担保责任单: what a liaison answers for with their salary, and what was deducted.

资金不回收,责任不解除: the loans the liaison answers for and their
outstanding (the exposure), the guarantee calls with their monthly
deduction plans, the deductions received from payroll, and every hand-over
of a loan to or from the liaison.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from reportlab.platypus import Flowable

from ledger.read.guarantees import LiaisonStatementData
from reports import layout
from reports.layout import Col, money

TITLE = "联系人担保责任单"
ZERO = Decimal("0.00")


def render_liaison_statement(
    data: LiaisonStatementData, *, generated_at: datetime | None = None
) -> bytes:
    """The liaison guarantee statement PDF (from `ledger.guarantees.liaison_statement`)."""
    e = data.exposure
    h = layout.Heading(
        TITLE,
        layout.fund_label(data.fund.name, data.fund.code),
        f"截至 {data.as_of.isoformat()}",
        generated_at or layout.now(),
        f"{e.name}({data.township_name})",
    )
    cap = (e.monthly_salary * data.deduction_cap).quantize(Decimal("0.01"))
    story: list[Flowable] = [
        *layout.title_block(h, "单位:元"),
        layout.para(
            "根据借款责任书,行政联系人负责督促所联系农户按期还款,并以本人工资为借款提供担保:"
            "借款逾期经批准代偿的,按月从工资中代扣,每月代扣不超过月工资的"
            f" {(data.deduction_cap * 100).normalize():f}%。资金不回收,责任不解除。"
        ),
        layout.heading("一、联系人"),
        layout.facts(
            [
                ("姓名", e.name),
                ("所在乡镇", f"{data.township_name}({e.township})"),
                ("联系电话", data.phone or "—"),
                ("月工资", money(e.monthly_salary)),
                ("每月代扣上限", money(cap)),
                ("所担保借款", f"{len(e.loans)} 笔"),
            ]
        ),
        layout.heading("二、担保责任"),
        layout.table(
            [Col("项目", 26), Col("金额", 22, "R"), Col("大写", 52)],
            [
                ["担保责任余额(所担保借款余额)", money(e.exposure), layout.in_words(e.exposure)],
                ["其中:已到期未还", money(e.overdue_amount), layout.in_words(e.overdue_amount)],
                ["累计担保代偿", money(e.called), layout.in_words(e.called)],
                ["累计工资代扣到账", money(e.deducted), layout.in_words(e.deducted)],
            ],
            total=["尚欠代偿款", money(e.owed), layout.in_words(e.owed)],
        ),
    ]
    story += _loans(data)
    story += _calls(data)
    story += _history(data)
    story.append(
        layout.signatures(
            [
                ("联系人", ["签字确认"]),
                (f"{data.township_name}人民政府(盖章)", ["经办人"]),
                ("县扶贫领导组办公室(盖章)", ["经办人"]),
            ],
            intro=f"联系人确认:以上 {len(e.loans)} 笔借款由本人联系并以工资担保,"
            f"担保责任余额 {money(e.exposure)} 元;资金不回收,责任不解除。",
        )
    )
    return layout.build(h, story)


def _loans(data: LiaisonStatementData) -> list[Flowable]:
    rows = [
        [
            r.registration_no,
            r.household,
            r.village,
            r.project,
            money(r.outstanding),
            str(r.overdue_days) if r.overdue_days else "",
            money(r.overdue_amount) if r.overdue_amount else "",
        ]
        for r in data.loans
    ]
    total = [
        "合计",
        f"{len(data.loans)} 笔",
        "",
        "",
        money(sum((r.outstanding for r in data.loans), ZERO)),
        "",
        money(sum((r.overdue_amount for r in data.loans), ZERO)),
    ]
    return [
        *layout.keep_with_next(layout.heading("三、所担保借款")),
        layout.table(
            [
                Col("登记编号", 25),
                Col("借款人", 14),
                Col("村", 18),
                Col("项目", 27),
                Col("借款余额", 18, "R"),
                Col("逾期天数", 10, "R"),
                Col("逾期金额", 18, "R"),
            ],
            rows,
            total=total,
        ),
    ]


def _calls(data: LiaisonStatementData) -> list[Flowable]:
    out: list[Flowable] = [*layout.keep_with_next(layout.heading("四、担保代偿与工资代扣"))]
    if not data.calls and not data.deductions:
        return [*out, layout.para("无担保代偿。")]
    if data.calls:
        out.append(
            layout.table(
                [
                    Col("代偿日期", 16, "C"),
                    Col("借款", 25),
                    Col("借款人", 14),
                    Col("代偿金额", 18, "R"),
                    Col("每月代扣上限", 18, "R"),
                    Col("凭证号", 24, "C"),
                    Col("批准人", 14),
                ],
                [
                    [
                        layout.day(c.called_on),
                        c.registration_no,
                        c.household,
                        money(c.amount),
                        money(c.monthly_cap),
                        c.voucher,
                        c.called_by,
                    ]
                    for c in data.calls
                ],
                total=[
                    "合计",
                    f"{len(data.calls)} 笔",
                    "",
                    money(sum((c.amount for c in data.calls), ZERO)),
                    "",
                    "",
                    "",
                ],
            )
        )
        plans = [(c, p) for c in data.calls for p in c.plan]
        if plans:
            out += [
                layout.spacer(4),
                layout.para("代扣计划:", layout.BODY),
                layout.table(
                    [
                        Col("借款", 30),
                        Col("期次", 10, "C"),
                        Col("代扣月份", 18, "C"),
                        Col("计划代扣", 20, "R"),
                    ],
                    [[c.registration_no, str(p.seq), p.month, money(p.amount)] for c, p in plans],
                    total=["合计", "", "", money(sum((p.amount for _, p in plans), ZERO))],
                    width=layout.WIDTH * 0.7,
                ),
            ]
    out += [
        layout.spacer(4),
        layout.para("工资代扣到账:", layout.BODY),
        layout.table(
            [
                Col("到账日期", 18, "C"),
                Col("金额", 20, "R"),
                Col("凭证号", 26, "C"),
                Col("经办", 16),
            ],
            [
                [layout.day(d.received_on), money(d.amount), d.voucher, d.recorded_by]
                for d in data.deductions
            ],
            total=["合计", money(sum((d.amount for d in data.deductions), ZERO)), "", ""],
            width=layout.WIDTH * 0.7,
        ),
    ]
    return out


def _history(data: LiaisonStatementData) -> list[Flowable]:
    if not data.history:
        return [layout.heading("五、责任移交记录"), layout.para("无移交。")]
    own = data.exposure.liaison_id
    rows = [
        [
            x.registration_no,
            x.household,
            layout.day(x.effective_on),
            x.liaison + ("(本人)" if x.liaison_id == own else ""),
            x.reason,
        ]
        for x in data.history
    ]
    return [
        *layout.keep_with_next(layout.heading("五、责任移交记录")),
        layout.table(
            [
                Col("登记编号", 24),
                Col("借款人", 14),
                Col("生效日期", 16, "C"),
                Col("负责的联系人", 18),
                Col("原因", 40),
            ],
            rows,
        ),
        layout.note("移交后原联系人的责任记录保留(不脱钩),按生效日期确定各时期的担保人。"),
    ]
