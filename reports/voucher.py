"""记账凭证: vouchers as printed for the binder, several to a page with cut lines.

Each voucher shows its number, date, business and lines (summary, account
and sub-account, debit, credit) with the total in figures and in 大写. A
red-ink reversal (红字冲销) prints its amounts in red, as negative numbers so
a black-and-white copy still reads right, and names the voucher it reverses;
a reversed voucher names the reversal.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from reportlab.platypus import Flowable, KeepTogether
from reportlab.platypus.flowables import HRFlowable

from ledger.labels import KIND, SOURCE, label
from ledger.read.journals import VoucherData, VoucherPrint
from reports import layout
from reports.layout import RED, Col, money_or_blank

TITLE = "记账凭证"
ZERO = Decimal("0.00")


def render_vouchers(data: VoucherData, *, generated_at: datetime | None = None) -> bytes:
    """Voucher prints, each kept whole on a page (from `ledger.journals.voucher_prints`)."""
    days = sorted({v.view.posted_on for v in data.vouchers})
    if not days:
        period = "无凭证"
    elif days[0] == days[-1]:
        period = f"凭证日期 {days[0].isoformat()}"
    else:
        period = f"凭证日期 {days[0].isoformat()} 至 {days[-1].isoformat()}"
    subject = (
        data.vouchers[0].view.voucher if len(data.vouchers) == 1 else f"{len(data.vouchers)} 张"
    )
    h = layout.Heading(
        TITLE,
        layout.fund_label(data.fund.name, data.fund.code),
        period,
        generated_at or layout.now(),
        subject,
    )
    story: list[Flowable] = []
    for n, voucher in enumerate(data.vouchers):
        if n:  # vouchers share a page, cut apart along the dashed line
            story += [
                layout.spacer(8),
                HRFlowable(width="100%", thickness=0.5, color=layout.RULE, dash=(4, 3)),
                layout.spacer(8),
            ]
        story += _voucher(voucher)
    if not story:
        story = [layout.para("没有符合条件的凭证。")]
    return layout.build(h, story)


def _account(voucher: VoucherPrint, account: str) -> tuple[str, str]:
    code, _, key = account.partition("/")
    chart_name, sub_name = voucher.account_names.get(account, ("", ""))
    if not key:
        return f"{code} {chart_name}", ""
    if code == "3001":
        sub_name = label(SOURCE, key)
    return f"{code} {chart_name}", f"{key} {sub_name}".strip()


def _voucher(voucher: VoucherPrint) -> list[Flowable]:
    v = voucher.view
    red = v.red
    title = "记 账 凭 证" + ("(红字冲销)" if red else "")
    debit = sum((line.debit for line in v.lines), ZERO)
    credit = sum((line.credit for line in v.lines), ZERO)
    rows = []
    for n, line in enumerate(v.lines):
        account, sub = _account(voucher, line.account)
        rows.append(
            [
                v.memo if n == 0 else "",
                account,
                sub,
                money_or_blank(line.debit),
                money_or_blank(line.credit),
            ]
        )
    span = len(rows)
    table = layout.table(
        [
            Col("摘要", 30),
            Col("总账科目", 22),
            Col("明细科目", 28),
            Col("借方金额", 20, "R"),
            Col("贷方金额", 20, "R"),
        ],
        rows,
        total=[f"合计:{layout.in_words(debit)}", "", "", layout.money(debit), layout.money(credit)],
        size=8.5,
        styles=[
            ("SPAN", (0, 1), (0, span)),
            ("VALIGN", (0, 1), (0, span), "TOP"),
            ("SPAN", (0, span + 1), (2, span + 1)),
            *([("TEXTCOLOR", (3, 1), (4, -1), RED)] if red else []),
        ],
    )
    style = layout.TITLE if not red else layout.red_style(layout.TITLE)
    parts: list[Flowable] = [
        layout.para(title, style),
        layout.facts(
            [
                ("凭证号", v.voucher),
                ("日期", v.posted_on.isoformat()),
                ("业务", label(KIND, v.kind)),
                ("附单据", "      张"),
            ],
            columns=4,
            label=0.38,
        ),
        layout.spacer(3),
        table,
    ]
    if red:
        original = voucher.original_posted_on
        parts.append(
            layout.para(
                f"本凭证为红字冲销凭证,冲销 {v.reverses} 号凭证"
                + (f"({original.isoformat()},原摘要:{voucher.original_memo})" if original else "")
                + ";红字金额为负数,冲回原凭证的借贷发生额。",
                layout.red_style(layout.BODY),
            )
        )
    if v.reversed_by:
        parts.append(layout.para(f"本凭证已被 {v.reversed_by} 号凭证红字冲销。", layout.BODY))
    parts.append(
        layout.signatures(
            [("", ["会计主管"]), ("", ["记账"]), ("", ["审核"]), ("", [("制单", v.recorded_by)])],
            dated=False,
        )
    )
    return [KeepTogether(parts)]
