"""Amounts of money: the only place in the codebase where they are made.

A yuan (元) divides into 100 fen (分); the fen is the smallest amount the
fund can hold, lend or repay, so every amount is a whole number of fen. In
Python an amount is a ``Decimal`` with exactly two places, at the domain
boundary a py-moneyed ``Money`` in CNY, in the database an integer number of
fen (``BIGINT``).

Binary floats are refused everywhere: ``0.1 + 0.2 != 0.3`` in a float, and a
ledger that loses a fen no longer balances. For the same reason nothing here
rounds silently: ``cny("0.001")`` is an error, not zero. The one place where
rounding is unavoidable, splitting a sum into instalments, rounds
ROUND_HALF_UP to the fen and lets the last part absorb the remainder, so the
parts always add up to the whole (SPEC §3).

Documents that state a sum (IOU, write-off approval, statement totals) also
write it in Chinese uppercase, 人民币大写: see :func:`daxie`.

py-moneyed has two traps that code in ``ledger/`` must not call:
``Money.round()`` rounds half-even and ``get_amount_in_sub_unit()``
truncates. Use :func:`to_fen`, which is exact.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import TypeAlias

from moneyed import Money

CURRENCY = "CNY"
FEN = Decimal("0.01")

#: The largest amount :func:`daxie` writes: 9,999亿9,999万9,999元9角9分.
DAXIE_MAX = Decimal("9999999999999.99")

Amount: TypeAlias = str | int | Decimal | Money

# ASCII digits only: ``\d`` would also match full-width and other digits.
_PLAIN = re.compile(r"-?[0-9]+(\.[0-9]{1,2})?")

_DIGITS = "零壹贰叁肆伍陆柒捌玖"


def cny(x: Amount) -> Decimal:
    """Return ``x`` as a Decimal with exactly two places, or raise.

    Strings must be plain decimals matching ``^-?\\d+(\\.\\d{1,2})?$``.
    Decimals and ``Money`` may carry trailing zeros (``Decimal("1.000")``) as
    long as the value is a whole number of fen: that is not rounding.
    ``float`` and ``bool`` raise TypeError; anything that would need rounding,
    NaN, infinity or a malformed string raises ValueError.
    """
    if type(x) is Decimal and x.as_tuple().exponent == -2 and x.is_finite() and x:
        return x  # already exact to the fen: the hot path of every bind and load
    if isinstance(x, Money):
        if x.currency.code != CURRENCY:
            raise ValueError(f"not a {CURRENCY} amount: {x!r}")
        x = x.amount
    if isinstance(x, bool) or not isinstance(x, str | int | Decimal):
        raise TypeError(f"an amount must be str, int, Decimal or Money, not {type(x).__name__}")
    if isinstance(x, str):
        if not _PLAIN.fullmatch(x):
            raise ValueError(f"not a plain decimal amount: {x!r}")
        x = Decimal(x)
    value = Decimal(x)
    if not value.is_finite():
        raise ValueError(f"not a finite amount: {x!r}")
    try:
        exact = value.quantize(FEN)
    except InvalidOperation:  # more digits than the decimal context holds
        raise ValueError(f"amount too large: {x!r}") from None
    if exact != value:
        raise ValueError(f"more than two decimal places: {x!r}")
    # -0.00 would print as "-0.00"; there is only one zero.
    return exact if exact else Decimal("0.00")


def money(x: Amount) -> Money:
    """Return ``x`` as a CNY ``Money``, validated by :func:`cny`."""
    return Money(cny(x), CURRENCY)


def to_fen(x: Amount) -> int:
    """Return ``x`` as a whole number of fen; exact, never truncates."""
    # cny() guarantees two places, so moving the point is exact.
    return int(cny(x).scaleb(2))


def from_fen(n: int) -> Decimal:
    """Return ``n`` fen as a two-place Decimal."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"fen must be int, not {type(n).__name__}")
    # The digits of n with the point moved two places: exact at any size.
    sign, digits, _ = Decimal(n).as_tuple()
    return Decimal((sign if n else 0, digits, -2))


