"""Fields and small schemas shared by the resource schemas."""

from __future__ import annotations

import datetime as dt
from typing import Any

from marshmallow import Schema, fields, post_load, validate

from ledger import dates
from ledger.db import MAX_RECORD_ID
from shell.fields import Amount, Date, invalid

#: Most instalments a schedule may have (the domain refuses more too).
MAX_INSTALMENTS = 120


class StrictBoolean(fields.Boolean):
    """JSON ``true`` or ``false`` only: not ``"yes"``, ``1`` or ``"true"``."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise invalid("Must be true or false.", "须为 true 或 false。")
        return value


def text(max_length: int = 200, *, required: bool = True, **kwargs: Any) -> fields.String:
    """A string of 1..`max_length` characters (0.. when not required)."""
    return fields.String(
        required=required,
        validate=validate.Length(min=1 if required else 0, max=max_length),
        **kwargs,
    )


def ident(**kwargs: Any) -> fields.Integer:
    """A record id: a JSON integer (not a string, not a float)."""
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_RECORD_ID), **kwargs)


def business_date(*, required: bool = False, **kwargs: Any) -> Date:
    """``date`` in the body, ``on`` for the service; today when optional and not given."""
    description = "业务日期 / business date" + ("" if required else " (default: today)")
    extra: dict[str, Any] = {} if required else {"load_default": dates.today}
    return Date(
        data_key="date",
        required=required,
        metadata={"description": description},
        **extra,
        **kwargs,
    )


class InstalmentIn(Schema):
    """One instalment of a proposed schedule; loads as ``(due_date, amount)``."""

    due_date = Date(required=True)
    amount = Amount(required=True, positive=True)

    @post_load
    def as_pair(self, data: dict[str, Any], **kwargs: Any) -> tuple[dt.date, Any]:
        return data["due_date"], data["amount"]


def schedule_in(**kwargs: Any) -> fields.List:
    return fields.List(
        fields.Nested(InstalmentIn),
        required=True,
        validate=validate.Length(min=1, max=MAX_INSTALMENTS),
        metadata={"description": "还款计划,合计须等于本金 / instalments summing to the principal"},
        **kwargs,
    )


class StoredInstalmentOut(Schema):
    """An instalment as stored on a proposal (ISO date text and amount text)."""

    due_date = fields.String(metadata={"format": "date"})
    amount = Amount()


class BilingualOut(Schema):
    """A reason in Chinese and English, from a ``(zh, en)`` pair."""

    zh = fields.Function(lambda pair: pair[0])
    en = fields.Function(lambda pair: pair[1])


class AsOfQuery(Schema):
    as_of = Date(metadata={"description": "截至日期(含)/ as of the end of this day"})
