"""A fund's set-up: townships, project types, batches, liaisons, households."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from shell.fields import Amount
from shell.schemas.common import StrictBoolean, text

TOWNSHIP_CODE = validate.Regexp(r"^[0-9]{9}$", error="Township codes are 9 digits.")


class TownshipIn(Schema):
    code = fields.String(required=True, validate=TOWNSHIP_CODE, metadata={"example": "340123001"})
    name = text(100, metadata={"example": "但家庙镇"})


class TownshipOut(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)


class TownshipFilter(Schema):
    township = fields.String(
        validate=TOWNSHIP_CODE, metadata={"description": "乡镇代码 / township code"}
    )


class ProjectTypeIn(Schema):
    code = text(16, metadata={"example": "fish"})
    name = text(100, metadata={"example": "鱼塘养殖"})
    borrowing_standard = Amount(required=True, positive=True)


class ProjectTypeOut(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    borrowing_standard = Amount(required=True)


class BatchIn(Schema):
    code = text(16, metadata={"example": "1"})
    name = text(100, metadata={"example": "第一批"})
    budget = Amount(required=True, allow_negative=False)


class BatchOut(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    budget = Amount(required=True)


class LiaisonIn(Schema):
    name = text(50, metadata={"example": "王明"})
    township = fields.String(required=True, validate=TOWNSHIP_CODE)
    monthly_salary = Amount(required=True, allow_negative=False)
    phone = fields.String(allow_none=True, validate=validate.Length(max=20))


class LiaisonOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    township = fields.String(required=True)
    monthly_salary = Amount(required=True)
    phone = fields.String(allow_none=True)


class HouseholdIn(Schema):
    name = text(50, metadata={"example": "张三"})
    id_number = fields.String(
        required=True,
        validate=validate.Length(equal=18),
        metadata={"description": "18 位公民身份号码 (GB 11643)", "example": "11010519491231002X"},
    )
    township = fields.String(required=True, validate=TOWNSHIP_CODE)
    village = text(100, metadata={"example": "胡家湾村"})
    party_member = StrictBoolean(required=True)
    phone = fields.String(allow_none=True, validate=validate.Length(max=20))


class HouseholdOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    id_number = fields.String(required=True)
    township = fields.String(required=True)
    village = fields.String(required=True)
    party_member = fields.Boolean(required=True)
    phone = fields.String(allow_none=True)


class HouseholdFilter(TownshipFilter):
    id_number = fields.String(metadata={"description": "身份证号 / ID number"})


class TownshipPositionOut(Schema):
    """A township's account with the county (乡镇周转金) and the township check."""

    code = fields.String(required=True)
    name = fields.String(required=True)
    allocated = Amount()
    remitted = Amount()
    disbursed = Amount()
    repaid = Amount()
    fees = Amount()
    recoveries = Amount()
    cash = Amount(metadata={"description": "1011 余额 / money the township holds"})
    loans_outstanding = Amount()
    guarantee_called = Amount()
    written_off = Amount()
    pending_write_off = Amount()
    loans = fields.Integer()
    overdue_loans = fields.Integer()
    balanced = fields.Boolean(
        metadata={"description": "拨入 − 上缴 + 费 + 收回 = 现金 + 借款 + 代偿 + 核销"}
    )


class LiaisonExposureOut(Schema):
    """What a liaison answers for with their salary (资金不回收,责任不解除)."""

    id = fields.Integer(attribute="liaison_id")
    name = fields.String()
    township = fields.String()
    monthly_salary = Amount()
    loans = fields.List(fields.String())
    exposure = Amount(metadata={"description": "所担保借款的未还本金 / outstanding answered for"})
    overdue_amount = Amount()
    called = Amount()
    deducted = Amount()
    owed = Amount(metadata={"description": "代偿未扣回 (1102) / called, not yet deducted"})
