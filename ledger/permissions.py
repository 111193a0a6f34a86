"""Who may do what, and in which loan states: one table (SPEC §2 and §5).

Each `Action` names a verb of the services. `TABLE` says, once, which roles
may do it and, for a step on one loan, the loan states it starts from. The
services enforce it with `check`; the API's and the pages' role scopes are
`Action.roles`, and the loan page offers a step exactly when `allows` says
the service would take it. What the table cannot say stays in the service
as a rule: a guarantee needs an overdue loan, a recovery an approved
write-off, a decision another person than the proposer (四眼原则).

Reads are actions too (`READ_FUND`, `READ_TOWNSHIP`): who may open the
county's books, and who the records of a township; a township officer is
still confined to their own township by `ledger.actors`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from ledger.actors import Actor, Role
from ledger.errors import InvalidTransition, RoleNotAllowed
from ledger.models import Loan, LoanStatus

CLERK, APPROVER, TOWNSHIP, LEADER, AUDITOR, ADMIN = (
    Role.CLERK,
    Role.APPROVER,
    Role.TOWNSHIP,
    Role.LEADER,
    Role.AUDITOR,
    Role.ADMIN,
)


class Action(enum.StrEnum):
    """A verb; a loan step's value is also its path on the loan page (``/loans/<no>/<value>``)."""

    READ_FUND = "read-fund"
    READ_TOWNSHIP = "read-township"
    READ_AUDIT = "read-audit"
    MANAGE_FUNDS = "manage-funds"
    SET_UP = "set-up"
    REGISTER = "registration"
    IMPORT = "import"
    VERIFY = "verification"
    APPROVE = "approval"
    CONTRACT = "contract"
    DISBURSE = "disbursement"
    REPAY = "repayment"
    RECOVER = "recovery"
    CHANGE_LIAISON = "liaison-change"
    CALL_GUARANTEE = "guarantee-call"
    DEDUCT_SALARY = "salary-deduction"
    PROPOSE_WRITE_OFF = "write-off"
    PROPOSE_EXTENSION = "extension"
    PROPOSE_PROJECT_CHANGE = "project-change"
    DECIDE_WRITE_OFF = "decide-write-off"
    DECIDE_EXTENSION = "decide-extension"
    DECIDE_PROJECT_CHANGE = "decide-project-change"
    RECORD_DISASTER = "disaster"
    REPORT_LOSS = "loss"
    PROPOSE_FOR_DISASTER = "disaster-proposal"
    APPROPRIATE = "appropriation"
    ALLOCATE = "allocation"
    REMIT = "remittance"
    RECONCILE_TOWNSHIP = "township-reconciliation"
    RECONCILE_BANK = "bank-reconciliation"
    PROPOSE_REVERSAL = "reversal"
    DECIDE_REVERSAL = "decide-reversal"
    CLOSE_PERIOD = "period-close"
    REOPEN_PERIOD = "period-reopen"
    INSPECT = "inspection"
    CLOSE_FINDING = "finding-close"
    PROPOSE_RECALL = "recall"
    DECIDE_RECALL = "decide-recall"
    SET_POVERTY_LINE = "poverty-line"
    RECORD_INCOME = "income"
    APPROVE_INCOME = "approve-income"
    PLAN = "plan"
    VISIT = "visit"

    @property
    def roles(self) -> tuple[str, ...]:
        """The roles that may do it, as the shells' scopes take them."""
        return tuple(role.value for role in TABLE[self].roles)


@dataclass(frozen=True)
class Permission:
    """The roles that may do an action, and for a loan step the states it starts from."""

    roles: tuple[Role, ...]
    #: How a refusal names the action (a verb phrase: 无权{zh}, may not {en}).
    zh: str
    en: str
    #: None for an action on no single loan.
    states: tuple[LoanStatus, ...] | None = None


