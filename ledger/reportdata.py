"""What the printed reports (PDF statements) show, gathered read-only from the ledger.

A report is rendered from one frozen value built here: the fund statement
for leaders (周转金运行情况报告), a township's reconciliation statement
(乡镇对账单), a household's loan statement (借款人对账单), a liaison's
guarantee statement (联系人担保责任单), a disaster's write-off approval form
(灾害核销审批表), the trial balance (试算平衡表), a sub-ledger listing
(明细账余额表), the aging report (账龄分析表) and voucher prints (记账凭证).

Every figure comes from the read side (`ledger.read.books`, `ledger.read.fund`),
so a PDF prints what the API answers; what this module adds are the names a
printed page needs (township, household, liaison and disaster names for
sub-account keys) and the period movements of the fund by event kind. It
never writes. A township officer is confined as everywhere else: asking for
another township's statement raises the same `NotFound` as an unknown one.

A date of `None` means "now": the current running balances, printed as
today's date.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from ledger import chart, dates
from ledger.actors import Actor, confine_fund
from ledger.audit import chain_head
from ledger.errors import FundNotFound, InvalidField, RoleNotAllowed, UnknownAccount
from ledger.models import (
    Account,
    ChartAccount,
    DeductionPlan,
    Disaster,
    DisasterTownship,
    Entry,
    Extension,
    GuaranteeCall,
    Household,
    Journal,
    Liaison,
    LiaisonAssignment,
    Loan,
    LossReport,
    ProjectType,
    ProposalStatus,
    SalaryDeduction,
    SubLedger,
    Township,
    WriteOff,
)
from ledger.posting import AccountRef
from ledger.read.books import (
    MAX_PAGE,
    JournalView,
    StatementLine,
    TrialBalance,
    account_statement,
    fen_sum,
    journal_view,
    subaccount_balances,
    trial_balance,
)
from ledger.read.fund import (
    Aging,
    FundSummary,
    LiaisonExposure,
    LoanRow,
    LoanView,
    RecoveryTable,
    TownshipPosition,
    aging,
    fund_summary,
    liaison_exposures,
    loan_rows,
    loan_view,
    recovery_table,
    township_positions,
)
from ledger.services import lookup

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class FundHeader:
    """The fund a report is about, as its heading prints it."""

    code: str
    name: str


def fund_of(session: Session, fund_code: str, actor: Actor) -> tuple[int, FundHeader]:
    fund = lookup.fund(session, fund_code)
    confine_fund(
        actor,
        fund.code,
        not_found=FundNotFound(
            f"基金 {fund_code} 不存在", f"fund {fund_code} does not exist", field="fund"
        ),
    )
    return fund.id, FundHeader(fund.code, fund.name)


def county_wide(actor: Actor, report_zh: str, report_en: str) -> None:
    """Refuse a township officer a report of the whole fund (SPEC §9: clerks and leaders)."""
    if actor.is_township:
        raise RoleNotAllowed(
            f"乡镇财政所用户无权查看{report_zh}",
            f"a township officer may not see the {report_en}",
        )


def check_dates(from_: date | None, to: date | None) -> None:
    if from_ is not None and to is not None and from_ > to:
        raise InvalidField("起始日期晚于截止日期", "from is after to", field="from")


# --- period movements ---------------------------------------------------------


@dataclass(frozen=True)
class PeriodFlows:
    """The fund's money movements between two dates, by business event (本期发生)."""

    appropriated: Decimal  #: 拨入 (3001 credit)
    allocated: Decimal  #: 拨付乡镇 (1011 debit)
    disbursed: Decimal  #: 发放 (1101 debit)
    repaid: Decimal  #: 农户还款 (1101 credit, repayment)
    called: Decimal  #: 担保代偿 (1101 credit, guarantee call)
    written_off: Decimal  #: 核销 (1101 credit, write-off)
    deducted: Decimal  #: 工资代扣到账 (1102 credit)
    remitted: Decimal  #: 乡镇上缴 (1011 credit, remittance)
    recoveries: Decimal  #: 核销收回 (4002 credit)
    fees: Decimal  #: 资金占用费 (4001 credit)


