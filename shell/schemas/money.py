"""Money in and down: appropriations (拨入), allocations (拨付), remittances (上缴)."""

from __future__ import annotations

from marshmallow import Schema, fields

from shell.fields import Amount, Date
from shell.schemas.common import business_date, text
from shell.schemas.setup import TOWNSHIP_CODE


class AppropriationIn(Schema):
    on = business_date(required=True)
    amount = Amount(required=True, positive=True)
    source = text(32, metadata={"description": "资金来源 / source: county, city, province..."})
    memo = text(500, required=False, load_default="")


class AllocationIn(Schema):
    on = business_date(required=True)
    township = fields.String(required=True, validate=TOWNSHIP_CODE)
    amount = Amount(required=True, positive=True)
    batch = fields.String(allow_none=True, metadata={"description": "批次 / batch code"})
    memo = text(500, required=False, load_default="")


class RemittanceIn(Schema):
    on = business_date(required=True)
    township = fields.String(required=True, validate=TOWNSHIP_CODE)
    amount = Amount(required=True, positive=True)
    memo = text(500, required=False, load_default="")


class MovementOut(Schema):
    """A posted movement of money, with the voucher of its journal."""

    voucher = fields.String(required=True, metadata={"example": "记-2007-04-0001"})
    date = Date(required=True)
    kind = fields.String(required=True)
    amount = Amount(required=True)
    township = fields.String(allow_none=True)
    source = fields.String(allow_none=True)
    batch = fields.String(allow_none=True)
    memo = fields.String()
