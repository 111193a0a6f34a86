"""Visits (走访): liaisons' and pairing cadres' visits, and what the rules say is missing."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ledger import dates
from ledger.models import ProjectProgress
from shell.fields import Date
from shell.schemas.common import StrictBoolean, ident, text
from shell.schemas.overview import YearQuery

PROGRESS = [p.value for p in ProjectProgress]
PROGRESS_HELP = "progressing 进展正常 / behind 进度滞后 / failed 项目失败 / changed 项目已改变"


def _notes() -> fields.String:
    return text(500, required=False, load_default="", metadata={"example": "猪舍已建"})


def _progress(required: bool) -> fields.String:
    extra = {} if required else {"load_default": None}
    return fields.String(
        required=required,
        validate=validate.OneOf(PROGRESS),
        metadata={"description": PROGRESS_HELP},
        **extra,
    )


def _days(**kwargs) -> fields.Integer:
    return fields.Integer(
        strict=True, metadata={"description": "走访天数 / days the visit lasted"}, **kwargs
    )


class VisitIn(Schema):
    loan = text(40, metadata={"description": "登记编号 / registration number"})
    liaison = ident(required=True)
    visited_on = Date(required=True)
    progress = _progress(True)
    funds_as_approved = StrictBoolean(
        required=True, metadata={"description": "资金按审定项目使用 / money used as approved"}
    )
    notes = _notes()
    days = _days(load_default=1)


class CadreVisitIn(Schema):
    household = ident(required=True)
    visitor = text(50, metadata={"description": "联户干部 / the pairing cadre"})
    visited_on = Date(required=True)
    days = _days(required=True)
    progress = _progress(False)
    notes = _notes()


class VisitOut(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "liaison 行政联系人 / cadre 联户干部"})
    loan = fields.String(allow_none=True)
    household = fields.Integer()
    liaison = fields.Integer(allow_none=True)
    visitor = fields.String()
    visited_on = Date()
    days = fields.Integer()
    progress = fields.String(allow_none=True)
    funds_as_approved = fields.Boolean(allow_none=True)
    notes = fields.String()
    recorded_by = fields.String()


class MonthQuery(Schema):
    month = fields.String(
        load_default=lambda: dates.month_of(dates.today()),
        metadata={"description": "YYYY-MM (default: this month)", "example": "2007-05"},
    )
    township = text(9, required=False)


class DueVisitOut(Schema):
    registration_no = fields.String()
    household = fields.String()
    township = fields.String()
    township_name = fields.String()
    liaison_id = fields.Integer()
    liaison = fields.String()


class LiaisonMonthOut(Schema):
    liaison_id = fields.Integer()
    liaison = fields.String()
    township = fields.String()
    due = fields.Integer()
    done = fields.Integer()
    missing = fields.Integer()


class MonthVisitsOut(Schema):
    month = fields.String()
    first = Date()
    last = Date()
    due = fields.Integer(metadata={"description": "应走访户数 / loans due a visit"})
    done = fields.Integer()
    missing = fields.List(fields.Nested(DueVisitOut))
    liaisons = fields.List(fields.Nested(LiaisonMonthOut))


class MonthTallyOut(Schema):
    month = fields.String()
    due = fields.Integer()
    done = fields.Integer()
    missing = fields.List(fields.String())


class LiaisonYearOut(Schema):
    liaison_id = fields.Integer()
    liaison = fields.String()
    township = fields.String()
    year = fields.Integer()
    missing = fields.Integer()
    months = fields.List(fields.Nested(MonthTallyOut))


class CadreQuery(YearQuery):
    township = text(9, required=False)
    visitor = fields.String(
        validate=validate.Length(min=1, max=50),
        metadata={"description": "一位联户干部的一年 / one cadre's year"},
    )


class CadreYearOut(Schema):
    visitor = fields.String()
    household_id = fields.Integer()
    household = fields.String()
    township = fields.String()
    visits = fields.Integer()
    days = fields.Integer()
    visits_short = fields.Integer(metadata={"description": "尚差次数 / visits still needed"})
    days_short = fields.Integer(metadata={"description": "尚差天数 / days still needed"})
    meets_minimum = fields.Boolean(
        metadata={"description": "一年入户不少于2次、累计不少于7天 / 2 visits and 7 days a year"}
    )
