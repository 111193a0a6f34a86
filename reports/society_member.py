"""社员对账单: one member's account with the society, for the member to sign.

Who the member is, the shares bought (入股), refunded (退股) and allocated
(配股, from the fiscal capital, no money), every loan with what is still
owed, each payout, repayment (fee first, then principal) and write-off,
and the dividends declared and still unpaid.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from reportlab.platypus import Flowable

from ledger.programmes.mutual_aid.reads import LOAN_MONEY, MemberStatement
from reports import layout, society_layout
from reports.layout import Col, money, money_or_blank

TITLE = "社员对账单"
REPAID = LOAN_MONEY["repayment"]
ZERO = Decimal("0.00")


def render_member_statement(
    data: MemberStatement, *, generated_at: datetime | None = None
) -> bytes:
    """The member statement PDF (from `ledger.programmes.mutual_aid.reads.member_statement`)."""
    m = data.member
    h = society_layout.heading(
        TITLE, data.society, f"截至 {data.as_of.isoformat()}", generated_at, m.name
    )
    story: list[Flowable] = [
        *layout.title_block(h, "单位:元"),
        layout.heading("一、社员"),
        layout.facts(
            [
                ("姓名", m.name),
                ("身份证号", m.id_number),
                ("建档立卡贫困户", "是" if m.poor else "否"),
                ("联保小组", m.group or "—"),
                ("入社日期", layout.day(m.joined_on)),
                ("退社日期", layout.day(m.left_on) or "—"),
                ("自有股金(入股)", money(m.shares_bought)),
                ("配股", money(m.shares_allocated)),
            ]
        ),
        *_shares(data),
        *_loans(data),
        *_movements(data),
        layout.heading("五、分红"),
        layout.amounts(
            [("已宣告分红合计", data.dividends_declared), ("应付未付分红", data.dividends_unpaid)]
        ),
        layout.signatures(
            [("社员", ["签字(手印)"]), ("互助社(盖章)", ["会计", "出纳"])],
            intro="社员确认:以上股金、借款、还款及分红记录无误。",
        ),
    ]
    return layout.build(h, story)


def _shares(data: MemberStatement) -> list[Flowable]:
    rows = [
        [layout.day(s.on), s.kind, money(s.amount), s.voucher or "(登记,不动用资金)"]
        for s in data.shares
    ]
    return [
        layout.heading("二、股金"),
        layout.table(
            [Col("日期", 18, "C"), Col("事项", 14, "C"), Col("金额", 24, "R"), Col("凭证号", 44)],
            rows or [["—", "无", "", ""]],
            total=["合计", "", money(sum((s.amount for s in data.shares), ZERO)), ""],
        ),
    ]


def _loans(data: MemberStatement) -> list[Flowable]:
    # The fee paid is what the repayments settled: the fee income of a loan is emptied
    # into the year's result at each year end, so its balance is no guide.
    fees_paid: dict[str, Decimal] = {}
    for m in data.movements:
        if m.kind == REPAID:
            fees_paid[m.loan] = fees_paid.get(m.loan, ZERO) + m.fee
    rows = [
        [
            r.no,
            money(r.amount),
            f"{r.term_months} 个月",
            r.purpose,
            layout.day(r.lent_on) or "—",
            layout.day(r.figures.due_on) or "—",
            society_layout.LOAN_STATE[r.figures.state],
            money(r.figures.principal_outstanding),
            money(fees_paid.get(r.no, ZERO)),
            money(r.figures.fee_accrued),
        ]
        for r in data.loans
    ]
    return [
        *layout.keep_with_next(layout.heading("三、借款")),
        layout.table(
            [
                Col("借款编号", 12),
                Col("借款金额", 11, "R"),
                Col("期限", 7, "C"),
                Col("用途", 13),
                Col("放款日", 11, "C"),
                Col("到期日", 11, "C"),
                Col("状态", 8, "C"),
                Col("本金余额", 11, "R"),
                Col("已付占用费", 10, "R"),
                Col("应付未付占用费", 10, "R"),
            ],
            rows or [["—", "无借款", *[""] * 8]],
            size=7.5,
        ),
    ]


def _movements(data: MemberStatement) -> list[Flowable]:
    rows = [
        [
            layout.day(m.on),
            m.voucher,
            m.loan,
            m.kind,
            money_or_blank(m.principal),
            money_or_blank(m.fee),
        ]
        for m in data.movements
    ]
    return [
        *layout.keep_with_next(layout.heading("四、放款、还款与核销")),
        layout.table(
            [
                Col("日期", 14, "C"),
                Col("凭证号", 18),
                Col("借款编号", 16),
                Col("事项", 10, "C"),
                Col("本金", 21, "R"),
                Col("占用费", 21, "R"),
            ],
            rows or [["—", "无", "", "", "", ""]],
        ),
        layout.note(
            "还款先抵应付占用费,再还本金;核销经社员大会和县级主管部门批准,冲减风险准备金。"
        ),
    ]
