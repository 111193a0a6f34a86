"""灾害核销审批表: a disaster, the loans it struck, and the write-offs asked and approved.

The event (name, date, kind, townships), each struck loan with its assessed
loss and the write-off proposed and approved (or the extension granted),
the totals in figures and in 大写, the ground (财发[2008]61号) and evidence,
who proposed and who approved under which document, and signature lines.
Printed on landscape A4: a county form of this kind is wide.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from reportlab.platypus import Flowable

from ledger.labels import DISASTER_KIND, GROUND, PROPOSAL, label
from ledger.read.disasters import DisasterFormData, DisasterLoanLine
from reports import layout
from reports.layout import WIDE, Col, money, money_or_blank

TITLE = "灾害核销审批表"
ZERO = Decimal("0.00")


def render_disaster_form(data: DisasterFormData, *, generated_at: datetime | None = None) -> bytes:
    """The disaster write-off approval form PDF (from `ledger.disasters.disaster_form`)."""
    h = layout.Heading(
        TITLE,
        layout.fund_label(data.fund.name, data.fund.code),
        f"灾害发生日期 {data.occurred_on.isoformat()}",
        generated_at or layout.now(),
        data.name,
    )
    story: list[Flowable] = [
        *layout.title_block(h, "单位:元"),
        layout.facts(
            [
                ("灾害名称", data.name),
                ("灾害编号", data.code),
                ("发生日期", data.occurred_on.isoformat()),
                ("灾害类型", label(DISASTER_KIND, data.kind)),
                ("受灾乡镇", "、".join(data.townships) or "—"),
                ("受灾借款", f"{len(data.lines)} 笔"),
            ],
            columns=3,
            width=WIDE,
            label=0.3,
        ),
        layout.heading("一、受灾借款明细"),
        layout.table(
            [
                Col("序号", 5, "C"),
                Col("登记编号", 19),
                Col("借款人", 10),
                Col("乡镇、村", 18),
                Col("项目", 19),
                Col("已发放", 13, "R"),
                Col("当前借款余额", 13, "R"),
                Col("核定损失", 13, "R"),
                Col("申请核销", 13, "R"),
                Col("批准核销", 13, "R"),
                Col("处理结果", 20),
            ],
            [[str(n), *_line(line)] for n, line in enumerate(data.lines, start=1)],
            total=[
                "合计",
                "",
                "",
                "",
                "",
                money(sum((x.disbursed for x in data.lines), ZERO)),
                money(sum((x.outstanding for x in data.lines), ZERO)),
                money(data.assessed_loss),
                money(data.proposed),
                money(data.approved),
                "",
            ],
            width=WIDE,
            size=7.5,
        ),
        *layout.keep_with_next(layout.heading("二、金额汇总")),
        layout.table(
            [Col("项目", 20), Col("金额(小写)", 20, "R"), Col("金额(大写)", 60)],
            [
                ["核定损失合计", money(data.assessed_loss), layout.in_words(data.assessed_loss)],
                ["申请核销合计", money(data.proposed), layout.in_words(data.proposed)],
                ["批准核销合计", money(data.approved), layout.in_words(data.approved)],
            ],
            width=WIDE * 0.8,
        ),
    ]
    story += _proposals(data)
    story += _decisions(data)
    story.append(
        layout.signatures(
            [
                ("申请单位(乡镇财政所)", ["经办人", "负责人"]),
                ("县扶贫领导组办公室", ["审核人"]),
                ("县财政局", ["审批人"]),
            ],
            width=WIDE,
            intro="审批意见:________________________________________________",
        )
    )
    return layout.build(h, story, wide=True)


def _line(x: DisasterLoanLine) -> list[str]:
    outcome = []
    if x.approved:
        outcome.append("核销已批准")
    if x.pending:
        outcome.append("核销待审批")
    if x.rejected:
        outcome.append(f"核销未批准 {money(x.rejected)}")
    if x.extension_status == "approved" and x.extended_to:
        outcome.append(f"展期至 {x.extended_to.isoformat()}")
    elif x.extension_status:
        outcome.append(f"展期{label(PROPOSAL, x.extension_status)}")
    return [
        x.registration_no,
        x.household,
        f"{x.township} {x.village}",
        x.project,
        money(x.disbursed),
        money(x.outstanding),
        money(x.assessed_loss),
        money_or_blank(x.proposed),
        money_or_blank(x.approved),
        ";".join(outcome) or "未处理",
    ]


def _proposals(data: DisasterFormData) -> list[Flowable]:
    if not data.write_offs:
        return [layout.heading("三、核销申请"), layout.para("尚无核销申请。")]
    rows = [
        [
            w.registration_no,
            w.household,
            money(w.amount),
            f"{label(GROUND, w.ground)}(财发[2008]61号)",
            w.evidence or "—",
            w.reason,
            label(PROPOSAL, w.status),
        ]
        for w in data.write_offs
    ]
    total = [
        "合计",
        f"{len(rows)} 笔",
        money(sum((w.amount for w in data.write_offs), ZERO)),
        "",
        "",
        "",
        "",
    ]
    return [
        *layout.keep_with_next(layout.heading("三、核销申请(核销依据与证明材料)")),
        layout.table(
            [
                Col("登记编号", 18),
                Col("借款人", 9),
                Col("申请核销", 12, "R"),
                Col("核销依据", 32),
                Col("证明材料", 36),
                Col("申请理由", 26),
                Col("状态", 8, "C"),
            ],
            rows,
            total=total,
            width=WIDE,
            size=7.5,
        ),
    ]


def _decisions(data: DisasterFormData) -> list[Flowable]:
    if not data.decisions:
        return []
    rows = []
    for d in data.decisions:
        write_off = d.kind == "write_off"
        rows.append(
            [
                "核销" if write_off else "展期",
                f"{d.count} 笔",
                money(d.amount) if write_off else "",
                layout.in_words(d.amount) if write_off else "",
                f"{d.proposed_by}\n{d.proposed_on.isoformat()}",
                label(PROPOSAL, d.status),
                f"{d.decided_by}\n{layout.day(d.decided_on)}" if d.decided_by else "—",
                d.document_no or "—",
                d.note or "",
            ]
        )
    return [
        *layout.keep_with_next(layout.heading("四、审批情况")),
        layout.table(
            [
                Col("事项", 7, "C"),
                Col("笔数", 7, "R"),
                Col("金额", 13, "R"),
                Col("金额大写", 30),
                Col("申请人、日期", 15),
                Col("状态", 8, "C"),
                Col("审批人、日期", 15),
                Col("批准文号", 20),
                Col("审批意见", 26),
            ],
            rows,
            width=WIDE,
            size=7.5,
        ),
        layout.note(
            "核销后账销案存:借款人的债务和联系人的责任记录保留,日后收回的款项记入核销收回。"
        ),
    ]
