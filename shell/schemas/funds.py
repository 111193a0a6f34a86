"""Counties (区县), their funds (周转金) and the funds' limits."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from shell.fields import Amount, Date, Message, decimal_text
from shell.schemas.common import text

RATE = r"^[0-9](\.[0-9]{1,4})?$"


def county_code(**kwargs: Any) -> fields.String:
    """A county's 6-digit administrative code (GB/T 2260)."""
    return fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[0-9]{6}$",
            error=Message(
                "A county code is 6 digits (GB/T 2260).", "区县代码须为 6 位数字(GB/T 2260)。"
            ),
        ),
        metadata={"example": "341122", **kwargs.pop("metadata", {})},
        **kwargs,
    )


class CountyIn(Schema):
    code = county_code()
    name = text(100, metadata={"example": "来安县"})


class CountyOut(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    created_by = fields.String()
    created_at = fields.DateTime()


class FundIn(Schema):
    code = text(32, metadata={"example": "PPM2007"})
    name = text(200, metadata={"example": "农村贫困党员脱贫工程周转金"})
    county = county_code(metadata={"description": "所属区县 / the county that owns the fund"})
    opened_on = Date(
        metadata={
            "description": "启用日:此前不得记账 / the fund's start: nothing is dated before it "
            "(default: the date of its first journal)"
        }
    )


class FundOut(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    county = fields.String(required=True)
    county_name = fields.String(metadata={"description": "区县名称 / the county's name"})
    kind = fields.String(
        metadata={"description": "项目类型:revolving 周转金 / mutual_aid 互助资金 (programme kind)"}
    )
    opened_on = fields.Date(allow_none=True)
    created_by = fields.String()
    created_at = fields.DateTime()


class SettingsOut(Schema):
    max_loan = Amount(metadata={"description": "单笔借款上限 / maximum loan"})
    max_term_months = fields.Integer(metadata={"description": "最长期限(月)/ maximum term"})
    deduction_cap = decimal_text(
        4,
        metadata={"description": "工资扣款比例上限 / salary deduction cap, e.g. 0.2000"},
    )
    fee_rate = decimal_text(4, metadata={"description": "资金占用费年率 / annual fee rate"})


class SettingsIn(Schema):
    """Only the limits given change."""

    max_loan = Amount(positive=True)
    max_term_months = fields.Integer(strict=True, validate=validate.Range(min=1, max=600))
    deduction_cap = fields.String(validate=validate.Regexp(RATE), metadata={"example": "0.20"})
    fee_rate = fields.String(validate=validate.Regexp(RATE), metadata={"example": "0"})

    @validates_schema
    def not_empty(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data:
            raise ValidationError("Nothing to change.")
