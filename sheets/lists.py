"""The web pages' smaller lists as XLSX: liaisons, disasters, proposals, write-offs, periods."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ledger.labels import DISASTER_KIND, PROPOSAL, label
from ledger.read.disasters import DisasterRow
from ledger.read.guarantees import LiaisonTotals
from sheets.tables import Col, Sheet, table_xlsx, workbook_xlsx


def liaisons_xlsx(people: Iterable[LiaisonTotals]) -> bytes:
    cols = (
        Col("联系人", 10),
        Col("乡镇", 12),
        Col("月工资", 12, True),
        Col("担保笔数", 8),
        Col("担保余额", 14, True),
        Col("其中逾期", 14, True),
        Col("已代偿", 12, True),
        Col("已扣工资", 12, True),
        Col("尚欠", 12, True),
    )
    rows = (
        (
            p.name,
            p.township,
            p.monthly_salary,
            p.loans,
            p.exposure,
            p.overdue_amount,
            p.called,
            p.deducted,
            p.owed,
        )
        for p in people
    )
    return table_xlsx("行政联系人", cols, rows)


def disasters_xlsx(events: Iterable[DisasterRow]) -> bytes:
    cols = (
        Col("编号", 10),
        Col("名称", 16),
        Col("日期", 12),
        Col("类别", 8),
        Col("受灾乡镇", 40),
        Col("损失核定户数", 10),
        Col("核定损失", 14, True),
    )
    rows = (
        (
            e.code,
            e.name,
            e.date,
            label(DISASTER_KIND, e.kind),
            "、".join(e.townships),
            e.losses,
            e.assessed_loss,
        )
        for e in events
    )
    return table_xlsx("灾害", cols, rows)


PROPOSAL_COLS = (
    Col("申请", 8),
    Col("对象", 20),
    Col("金额", 12, True),
    Col("原因", 30),
    Col("申请人", 10),
    Col("申请日期", 12),
    Col("状态", 8),
)


def proposals_xlsx(waiting: Mapping[str, Sequence[Any]], titles: Mapping[str, str]) -> bytes:
    """One sheet per kind of proposal (核销, 展期, 项目变更, 冲销)."""
    return workbook_xlsx(
        *(
            Sheet(
                titles[kind],
                PROPOSAL_COLS,
                [
                    (
                        row.id,
                        getattr(row, "loan", None) or getattr(row, "journal", ""),
                        getattr(row, "amount", None),
                        row.reason,
                        row.proposed_by,
                        row.proposed_on,
                        label(PROPOSAL, row.status.value),
                    )
                    for row in rows
                ],
            )
            for kind, rows in waiting.items()
        )
    )


def write_offs_xlsx(title: str, rows: Iterable[Any]) -> bytes:
    """Write-off proposals with their decisions (a disaster's, say)."""
    cols = (
        Col("申请", 8),
        Col("借款", 20),
        Col("乡镇", 12),
        Col("金额", 12, True),
        Col("状态", 8),
        Col("申请人", 10),
        Col("审批人", 10),
        Col("批文号", 16),
        Col("凭证", 18),
    )
    return table_xlsx(
        title,
        cols,
        (
            (
                row.id,
                row.loan,
                row.township,
                row.amount,
                label(PROPOSAL, row.status.value),
                row.proposed_by,
                row.decided_by or "",
                row.document_no or "",
                row.voucher or "",
            )
            for row in rows
        ),
    )


def periods_xlsx(rows: Iterable[Any]) -> bytes:
    """Months closed (and reopened), by whom and when."""
    cols = (
        Col("期间", 10),
        Col("状态", 10),
        Col("结账人", 10),
        Col("结账时间", 20),
        Col("反结账人", 10),
        Col("反结账时间", 20),
        Col("反结账原因", 30),
    )
    return table_xlsx(
        "会计期间",
        cols,
        (
            (
                row.period,
                "已结账" if row.closed else "已反结账",
                row.closed_by or "",
                _naive(row.closed_at),
                row.reopened_by or "",
                _naive(row.reopened_at),
                row.reopen_reason or "",
            )
            for row in rows
        ),
        totals=False,
    )


def _naive(moment: Any) -> Any:
    """Excel has no time zones: a timestamp is written as UTC wall time."""
    return None if moment is None else moment.replace(tzinfo=None)
