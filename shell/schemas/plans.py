"""Plans (三年规划、分年度计划) and plan against actual (计划完成情况)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ledger import dates
from ledger.services.plans import EARLIEST_YEAR, LATEST_YEAR
from shell.fields import Amount, Date, decimal_text, invalid
from shell.schemas.common import AsOfQuery, business_date, text
from shell.schemas.overview import YearQuery

YEARS = (EARLIEST_YEAR, LATEST_YEAR)
#: Most lines one plan may hold: every township, batch and year of a large county.
MAX_PLAN_LINES = 2000


class PlanLineIn(Schema):
    year = fields.Integer(required=True, strict=True)
    township = text(9, metadata={"example": "340123001"})
    batch = text(16, metadata={"example": "1"})
    households = fields.Integer(
        required=True, strict=True, metadata={"description": "扶持户数 / households to support"}
    )
    amount = Amount(required=True, metadata={"description": "计划金额 / planned amount"})


def _not_empty(lines: list[object]) -> None:
    if not lines:
        raise invalid(
            "A plan needs at least one line: a year, township, batch, households and amount.",
            "规划至少应有一行:某年某乡镇某批次的户数和金额。",
        )


def _lines() -> fields.List:
    return fields.List(
        fields.Nested(PlanLineIn),
        required=True,
        validate=[validate.Length(max=MAX_PLAN_LINES), _not_empty],
        metadata={
            "description": "每年、每乡镇、每批次一行 / one line per year, township, batch",
            "minItems": 1,
        },
    )


class PlanIn(Schema):
    first_year = fields.Integer(required=True, strict=True, metadata={"example": 2007})
    last_year = fields.Integer(required=True, strict=True, metadata={"example": 2009})
    name = text(100, metadata={"example": "农村贫困党员脱贫工程三年规划"})
    reason = text(500, metadata={"description": "依据(文件、决定) / the decision behind it"})
    on = business_date()
    lines = _lines()


class PlanRevisionIn(Schema):
    first_year = fields.Integer(
        required=True, strict=True, metadata={"description": "规划的开始年 / the plan's first year"}
    )
    reason = text(500, metadata={"description": "调整原因 / why the plan changes"})
    on = business_date()
    lines = _lines()


class RevisionOut(Schema):
    version = fields.Integer()
    date = Date(attribute="recorded_on")
    recorded_by = fields.String()
    reason = fields.String()


class PlanLineOut(Schema):
    year = fields.Integer()
    township = fields.String()
    township_name = fields.String()
    batch = fields.String()
    households = fields.Integer(attribute="planned.households")
    amount = Amount(attribute="planned.amount")


class PlanOut(Schema):
    first_year = fields.Integer()
    last_year = fields.Integer()
    name = fields.String()
    version = fields.Nested(RevisionOut, metadata={"description": "当前版本 / version in force"})
    lines = fields.List(fields.Nested(PlanLineOut))
    versions = fields.List(fields.Nested(RevisionOut))


class TallyOut(Schema):
    households = fields.Integer()
    amount = Amount()


class PlanActualRowOut(Schema):
    township = fields.String()
    township_name = fields.String()
    batch = fields.String(allow_none=True)
    planned = fields.Nested(TallyOut)
    registered = fields.Nested(TallyOut)
    approved = fields.Nested(TallyOut)
    disbursed = fields.Nested(TallyOut)
    disbursed_share = decimal_text(
        2, allow_none=True, metadata={"description": "发放占计划 % / disbursed as % of plan"}
    )


class PlanAgainstActualOut(Schema):
    year = fields.Integer()
    as_of = Date()
    plan_first_year = fields.Integer(allow_none=True)
    plan_version = fields.Integer(allow_none=True)
    rows = fields.List(fields.Nested(PlanActualRowOut))
    townships = fields.List(fields.Nested(PlanActualRowOut))
    total = fields.Nested(PlanActualRowOut)


class PlanYearsQuery(Schema):
    """The years a new plan's entry table has columns for (this year and the two after)."""

    first_year = fields.Integer(
        load_default=lambda: dates.today().year, validate=validate.Range(*YEARS)
    )
    last_year = fields.Integer(
        load_default=lambda: dates.today().year + 2, validate=validate.Range(*YEARS)
    )


class PlanActualQuery(YearQuery, AsOfQuery):
    """The year compared, as of a date (today by default)."""
