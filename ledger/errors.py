"""Domain errors: every refusal the ledger makes, in Chinese and English.

A `LedgerError` carries a stable `code` slug (clients and the API's problem
`type` depend on it, so codes never change once released), a title and a
detail in both languages, and the `field` that caused it when there is one.
Errors are grouped in four families that the HTTP shell maps to statuses
once: `NotFound`, `Conflict` (the state refuses it), `RuleViolated` (the
input breaks a rule) and `NotPermitted` (the actor may not do it); a
`BadCursor` (a paging cursor no page gave) is a malformed request of its
own. Nothing in here knows about HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass


class LedgerError(Exception):
    """Base of every refusal; subclasses set `code` and the two titles."""

    code: str = "ledger-error"
    title_zh: str = "账务错误"
    title_en: str = "Ledger error"

    def __init__(self, detail_zh: str, detail_en: str, *, field: str | None = None) -> None:
        super().__init__(detail_en)
        self.detail_zh = detail_zh
        self.detail_en = detail_en
        self.field = field

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, field={self.field!r}, {self.detail_en!r})"


# --- families -------------------------------------------------------------


class NotFound(LedgerError):
    code = "not-found"
    title_zh = "未找到"
    title_en = "Not found"


class Conflict(LedgerError):
    code = "conflict"
    title_zh = "与当前状态冲突"
    title_en = "Conflict with the current state"


class RuleViolated(LedgerError):
    code = "rule-violated"
    title_zh = "不符合规则"
    title_en = "Rule violated"


class NotPermitted(LedgerError):
    code = "not-permitted"
    title_zh = "无权操作"
    title_en = "Not permitted"


# --- input ----------------------------------------------------------------


class InvalidField(RuleViolated):
    """A value is malformed or out of range; `field` names it."""

    code = "invalid-field"
    title_zh = "字段无效"
    title_en = "Invalid field"


class InvalidAmount(InvalidField):
    code = "invalid-amount"
    title_zh = "金额无效"
    title_en = "Invalid amount"


class BadCursor(LedgerError):
    """A paging cursor (``after``) that no page handed out: the request is malformed,
    not a rule broken, so it is a family of its own (400)."""

    code = "bad-cursor"
    title_zh = "分页游标无效"
    title_en = "Bad paging cursor"


# --- journals -------------------------------------------------------------


class UnbalancedJournal(RuleViolated):
    code = "unbalanced-journal"
    title_zh = "借贷不平衡"
    title_en = "Journal does not balance"


class EmptyJournal(RuleViolated):
    code = "empty-journal"
    title_zh = "凭证没有分录"
    title_en = "Journal has no entries"


class UnknownAccount(NotFound):
    code = "unknown-account"
    title_zh = "科目不存在"
    title_en = "Unknown account"


class FundNotFound(NotFound):
    code = "fund-not-found"
    title_zh = "基金不存在"
    title_en = "Fund not found"


class CountyNotFound(NotFound):
    code = "county-not-found"
    title_zh = "区县不存在"
    title_en = "County not found"


class RegionNotFound(NotFound):
    """A region (province, city or county code) with no county in it, or outside the caller's."""

    code = "region-not-found"
    title_zh = "辖区不存在"
    title_en = "Region not found"


class JournalNotFound(NotFound):
    code = "journal-not-found"
    title_zh = "凭证不存在"
    title_en = "Journal not found"


class InsufficientBalance(Conflict):
    """Posting would take an asset sub-account below zero."""

    code = "insufficient-balance"
    title_zh = "余额不足"
    title_en = "Insufficient balance"


class AlreadyReversed(Conflict):
    code = "already-reversed"
    title_zh = "凭证已冲销"
    title_en = "Journal already reversed"


class CannotReverseReversal(Conflict):
    code = "cannot-reverse-reversal"
    title_zh = "红字凭证不能再冲销"
    title_en = "A reversal cannot be reversed"


class DuplicateKey(Conflict):
    """A code or number that must be unique is already taken."""

    code = "duplicate"
    title_zh = "编号重复"
    title_en = "Duplicate"


# --- periods --------------------------------------------------------------


class PeriodClosed(Conflict):
    code = "period-closed"
    title_zh = "会计期间已结账"
    title_en = "Period is closed"


class PeriodNotClosed(Conflict):
    code = "period-not-closed"
    title_zh = "会计期间未结账"
    title_en = "Period is not closed"


