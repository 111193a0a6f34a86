"""Loans (借款) from application to closing, and the money that moves on them."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ledger.models import LoanStatus
from ledger.read.figures import INSTALMENT_STATES
from shell.fields import Amount, Date
from shell.schemas.common import (
    BilingualOut,
    StrictBoolean,
    business_date,
    ident,
    schedule_in,
    text,
)
from shell.schemas.setup import TOWNSHIP_CODE

NUMBER = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
STATUSES = [status.value for status in LoanStatus]


class LoanIn(Schema):
    household = ident(required=True, metadata={"description": "农户 id / household id"})
    batch = text(16, metadata={"example": "1"})
    project_type = text(16, metadata={"example": "fish"})
    project = text(200, metadata={"example": "鱼塘 3 亩"})
    requested_amount = Amount(required=True, positive=True)
    registration_no = fields.String(
        validate=NUMBER,
        metadata={"description": "登记编号;不给则按 {批次}-{乡镇代码}-{序号} 编排"},
    )
    application_no = fields.String(
        validate=NUMBER, metadata={"description": "申请书编号(默认同登记编号)"}
    )
    on = business_date()


class LoanFilter(Schema):
    township = fields.String(validate=TOWNSHIP_CODE)
    status = fields.String(validate=validate.OneOf(STATUSES))
    batch = fields.String(validate=validate.Length(min=1, max=16))
    overdue_on = Date(
        metadata={"description": "只列当日逾期的借款,金额按当日计 / overdue on this day"}
    )


class LoanQuery(Schema):
    as_of = Date()


class LoanSummaryOut(Schema):
    """A loan as listed: who, what, and its figures."""

    registration_no = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    household = fields.Integer(attribute="household_id")
    household_name = fields.String(attribute="household")
    id_number = fields.String()
    village = fields.String()
    township = fields.String()
    township_name = fields.String()
    batch = fields.String()
    project_type = fields.String()
    project = fields.String()
    approved_amount = Amount(attribute="approved")
    disbursed = Amount(attribute="figures.disbursed")
    repaid = Amount(attribute="figures.repaid")
    guarantee_called = Amount(attribute="figures.guarantee_called")
    written_off = Amount(attribute="figures.written_off")
    outstanding = Amount()
    pending_write_off = Amount(metadata={"description": "待处理(已申请未审批的核销)"})
    overdue_days = fields.Integer()
    overdue_amount = Amount()
    aging_bucket = fields.String(attribute="bucket", allow_none=True)
    liaison = fields.Integer(attribute="liaison_id", allow_none=True)
    extended = fields.Boolean(metadata={"description": "已展期 / has an extended schedule"})


class InstalmentStateOut(Schema):
    seq = fields.Integer()
    due_date = Date()
    amount = Amount()
    paid = Amount()
    unpaid = Amount()
    settled = fields.Boolean()
    repaid = Amount(metadata={"description": "已还 / paid of it by the household"})
    guarantee_called = Amount(metadata={"description": "已代偿 / paid by the liaison's guarantee"})
    written_off = Amount(metadata={"description": "已核销 / written off"})
    state = fields.String(
        validate=validate.OneOf(list(INSTALMENT_STATES)),
        metadata={
            "description": "已还 repaid, 已核销 written_off, 已代偿 guarantee_called, "
            "已结清 settled (by a mix), 部分结清 partly_settled, 逾期 overdue, 未到期 not_due"
        },
    )


class AssignmentOut(Schema):
    liaison = fields.Integer(attribute="liaison_id")
    name = fields.String(attribute="liaison")
    effective_on = Date()
    reason = fields.String()


class EventOut(Schema):
    date = Date(attribute="on")
    action = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    actor = fields.String()
    note = fields.String()
    voucher = fields.String(allow_none=True)


class LoanOut(LoanSummaryOut):
    """Everything about one loan: numbers, amounts, schedule, liaisons, history."""

    requested_amount = Amount(attribute="requested")
    application_no = fields.String()
    contract_no = fields.String(allow_none=True)
    iou_no = fields.String(allow_none=True)
    three_lines_one = fields.Boolean(metadata={"description": "三线合一"})
    three_line_problems = fields.List(fields.Nested(BilingualOut))
    technical_lead = fields.String(allow_none=True)
    signed_on = Date(allow_none=True)
    visited_on = Date(allow_none=True)
    visitor = fields.String(allow_none=True)
    exclusion_reason = fields.String(allow_none=True)
    schedule_version = fields.Integer(allow_none=True)
    schedule = fields.List(fields.Nested(InstalmentStateOut))
    recalled_on = Date(
        allow_none=True, metadata={"description": "提前收回日,欠款于当日全部到期 / recall day"}
    )
    liaisons = fields.List(fields.Nested(AssignmentOut))
    history = fields.List(fields.Nested(EventOut))


class VerificationIn(Schema):
    visited_on = Date(required=True)
    visitor = text(50)
    eligible = StrictBoolean(required=True)
    reason = text(500, required=False, load_default="")


class ApprovalIn(Schema):
    approved_amount = Amount(required=True, positive=True)
    schedule = schedule_in()
    on = business_date()


class ContractIn(Schema):
    contract_no = fields.String(required=True, validate=NUMBER)
    iou_no = fields.String(required=True, validate=NUMBER)
    liaison = ident(required=True, metadata={"description": "行政联系人 id"})
    technical_lead = text(50)
    signed_on = Date(required=True)


class MoneyIn(Schema):
    """A dated amount: disbursement, repayment, recovery, guarantee call, salary deduction."""

    on = business_date(required=True)
    amount = Amount(required=True, positive=True)


class LoanMovementOut(Schema):
    voucher = fields.String(required=True)
    date = Date(required=True)
    kind = fields.String(required=True)
    loan = fields.String(required=True)
    township = fields.String()
    amount = Amount(required=True)
    status = fields.String(metadata={"description": "借款状态 / the loan's status after it"})
    outstanding = Amount(metadata={"description": "尚欠本金 / outstanding after it"})


class LiaisonChangeIn(Schema):
    effective_on = Date(required=True)
    liaison = ident(required=True, metadata={"description": "新联系人 id / the new liaison"})
    reason = text(500)


class LiaisonChangeOut(Schema):
    loan = fields.String()
    liaison = fields.Integer()
    liaison_name = fields.String()
    previous_liaison = fields.Integer(allow_none=True)
    effective_on = Date()
    reason = fields.String()
    recorded_by = fields.String()


class PlannedDeductionOut(Schema):
    seq = fields.Integer()
    month = fields.String(metadata={"example": "2008-04"})
    amount = Amount()


class GuaranteeCallOut(Schema):
    id = fields.Integer()
    loan = fields.String()
    liaison = fields.Integer()
    liaison_name = fields.String()
    date = Date()
    amount = Amount()
    monthly_cap = Amount(metadata={"description": "每月扣款上限 / most one month may deduct"})
    voucher = fields.String()
    called_by = fields.String()
    plan = fields.List(fields.Nested(PlannedDeductionOut))
    loan_status = fields.String()
    loan_outstanding = Amount()


class SalaryDeductionOut(Schema):
    voucher = fields.String()
    liaison = fields.Integer()
    date = Date()
    amount = Amount()
    recorded_by = fields.String()
    owed = Amount(metadata={"description": "尚欠代偿款 / still owed by the liaison"})


class ThreeLineIssueOut(Schema):
    registration_no = fields.String()
    household = fields.String()
    township = fields.String()
    status = fields.String()
    application_no = fields.String()
    contract_no = fields.String(allow_none=True)
    iou_no = fields.String(allow_none=True)
    problems = fields.List(fields.Nested(BilingualOut))
