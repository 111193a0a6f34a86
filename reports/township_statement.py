"""乡镇周转金对账单: the county's book of a township's account, for the township to sign.

The 1011/<township> account movement by movement for the period with its
opening and closing balances, the township check of SPEC §10 (what the
township was sent = what it holds in cash and loans), the households'
balances behind it, and two signature lines: the county settlement centre
and the township finance office.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from ledger.labels import KIND, label
from ledger.read.fund import TownshipStatementData
from ledger.reconciliation import TownshipReconciliation
from reports import layout
from reports.layout import Col, money, money_or_blank
from reports.reconciliation import township_check

TITLE = "乡镇周转金对账单"
ZERO = Decimal("0.00")

MOVEMENT_COLS = [
    Col("日期", 17, "C"),
    Col("凭证号", 24, "C"),
    Col("业务", 15, "C"),
    Col("摘要", 44),
    Col("借方(拨入、收回)", 22, "R"),
    Col("贷方(发放、上缴)", 22, "R"),
    Col("余额", 22, "R"),
]


def render_township_statement(
    data: TownshipStatementData,
    *,
    generated_at: datetime | None = None,
    checked: TownshipReconciliation | None = None,
) -> bytes:
    """The reconciliation statement PDF (from `ledger.fund.township_statement`);
    `checked`: the township's uploaded book matched with it, printed as the last section."""
    subject = f"{data.name}({data.township})"
    h = layout.Heading(
        TITLE,
        layout.fund_label(data.fund.name, data.fund.code),
        layout.period_label(data.from_, data.to),
        generated_at or layout.now(),
        subject,
    )
    story: list[Flowable] = [
        *layout.title_block(h, "单位:元"),
        layout.para(
            f"{data.name}财政所:现将县财政结算中心所记“1011 乡镇周转金—{data.name}”账户"
            f"{layout.period_label(data.from_, data.to)}的逐笔记录及余额列示如下,请与贵所账簿"
            "核对,并在下方签署核对意见后盖章退回。",
            layout.BODY,
        ),
        layout.heading("一、账户明细"),
        layout.table(
            MOVEMENT_COLS,
            [
                ["", "", "", "期初余额", "", "", money(data.opening)],
                *(
                    [
                        layout.day(line.posted_on),
                        line.voucher,
                        label(KIND, line.kind),
                        line.memo,
                        money_or_blank(line.debit),
                        money_or_blank(line.credit),
                        money(line.balance),
                    ]
                    for line in data.lines
                ),
            ],
            total=[
                "本期合计",
                "",
                "",
                f"{len(data.lines)} 笔;期末余额",
                money(data.debit),
                money(data.credit),
                money(data.closing),
            ],
            red_rows=[i + 1 for i, line in enumerate(data.lines) if line.red],
        ),
        layout.para(f"期末余额大写:{layout.in_words(data.closing)}", layout.BODY),
        layout.note("红色为红字冲销凭证(负数),冲回原凭证的金额。"),
    ]
    story += _check(data)
    story.append(
        layout.signatures(
            [
                ("县财政结算中心(盖章)", ["经办人", "负责人"]),
                (f"{data.name}财政所(盖章)", ["经办人", "负责人"]),
            ],
            intro="核对意见:□ 相符    □ 不符(差异情况另附说明)",
        )
    )
    story += _loans(data)
    if checked is not None:
        story += township_check(checked)
    return layout.build(h, story)


def _check(data: TownshipStatementData) -> list[Flowable]:
    p = data.position
    sent = p.allocated - p.remitted + p.fees + p.recoveries
    held = p.cash + p.loans_outstanding + p.guarantee_called + p.written_off
    rows = [
        ["县拨付周转金", money(p.allocated), "库存周转金(1011 余额)", money(p.cash)],
        ["减:上缴县专户", money(p.remitted), "农户借款余额", money(p.loans_outstanding)],
        ["加:资金占用费", money(p.fees), "转联系人担保代偿", money(p.guarantee_called)],
        ["加:核销收回", money(p.recoveries), "经批准核销", money(p.written_off)],
    ]
    verdict = "相符" if p.balanced else f"不符,差额 {money(sent - held)} 元"
    return [
        *layout.keep_with_next(
            layout.heading(f"二、乡镇资金平衡核对(截至 {data.to.isoformat()})"), room=55 * mm
        ),
        layout.table(
            [
                Col("县拨付与上缴", 30),
                Col("金额", 20, "R"),
                Col("乡镇持有与占用", 30),
                Col("金额", 20, "R"),
            ],
            rows,
            total=["应有资金", money(sent), "实有资金", money(held)],
        ),
        layout.para(
            f"核对结果:{verdict}。借款 {p.loans} 户,其中逾期 {p.overdue_loans} 户;"
            f"待处理(核销)金额 {money(p.pending_write_off)} 元仍含在借款余额中。",
            layout.BODY,
        ),
    ]


LOAN_COLS = [
    Col("登记编号", 25),
    Col("借款人", 13),
    Col("村", 16),
    Col("项目", 24),
    Col("已发放", 17, "R"),
    Col("已还款", 17, "R"),
    Col("代偿、核销", 16, "R"),
    Col("借款余额", 17, "R"),
    Col("逾期天数", 10, "R"),
]


def _loans(data: TownshipStatementData) -> list[Flowable]:
    rows = [
        [
            r.registration_no,
            r.household,
            r.village,
            r.project,
            money(r.figures.disbursed),
            money(r.figures.repaid),
            money_or_blank(r.figures.guarantee_called + r.figures.written_off),
            money(r.outstanding),
            str(r.overdue_days) if r.overdue_days else "",
        ]
        for r in data.loans
    ]
    total = [
        "合计",
        f"{len(data.loans)} 户",
        "",
        "",
        money(sum((r.figures.disbursed for r in data.loans), ZERO)),
        money(sum((r.figures.repaid for r in data.loans), ZERO)),
        money(sum((r.figures.guarantee_called + r.figures.written_off for r in data.loans), ZERO)),
        money(sum((r.outstanding for r in data.loans), ZERO)),
        "",
    ]
    return [
        *layout.keep_with_next(layout.heading("附表:借款户余额明细")),
        layout.table(LOAN_COLS, rows, total=total, size=7.5),
    ]