class TrialBalanceUnbalanced(Conflict):
    code = "trial-balance-unbalanced"
    title_zh = "试算不平衡"
    title_en = "Trial balance does not balance"


class DateOutOfOrder(InvalidField):
    """A business date is before the event it follows (a repayment before its disbursement)."""

    code = "date-out-of-order"
    title_zh = "日期早于前序业务"
    title_en = "Date before the event it follows"


class DateInFuture(InvalidField):
    """A business date is after the service's today."""

    code = "date-in-future"
    title_zh = "日期晚于今天"
    title_en = "Date in the future"


# --- the programme (loans, townships, proposals) --------------------------


class RecordNotFound(NotFound):
    """A township, household, loan ... named in the request does not exist in the fund."""

    code = "record-not-found"
    title_zh = "记录不存在"
    title_en = "Record not found"


class InvalidTransition(Conflict):
    """The loan or proposal is not in a state that allows this action."""

    code = "invalid-transition"
    title_zh = "当前状态不允许此操作"
    title_en = "Not allowed in the current state"


class ScheduleMismatch(RuleViolated):
    code = "schedule-mismatch"
    title_zh = "还款计划不符"
    title_en = "Schedule does not fit"


class OverLimit(RuleViolated):
    """An amount exceeds the borrowing standard, the request, a fund limit or a cap."""

    code = "over-limit"
    title_zh = "金额超出限额"
    title_en = "Amount over the limit"


class DuplicateLoanInBatch(Conflict):
    code = "duplicate-loan-in-batch"
    title_zh = "同一批次已有未结清借款"
    title_en = "Person already has an open loan in this batch"


class ThreeLinesNotOne(Conflict):
    """申请书、合同书、借据编号与登记编号不一致 (三线合一)."""

    code = "three-lines-not-one"
    title_zh = "三线不合一"
    title_en = "Application, contract and IOU numbers do not match"


class Overpayment(Conflict, OverLimit):
    """A repayment, guarantee call or write-off exceeds what the loan still owes.

    The one refusal of every settlement (`services.loans.within_outstanding`).
    A conflict first (409): the outstanding moves with every repayment, so the
    same request may fit later; and an amount over a limit like the others.
    """

    code = "overpayment"
    title_zh = "金额超过尚欠本金"
    title_en = "Amount exceeds what the loan owes"


class InsufficientFunds(Conflict):
    """The special account or a township does not hold the money asked for."""

    code = "insufficient-funds"
    title_zh = "资金不足"
    title_en = "Insufficient funds"


class MakerIsChecker(NotPermitted):
    code = "maker-is-checker"
    title_zh = "不能审批本人提出的申请"
    title_en = "The proposer cannot decide their own proposal"


class NotOverdue(Conflict):
    code = "not-overdue"
    title_zh = "借款未逾期"
    title_en = "Loan is not overdue"


# --- proposals (write-offs, extensions, project changes) ------------------


class RoleNotAllowed(NotPermitted):
    """The actor's role may not do this (e.g. only an approver decides proposals)."""

    code = "role-not-allowed"
    title_zh = "当前角色无权执行此操作"
    title_en = "The actor's role does not allow this"


class ProposalPending(Conflict):
    """A proposal of the same kind for the same loan is still waiting for a decision."""

    code = "proposal-pending"
    title_zh = "已有待审批的申请"
    title_en = "A proposal is already pending"


# --- users, tokens and requests (the API's security contract, SPEC §11) ------


class Unauthenticated(LedgerError):
    """The caller has not proved who they are (the API answers 401)."""

    code = "unauthenticated"
    title_zh = "未认证"
    title_en = "Authentication required"


class AuthenticationRequired(Unauthenticated):
    code = "authentication-required"
    title_zh = "需要登录"
    title_en = "Authentication required"


class AuthenticationFailed(Unauthenticated):
    """Wrong username or password; deliberately does not say which."""

    code = "authentication-failed"
    title_zh = "用户名或密码错误"
    title_en = "Wrong username or password"


class InvalidToken(Unauthenticated):
    """The token is unknown, expired, revoked, or its user is disabled."""

    code = "invalid-token"
    title_zh = "令牌无效或已失效"
    title_en = "Invalid or expired token"


