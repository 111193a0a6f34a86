"""Reconciliation results as XLSX: the balances, then every line with its verdict."""

from __future__ import annotations

from ledger.labels import kind_label
from ledger.reconciliation import (
    BankReconciliation,
    Matching,
    TownshipReconciliation,
    verdict_rows,
)
from sheets.tables import Col, Sheet, workbook_xlsx

LINE_COLS = (
    Col("结果", 10),
    Col("日期", 12),
    Col("业务", 14),
    Col("借据号", 18),
    Col("县账凭证", 18),
    Col("县账金额", 14, True),
    Col("对方金额", 14, True),
    Col("对方行号", 10),
    Col("对方摘要", 20),
)
SUMMARY_COLS = (Col("项目", 28), Col("金额", 16, True))


def _lines(m: Matching) -> Sheet:
    return Sheet(
        "逐笔核对",
        LINE_COLS,
        (
            (
                verdict,
                (ours or theirs).on,  # type: ignore[union-attr]
                kind_label((ours or theirs).kind),  # type: ignore[union-attr]
                (ours or theirs).iou,  # type: ignore[union-attr]
                ours.voucher if ours else None,
                ours.amount if ours else None,
                theirs.amount if theirs else None,
                theirs.row if theirs else None,
                theirs.reference if theirs else None,
            )
            for verdict, ours, theirs in verdict_rows(m)
        ),
        totals=False,
    )


def township_reconciliation_xlsx(data: TownshipReconciliation) -> bytes:
    summary = (
        ("县账期初余额", data.county_opening),
        ("县账期末余额", data.county_closing),
        ("乡镇账期初余额", data.township_opening),
        ("乡镇账期末余额", data.township_closing),
    )
    return workbook_xlsx(
        Sheet(f"{data.name}对账", SUMMARY_COLS, summary, totals=False), _lines(data.matching)
    )


def bank_reconciliation_xlsx(data: BankReconciliation) -> bytes:
    summary = (
        ("单位账面余额", data.book_balance),
        ("加:银行已收、单位未收", data.bank_in_not_booked),
        ("减:银行已付、单位未付", data.bank_out_not_booked),
        ("调节后的账面余额", data.adjusted_book),
        ("银行对账单余额", data.statement_balance),
        ("加:单位已收、银行未收", data.booked_in_not_at_bank),
        ("减:单位已付、银行未付", data.booked_out_not_at_bank),
        ("调节后的银行余额", data.adjusted_statement),
    )
    return workbook_xlsx(
        Sheet("银行存款余额调节表", SUMMARY_COLS, summary, totals=False), _lines(data.matching)
    )
