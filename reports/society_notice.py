"""借款公示表: the loans a society's committee is about to approve, posted in the village.

Each row is a member's application on notice: who (name and group, never
the ID number: the list hangs on a wall), how much, for how long and what
for, the day it was posted and the first day the committee may approve it
(the 章程's notice days later). Below the list, how to object and the
signatures of the society's committee.
"""

from __future__ import annotations

from datetime import datetime

from ledger.programmes.mutual_aid.reads import LoanNotice
from reports import layout, society_layout
from reports.layout import Col, money

TITLE = "借款公示表"

COLS = [
    Col("借款编号", 12),
    Col("借款人", 10),
    Col("联保小组", 9, "C"),
    Col("贫困户", 6, "C"),
    Col("借款金额(元)", 12, "R"),
    Col("期限", 7, "C"),
    Col("占用费率", 9, "C"),
    Col("用途", 18),
    Col("公示日", 11, "C"),
    Col("可审批日", 11, "C"),
]


def render_loan_notice(data: LoanNotice, *, generated_at: datetime | None = None) -> bytes:
    """The notice PDF (from `ledger.programmes.mutual_aid.reads.loan_notice`)."""
    h = society_layout.heading(
        TITLE, data.society, f"截至 {data.as_of.isoformat()}", generated_at, f"{len(data.rows)} 笔"
    )
    rows = [
        [
            r.no,
            r.member,
            r.group or "—",
            "是" if r.poor else "",
            money(r.amount),
            f"{r.term_months} 个月",
            society_layout.rate(r.fee_rate_monthly),
            r.purpose,
            layout.day(r.noticed_on),
            layout.day(r.approvable_on),
        ]
        for r in data.rows
    ]
    total = ["合计", f"{len(rows)} 笔", "", "", money(sum(r.amount for r in data.rows)), *[""] * 5]
    days = sorted({r.notice_days for r in data.rows})
    story = [
        *layout.title_block(h, "单位:元"),
        layout.para(
            f"下列社员申请借用本社互助资金,经本社受理,现予公示。公示期 "
            f"{'、'.join(str(d) for d in days) or '—'} 天(按借款申请时的章程),"
            "公示期满无异议的,由理事会审批后发放。"
        ),
        layout.table(COLS, rows or [["—", "无公示中的借款", *[""] * 8]], total=total),
        layout.para(
            "社员对公示的借款有异议的,请在可审批日之前向本社监事会或理事会实名反映;"
            "借款由联保小组成员相互担保,小组有逾期借款的,组员不得借款。"
        ),
        layout.signatures([("", ["理事长"]), ("", ["监事长"]), ("", ["经办人(会计)"])]),
    ]
    return layout.build(h, story)
