"""Small checks every service uses, each naming the field it refuses."""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal
from typing import TypeVar

from ledger.errors import InvalidAmount, InvalidField
from ledger.money import cny

E = TypeVar("E", bound=enum.Enum)


def text(value: object, field: str, *, max_length: int = 200, required: bool = True) -> str:
    """Stripped text of at most `max_length` characters, without control characters."""
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise InvalidField(f"{field} 不能为空", f"{field} is required", field=field)
    cleaned = value.strip()
    if len(cleaned) > max_length:
        raise InvalidField(
            f"{field} 不能超过 {max_length} 个字符",
            f"{field} must be at most {max_length} characters",
            field=field,
        )
    if any(_unstorable(ch) for ch in cleaned):
        raise InvalidField(
            f"{field} 含有控制字符或无法保存的字符",
            f"{field} contains control characters or characters that cannot be stored",
            field=field,
        )
    return cleaned


def _unstorable(ch: str) -> bool:
    """A control character, or one that XML (so XLSX) cannot carry: a lone surrogate,
    U+FFFE or U+FFFF. Text that passes is written back exactly by every export."""
    code = ord(ch)
    return code < 32 or 0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF)


def amount(value: object, field: str, *, allow_zero: bool = False) -> Decimal:
    """An exact, positive (or non-negative) amount in yuan."""
    try:
        result = cny(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InvalidAmount(
            f"{field} 金额 {value!r} 无效,应为精确到分的数字",
            f"{field}: {value!r} is not an amount in yuan with at most 2 decimals",
            field=field,
        ) from None
    if result < 0 or (result == 0 and not allow_zero):
        raise InvalidAmount(
            f"{field} 必须大于零", f"{field} must be greater than zero", field=field
        )
    return result


def day(value: object, field: str) -> date:
    if not isinstance(value, date):
        raise InvalidField(f"{field} 应为日期", f"{field} must be a date", field=field)
    return value


def flag(value: object, field: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidField(f"{field} 应为是/否", f"{field} must be true or false", field=field)
    return value


def choice(enum_type: type[E], value: object, field: str) -> E:
    """The member of `enum_type` whose value is `value`; the refusal lists the allowed values."""
    try:
        return enum_type(value)
    except ValueError:
        allowed = ", ".join(str(member.value) for member in enum_type)
        raise InvalidField(
            f"{field} {value!r} 无效,应为 {allowed} 之一",
            f"{field} {value!r} is not one of {allowed}",
            field=field,
        ) from None
