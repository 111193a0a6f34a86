"""Proposals a second person decides: write-offs (核销), extensions (展期), project
changes, recalls (提前收回)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ledger.models import ProposalStatus, WriteOffGround
from shell.fields import Amount, Date
from shell.schemas.common import (
    StoredInstalmentOut,
    StrictBoolean,
    business_date,
    ident,
    schedule_in,
    text,
)

GROUNDS = [ground.value for ground in WriteOffGround]
STATUSES = [status.value for status in ProposalStatus]


class ProposalFilter(Schema):
    status = fields.String(validate=validate.OneOf(STATUSES))
    loan = fields.String(metadata={"description": "登记编号 / registration number"})


class WriteOffFilter(ProposalFilter):
    disaster = fields.String(metadata={"description": "灾害编号 / disaster code"})


class _Decision(Schema):
    """Who proposed and who decided, when and why: every proposal has these."""

    id = fields.Integer(required=True)
    status = fields.Enum(ProposalStatus, by_value=True)
    reason = fields.String()
    proposed_by = fields.String()
    proposed_on = Date()
    decided_by = fields.String(allow_none=True)
    decided_on = Date(allow_none=True)
    decision_note = fields.String(allow_none=True)


class _DecidedOut(_Decision):
    loan = fields.String(required=True)
    township = fields.String()


class WriteOffIn(Schema):
    loan = text(40, metadata={"description": "登记编号 / registration number"})
    amount = Amount(required=True, positive=True)
    ground = fields.String(
        required=True,
        validate=validate.OneOf(GROUNDS),
        metadata={"description": "核销依据 (财发[2008]61号)"},
    )
    reason = text(500, required=False, load_default="")
    disaster = fields.String(
        allow_none=True, metadata={"description": "灾害编号(灾害核销必填)/ disaster code"}
    )
    evidence = text(500, required=False, load_default="")
    on = business_date()


class WriteOffOut(_DecidedOut):
    amount = Amount(required=True)
    ground = fields.Enum(WriteOffGround, by_value=True)
    evidence = fields.String()
    disaster = fields.String(allow_none=True)
    document_no = fields.String(allow_none=True, metadata={"description": "批文号"})
    voucher = fields.String(allow_none=True, metadata={"description": "核销凭证(批准后)"})


class DecisionIn(Schema):
    approve = StrictBoolean(required=True)
    note = text(500, required=False, load_default="")
    on = business_date()


class WriteOffDecisionIn(DecisionIn):
    document_no = fields.String(
        allow_none=True,
        validate=validate.Length(max=64),
        metadata={"description": "批文号(批准时必填)/ approval document number"},
    )


class WriteOffBatchDecisionIn(WriteOffDecisionIn):
    ids = fields.List(
        fields.Integer(strict=True),
        required=True,
        validate=validate.Length(min=1, max=1000),
        metadata={"description": "核销申请 id,全部批准或全部驳回 / decided all or none"},
    )


class ExtensionIn(Schema):
    loan = text(40)
    schedule = schedule_in()
    reason = text(500)
    disaster = fields.String(allow_none=True)
    on = business_date()


class ExtensionOut(_DecidedOut):
    schedule = fields.List(fields.Nested(StoredInstalmentOut))
    disaster = fields.String(allow_none=True)


class ProjectChangeIn(Schema):
    loan = text(40)
    project_type = text(16)
    project = text(200)
    reason = text(500)
    on = business_date()


class ProjectChangeOut(_DecidedOut):
    project_type = fields.String()
    project = fields.String()


class RecallIn(Schema):
    loan = text(40, metadata={"description": "登记编号 / registration number"})
    finding = ident(
        required=True, metadata={"description": "挪用资金的督查问题 / the diverted-money finding"}
    )
    reason = text(500)
    on = business_date()


class RecallOut(_DecidedOut):
    finding = fields.Integer()
    finding_description = fields.String()
    found_on = Date(metadata={"description": "发现日期 / the inspection's day"})
    amount = Amount(
        metadata={"description": "尚欠,批准后于审批日全部到期 / owed now, all due once approved"}
    )


class ReversalIn(Schema):
    reason = text(500, metadata={"description": "冲销原因 / why the journal is wrong"})
    on = business_date()


class ReversalFilter(Schema):
    status = fields.String(validate=validate.OneOf(STATUSES))


class ReversalOut(_Decision):
    journal = fields.String(required=True, metadata={"description": "被冲销的凭证 / the original"})
    voucher = fields.String(
        allow_none=True, metadata={"description": "红字凭证(批准后)/ the red-ink voucher"}
    )