#: (field, chart code, journal kind, side) for each figure of `PeriodFlows`.
_FLOWS = (
    ("appropriated", chart.CAPITAL, "appropriation", "C"),
    ("allocated", chart.TOWNSHIP_FUNDS, "allocation", "D"),
    ("disbursed", chart.LOANS, "disbursement", "D"),
    ("repaid", chart.LOANS, "repayment", "C"),
    ("called", chart.LOANS, "guarantee_call", "C"),
    ("written_off", chart.LOANS, "write_off", "C"),
    ("deducted", chart.LIAISON_RECEIVABLE, "salary_deduction", "C"),
    ("remitted", chart.TOWNSHIP_FUNDS, "remittance", "C"),
    ("recoveries", chart.RECOVERIES, "recovery", "C"),
    ("fees", chart.FEE_INCOME, "fee", "C"),
)


def period_flows(
    session: Session, fund_id: int, from_: date | None, to: date | None
) -> PeriodFlows:
    """Σ movements per (chart line, event kind, side) within the dates, as `PeriodFlows`.

    One aggregate over the period's entries; a red-ink reversal counts under
    the kind of the journal it reverses, with its negative amount, as in
    `ledger.read.books.turnover_by_kind`.
    """
    original = aliased(Journal)
    kind = func.coalesce(original.kind, Journal.kind)
    query = (
        select(Account.code, kind, Entry.side, fen_sum(Entry.amount))
        .join(Entry, Entry.account_id == Account.id)
        .join(Journal, Journal.id == Entry.journal_id)
        .outerjoin(original, original.id == Journal.reverses_id)
        .where(Account.fund_id == fund_id)
        .group_by(Account.code, kind, Entry.side)
    )
    if from_ is not None:
        query = query.where(Entry.posted_on >= from_)
    if to is not None:
        query = query.where(Entry.posted_on <= to)
    sums = {(code, k, side): amount for code, k, side, amount in session.execute(query)}
    return PeriodFlows(**{name: sums.get((code, k, side), ZERO) for name, code, k, side in _FLOWS})


# --- 周转金运行情况报告 ----------------------------------------------------------


@dataclass(frozen=True)
class TownshipCash:
    """A township and the money its finance office holds (its 1011 balance)."""

    code: str
    name: str
    cash: Decimal


@dataclass(frozen=True)
class FundStatementData:
    """The leaders' fund statement: the fund as of `to`, and what moved since `from_`."""

    fund: FundHeader
    from_: date | None
    #: The as-of date (today when the statement was asked for "now").
    to: date
    summary: FundSummary
    #: Every township the reader may see, with or without loans.
    townships: tuple[TownshipCash, ...]
    flows: PeriodFlows
    aging: Aging
    recovery: RecoveryTable
    #: The audit chain head (seq, SHA-256) when the statement was gathered.
    audit_seq: int
    audit_hash: str


def recovery_year(session: Session, fund_id: int, to: date) -> int:
    """The calendar year whose 周转金回收情况表 a statement as of `to` can print.

    The table covers whole years (`fundbook.recovery_table`); the year of
    `to` is used when nothing was posted after `to` in that year (so the
    table shows the book as of `to`), otherwise the last complete year.
    """
    later = session.scalar(
        select(Journal.id)
        .where(
            Journal.fund_id == fund_id,
            Journal.posted_on > to,
            Journal.posted_on <= date(to.year, 12, 31),
        )
        .limit(1)
    )
    return to.year if later is None else to.year - 1