class TooManyAttempts(LedgerError):
    """Too many failed logins lately; `retry_after` says how many seconds to wait."""

    code = "too-many-attempts"
    title_zh = "尝试次数过多"
    title_en = "Too many attempts"

    def __init__(
        self, detail_zh: str, detail_en: str, *, retry_after: int, field: str | None = None
    ) -> None:
        super().__init__(detail_zh, detail_en, field=field)
        self.retry_after = retry_after


class RoleNotPermitted(NotPermitted):
    code = "role-not-permitted"
    title_zh = "角色无权操作"
    title_en = "Role not permitted"


class UserNotFound(NotFound):
    code = "user-not-found"
    title_zh = "用户不存在"
    title_en = "User not found"


class IdempotencyKeyReused(RuleViolated):
    """The Idempotency-Key was first used with another request."""

    code = "idempotency-key-reused"
    title_zh = "幂等键已用于另一请求"
    title_en = "Idempotency key reused with a different request"


# --- spreadsheets ---------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One refused cell of an uploaded sheet: its row (as the sheet numbers it) and column."""

    row: int
    column: str
    detail_zh: str
    detail_en: str


class SheetRefused(RuleViolated):
    """An uploaded sheet cannot be read at all (not XLSX or CSV, no header, too large)."""

    code = "sheet-refused"
    title_zh = "文件无法读取"
    title_en = "The file cannot be read"


class RowsRefused(RuleViolated):
    """Some rows of an uploaded sheet are wrong: nothing was imported; `rows` says where."""

    code = "rows-refused"
    title_zh = "文件中有错误行,未导入任何数据"
    title_en = "Rows of the file are wrong; nothing was imported"

    def __init__(self, rows: list[RowError]) -> None:
        super().__init__(
            f"共 {len(rows)} 处错误,全部数据均未导入", f"{len(rows)} error(s); nothing was imported"
        )
        self.rows = tuple(rows)


class SheetTooLarge(SheetRefused):
    """An upload is over a reading limit (size, unpacked size, packing ratio, rows, columns).

    Refused before it is unpacked or read any further; the detail names the limit.
    """

    code = "sheet-too-large"
    title_zh = "文件超出读取上限"
    title_en = "The file is over a reading limit"


# --- inspections, recalls and outcomes ------------------------------------


class EvidenceMissing(InvalidField):
    """A finding is closed without saying what shows it was corrected (整改情况)."""

    code = "evidence-missing"
    title_zh = "缺少整改证明"
    title_en = "Evidence of the correction is missing"


class FindingClosed(Conflict):
    """The finding was closed already; a closing is never overwritten."""

    code = "finding-closed"
    title_zh = "问题已整改销号"
    title_en = "The finding is closed already"


class NoDivertedFinding(Conflict):
    """A recall (提前收回) needs an inspection finding that the loan's money was diverted."""

    code = "no-diverted-finding"
    title_zh = "没有挪用资金的督查问题"
    title_en = "No finding of diverted money"


class NoPovertyLine(Conflict):
    """No poverty line (贫困线) is in force on the date, so the status cannot be judged."""

    code = "no-poverty-line"
    title_zh = "该日期没有适用的贫困线"
    title_en = "No poverty line in force on the date"


class BeforeRegistration(DateOutOfOrder):
    """An outcome stands for a year before the household was registered."""

    code = "before-registration"
    title_zh = "早于登记年度"
    title_en = "Before the year of registration"


# --- plans and visits -------------------------------------------------------


class YearOutsidePlan(InvalidField):
    """A year's figures name a year the plan does not cover."""

    code = "year-outside-plan"
    title_zh = "年度不在规划期内"
    title_en = "Year outside the plan"


class PlansOverlap(Conflict):
    """A new plan's years overlap another plan of the fund: a year has one plan."""

    code = "plans-overlap"
    title_zh = "规划期重叠"
    title_en = "Plans overlap"


class PlanUnchanged(RuleViolated):
    """A revision restates the plan in force without changing any figure."""

    code = "plan-unchanged"
    title_zh = "规划调整没有变化"
    title_en = "The revision changes nothing"


class NotTheLiaison(RuleViolated):
    """A liaison's visit by someone who was not the loan's liaison on the day."""

    code = "not-the-liaison"
    title_zh = "不是该借款当日的行政联系人"
    title_en = "Not the loan's liaison on that day"