def split(total: Amount, parts: int | Sequence[int | Decimal]) -> list[Decimal]:
    """Split ``total`` into ``parts`` equal parts, or in proportion to weights.

    Every part but the last is its exact share rounded ROUND_HALF_UP to the
    fen (half away from zero, so negative totals mirror positive ones); the
    last part is what remains, so the parts sum exactly to ``total``. The
    last part may therefore differ from its exact share by up to
    ``(len(parts) - 1) / 2`` fen; if the remainder would have the opposite
    sign of ``total`` (e.g. 0.05 in ten parts) there are too few fen to split
    this way and ValueError is raised.
    """
    total_fen = to_fen(total)
    if isinstance(parts, bool):
        raise TypeError("parts must be an int or a sequence of weights")
    if isinstance(parts, int):
        if parts < 1:
            raise ValueError(f"cannot split into {parts} parts")
        weights = [Fraction(1)] * parts
    else:
        weights = [_weight(w) for w in parts]
        if not weights or not sum(weights):
            raise ValueError("weights must be non-empty and not all zero")
    whole = sum(weights)
    shares = [_round_half_up(total_fen * w / whole) for w in weights[:-1]]
    last = total_fen - sum(shares)
    if last * total_fen < 0:
        raise ValueError(f"too few fen in {from_fen(total_fen)} to split this way")
    return [from_fen(f) for f in [*shares, last]]


def _weight(w: int | Decimal) -> Fraction:
    if isinstance(w, bool) or not isinstance(w, int | Decimal):
        raise TypeError(f"a weight must be int or Decimal, not {type(w).__name__}")
    if isinstance(w, Decimal) and not w.is_finite():
        raise ValueError(f"not a finite weight: {w!r}")
    if w < 0:
        raise ValueError(f"negative weight: {w!r}")
    return Fraction(w)


def _round_half_up(q: Fraction) -> int:
    """Round to the nearest int, halves away from zero."""
    magnitude = int(abs(q) + Fraction(1, 2))  # int() floors a non-negative Fraction
    return magnitude if q >= 0 else -magnitude


def fmt(x: Amount) -> str:
    """Format for print: ``1,000,000.00``, ``-1,234.50``, ``0.00``."""
    return f"{cny(x):,.2f}"


def daxie(amount: Amount) -> str:
    """Write ``amount`` in Chinese uppercase (人民币大写), e.g. 壹仟肆佰零玖元伍角整.

    Follows the 支付结算办法 and 会计基础工作规范 rules:

    - a run of zeros inside the number is written as one 零
      (``1010101.01`` → 壹佰零壹万零壹佰零壹元零壹分); a zero 万 digit
      before a non-zero 千 digit is not written (``107000`` → 壹拾万柒仟元),
      one of the two forms the 支付结算办法 allows;
    - a zero 元 digit before a non-zero 角 is written as 零 after 元
      (``20000.30`` → 贰万元零叁角整), and so is a zero 角 before a
      non-zero 分 (``10.05`` → 壹拾元零伍分);
    - 整 follows 元 when there are no 角分, and 角 when there is no 分
      (SPEC §3); nothing follows 分;
    - the leading 壹拾 is kept (``15`` → 壹拾伍元整); zero is 零元整.

    A negative amount is prefixed with 负 (``-5`` → 负伍元整). Amounts beyond
    ``DAXIE_MAX`` (9,999,999,999,999.99, i.e. up to 万亿) raise ValueError.
    """
    value = cny(amount)
    if value < 0:
        return "负" + daxie(-value)
    if value > DAXIE_MAX:
        raise ValueError(f"too large for 大写 (max {fmt(DAXIE_MAX)}): {fmt(value)}")
    yuan, rest = divmod(to_fen(value), 100)
    jiao, fen = divmod(rest, 10)
    if not (yuan or jiao or fen):
        return "零元整"
    text = _yuan(yuan) + "元" if yuan else ""
    if jiao:
        text += ("零" if yuan and yuan % 10 == 0 else "") + _DIGITS[jiao] + "角"
    if fen:
        text += ("零" if yuan and not jiao else "") + _DIGITS[fen] + "分"
    return text if fen else text + "整"