def fund_statement(
    session: Session,
    fund_code: str,
    actor: Actor,
    *,
    from_: date | None = None,
    to: date | None = None,
) -> FundStatementData:
    """Everything the leaders' statement prints, as of `to` (now when None)."""
    county_wide(actor, "周转金运行情况报告", "fund statement")
    check_dates(from_, to)
    fund_id, header = fund_of(session, fund_code, actor)
    day = to or dates.today()
    seq, digest = chain_head(session)
    towns = select(Township.code, Township.name).where(Township.fund_id == fund_id)
    # "Now" is the end of today, as the heading prints it, for every figure.
    cash = subaccount_balances(session, fund_id, chart.TOWNSHIP_FUNDS, day)
    rows = loan_rows(session, fund_id, actor, as_of=day)  # once, for the summary and aging
    return FundStatementData(
        fund=header,
        from_=from_,
        to=day,
        summary=fund_summary(session, fund_id, actor, as_of=day, rows=rows),
        townships=tuple(
            TownshipCash(code, name, cash[code].balance if code in cash else ZERO)
            for code, name in session.execute(towns.order_by(Township.code)).all()
        ),
        flows=period_flows(session, fund_id, from_, day),
        aging=aging(session, fund_id, actor, day, rows=rows),
        recovery=recovery_table(session, fund_id, actor, recovery_year(session, fund_id, day)),
        audit_seq=seq,
        audit_hash=digest,
    )


# --- 乡镇对账单 ----------------------------------------------------------------


@dataclass(frozen=True)
class TownshipStatementData:
    """The county's book of one township's account (1011/<township>) for a period."""

    fund: FundHeader
    township: str
    name: str
    from_: date | None
    to: date
    #: Balance before `from_` (zero from the beginning).
    opening: Decimal
    lines: tuple[StatementLine, ...]
    debit: Decimal
    credit: Decimal
    closing: Decimal
    #: The township check (SPEC §10) as of `to`.
    position: TownshipPosition
    #: The township's loans with money lent, as of `to`.
    loans: tuple[LoanRow, ...]


def statement_lines(
    session: Session,
    fund_id: int,
    ref: AccountRef,
    from_: date | None,
    to: date | None,
) -> tuple[Decimal, tuple[StatementLine, ...]]:
    """(opening balance, every line) of an account between the dates, page by page."""
    lines: list[StatementLine] = []
    page = account_statement(session, fund_id, ref, from_=from_, to=to, limit=MAX_PAGE)
    opening = page.opening
    lines += page.lines
    while page.next_cursor is not None:
        page = account_statement(
            session, fund_id, ref, after=page.next_cursor, from_=from_, to=to, limit=MAX_PAGE
        )
        lines += page.lines
    return opening, tuple(lines)


def township_statement(
    session: Session,
    fund_code: str,
    township: str,
    actor: Actor,
    *,
    from_: date | None = None,
    to: date | None = None,
) -> TownshipStatementData:
    """The reconciliation statement of `township`; another township's officer gets NotFound."""
    check_dates(from_, to)
    fund_id, header = fund_of(session, fund_code, actor)
    town = lookup.township(session, fund_id, township, actor, "township")
    opening, lines = statement_lines(
        session, fund_id, AccountRef(chart.TOWNSHIP_FUNDS, town.code), from_, to
    )
    debit = sum((line.debit for line in lines), ZERO)
    credit = sum((line.credit for line in lines), ZERO)
    position = next(
        p for p in township_positions(session, fund_id, actor, as_of=to) if p.code == town.code
    )
    loans = tuple(
        r
        for r in loan_rows(session, fund_id, actor, as_of=to, township=town.code)
        if r.figures.disbursed > 0
    )
    return TownshipStatementData(
        header,
        town.code,
        town.name,
        from_,
        to or dates.today(),
        opening,
        lines,
        debit,
        credit,
        opening + debit - credit,
        position,
        loans,
    )


# --- 借款人对账单 --------------------------------------------------------------


@dataclass(frozen=True)
class LoanStatementData:
    """One household's loan: numbers, amounts, schedule, movements and history."""

    fund: FundHeader
    as_of: date
    view: LoanView
    project_type: str
    #: The liaison answering for the loan on `as_of`, by name.
    liaison: str | None
    opening: Decimal
    movements: tuple[StatementLine, ...]


