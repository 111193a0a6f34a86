"""Disasters (灾害), their assessed losses (损失核定), and proposals for every loan struck."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from shell.fields import Amount, Date
from shell.schemas.common import business_date, text


class DisasterIn(Schema):
    code = text(32, metadata={"example": "0708"})
    name = text(100, metadata={"example": "7·8风雹灾"})
    occurred_on = Date(data_key="date", required=True)
    kind = text(32, metadata={"example": "hail"})
    townships = fields.List(
        fields.String(), required=True, validate=validate.Length(min=1, max=1000)
    )


class DisasterOut(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    date = Date(required=True)
    kind = fields.String()
    townships = fields.List(fields.String())
    recorded_by = fields.String()
    losses = fields.Integer(metadata={"description": "损失核定户数 / loss reports"})
    assessed_loss = Amount(metadata={"description": "核定损失合计 / assessed losses"})


class LossIn(Schema):
    loan = text(40, metadata={"description": "登记编号 / registration number"})
    assessed_loss = Amount(required=True, allow_negative=False)
    inspector = text(50)
    assessed_on = Date(
        metadata={
            "description": "核定日期,不早于灾害发生日 / the day it was assessed, "
            "not before the disaster (default: today)"
        }
    )


class LossOut(Schema):
    id = fields.Integer()
    disaster = fields.String()
    loan = fields.String()
    township = fields.String()
    assessed_loss = Amount()
    inspector = fields.String()
    assessed_on = fields.Date()
    recorded_by = fields.String()


class DisasterWriteOffsIn(Schema):
    """Propose a write-off for every loan with a loss report in the disaster."""

    reason = text(500)
    on = business_date()
    share = fields.String(
        data_key="share",
        attribute="write_off_share",
        load_default="full",
        validate=validate.OneOf(("full", "loss")),
        metadata={"description": "full: 全部尚欠; loss: 核定损失(不超过尚欠)"},
    )


class DisasterExtensionsIn(Schema):
    """Propose an extension (one instalment after `months`) for every loan struck."""

    reason = text(500)
    on = business_date()
    months = fields.Integer(
        attribute="extension_months",
        strict=True,
        load_default=12,
        validate=validate.Range(min=1, max=600),
    )
