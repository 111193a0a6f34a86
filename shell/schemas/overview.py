"""The programme's figures: fund summary, aging, the recovery table."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ledger import dates
from shell.fields import Amount, Date, decimal_text
from shell.schemas.loans import LoanSummaryOut
from shell.schemas.setup import TOWNSHIP_CODE


class GroupOut(Schema):
    key = fields.String(metadata={"description": "乡镇代码或批次 / township or batch"})
    name = fields.String()
    loans = fields.Integer()
    disbursed = Amount()
    recovered = Amount()
    written_off = Amount()
    outstanding = Amount()
    overdue_amount = Amount()
    overdue_loans = fields.Integer()


class FundSummaryOut(Schema):
    as_of = Date(allow_none=True)
    capital_by_source = fields.Dict(keys=fields.String(), values=Amount())
    capital = Amount()
    special_cash = Amount(metadata={"description": "专户存款 / special account"})
    township_cash = Amount(metadata={"description": "乡镇周转金 / held by townships"})
    relending_capacity = Amount()
    outstanding = Amount()
    overdue_amount = Amount()
    overdue_outstanding = Amount()
    overdue_loans = fields.Integer()
    overdue_share = decimal_text(2, allow_none=True, metadata={"description": "%"})
    written_off = Amount()
    pending_write_off = Amount()
    recovered = Amount()
    recovery_rate = decimal_text(2, allow_none=True, metadata={"description": "回收率 %"})
    liaison_receivable = Amount()
    fee_income = Amount()
    recoveries_income = Amount()
    disbursed_to_date = Amount()
    turnover = decimal_text(
        2, allow_none=True, metadata={"description": "周转次数 / times lent over"}
    )
    households_served = fields.Integer()
    loans = fields.Integer()
    by_township = fields.List(fields.Nested(GroupOut))
    by_batch = fields.List(fields.Nested(GroupOut))


class AgingQuery(Schema):
    as_of = Date(load_default=dates.today, metadata={"description": "default: today"})
    township = fields.String(validate=TOWNSHIP_CODE)


class AgingBucketOut(Schema):
    label = fields.String(metadata={"example": "31-90"})
    loans = fields.Integer()
    overdue_amount = Amount()
    outstanding = Amount()


class AgingOut(Schema):
    as_of = Date()
    buckets = fields.List(fields.Nested(AgingBucketOut))
    outstanding = Amount()
    overdue_amount = Amount()
    overdue_outstanding = Amount()
    overdue_share = decimal_text(2, allow_none=True)
    overdue_loans = fields.Integer(
        metadata={"description": "逾期借款笔数(所有页)/ overdue loans, on all pages"}
    )
    loans = fields.List(
        fields.Nested(LoanSummaryOut),
        metadata={"description": "逾期借款,一页 / one page of the overdue loans"},
    )
    next = fields.String(
        allow_none=True,
        metadata={
            "description": "下一页的游标(最后一页为 null),用作 ?after= / the next page's"
            " cursor for ?after= (null on the last page)"
        },
    )


class YearQuery(Schema):
    year = fields.Integer(
        load_default=lambda: dates.today().year,
        validate=validate.Range(min=1949, max=9999),
    )


class RecoveryRowOut(Schema):
    """The 12 columns of 财政支农周转金借用情况表 (11 and 12 in %)."""

    township = fields.String()
    name = fields.String()
    opening = Amount(metadata={"description": "1 年初余额"})
    lent = Amount(metadata={"description": "2 本年借出"})
    closing = Amount(metadata={"description": "3 年末余额"})
    lent_to_date = Amount(metadata={"description": "4 累计借出"})
    due_this_year = Amount(metadata={"description": "5 本年应收到期数"})
    due_to_date = Amount(metadata={"description": "6 累计应收到期数"})
    written_off = Amount(metadata={"description": "7 本年待处理(核销)数"})
    recovered = Amount(metadata={"description": "8 本年回收数"})
    recovered_of_due = Amount(metadata={"description": "9 其中收回本年到期数"})
    recovered_to_date = Amount(metadata={"description": "10 累计回收数"})
    rate_this_year = decimal_text(2, allow_none=True, metadata={"description": "11 本年回收率 %"})
    rate_to_date = decimal_text(2, allow_none=True, metadata={"description": "12 累计回收率 %"})


class RecoveryTableOut(Schema):
    year = fields.Integer()
    rows = fields.List(fields.Nested(RecoveryRowOut))
    total = fields.Nested(RecoveryRowOut)
