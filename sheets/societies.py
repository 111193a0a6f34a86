"""A society's lists as XLSX: the county's societies side by side, members, groups, loans
and expenses, from the same reads the API answers with (`mutual_aid.reads`), on the
shared sheet layout (`sheets.tables`: money as exact numbers, a 合计 row, and typed text
never written as a formula)."""

from __future__ import annotations

from collections.abc import Iterable

from ledger.labels import SOCIETY_LOAN_STATE, label
from ledger.programmes.mutual_aid.reads import (
    ExpenseRow,
    GroupMembers,
    LoanRow,
    MemberFigures,
    SocietyRow,
)
from sheets.tables import Col, table_xlsx


def yes_no(flag: bool) -> str:
    return "是" if flag else "否"


def societies_xlsx(rows: Iterable[SocietyRow]) -> bytes:
    cols = (
        Col("互助社代码", 16),
        Col("互助社", 24),
        Col("区县", 10),
        Col("乡镇", 12),
        Col("村", 12),
        Col("财政扶贫资金", 14, True),
        Col("社员互助金", 14, True),
        Col("捐赠资金", 12, True),
        Col("公积金等储备", 14, True),
        Col("社员数", 8),
        Col("贫困社员", 8),
        Col("借款余额", 14, True),
        Col("逾期", 12, True),
        Col("本年占用费", 12, True),
        Col("银行存款", 14, True),
    )
    return table_xlsx(
        "互助社一览",
        cols,
        (
            (
                r.society.fund,
                r.society.name,
                r.society.county_name,
                r.society.township or "",
                r.society.village or "",
                r.fiscal_capital,
                r.member_shares,
                r.donations,
                r.reserves,
                r.members,
                r.poor_members,
                r.loans_outstanding,
                r.overdue,
                r.fee_income,
                r.bank,
            )
            for r in rows
        ),
    )


def members_xlsx(members: Iterable[MemberFigures]) -> bytes:
    cols = (
        Col("社员号", 8),
        Col("姓名", 10),
        Col("身份证号", 20),
        Col("贫困户", 8),
        Col("联保小组", 10),
        Col("入社日期", 12),
        Col("退社日期", 12),
        Col("入股金额", 12, True),
        Col("配股金额", 12, True),
    )
    return table_xlsx(
        "社员名册",
        cols,
        (
            (
                m.id,
                m.name,
                m.id_number,
                yes_no(m.poor),
                m.group or "",
                m.joined_on,
                m.left_on,
                m.shares_bought,
                m.shares_allocated,
            )
            for m in members
        ),
    )


def groups_xlsx(groups: Iterable[GroupMembers], names: dict[int, str]) -> bytes:
    """Each group with its present members by name (`names`: member id → name)."""
    cols = (Col("小组编号", 10), Col("人数", 6), Col("组员", 40))
    return table_xlsx(
        "联保小组",
        cols,
        ((g.code, len(g.members), "、".join(names[m] for m in g.members)) for g in groups),
        totals=False,
    )


def loans_xlsx(loans: Iterable[LoanRow], names: dict[int, str]) -> bytes:
    cols = (
        Col("借款编号", 12),
        Col("借款人", 10),
        Col("用途", 20),
        Col("状态", 8),
        Col("申请日", 12),
        Col("公示日", 12),
        Col("审批日", 12),
        Col("放款日", 12),
        Col("到期日", 12),
        Col("期限(月)", 8),
        Col("借款金额", 12, True),
        Col("本金余额", 12, True),
        Col("应收占用费", 12, True),
        Col("已收占用费", 12, True),
    )
    return table_xlsx(
        "借款台账",
        cols,
        (
            (
                r.no,
                names[r.member],
                r.purpose,
                label(SOCIETY_LOAN_STATE, r.figures.state),
                r.applied_on,
                r.noticed_on,
                r.approved_on,
                r.lent_on,
                r.figures.due_on,
                r.term_months,
                r.amount,
                r.figures.principal_outstanding,
                r.figures.fee_accrued,
                r.figures.fee_paid,
            )
            for r in loans
        ),
    )


def expenses_xlsx(expenses: Iterable[ExpenseRow]) -> bytes:
    cols = (
        Col("凭证号", 18),
        Col("日期", 12),
        Col("用途", 30),
        Col("审批人", 10),
        Col("付款人", 10),
        Col("金额", 12, True),
    )
    return table_xlsx(
        "管理费用",
        cols,
        ((e.voucher, e.paid_on, e.purpose, e.approved_by, e.paid_by, e.amount) for e in expenses),
    )