S = LoanStatus
#: The auditor reads what the leader reads (every book, journals included) and writes nothing.
COUNTY_READERS = (CLERK, APPROVER, LEADER, AUDITOR)
#: Who moves a household's money in a township: the county clerk or that township's officer.
COLLECTORS = (CLERK, TOWNSHIP)
#: Proposals (write-off, extension, project change, reversal) are made by a clerk or an
#: approver; then another approver decides.
PROPOSERS = (CLERK, APPROVER)
DECIDERS = (APPROVER,)
#: A loan still owing or able to owe: the project may still change before it is repaid.
CHANGEABLE = (S.APPLIED, S.VERIFIED, S.APPROVED, S.CONTRACTED, S.DISBURSED)
#: A loan that has had money: a disaster may have struck its project.
LENT = (S.DISBURSED, S.CLOSED, S.WRITTEN_OFF)

TABLE: Mapping[Action, Permission] = MappingProxyType(
    {
        Action.READ_FUND: Permission(COUNTY_READERS, "查阅全县账簿", "read the county's books"),
        Action.READ_TOWNSHIP: Permission(
            (*COUNTY_READERS, TOWNSHIP), "查阅乡镇记录", "read a township's records"
        ),
        # Who did what in the book is the auditors' to read (SPEC §12), and the county's
        # leader's, who answers for the book and signs statements printing the chain's head.
        Action.READ_AUDIT: Permission((LEADER, AUDITOR), "查阅审计日志", "read the audit log"),
        Action.MANAGE_FUNDS: Permission((ADMIN,), "管理基金", "manage funds"),
        Action.SET_UP: Permission((CLERK,), "维护基础资料", "set up the fund's records"),
        Action.REGISTER: Permission((CLERK,), "登记借款", "register a loan"),
        Action.IMPORT: Permission((CLERK,), "导入登记表", "import registration sheets"),
        Action.VERIFY: Permission((CLERK,), "核查", "verify", (S.APPLIED,)),
        Action.APPROVE: Permission((CLERK,), "审定", "approve", (S.VERIFIED,)),
        Action.CONTRACT: Permission((CLERK,), "签订合同", "sign the contract", (S.APPROVED,)),
        # A loan may be paid out in parts up to the approved amount (SPEC §5: "total
        # disbursed ≤ approved"), so a disbursed loan takes a further disbursement.
        Action.DISBURSE: Permission((CLERK,), "发放", "disburse", (S.CONTRACTED, S.DISBURSED)),
        Action.REPAY: Permission(COLLECTORS, "还款", "take a repayment", (S.DISBURSED,)),
        # 核销收回: on a loan written off in whole, or in part and then repaid (closed).
        Action.RECOVER: Permission(
            COLLECTORS, "登记核销收回", "record a recovery", (S.WRITTEN_OFF, S.CLOSED)
        ),
        # The liaison answers until the loan is repaid, even on the write-off register.
        Action.CHANGE_LIAISON: Permission(
            (CLERK,), "变更联系人", "change the liaison", (S.CONTRACTED, S.DISBURSED, S.WRITTEN_OFF)
        ),
        Action.CALL_GUARANTEE: Permission(
            DECIDERS, "启动担保代偿", "call the guarantee", (S.DISBURSED,)
        ),
        Action.DEDUCT_SALARY: Permission((CLERK,), "登记工资代扣", "record a salary deduction"),
        Action.PROPOSE_WRITE_OFF: Permission(
            PROPOSERS, "提出核销申请", "propose a write-off", (S.DISBURSED,)
        ),
        Action.PROPOSE_EXTENSION: Permission(
            PROPOSERS, "提出展期申请", "propose an extension", (S.DISBURSED,)
        ),
        Action.PROPOSE_PROJECT_CHANGE: Permission(
            PROPOSERS, "提出项目变更", "propose a project change", CHANGEABLE
        ),
        # A decision re-checks the loan: it may have moved since the proposal.
        Action.DECIDE_WRITE_OFF: Permission(
            DECIDERS, "审批核销", "decide a write-off", (S.DISBURSED,)
        ),
        Action.DECIDE_EXTENSION: Permission(
            DECIDERS, "审批展期", "decide an extension", (S.DISBURSED,)
        ),
        Action.DECIDE_PROJECT_CHANGE: Permission(
            DECIDERS, "审批项目变更", "decide a project change", CHANGEABLE
        ),
        Action.RECORD_DISASTER: Permission((CLERK,), "登记灾害", "record a disaster"),
        Action.REPORT_LOSS: Permission((CLERK,), "登记灾害损失", "record a loss", LENT),
        Action.PROPOSE_FOR_DISASTER: Permission(
            PROPOSERS, "提出灾害处理申请", "propose for a disaster"
        ),
        Action.APPROPRIATE: Permission((CLERK,), "登记拨入", "record an appropriation"),
        Action.ALLOCATE: Permission((CLERK,), "拨付乡镇", "allocate to a township"),
        Action.REMIT: Permission(COLLECTORS, "登记上缴", "record a remittance"),
        Action.RECONCILE_TOWNSHIP: Permission(COLLECTORS, "乡镇对账", "reconcile a township"),
        Action.RECONCILE_BANK: Permission((CLERK,), "银行对账", "reconcile the bank statement"),
        Action.PROPOSE_REVERSAL: Permission(PROPOSERS, "申请冲销", "propose a reversal"),
        Action.DECIDE_REVERSAL: Permission(DECIDERS, "审批冲销", "decide a reversal"),
        Action.CLOSE_PERIOD: Permission((CLERK,), "月结", "close a period"),
        Action.REOPEN_PERIOD: Permission(DECIDERS, "反结账", "reopen a period"),
        # The county office inspects a township (督查) and checks lent money at the household.
        Action.INSPECT: Permission(
            (CLERK, APPROVER), "登记督查", "record an inspection or its findings", LENT
        ),
        Action.CLOSE_FINDING: Permission((CLERK, APPROVER), "督查问题销号", "close a finding"),
        Action.PROPOSE_RECALL: Permission(
            PROPOSERS, "提出提前收回申请", "propose a recall", (S.DISBURSED,)
        ),
        Action.DECIDE_RECALL: Permission(
            DECIDERS, "审批提前收回", "decide a recall", (S.DISBURSED,)
        ),
        # The county's poverty line is a setting of the fund, kept like its other records.
        Action.SET_POVERTY_LINE: Permission((CLERK,), "设定贫困线", "set the poverty line"),
        # The township records a household's income, and a second officer there approves it.
        Action.RECORD_INCOME: Permission((TOWNSHIP,), "登记农户收入", "record an income"),
        Action.APPROVE_INCOME: Permission((TOWNSHIP,), "审核农户收入", "approve an income"),
        Action.PLAN: Permission((CLERK,), "制定或调整规划", "record or revise a plan"),
        # A loan has a liaison from its contract on, and keeps them while anything is owed
        # or the claim is kept after a write-off (账销案存).
        Action.VISIT: Permission(COLLECTORS, "登记走访", "record a visit", (S.CONTRACTED, *LENT)),
    }
)


