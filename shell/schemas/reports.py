"""Query strings of the PDF reports: a period (`from`, `to`) or an as-of date."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from marshmallow import Schema, fields, post_load

from ledger import dates
from shell.fields import Date, invalid
from shell.schemas.setup import TOWNSHIP_CODE

PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class PeriodQuery(Schema):
    """From `from` (default: the start of the book) to the end of `to` (default: today)."""

    from_ = Date(data_key="from", metadata={"description": "期间起始日 / period from"})
    to = Date(metadata={"description": "期间截止日(含)/ up to the end of this day"})


class ProgressQuery(Schema):
    """A period for the progress report; by default the year so far."""

    start = Date(metadata={"description": "期间起始日(含),缺省为截止日所在年 1 月 1 日 / from"})
    end = Date(metadata={"description": "期间截止日(含),缺省为今天 / up to the end of this day"})

    @post_load
    def _year_so_far(self, data: dict[str, Any], **_: Any) -> dict[str, date]:
        """The PDF and the page read the same period when either end is left out."""
        end = data.get("end") or dates.today()
        return {"start": data.get("start") or date(end.year, 1, 1), "end": end}


class AsOfPdfQuery(Schema):
    as_of = Date(metadata={"description": "截至日期(含)/ as of the end of this day"})


class TrialBalancePdfQuery(AsOfPdfQuery):
    from_ = Date(data_key="from", metadata={"description": "发生额起始日 / turnover from"})


class AgingPdfQuery(AsOfPdfQuery):
    township = fields.String(
        validate=TOWNSHIP_CODE,
        metadata={"description": "乡镇代码,缺省为全县 / one township (default: all)"},
    )


def _month(value: str) -> None:
    if not PERIOD.fullmatch(value):
        raise invalid(
            'Not a month: use YYYY-MM, e.g. "2007-04".', '须为年月 YYYY-MM,例如 "2007-04"。'
        )


class VouchersPdfQuery(Schema):
    period = fields.String(
        required=True,
        validate=_month,
        metadata={"description": "会计期间 / the month, YYYY-MM", "example": "2007-04"},
    )


class MonthPdfQuery(Schema):
    month = fields.String(
        required=True,
        validate=_month,
        metadata={"description": "月份 / the month, YYYY-MM", "example": "2024-03"},
    )
