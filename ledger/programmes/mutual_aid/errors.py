"""A society's refusals: each names the rule and, where one applies, the 章程 setting.

They sit in the core's families (`ledger.errors`), which the shells already
map: a rule of the 章程 broken is `RuleViolated`, a state that forbids the
step (an overdue group, a member still owing) is a `Conflict`.
"""

from __future__ import annotations

from ledger.errors import Conflict, RuleViolated


class CharterLimit(RuleViolated):
    """An amount, a term or a share breaks a limit of the 章程 in force."""

    code = "society-charter-limit"
    title_zh = "不符合互助社章程"
    title_en = "Outside the society's rules"


class NotInGroup(Conflict):
    """The borrower is in no mutual-guarantee group, or the group's size is outside the 章程."""

    code = "society-group-rule"
    title_zh = "不符合联保小组规定"
    title_en = "Mutual-guarantee group rule"


class GroupOverdue(Conflict):
    """联保: a group with an overdue loan may not borrow, nor may its members leave."""

    code = "society-group-overdue"
    title_zh = "联保小组有逾期借款"
    title_en = "The group has an overdue loan"


class NoticeNotServed(Conflict):
    """借款公示: a loan is approved only after the 章程's notice days have passed."""

    code = "society-notice-period"
    title_zh = "借款公示期未满"
    title_en = "The public notice period has not passed"


class NotAMember(Conflict):
    """Only a member of the society (not one who left) may borrow, buy or receive shares."""

    code = "society-not-a-member"
    title_zh = "不是本社社员"
    title_en = "Not a member of the society"


class MemberOwes(Conflict):
    """退股: a member leaves only when owing nothing."""

    code = "society-member-owes"
    title_zh = "社员尚有借款未结清"
    title_en = "The member still owes the society"


class AllocationRefused(RuleViolated):
    """配股 goes to registered poor members only, within the fiscal capital."""

    code = "society-allocation-refused"
    title_zh = "配股不符合规定"
    title_en = "Allocated share refused"


class ClosedVillage(RuleViolated):
    """封闭运行: money leaves the society's account only by the outflows the rules allow."""

    code = "society-closed-village"
    title_zh = "互助资金封闭运行"
    title_en = "Money stays in the village"


class YearNotDistributable(Conflict):
    """收益分配: once a year, for a year that has ended, by the 章程's percentages."""

    code = "society-distribution-refused"
    title_zh = "不能进行收益分配"
    title_en = "The year's result cannot be distributed"


class MoreThanDeclared(Conflict):
    """A dividend or subsidy paid beyond what the distribution declared."""

    code = "society-more-than-declared"
    title_zh = "支付金额超过应付数"
    title_en = "More than was declared"


class RiskReserveShort(Conflict):
    """A bad loan is written off against the risk reserve, never beyond it."""

    code = "society-risk-reserve-short"
    title_zh = "风险准备金不足"
    title_en = "The risk reserve does not cover it"