def scope(*who: str | Action) -> tuple[str, ...]:
    """The roles a shell's gate admits: roles named, and the roles of actions named, once each."""
    named = (one.roles if isinstance(one, Action) else (one,) for one in who)
    return tuple(dict.fromkeys(role for roles in named for role in roles))


def allows(role: str, action: Action, status: str | LoanStatus | None = None) -> bool:
    """True when `role` may do `action` (and, given a loan's `status`, on a loan in it)."""
    rule = TABLE[action]
    if role not in rule.roles:
        return False
    return rule.states is None or status is None or LoanStatus(status) in rule.states


def check(actor: Actor, action: Action, loan: Loan | None = None) -> None:
    """Refuse unless the actor's role may do `action`, and `loan` (if given) is in a state for it.

    A service calls it with the loan once it holds the loan's lock, so the state
    it checks is the one the step will change.
    """
    rule = TABLE[action]
    if not allows(actor.role, action):
        raise RoleNotAllowed(
            f"角色 {actor.role} 无权{rule.zh}",
            f"role {actor.role} may not {rule.en} (needs {' or '.join(sorted(action.roles))})",
        )
    if loan is not None and not allows(actor.role, action, loan.status):
        raise InvalidTransition(
            f"借款 {loan.registration_no} 当前状态为 {loan.status.value},不能{rule.zh}",
            f"loan {loan.registration_no} is {loan.status.value}; cannot {rule.en} "
            f"(needs {', '.join(s.value for s in rule.states or ())})",
            field="status",
        )
