"""A region's counties side by side (SPEC §12): the overview's output."""

from __future__ import annotations

from marshmallow import Schema, fields

from shell.fields import Amount, Date, decimal_text


class RegionFiguresOut(Schema):
    """A county's funds summed, or the region's counties summed (`totals`)."""

    appropriated = Amount(metadata={"description": "基金总额:累计拨入 / capital appropriated"})
    disbursed = Amount(metadata={"description": "累计发放 / disbursed to date"})
    recovered = Amount(metadata={"description": "累计回收(还款+代偿) / repaid + called"})
    outstanding = Amount(metadata={"description": "借款余额 / principal outstanding"})
    overdue = Amount(metadata={"description": "逾期金额(已到期未还) / principal past due"})
    written_off = Amount(metadata={"description": "累计核销 / written off"})
    recovery_rate = decimal_text(
        2, allow_none=True, metadata={"description": "回收率 % = 回收 ÷ (回收 + 逾期)"}
    )
    turnover = decimal_text(
        2, allow_none=True, metadata={"description": "周转次数 = 累计发放 ÷ 基金总额"}
    )


class CountyFiguresOut(RegionFiguresOut):
    county = fields.String(metadata={"description": "区县代码 / county code", "example": "341525"})
    name = fields.String()
    funds = fields.Integer(metadata={"description": "计入的基金数 / funds summed"})


class RegionOverviewOut(Schema):
    as_of = Date()
    region = fields.String(metadata={"description": "省 2 位、市 4 位或区县 6 位代码"})
    counties = fields.List(fields.Nested(CountyFiguresOut))
    totals = fields.Nested(
        RegionFiguresOut, metadata={"description": "各区县合计 / the rows summed"}
    )
