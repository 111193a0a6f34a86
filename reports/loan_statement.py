"""借款人对账单: one household's loan, for the household and the township to sign.

The borrower and the three numbers that must be one (申请书 / 合同书 / 借据 =
登记编号), the amounts in figures and in 大写, the repayment schedule with
what is paid of each instalment, every movement of the loan account
(1101/<registration no>), who answers for it, and its history.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from reportlab.platypus import Flowable

from ledger.labels import ACTION, KIND, STATUS, label
from ledger.read.loans import LoanStatementData
from reports import layout
from reports.layout import Col, money, money_or_blank

TITLE = "借款人对账单"
#: The schedule's amount columns, in order: what is due, what settled it, what is left.
SCHEDULE_AMOUNTS = ("amount", "repaid", "guarantee_called", "written_off", "unpaid")
ZERO = Decimal("0.00")


def render_loan_statement(
    data: LoanStatementData, *, generated_at: datetime | None = None
) -> bytes:
    """The household loan statement PDF (from `ledger.loans.loan_statement`)."""
    v = data.view
    r = v
    h = layout.Heading(
        TITLE,
        layout.fund_label(data.fund.name, data.fund.code),
        f"截至 {data.as_of.isoformat()}",
        generated_at or layout.now(),
        f"{r.household} {r.registration_no}",
    )
    story: list[Flowable] = [
        *layout.title_block(h, "单位:元"),
        layout.heading("一、借款人与借款"),
        layout.facts(
            [
                ("借款人", r.household),
                ("身份证号", r.id_number),
                ("乡镇", f"{r.township_name}({r.township})"),
                ("村", r.village),
                ("批次", f"第 {r.batch} 批"),
                ("项目类型", data.project_type),
                ("项目", r.project),
                ("状态", label(STATUS, r.status) + ("(已展期)" if r.extended else "")),
                ("行政联系人", data.liaison or "—"),
                ("技术负责人", v.technical_lead or "—"),
            ]
        ),
        layout.heading("二、三线合一"),
        layout.table(
            [
                Col("登记编号", 20),
                Col("申请书编号", 20),
                Col("合同书编号", 20),
                Col("借据编号", 20),
                Col("核对结果", 20, "C"),
            ],
            [
                [
                    r.registration_no,
                    v.application_no,
                    v.contract_no or "(未签)",
                    v.iou_no or "(未签)",
                    "三线合一" if not v.three_line_problems else "不合一",
                ]
            ],
        ),
    ]
    if v.three_line_problems:
        story.append(layout.para("不合一原因:" + ";".join(zh for zh, _ in v.three_line_problems)))
    story += _amounts(data)
    story += _schedule(data)
    story += _movements(data)
    story += _people(data)
    story.append(
        layout.signatures(
            [
                ("借款人", ["签字(手印)"]),
                (f"{r.township_name}财政所(盖章)", ["经办人"]),
            ],
            intro="借款人确认:以上借款、还款记录及借款余额无误。",
        )
    )
    return layout.build(h, story)


def _amounts(data: LoanStatementData) -> list[Flowable]:
    v = data.view
    f = v.figures
    rows = [
        ("申请金额", v.requested),
        ("审定金额", v.approved),
        ("已发放", f.disbursed),
        ("已还款", f.repaid),
        ("联系人担保代偿", f.guarantee_called),
        ("已核销", f.written_off),
        ("借款余额", f.outstanding),
    ]
    body = [[name, money(amount), layout.in_words(amount)] for name, amount in rows]
    notes = []
    if v.pending_write_off:
        notes.append(f"待处理(核销)申请 {money(v.pending_write_off)} 元,审批前仍计入借款余额")
    if v.overdue_days:
        notes.append(
            f"逾期 {v.overdue_days:,} 天,已到期未还 {money(v.overdue_amount)} 元"
            f"(大写 {layout.in_words(v.overdue_amount)})"
        )
    else:
        notes.append("无逾期")
    return [
        layout.heading("三、借款金额"),
        layout.table(
            [Col("项目", 22), Col("金额", 22, "R"), Col("大写", 56)],
            body[:-1],
            total=body[-1],
        ),
        layout.para(";".join(notes) + "。"),
    ]


def _schedule(data: LoanStatementData) -> list[Flowable]:
    v = data.view
    if not v.schedule:
        return [layout.heading("四、还款计划"), layout.para("尚无还款计划。")]
    version = v.schedule_version or 1
    # A later version is an extension's (展期) or, with none, a recall's (提前收回).
    changed = "展期" if v.extended else "提前收回"
    title = "四、还款计划" + (f"(第 {version} 版,{changed}后)" if version > 1 else "")
    rows = [
        [
            str(i.seq),
            layout.day(i.due_date),
            *(money(getattr(i, column)) for column in SCHEDULE_AMOUNTS),
            i.label,
        ]
        for i in v.schedule
    ]
    total = [
        "合计",
        "",
        *(money(sum((getattr(i, c) for i in v.schedule), ZERO)) for c in SCHEDULE_AMOUNTS),
        "",
    ]
    return [
        *layout.keep_with_next(layout.heading(title)),
        layout.table(
            [
                Col("期次", 6, "C"),
                Col("到期日", 13, "C"),
                Col("应还本金", 13, "R"),
                Col("已还", 12, "R"),
                Col("担保代偿", 12, "R"),
                Col("已核销", 12, "R"),
                Col("未还", 13, "R"),
                Col("状态", 19, "C"),
            ],
            rows,
            total=total,
        ),
        layout.note(
            "还款、担保代偿和核销按业务日期先后、先到期先归还的顺序冲抵各期本金。"
            + (f"{changed}前已归还的本金不在本计划内。" if version > 1 else "")
        ),
    ]


def _movements(data: LoanStatementData) -> list[Flowable]:
    lines = data.movements
    rows = [
        [
            layout.day(line.posted_on),
            line.voucher,
            label(KIND, line.kind),
            line.memo,
            money_or_blank(line.debit),
            money_or_blank(line.credit),
            money(line.balance),
        ]
        for line in lines
    ]
    total = [
        "合计",
        "",
        "",
        f"{len(lines)} 笔",
        money(sum((line.debit for line in lines), ZERO)),
        money(sum((line.credit for line in lines), ZERO)),
        money(lines[-1].balance if lines else data.opening),
    ]
    return [
        *layout.keep_with_next(layout.heading("五、借款往来明细(1101 农户借款)")),
        layout.table(
            [
                Col("日期", 16, "C"),
                Col("凭证号", 24, "C"),
                Col("业务", 14, "C"),
                Col("摘要", 40),
                Col("借方(发放)", 20, "R"),
                Col("贷方(还款、代偿、核销)", 22, "R"),
                Col("余额", 20, "R"),
            ],
            rows,
            total=total,
            red_rows=[i for i, line in enumerate(lines) if line.red],
        ),
    ]


def _people(data: LoanStatementData) -> list[Flowable]:
    v = data.view
    out: list[Flowable] = []
    if v.liaisons:
        out += [
            *layout.keep_with_next(layout.heading("六、行政联系人(担保人)")),
            layout.table(
                [Col("生效日期", 18, "C"), Col("联系人", 20), Col("原因", 62)],
                [[layout.day(a.effective_on), a.liaison, a.reason] for a in v.liaisons],
            ),
            layout.note("联系人以本人工资担保所联系的借款,资金不回收,责任不解除;移交后历史保留。"),
        ]
    if v.history:
        out += [
            *layout.keep_with_next(layout.heading("七、办理记录")),
            layout.table(
                [
                    Col("日期", 16, "C"),
                    Col("事项", 16),
                    Col("状态", 14, "C"),
                    Col("经办", 14),
                    Col("说明", 44),
                    Col("凭证号", 22, "C"),
                ],
                [
                    [
                        layout.day(e.on),
                        label(ACTION, e.action),
                        label(STATUS, e.to_status),
                        e.actor,
                        e.note,
                        e.voucher or "",
                    ]
                    for e in v.history
                ],
                size=7.5,
            ),
        ]
    return out