def loan_statement(
    session: Session,
    fund_code: str,
    registration_no: str,
    actor: Actor,
    *,
    as_of: date | None = None,
) -> LoanStatementData:
    """The household loan statement; another township's officer gets NotFound."""
    fund_id, header = fund_of(session, fund_code, actor)
    view = loan_view(session, fund_id, registration_no, actor, as_of=as_of)
    opening, movements = statement_lines(
        session, fund_id, AccountRef(chart.LOANS, registration_no), None, as_of
    )
    kind = lookup.by_code(session, ProjectType, fund_id, view.row.project_type, "project_type")
    liaison = None
    if view.row.liaison_id is not None:
        liaison = session.scalar(select(Liaison.name).where(Liaison.id == view.row.liaison_id))
    return LoanStatementData(
        header, as_of or dates.today(), view, kind.name, liaison, opening, movements
    )


# --- 联系人担保责任单 ----------------------------------------------------------


@dataclass(frozen=True)
class PlannedDeduction:
    seq: int
    due_month: str
    amount: Decimal


@dataclass(frozen=True)
class CallView:
    """A guarantee call (担保代偿) on the liaison and its monthly deduction plan."""

    called_on: date
    registration_no: str
    household: str
    amount: Decimal
    monthly_cap: Decimal
    voucher: str
    called_by: str
    plan: tuple[PlannedDeduction, ...]


@dataclass(frozen=True)
class DeductionView:
    """A salary deduction (工资代扣) received from payroll."""

    received_on: date
    amount: Decimal
    voucher: str
    recorded_by: str


@dataclass(frozen=True)
class HandoverView:
    """One line of the liability history of a loan the liaison answers or answered for."""

    registration_no: str
    household: str
    effective_on: date
    liaison_id: int
    liaison: str
    reason: str


@dataclass(frozen=True)
class LiaisonStatementData:
    fund: FundHeader
    as_of: date
    exposure: LiaisonExposure
    township_name: str
    phone: str | None
    #: Share of the monthly salary one deduction may take (e.g. 0.2).
    deduction_cap: Decimal
    #: The loans the liaison answers for on `as_of` (outstanding > 0).
    loans: tuple[LoanRow, ...]
    calls: tuple[CallView, ...]
    deductions: tuple[DeductionView, ...]
    history: tuple[HandoverView, ...]