def _yuan(n: int) -> str:
    """Write a positive whole number of yuan: 亿 and 万 split it into sections."""
    for size, unit in ((10**8, "亿"), (10**4, "万")):
        if n >= size:
            high, low = divmod(n, size)
            # A gap below the unit (low has fewer digits than the section) reads 零.
            gap = "零" if 0 < low < size // 10 else ""
            return _yuan(high) + unit + gap + (_yuan(low) if low else "")
    return _section(n)


def _section(n: int) -> str:
    """Write 1..9999 with 仟佰拾: inner zeros collapse to one 零, trailing ones vanish."""
    text, zero = "", False
    for digit, unit in zip(f"{n:04d}", ("仟", "佰", "拾", ""), strict=False):
        if digit == "0":
            zero = bool(text)
        else:
            text += ("零" if zero else "") + _DIGITS[int(digit)] + unit
            zero = False
    return text


_DAXIE = re.compile(
    r"(?P<sign>负)?(?:人民币)?"
    r"(?:(?P<yuan>[零壹贰叁肆伍陆柒捌玖拾佰仟万亿]+)元)?零?"
    r"(?:(?P<jiao>[壹贰叁肆伍陆柒捌玖])角)?零?"
    r"(?:(?P<fen>[壹贰叁肆伍陆柒捌玖])分)?"
    r"(?P<zheng>[整正])?"
)


def parse_daxie(text: str) -> Decimal:
    """Read 人民币大写 back into an amount: the inverse of :func:`daxie`.

    Accepts an optional 人民币 prefix, 整 (or the old 正) after 元 or 角 or
    not at all, and a bare 拾 for 壹拾; refuses 整 after 分 and malformed text.
    """
    match = _DAXIE.fullmatch(text)
    if not match or not (match["yuan"] or match["jiao"] or match["fen"]):
        raise ValueError(f"not 人民币大写: {text!r}")
    if match["fen"] and match["zheng"]:
        raise ValueError(f"整 after 分: {text!r}")
    yuan = _parse_yuan(match["yuan"] or "零")
    jiao = _DIGITS.index(match["jiao"]) if match["jiao"] else 0
    fen = _DIGITS.index(match["fen"]) if match["fen"] else 0
    fen_total = yuan * 100 + jiao * 10 + fen
    return from_fen(-fen_total if match["sign"] else fen_total)


def _parse_yuan(text: str) -> int:
    """Read the yuan part: 拾佰仟 inside a section of four digits, 万 and 亿 between."""
    total = wan = section = 0  # the 亿 part, the 万 part, the current section
    digit: int | None = None  # a digit not yet given a unit
    small = 10**4  # 拾佰仟 must fall within a section
    for char in text:
        if char in _DIGITS:
            if digit:
                raise ValueError(f"two digits in a row in {text!r}")
            digit = _DIGITS.index(char)
        elif char in "拾佰仟":
            unit = 10 ** ("拾佰仟".index(char) + 1)
            if digit is None and char == "拾" and not (total or wan or section):
                digit = 1  # a bare leading 拾 is 壹拾
            if not digit or unit >= small:
                raise ValueError(f"misplaced {char} in {text!r}")
            section, digit, small = section + digit * unit, None, unit
        elif char == "万":
            section += digit or 0
            if wan or not section:
                raise ValueError(f"misplaced 万 in {text!r}")
            wan, section, digit, small = section * 10**4, 0, None, 10**4
        else:  # 亿
            section += wan + (digit or 0)
            if total or not section:
                raise ValueError(f"misplaced 亿 in {text!r}")
            total, wan, section, digit, small = section * 10**8, 0, 0, None, 10**4
    return total + wan + section + (digit or 0)
