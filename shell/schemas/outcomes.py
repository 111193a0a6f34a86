"""Outcomes (脱贫成效): the poverty line, households' incomes and their statuses."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ledger.models import IncomeKind
from ledger.poverty import STATUS_ZH
from shell.fields import Amount, Date
from shell.schemas.common import StrictBoolean, business_date, ident, text
from shell.schemas.overview import YearQuery

STATUS_HELP = " / ".join(f"{code} {name}" for code, name in STATUS_ZH.items())


class PovertyLineIn(Schema):
    effective_from = Date(required=True, metadata={"description": "起用日期 / in force from"})
    amount = Amount(
        required=True,
        positive=True,
        metadata={"description": "人均纯收入标准(元)/ net income per member"},
    )


class PovertyLineOut(Schema):
    effective_from = Date()
    amount = Amount()
    recorded_by = fields.String()


class IncomeIn(Schema):
    household = ident(required=True)
    kind = fields.String(
        required=True,
        validate=validate.OneOf([kind.value for kind in IncomeKind]),
        metadata={"description": "registration 登记时 / year_end 年末"},
    )
    on = business_date(required=True)
    income = Amount(
        required=True,
        allow_negative=False,
        metadata={"description": "人均纯收入(元)/ net income per member"},
    )
    specialised = StrictBoolean(load_default=False, metadata={"description": "专业户"})
    liaison = ident(
        load_default=None, allow_none=True, metadata={"description": "报告的行政联系人 / liaison"}
    )


class IncomeApprovalIn(Schema):
    on = business_date(required=True)


class IncomeOut(Schema):
    id = fields.Integer()
    household = fields.Integer()
    kind = fields.String()
    on = Date(data_key="date")
    year = fields.Integer()
    income = Amount()
    specialised = fields.Boolean()
    liaison = fields.Integer(allow_none=True)
    recorded_by = fields.String()
    approved_by = fields.String(allow_none=True)
    approved_on = Date(allow_none=True)
    status = fields.String(
        allow_none=True, metadata={"description": STATUS_HELP + " (审核后 / once approved)"}
    )


class IncomeStatusOut(Schema):
    household = fields.Integer()
    township = fields.String()
    kind = fields.String()
    on = Date(data_key="date")
    year = fields.Integer()
    income = Amount()
    line = Amount(metadata={"description": "当日适用的贫困线 / the line in force"})
    status = fields.String(metadata={"description": STATUS_HELP})
    specialised = fields.Boolean()


class TownshipOutcomeOut(Schema):
    township = fields.String()
    name = fields.String()
    households = fields.Integer()
    out = fields.Integer(metadata={"description": "脱贫"})
    back = fields.Integer(metadata={"description": "返贫"})
    poor = fields.Integer(metadata={"description": "贫困"})
    specialised = fields.Integer(metadata={"description": "专业户"})


class OutcomesOut(Schema):
    year = fields.Integer()
    rows = fields.List(fields.Nested(TownshipOutcomeOut))
    total = fields.Nested(TownshipOutcomeOut)


class OutcomesQuery(YearQuery):
    township = text(9, required=False)


class HouseholdIncomesOut(Schema):
    household = fields.Integer()
    name = fields.String()
    village = fields.String()
    at_registration = fields.Nested(IncomeOut, allow_none=True)
    year_end = fields.Nested(IncomeOut, allow_none=True)


class TownshipIncomesOut(Schema):
    township = fields.String()
    name = fields.String()
    year = fields.Integer()
    line = Amount(allow_none=True, metadata={"description": "年末适用的贫困线 / line at year end"})
    rows = fields.List(fields.Nested(HouseholdIncomesOut))
