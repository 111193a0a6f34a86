"""``/api/v1/funds/<f>/loans``: the loan lifecycle (SPEC §5) and the money that moves on loans.

``applied → verified → approved → contracted → disbursed → closed``, with
``rejected`` and ``written_off``. Each step is one POST that answers 201 with
the loan as it now stands; steps that move money (disbursement, repayment,
recovery, guarantee call) answer with the movement and its ``voucher``. A
township officer may read and repay only their own township's loans; any
other loan is a 404 before the body is even read.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.pagination import Blueprint, Paging
from api.scope import READERS, in_fund
from ledger.permissions import Action
from ledger.read import guarantees as guarantee_reads
from ledger.read import loans as loan_reads
from ledger.services import guarantees, loans, proposals
from shell.auth import current_actor
from shell.db import get_db
from shell.schemas.loans import (
    ApprovalIn,
    ContractIn,
    GuaranteeCallOut,
    LiaisonChangeIn,
    LiaisonChangeOut,
    LoanFilter,
    LoanIn,
    LoanMovementOut,
    LoanOut,
    LoanQuery,
    LoanSummaryOut,
    MoneyIn,
    VerificationIn,
)
from shell.writes import accepts_idempotency_key, commit_write

blp = Blueprint(
    "loans",
    __name__,
    url_prefix="/api/v1/funds/<f>/loans",
    description="Loans 借款: registration to closing",
)


def _loan_target(f: str, no: str) -> str:
    return f"fund:{f}/loan:{no}"


@blp.route("")
class Loans(MethodView):
    @in_fund(*READERS)
    @blp.arguments(LoanFilter, location="query")
    @blp.response(200, LoanSummaryOut(many=True))
    @blp.paginate(seek=True)
    def get(self, query: dict[str, Any], f: str, pagination_parameters: Paging) -> Any:
        """List loans, filtered by township, status, batch, or overdue on a day (借款列表)"""
        paging = pagination_parameters
        with get_db().read() as session:
            total, page = loan_reads.loan_page(
                session,
                current_actor(),
                f,
                **query,
                after=paging.after,
                offset=paging.first_item,
                limit=paging.page_size,
            )
        paging.item_count, paging.next = total, page.next
        return page.items

    @in_fund(Action.REGISTER)
    @accepts_idempotency_key
    @blp.arguments(LoanIn)
    @blp.response(201, LoanOut)
    def post(self, data: dict[str, Any], f: str) -> Any:
        """Register a loan application; the registration number is assigned unless given (登记)"""
        actor = current_actor()
        return commit_write(
            lambda uow: loan_reads.loan_of(
                uow.session, actor, loans.register_loan(uow, actor, f, **data)
            ),
            schema=LoanOut(),
            target=lambda loan: _loan_target(f, loan.registration_no),
        )


@blp.route("/<no>")
class Loan(MethodView):
    @in_fund(*READERS, loan=True)
    @blp.arguments(LoanQuery, location="query")
    @blp.response(200, LoanOut)
    def get(self, query: dict[str, Any], f: str, no: str) -> Any:
        """One loan: status, numbers, amounts, schedule, liaisons, history (借款详情)"""
        with get_db().read() as session:
            return loan_reads.loan(session, current_actor(), f, no, **query)


@blp.route("/<no>/verification")
class Verification(MethodView):
    @in_fund(Action.VERIFY, loan=True)
    @accepts_idempotency_key
    @blp.arguments(VerificationIn)
    @blp.response(201, LoanOut)
    def post(self, data: dict[str, Any], f: str, no: str) -> Any:
        """Record the household visit; an ineligible household is rejected with a reason (核查)"""
        actor = current_actor()
        return commit_write(
            lambda uow: loan_reads.loan_of(
                uow.session, actor, loans.verify_loan(uow, actor, f, no, **data)
            ),
            schema=LoanOut(),
            target=_loan_target(f, no),
        )


@blp.route("/<no>/approval")
class Approval(MethodView):
    @in_fund(Action.APPROVE, loan=True)
    @accepts_idempotency_key
    @blp.arguments(ApprovalIn)
    @blp.response(201, LoanOut)
    def post(self, data: dict[str, Any], f: str, no: str) -> Any:
        """Approve an amount within the borrowing standard, with its schedule (审定)"""
        actor = current_actor()
        return commit_write(
            lambda uow: loan_reads.loan_of(
                uow.session, actor, loans.approve_loan(uow, actor, f, no, **data)
            ),
            schema=LoanOut(),
            target=_loan_target(f, no),
        )


@blp.route("/<no>/contract")
class Contract(MethodView):
    @in_fund(Action.CONTRACT, loan=True)
    @accepts_idempotency_key
    @blp.arguments(ContractIn)
    @blp.response(201, LoanOut)
    def post(self, data: dict[str, Any], f: str, no: str) -> Any:
        """Record the contract, IOU, liaison and technical lead (合同书、借据、责任书)

        Numbers that differ from the registration number are recorded (they
        are what the paper says) and listed by the three-line report; the
        loan cannot be disbursed until they are one (三线合一).
        """
        actor = current_actor()
        return commit_write(
            lambda uow: loan_reads.loan_of(
                uow.session, actor, loans.sign_contract(uow, actor, f, no, **data)
            ),
            schema=LoanOut(),
            target=_loan_target(f, no),
        )


@blp.route("/<no>/disbursements")
class Disbursements(MethodView):
    @in_fund(Action.DISBURSE, loan=True)
    @accepts_idempotency_key
    @blp.arguments(MoneyIn)
    @blp.response(201, LoanMovementOut)
    def post(self, data: dict[str, Any], f: str, no: str) -> Any:
        """Pay the household from its township's funds (发放)"""
        actor = current_actor()
        return commit_write(
            lambda uow: loan_reads.loan_movement(
                uow.session, actor, f, no, loans.disburse_loan(uow, actor, f, no, **data)
            ),
            schema=LoanMovementOut(),
            target=_loan_target(f, no),
        )


