"""Plan against actual (计划完成情况) as XLSX: the page's table, row for row."""

from __future__ import annotations

from ledger.read.plans import PlanActualRow, PlanAgainstActual
from sheets.tables import Col, table_xlsx

COLS = (
    Col("乡镇", 12),
    Col("批次", 16),
    Col("计划户数", 9),
    Col("计划金额", 14, True),
    Col("登记户数", 9),
    Col("登记金额", 14, True),
    Col("审定户数", 9),
    Col("审定金额", 14, True),
    Col("发放户数", 9),
    Col("发放金额", 14, True),
    Col("发放占计划 %", 12),
)


def _row(row: PlanActualRow) -> tuple[object, ...]:
    return (
        row.township_name,
        row.batch_name or ("小计" if row.township else ""),
        row.planned.households,
        row.planned.amount,
        row.registered.households,
        row.registered.amount,
        row.approved.households,
        row.approved.amount,
        row.disbursed.households,
        row.disbursed.amount,
        row.disbursed_share,
    )


def plan_against_actual_xlsx(report: PlanAgainstActual) -> bytes:
    """Each township's batch rows, then its 小计, and the read's own 合计 last.

    The totals are the read's, not sums of the rows: a household with loans
    in two batches is one household in its township's 小计.
    """
    rows = [
        _row(r)
        for town in report.townships
        for r in (*(r for r in report.rows if r.township == town.township), town)
    ]
    return table_xlsx(
        f"{report.year}年计划完成情况", COLS, [*rows, _row(report.total)], totals=False
    )