def liaison_statement(
    session: Session,
    fund_code: str,
    liaison_id: int,
    actor: Actor,
    *,
    as_of: date | None = None,
) -> LiaisonStatementData:
    """The liaison guarantee statement; another township's officer gets NotFound."""
    fund_id, header = fund_of(session, fund_code, actor)
    person = lookup.by_id(session, Liaison, fund_id, liaison_id, actor, "liaison")
    exposure = liaison_exposures(session, fund_id, actor, as_of=as_of, liaison_ids=[person.id])[0]
    loans = ()
    if exposure.loans:
        loans = tuple(
            loan_rows(session, fund_id, actor, as_of=as_of, registration_nos=exposure.loans)
        )
    calls_query = (
        select(GuaranteeCall, Loan.registration_no, Household.name)
        .join(Loan, Loan.id == GuaranteeCall.loan_id)
        .join(Household, Household.id == Loan.household_id)
        .where(GuaranteeCall.liaison_id == person.id)
        .order_by(GuaranteeCall.called_on, GuaranteeCall.id)
    )
    deductions_query = (
        select(SalaryDeduction)
        .where(SalaryDeduction.liaison_id == person.id)
        .order_by(SalaryDeduction.received_on, SalaryDeduction.id)
    )
    if as_of is not None:
        calls_query = calls_query.where(GuaranteeCall.called_on <= as_of)
        deductions_query = deductions_query.where(SalaryDeduction.received_on <= as_of)
    calls = session.execute(calls_query).all()
    plans: dict[int, list[PlannedDeduction]] = defaultdict(list)
    if calls:
        for row in session.scalars(
            select(DeductionPlan)
            .where(DeductionPlan.call_id.in_([call.id for call, _, _ in calls]))
            .order_by(DeductionPlan.call_id, DeductionPlan.seq)
        ):
            plans[row.call_id].append(PlannedDeduction(row.seq, row.due_month, row.amount))
    ever = select(LiaisonAssignment.loan_id).where(LiaisonAssignment.liaison_id == person.id)
    history_query = (
        select(LiaisonAssignment, Loan.registration_no, Household.name, Liaison.name)
        .join(Loan, Loan.id == LiaisonAssignment.loan_id)
        .join(Household, Household.id == Loan.household_id)
        .join(Liaison, Liaison.id == LiaisonAssignment.liaison_id)
        .where(LiaisonAssignment.loan_id.in_(ever))
        .order_by(Loan.registration_no, LiaisonAssignment.effective_on)
    )
    if as_of is not None:
        history_query = history_query.where(LiaisonAssignment.effective_on <= as_of)
    history = session.execute(history_query).all()
    # Only loans that changed hands are history; a single assignment is the contract itself.
    assignments: dict[str, int] = defaultdict(int)
    for _, no, _, _ in history:
        assignments[no] += 1
    settings = lookup.settings(session, fund_id)
    town = session.get_one(Township, person.township_id)
    return LiaisonStatementData(
        header,
        as_of or dates.today(),
        exposure,
        town.name,
        person.phone,
        settings.deduction_cap,
        loans,
        tuple(
            CallView(
                call.called_on,
                no,
                household,
                call.amount,
                call.monthly_cap,
                call.voucher,
                call.called_by,
                tuple(plans[call.id]),
            )
            for call, no, household in calls
        ),
        tuple(
            DeductionView(d.received_on, d.amount, d.voucher, d.recorded_by)
            for d in session.scalars(deductions_query)
        ),
        tuple(
            HandoverView(no, household, a.effective_on, a.liaison_id, name, a.reason)
            for a, no, household, name in history
            if assignments[no] > 1
        ),
    )


# --- 灾害核销审批表 ------------------------------------------------------------


@dataclass(frozen=True)
class DisasterLoanLine:
    """One loan struck by the disaster: its loss, and what was proposed and decided."""

    registration_no: str
    household: str
    township: str
    village: str
    project: str
    disbursed: Decimal
    outstanding: Decimal
    assessed_loss: Decimal
    inspector: str
    #: Σ write-offs proposed for this loan in this disaster (every status).
    proposed: Decimal
    approved: Decimal
    rejected: Decimal
    pending: Decimal
    #: Last due date of an approved extension (展期), if any.
    extended_to: date | None
    extension_status: str | None


@dataclass(frozen=True)
class WriteOffLine:
    """One write-off proposal of the disaster, with its ground and evidence."""

    registration_no: str
    household: str
    amount: Decimal
    ground: str
    evidence: str
    reason: str
    proposed_by: str
    proposed_on: date
    status: str


@dataclass(frozen=True)
class Decision:
    """Proposals decided together (or still pending): who proposed, who decided, under what."""

    kind: str  #: ``write_off`` or ``extension``
    proposed_by: str
    proposed_on: date
    status: str
    decided_by: str | None
    decided_on: date | None
    document_no: str | None
    note: str | None
    count: int
    #: Σ write-off amounts (zero for extensions).
    amount: Decimal


@dataclass(frozen=True)
class DisasterFormData:
    fund: FundHeader
    code: str
    name: str
    occurred_on: date
    kind: str
    townships: tuple[str, ...]
    lines: tuple[DisasterLoanLine, ...]
    write_offs: tuple[WriteOffLine, ...]
    decisions: tuple[Decision, ...]
    assessed_loss: Decimal
    proposed: Decimal
    approved: Decimal


