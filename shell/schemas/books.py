"""The books: chart of accounts, trial balance (试算平衡表), journals (记账凭证), periods."""

from __future__ import annotations

from marshmallow import Schema, fields

from shell.fields import Amount, Date
from shell.schemas.common import text


class SubAccountOut(Schema):
    account = fields.String(metadata={"example": "1011/340123001"})
    key = fields.String()
    debit = Amount()
    credit = Amount()
    balance = Amount()


class ChartLineOut(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String()
    kind = fields.String()
    subledger = fields.String(metadata={"description": "明细账依据 / sub-ledger by"})
    debit = Amount(metadata={"description": "借方发生额 / debit turnover"})
    credit = Amount(metadata={"description": "贷方发生额 / credit turnover"})
    balance = Amount(metadata={"description": "余额(按科目正常方向)/ balance"})
    subaccounts = fields.List(fields.Nested(SubAccountOut))


class TrialBalanceQuery(Schema):
    as_of = Date(metadata={"description": "截至日期(含)/ up to the end of this day"})
    from_ = Date(data_key="from", metadata={"description": "发生额起始日 / turnover from"})


class TrialBalanceLineOut(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.Function(lambda row: row.kind.value)
    opening = Amount(metadata={"description": "期初余额 / balance before `from`"})
    debit = Amount(required=True)
    credit = Amount(required=True)
    balance = Amount(required=True)


class TrialBalanceTotalsOut(Schema):
    debit = Amount(required=True)
    credit = Amount(required=True)
    debit_balances = Amount()
    credit_balances = Amount()
    balanced = fields.Boolean()


class TrialBalanceOut(Schema):
    as_of = Date(allow_none=True)
    from_ = Date(data_key="from", allow_none=True)
    accounts = fields.List(fields.Nested(TrialBalanceLineOut), attribute="rows")
    totals = fields.Nested(TrialBalanceTotalsOut)


class JournalFilter(Schema):
    from_ = Date(data_key="from")
    to = Date()
    kind = fields.String(metadata={"example": "repayment"})


class EntryOut(Schema):
    account = fields.String(
        required=True,
        metadata={
            "description": "科目代码/明细键 / code with sub-ledger key",
            "example": "1101/1-340123001-0001",
        },
    )
    debit = Amount(required=True)
    credit = Amount(required=True)


class JournalOut(Schema):
    voucher = fields.String(required=True, metadata={"example": "记-2007-04-0001"})
    date = Date(attribute="posted_on", required=True)
    kind = fields.String(required=True)
    memo = fields.String()
    recorded_by = fields.String()
    red = fields.Boolean(metadata={"description": "红字冲销凭证 / a red-ink reversal"})
    reverses = fields.String(allow_none=True)
    reversed_by = fields.String(allow_none=True)
    entries = fields.List(fields.Nested(EntryOut), attribute="lines")


class PeriodOut(Schema):
    period = fields.String(required=True, metadata={"example": "2007-04"})
    closed = fields.Boolean(required=True)
    closed_by = fields.String(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    reopened_by = fields.String(allow_none=True)
    reopened_at = fields.DateTime(allow_none=True)
    reopen_reason = fields.String(allow_none=True)


class ReopenIn(Schema):
    reason = text(500)


class AuditFilter(Schema):
    from_ = Date(data_key="from", metadata={"description": "记录日起(含)/ recorded on or after"})
    to = Date(metadata={"description": "记录日止(含)/ recorded on or before"})
    actor = text(
        64,
        required=False,
        metadata={"description": "操作人登录名 / the user's login", "example": "clerk"},
    )


class AuditActorOut(Schema):
    login = fields.String(required=True, metadata={"description": "登录名 / login"})
    role = fields.String(required=True, metadata={"description": "当时的角色 / role then"})


class AuditRecordOut(Schema):
    sequence = fields.Integer(
        attribute="seq", required=True, metadata={"description": "链上序号 / place in the chain"}
    )
    at = fields.DateTime(required=True, metadata={"description": "记录时间(UTC)/ when"})
    actor = fields.Nested(AuditActorOut, required=True)
    action = fields.String(required=True, metadata={"example": "POST /api/v1/funds/F1/loans"})
    what = fields.String(
        attribute="target", allow_none=True, metadata={"example": "loan:2007-1-340123001-0001"}
    )
    from_ = fields.String(
        attribute="client_addr",
        data_key="from",
        allow_none=True,
        metadata={"description": "来源地址 / from where"},
    )
    hash = fields.String(
        required=True, metadata={"description": "SHA-256,链接前一条 / chained hash"}
    )