@blp.route("/<no>/repayments")
class Repayments(MethodView):
    @in_fund(Action.REPAY, loan=True)
    @accepts_idempotency_key
    @blp.arguments(MoneyIn)
    @blp.response(201, LoanMovementOut)
    def post(self, data: dict[str, Any], f: str, no: str) -> Any:
        """A repayment collected by the township, oldest instalment first (收回)"""
        actor = current_actor()
        return commit_write(
            lambda uow: loan_reads.loan_movement(
                uow.session, actor, f, no, loans.repay_loan(uow, actor, f, no, **data)
            ),
            schema=LoanMovementOut(),
            target=_loan_target(f, no),
        )


@blp.route("/<no>/recoveries")
class Recoveries(MethodView):
    @in_fund(Action.RECOVER, loan=True)
    @accepts_idempotency_key
    @blp.arguments(MoneyIn)
    @blp.response(201, LoanMovementOut)
    def post(self, data: dict[str, Any], f: str, no: str) -> Any:
        """Money later collected on a written-off loan (核销收回, 账销案存)"""
        actor = current_actor()
        return commit_write(
            lambda uow: loan_reads.loan_movement(
                uow.session, actor, f, no, proposals.record_recovery(uow, actor, f, no, **data)
            ),
            schema=LoanMovementOut(),
            target=_loan_target(f, no),
        )


@blp.route("/<no>/liaison-changes")
class LiaisonChanges(MethodView):
    @in_fund(Action.CHANGE_LIAISON, loan=True)
    @accepts_idempotency_key
    @blp.arguments(LiaisonChangeIn)
    @blp.response(201, LiaisonChangeOut)
    def post(self, data: dict[str, Any], f: str, no: str) -> Any:
        """Hand the loan to a new liaison from a date; both stay on the history (联系人变更)"""
        actor = current_actor()
        return commit_write(
            lambda uow: loan_reads.assignment(
                uow.session, guarantees.change_liaison(uow, actor, f, no, **data)
            ),
            schema=LiaisonChangeOut(),
            target=_loan_target(f, no),
        )


@blp.route("/<no>/guarantee-calls")
class GuaranteeCalls(MethodView):
    @in_fund(Action.CALL_GUARANTEE, loan=True)
    @accepts_idempotency_key
    @blp.arguments(MoneyIn)
    @blp.response(201, GuaranteeCallOut)
    def post(self, data: dict[str, Any], f: str, no: str) -> Any:
        """Call the liaison's salary guarantee on an overdue loan (担保代偿)

        Moves the amount from the household's loan (1101) to the liaison's
        receivable (1102) and plans monthly deductions within the cap.
        """
        actor = current_actor()
        return commit_write(
            lambda uow: guarantee_reads.guarantee_call(
                uow.session, guarantees.call_guarantee(uow, actor, f, no, **data)
            ),
            schema=GuaranteeCallOut(),
            target=_loan_target(f, no),
        )
