"""Marshmallow fields for money and dates, strict in and exact out.

`Amount` carries CNY as a JSON string with at most two decimals, both ways
(STYLE "Money"): ``"1000.00"``. A JSON number is refused (a client that sent
``0.1`` has already lost a fen to binary floating point), and so are
exponents, NaN, full-width or other non-ASCII digits, signs other than a
leading ``-``, spaces, and more than two decimals: nothing is rounded.

`Date` takes ``YYYY-MM-DD`` and nothing else, and refuses dates that do not
exist (2月30日).

Error messages are `Message` strings: English text that also carries its
Chinese, which ``shell.problems`` puts in ``message_zh``.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from marshmallow import ValidationError, fields

from ledger.money import DAXIE_MAX, cny

AMOUNT_PATTERN = r"^-?[0-9]+(\.[0-9]{1,2})?$"
_AMOUNT = re.compile(r"-?[0-9]+(\.[0-9]{1,2})?")
#: Longer than any amount we accept; checked first, so 10 kB strings cost nothing.
_AMOUNT_MAX_CHARS = 20
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class Message(str):
    """An error message in English (the `str`) and Chinese (`zh`)."""

    zh: str

    def __new__(cls, en: str, zh: str) -> Message:
        message = super().__new__(cls, en)
        message.zh = zh
        return message


def invalid(en: str, zh: str) -> ValidationError:
    return ValidationError(Message(en, zh))


class Amount(fields.String):
    """A CNY amount: ``"1234.50"`` in and out, `Decimal` with two places inside.

    ``positive=True`` refuses zero and negatives; ``allow_negative=False``
    refuses negatives only. The largest accepted amount is the largest that
    can be written in 大写 (9,999,999,999,999.99).
    """

    def __init__(self, *, positive: bool = False, allow_negative: bool = True, **kwargs: Any):
        self.positive = positive
        self.allow_negative = allow_negative and not positive
        metadata = {
            "pattern": AMOUNT_PATTERN,
            "example": "1000.00",
            "description": "人民币金额,字符串,最多两位小数 / CNY amount as a string, "
            "at most two decimals" + (", > 0" if positive else ""),
            **kwargs.pop("metadata", {}),
        }
        super().__init__(metadata=metadata, **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        return f"{cny(value):.2f}"

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        if not isinstance(value, str):
            raise invalid(
                'Amounts are strings such as "1000.00", not numbers.',
                '金额须为字符串,例如 "1000.00",不能是数字。',
            )
        if len(value) > _AMOUNT_MAX_CHARS or not _AMOUNT.fullmatch(value):
            raise invalid(
                'Not an amount: use digits with at most two decimals, e.g. "1000.00".',
                '金额格式无效:只能是数字,最多两位小数,例如 "1000.00"。',
            )
        amount = cny(value)
        if abs(amount) > DAXIE_MAX:
            raise invalid(
                "Amount too large (at most 9999999999999.99).",
                "金额过大(最多 9999999999999.99)。",
            )
        if self.positive and amount <= 0:
            raise invalid("Amount must be greater than zero.", "金额必须大于零。")
        if not self.allow_negative and amount < 0:
            raise invalid("Amount must not be negative.", "金额不能为负数。")
        return amount


class Date(fields.Date):
    """An ISO 8601 calendar date, ``YYYY-MM-DD`` exactly, that exists."""

    def __init__(self, **kwargs: Any):
        metadata = {"example": "2007-04-01", **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dt.date:
        if not isinstance(value, str) or not _DATE.fullmatch(value):
            raise invalid(
                'Not a date: use YYYY-MM-DD, e.g. "2007-04-01".',
                '日期格式无效:应为 YYYY-MM-DD,例如 "2007-04-01"。',
            )
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise invalid(f"No such date: {value}.", f"日期不存在:{value}。") from None


def decimal_text(places: int, *, allow_none: bool = False, **kwargs: Any) -> fields.Decimal:
    """A ratio or rate out as decimal text (``"0.20"``), documented as the string it is."""
    metadata = {"type": "string", "format": "decimal", **kwargs.pop("metadata", {})}
    if allow_none:
        metadata["nullable"] = True
    return fields.Decimal(
        as_string=True, places=places, allow_none=allow_none, metadata=metadata, **kwargs
    )