def disaster_form(
    session: Session, fund_code: str, disaster_code: str, actor: Actor
) -> DisasterFormData:
    """The write-off approval form of a disaster: losses, proposals and decisions per loan."""
    county_wide(actor, "灾害核销审批表", "disaster write-off form")
    fund_id, header = fund_of(session, fund_code, actor)
    event = lookup.by_code(session, Disaster, fund_id, disaster_code, "disaster")
    towns = session.scalars(
        select(Township.name)
        .join(DisasterTownship, DisasterTownship.township_id == Township.id)
        .where(DisasterTownship.disaster_id == event.id)
        .order_by(Township.code)
    ).all()
    losses = session.execute(
        select(LossReport.loan_id, LossReport.assessed_loss, LossReport.inspector).where(
            LossReport.disaster_id == event.id
        )
    ).all()
    write_offs = session.scalars(
        select(WriteOff).where(WriteOff.disaster_id == event.id).order_by(WriteOff.id)
    ).all()
    extensions = session.scalars(
        select(Extension).where(Extension.disaster_id == event.id).order_by(Extension.id)
    ).all()
    loan_ids = {loan_id for loan_id, _, _ in losses}
    loan_ids |= {w.loan_id for w in write_offs} | {e.loan_id for e in extensions}
    numbers = dict(
        session.execute(select(Loan.id, Loan.registration_no).where(Loan.id.in_(loan_ids))).all()
    )
    rows = {
        r.loan_id: r
        for r in loan_rows(session, fund_id, actor, registration_nos=list(numbers.values()))
    }
    amounts: dict[int, dict[ProposalStatus, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for w in write_offs:
        amounts[w.loan_id][w.status] += w.amount
    extended: dict[int, tuple[date | None, str]] = {}
    for e in extensions:
        last = max((date.fromisoformat(i["due_date"]) for i in e.schedule), default=None)
        extended[e.loan_id] = (last, e.status.value)
    loss_by_loan = {loan_id: (loss, inspector) for loan_id, loss, inspector in losses}
    lines = []
    for loan_id in sorted(loan_ids, key=lambda i: numbers[i]):
        row = rows[loan_id]
        loss, inspector = loss_by_loan.get(loan_id, (ZERO, ""))
        by_status = amounts[loan_id]
        until, ext_status = extended.get(loan_id, (None, None))
        lines.append(
            DisasterLoanLine(
                row.registration_no,
                row.household,
                row.township_name,
                row.village,
                row.project,
                row.figures.disbursed,
                row.outstanding,
                loss,
                inspector,
                sum(by_status.values(), ZERO),
                by_status.get(ProposalStatus.APPROVED, ZERO),
                by_status.get(ProposalStatus.REJECTED, ZERO),
                by_status.get(ProposalStatus.PROPOSED, ZERO),
                until,
                ext_status,
            )
        )
    groups: dict[tuple, list[Decimal]] = defaultdict(list)
    for kind, proposal, amount in [
        *(("write_off", w, w.amount) for w in write_offs),
        *(("extension", e, ZERO) for e in extensions),
    ]:
        key = (
            kind,
            proposal.proposed_by,
            proposal.proposed_on,
            proposal.status.value,
            proposal.decided_by,
            proposal.decided_on,
            getattr(proposal, "document_no", None),
            proposal.decision_note,
        )
        groups[key].append(amount)
    decisions = tuple(
        Decision(*key, count=len(values), amount=sum(values, ZERO))
        for key, values in groups.items()
    )
    proposals = tuple(
        WriteOffLine(
            numbers[w.loan_id],
            rows[w.loan_id].household,
            w.amount,
            w.ground.value,
            w.evidence or "",
            w.reason,
            w.proposed_by,
            w.proposed_on,
            w.status.value,
        )
        for w in write_offs
    )
    return DisasterFormData(
        header,
        event.code,
        event.name,
        event.occurred_on,
        event.kind,
        tuple(towns),
        tuple(lines),
        proposals,
        decisions,
        sum((line.assessed_loss for line in lines), ZERO),
        sum((line.proposed for line in lines), ZERO),
        sum((line.approved for line in lines), ZERO),
    )


# --- 试算平衡表 ----------------------------------------------------------------


@dataclass(frozen=True)
class TrialBalanceData:
    fund: FundHeader
    from_: date | None
    to: date
    balance: TrialBalance


def trial_balance_sheet(
    session: Session,
    fund_code: str,
    actor: Actor,
    *,
    from_: date | None = None,
    to: date | None = None,
) -> TrialBalanceData:
    """The trial balance: opening, period turnover and closing balance per chart line."""
    county_wide(actor, "试算平衡表", "trial balance")
    check_dates(from_, to)
    fund_id, header = fund_of(session, fund_code, actor)
    return TrialBalanceData(
        header, from_, to or dates.today(), trial_balance(session, fund_id, as_of=to, from_=from_)
    )


# --- 明细账 (sub-ledger listing) ------------------------------------------------


@dataclass(frozen=True)
class SubledgerRow:
    key: str
    name: str
    opening: Decimal
    debit: Decimal
    credit: Decimal
    closing: Decimal


@dataclass(frozen=True)
class SubledgerData:
    """Every sub-account of one chart line with its period turnover and balances."""

    fund: FundHeader
    code: str
    name: str
    #: Which side balances sit on: True for assets and expenses (借), False otherwise (贷).
    debit_normal: bool
    subledger: str
    from_: date | None
    to: date
    rows: tuple[SubledgerRow, ...]
    opening: Decimal
    debit: Decimal
    credit: Decimal
    closing: Decimal


def account_names(session: Session, fund_id: int, code: str) -> dict[str, str]:
    """The printed name of each sub-account key of a chart line (township, household ...)."""
    line = session.scalar(
        select(ChartAccount).where(ChartAccount.fund_id == fund_id, ChartAccount.code == code)
    )
    if line is None:
        raise UnknownAccount(f"科目 {code} 不存在", f"account {code} does not exist", field="code")
    kind = line.subledger
    if kind is SubLedger.TOWNSHIP:
        query = select(Township.code, Township.name).where(Township.fund_id == fund_id)
    elif kind is SubLedger.LOAN:
        query = (
            select(Loan.registration_no, Household.name)
            .join(Household, Household.id == Loan.household_id)
            .where(Loan.fund_id == fund_id)
        )
    elif kind is SubLedger.LIAISON:
        query = select(Liaison.id, Liaison.name).where(Liaison.fund_id == fund_id)
    elif kind is SubLedger.DISASTER:
        query = select(Disaster.code, Disaster.name).where(Disaster.fund_id == fund_id)
    else:
        return {}
    return {str(key): name for key, name in session.execute(query)}


def subledger_listing(
    session: Session,
    fund_code: str,
    code: str,
    actor: Actor,
    *,
    from_: date | None = None,
    to: date | None = None,
) -> SubledgerData:
    """The sub-ledger (明细账) of chart line `code`: each sub-account's period and balances."""
    county_wide(actor, "明细账", "sub-ledger")
    check_dates(from_, to)
    fund_id, header = fund_of(session, fund_code, actor)
    line = session.scalar(
        select(ChartAccount).where(ChartAccount.fund_id == fund_id, ChartAccount.code == code)
    )
    if line is None:
        raise UnknownAccount(f"科目 {code} 不存在", f"account {code} does not exist", field="code")
    closing = subaccount_balances(session, fund_id, code, to)
    opening = (
        subaccount_balances(session, fund_id, code, from_ - timedelta(days=1)) if from_ else {}
    )
    names = account_names(session, fund_id, code)
    rows = []
    for key in sorted(set(closing) | set(opening)):
        end, start = closing.get(key), opening.get(key)
        debit_end, credit_end = (end.debit, end.credit) if end else (ZERO, ZERO)
        debit_start, credit_start = (start.debit, start.credit) if start else (ZERO, ZERO)
        rows.append(
            SubledgerRow(
                key,
                names.get(key, ""),
                start.balance if start else ZERO,
                debit_end - debit_start,
                credit_end - credit_start,
                end.balance if end else ZERO,
            )
        )
    return SubledgerData(
        header,
        line.code,
        line.name_zh,
        line.kind.debit_normal,
        line.subledger.value,
        from_,
        to or dates.today(),
        tuple(rows),
        sum((r.opening for r in rows), ZERO),
        sum((r.debit for r in rows), ZERO),
        sum((r.credit for r in rows), ZERO),
        sum((r.closing for r in rows), ZERO),
    )


# --- 账龄分析表 ----------------------------------------------------------------


@dataclass(frozen=True)
class AgingData:
    fund: FundHeader
    township: str | None
    township_name: str | None
    aging: Aging
    #: Liaison names by id, for the overdue loans' liaisons.
    liaisons: dict[int, str]


def aging_report(
    session: Session,
    fund_code: str,
    actor: Actor,
    *,
    as_of: date | None = None,
    township: str | None = None,
) -> AgingData:
    """Overdue loans by aging bucket, fund-wide or for one township."""
    fund_id, header = fund_of(session, fund_code, actor)
    name = None
    if township is None and actor.is_township:
        township = actor.township_code  # their own township's report, titled as such
    if township is not None:
        name = lookup.township(session, fund_id, township, actor, "township").name
    report = aging(session, fund_id, actor, as_of or dates.today(), township=township)
    ids = {r.liaison_id for r in report.loans if r.liaison_id is not None}
    liaisons = (
        dict(session.execute(select(Liaison.id, Liaison.name).where(Liaison.id.in_(ids))).all())
        if ids
        else {}
    )
    return AgingData(header, township, name, report, liaisons)


# --- 记账凭证 ------------------------------------------------------------------


@dataclass(frozen=True)
class VoucherPrint:
    """One journal as its voucher prints: lines with account names, and what it reverses."""

    view: JournalView
    #: Per account as the lines name it (``1011/341525100``): the chart line's name
    #: and the sub-account's (township, household, liaison, disaster; "" if none).
    account_names: dict[str, tuple[str, str]]
    #: For a red-ink reversal: the original's business date and memo.
    original_posted_on: date | None
    original_memo: str | None


@dataclass(frozen=True)
class VoucherData:
    fund: FundHeader
    vouchers: tuple[VoucherPrint, ...]


def voucher_prints(
    session: Session,
    fund_code: str,
    actor: Actor,
    *,
    vouchers: Sequence[str] | None = None,
    period: str | None = None,
) -> VoucherData:
    """Vouchers by number, or every voucher of a month (``YYYY-MM``), in number order."""
    county_wide(actor, "记账凭证", "vouchers")
    fund_id, header = fund_of(session, fund_code, actor)
    numbers = list(vouchers or ())
    if period is not None:
        numbers += session.scalars(
            select(Journal.voucher_no)
            .where(Journal.fund_id == fund_id, Journal.period == period)
            .order_by(Journal.seq)
        ).all()
    charts = dict(
        session.execute(
            select(ChartAccount.code, ChartAccount.name_zh).where(ChartAccount.fund_id == fund_id)
        ).all()
    )
    names: dict[str, dict[str, str]] = {}
    out = []
    for number in numbers:
        view = journal_view(session, fund_id, number)
        printed = {}
        for line in view.lines:
            ref = AccountRef.parse(line.account)
            if ref.key and ref.code not in names:
                names[ref.code] = account_names(session, fund_id, ref.code)
            sub = names[ref.code].get(ref.key, "") if ref.key else ""
            printed[line.account] = (charts.get(ref.code, ""), sub)
        original = None
        if view.reverses is not None:
            original = session.execute(
                select(Journal.posted_on, Journal.memo).where(
                    Journal.fund_id == fund_id, Journal.voucher_no == view.reverses
                )
            ).one()
        out.append(
            VoucherPrint(
                view,
                printed,
                original.posted_on if original else None,
                original.memo if original else None,
            )
        )
    return VoucherData(header, tuple(out))
