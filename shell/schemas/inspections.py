"""Inspections (督查), their findings and closing (销号); recalls are proposals."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ledger.labels import FINDING_KIND, INSPECTION_KIND
from shell.fields import Date
from shell.schemas.common import AsOfQuery, business_date, text

#: Most households one inspection visits.
MAX_VISITED = 500


def _kind(labels: dict[str, str]) -> fields.String:
    return fields.String(
        required=True,
        validate=validate.OneOf(list(labels)),
        metadata={"description": " / ".join(f"{code} {name}" for code, name in labels.items())},
    )


class InspectionIn(Schema):
    township = text(9, metadata={"example": "340123001"})
    on = business_date(required=True)
    kind = _kind(INSPECTION_KIND)
    inspectors = text(200, metadata={"example": "县扶贫办 张三、李四"})
    loans = fields.List(
        text(40),
        load_default=list,
        validate=validate.Length(max=MAX_VISITED),
        metadata={"description": "到户查验的借款登记编号 / the loans of the households visited"},
    )
    notes = text(2000, required=False, load_default="")


class InspectionOut(Schema):
    id = fields.Integer()
    inspected_on = Date()
    township = fields.String()
    township_name = fields.String()
    kind = fields.String()
    inspectors = fields.String()
    notes = fields.String()
    loans = fields.List(fields.String())


class FindingIn(Schema):
    kind = _kind(FINDING_KIND)
    loan = fields.String(
        load_default=None,
        allow_none=True,
        metadata={"description": "登记编号(资金未到户、挪用、擅自变更项目必填)/ the loan"},
    )
    description = text(2000)
    responsible = text(50, metadata={"description": "整改责任人 / who must correct it"})
    correct_by = Date(required=True, metadata={"description": "整改期限 / correct by"})


class FindingOut(Schema):
    id = fields.Integer()
    inspection_id = fields.Integer()
    found_on = Date()
    township = fields.String()
    kind = fields.String()
    loan = fields.String(allow_none=True)
    description = fields.String()
    responsible = fields.String()
    correct_by = Date()
    recorded_by = fields.String()
    closed_on = Date(allow_none=True)
    closed_by = fields.String(allow_none=True)
    evidence = fields.String(allow_none=True)
    evidence_ref = fields.String(allow_none=True)


class CloseIn(Schema):
    on = business_date()
    evidence = text(2000, required=False, load_default=None, allow_none=True)
    evidence_ref = text(100, required=False, load_default=None, allow_none=True)


class OpenFindingsQuery(AsOfQuery):
    township = text(9, required=False)


class OpenFindingOut(Schema):
    id = fields.Integer()
    inspection_id = fields.Integer()
    found_on = Date()
    township = fields.String()
    township_name = fields.String()
    kind = fields.String()
    loan = fields.String(allow_none=True)
    description = fields.String()
    responsible = fields.String()
    correct_by = Date()
    age_days = fields.Integer(metadata={"description": "自督查日起的天数 / days since found"})
    overdue = fields.Boolean(metadata={"description": "已过整改期限 / past its date to correct"})
    recallable = fields.Boolean(
        metadata={"description": "可据此申请提前收回 / a recall may be proposed on it"}
    )
