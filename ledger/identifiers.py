"""Identifiers the programme relies on, checked the way the county checks them.

- ID numbers (公民身份号码, GB 11643): 17 digits and a check character from
  the weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 mod 11 mapped through
  ``10X98765432``; the birth date inside must be real and not in the future.
  A lowercase ``x`` is accepted and stored upper-case.
- Mobile numbers: ``1[3-9]`` and nine more digits, after stripping ``+86``.
- Township codes: 9 digits (6-digit county code + 3); village codes 12.
"""

from __future__ import annotations

import re
from datetime import date

from ledger.errors import InvalidField

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
ID_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")
MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
TOWNSHIP_CODE = re.compile(r"^[0-9]{9}$")


def id_check_char(first17: str) -> str:
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def check_id_number(value: object, *, today: date | None = None, field: str = "id_number") -> str:
    """The normalised ID number, or InvalidField saying what is wrong with it."""
    text = value.strip().upper() if isinstance(value, str) else ""
    if not ID_SHAPE.match(text):
        raise InvalidField(
            "身份证号应为 18 位:17 位数字加 1 位校验码(数字或 X)",
            "ID number must be 17 digits and a check digit or X",
            field=field,
        )
    try:
        born = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise InvalidField(
            f"身份证号中的出生日期 {text[6:14]} 不存在",
            f"birth date {text[6:14]} in the ID number does not exist",
            field=field,
        ) from None
    if born > (today or date.today()) or born.year < 1850:
        raise InvalidField(
            f"身份证号中的出生日期 {text[6:14]} 不合理",
            f"birth date {text[6:14]} in the ID number is impossible",
            field=field,
        )
    expected = id_check_char(text[:17])
    if text[17] != expected:
        raise InvalidField(
            f"身份证号校验码错误:应为 {expected}",
            f"ID number check digit is wrong: expected {expected}",
            field=field,
        )
    return text


def check_mobile(value: object, *, field: str = "phone") -> str:
    text = value.strip().replace(" ", "").replace("-", "") if isinstance(value, str) else ""
    if text.startswith("+86"):
        text = text[3:]
    if not MOBILE.match(text):
        raise InvalidField(
            "手机号应为 11 位,以 13–19 开头",
            "mobile number must be 11 digits starting 13-19",
            field=field,
        )
    return text


def check_township_code(value: object, *, field: str = "code") -> str:
    if not isinstance(value, str) or not TOWNSHIP_CODE.match(value):
        raise InvalidField(
            "乡镇代码应为 9 位数字(县代码 6 位 + 3 位)",
            "township code must be 9 digits (6-digit county + 3)",
            field=field,
        )
    return value
