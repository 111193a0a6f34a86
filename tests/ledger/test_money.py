"""Tests for ledger.money: construction, fen, split, fmt and 人民币大写."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from moneyed import Money

from ledger.money import (
    CURRENCY,
    DAXIE_MAX,
    FEN,
    cny,
    daxie,
    fmt,
    from_fen,
    money,
    parse_daxie,
    split,
    to_fen,
)

MAX_FEN = to_fen(DAXIE_MAX)

#: Fen amounts whose digits are mostly zeros, to reach every 零 rule.
zero_heavy_fen = st.lists(
    st.sampled_from("0000000123456789"), min_size=1, max_size=len(str(MAX_FEN))
).map(lambda digits: int("".join(digits)))
amount_fen = st.one_of(st.integers(0, MAX_FEN), zero_heavy_fen)


# --- cny ---------------------------------------------------------------------


def test_constants() -> None:
    assert CURRENCY == "CNY"
    assert Decimal("0.01") == FEN


@pytest.mark.parametrize(
    ("given_", "expected"),
    [
        ("0", "0.00"),
        ("-0", "0.00"),
        ("1", "1.00"),
        ("1.5", "1.50"),
        ("1.05", "1.05"),
        ("-1234.5", "-1234.50"),
        ("007", "7.00"),
        (1000000, "1000000.00"),
        (-3, "-3.00"),
        (Decimal("1409.5"), "1409.50"),
        (Decimal("1.000"), "1.00"),  # trailing zeros, same value: not rounding
        (Decimal("-0.00"), "0.00"),
        (Decimal("1E+3"), "1000.00"),
        (Money("6007.14", "CNY"), "6007.14"),
    ],
)
def test_cny_accepts(given_: object, expected: str) -> None:
    value = cny(given_)  # type: ignore[arg-type]
    assert isinstance(value, Decimal)
    assert str(value) == expected
    assert value.as_tuple().exponent == -2


@pytest.mark.parametrize("bad", [1.0, 0.1, float("nan"), True, False, None, [1], b"1"])
def test_cny_refuses_types(bad: object) -> None:
    with pytest.raises(TypeError):
        cny(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "bad",
    [
        "1e3",
        "1E3",
        "0.001",
        "1.000",
        "NaN",
        "nan",
        "Infinity",
        "-Infinity",
        "1,000",
        "１００",  # full-width
        "١٠٠",  # Arabic-Indic digits
        "",
        " 1",
        "1 ",
        "1\n",
        "1 000",
        "+1",
        "1.",
        ".5",
        "--1",
        "0x10",
        "1_000",
        Decimal("0.001"),
        Decimal("1.005"),
        Decimal("NaN"),
        Decimal("sNaN"),
        Decimal("Infinity"),
        Decimal("-Infinity"),
        Decimal("1E+40"),
        10**40,
        Money("1.005", "CNY"),
        Money("1.00", "USD"),
    ],
)
def test_cny_refuses_values(bad: object) -> None:
    with pytest.raises(ValueError):
        cny(bad)  # type: ignore[arg-type]


@given(st.integers(-(10**15), 10**15))
def test_cny_of_plain_strings(fen: int) -> None:
    text = f"{'-' if fen < 0 else ''}{abs(fen) // 100}.{abs(fen) % 100:02d}"
    assert cny(text) == Decimal(fen) / 100


def test_money() -> None:
    m = money("1409.5")
    assert m == Money(Decimal("1409.50"), "CNY")
    assert m.currency.code == "CNY"
    assert m.amount.as_tuple().exponent == -2
    with pytest.raises(TypeError):
        money(0.1)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        money("0.001")


# --- fen ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "fen"),
    [
        ("0", 0),
        ("0.01", 1),
        ("1409.50", 140950),
        ("-0.99", -99),
        (Decimal("19.99"), 1999),
        (Money("0.29", "CNY"), 29),  # float-unsafe: 0.29 * 100 = 28.999... in float
        (12, 1200),
    ],
)
def test_to_fen(amount: object, fen: int) -> None:
    assert to_fen(amount) == fen  # type: ignore[arg-type]
    assert type(to_fen(amount)) is int  # type: ignore[arg-type]


def test_to_fen_never_truncates() -> None:
    with pytest.raises(ValueError):
        to_fen(Decimal("0.019"))
    with pytest.raises(TypeError):
        to_fen(0.29)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [1.0, True, "1", Decimal(1), None])
def test_from_fen_refuses_non_int(bad: object) -> None:
    with pytest.raises(TypeError):
        from_fen(bad)  # type: ignore[arg-type]


@given(st.integers(-(10**20), 10**20))
def test_fen_round_trip(fen: int) -> None:
    amount = from_fen(fen)
    assert amount.as_tuple().exponent == -2
    assert amount * 100 == fen
    assert to_fen(amount) == fen
    assert cny(str(amount)) == amount


# --- split -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "parts", "expected"),
    [
        ("1000", 3, ["333.33", "333.33", "333.34"]),
        ("-1000", 3, ["-333.33", "-333.33", "-333.34"]),
        ("100", 1, ["100.00"]),
        ("0", 4, ["0.00", "0.00", "0.00", "0.00"]),
        ("0.02", 3, ["0.01", "0.01", "0.00"]),  # 0.667 fen rounds up; last absorbs
        ("0.05", 2, ["0.03", "0.02"]),  # 2.5 fen: half up
        ("-0.05", 2, ["-0.03", "-0.02"]),  # mirror
        ("5000", 12, ["416.67"] * 11 + ["416.63"]),
        ("100.05", 10, ["10.01"] * 9 + ["9.96"]),  # last is 4.5 fen from its share
        ("1", [1, 2, 3], ["0.17", "0.33", "0.50"]),
        (
            "100",
            [Decimal("0.5"), Decimal("0.25"), Decimal("0.25")],
            ["50.00", "25.00", "25.00"],
        ),
        ("100", [0, 1], ["0.00", "100.00"]),
        ("100", [1, 0], ["100.00", "0.00"]),
        ("10", (1, 1, 1), ["3.33", "3.33", "3.34"]),
    ],
)
def test_split_examples(total: str, parts: object, expected: list[str]) -> None:
    result = split(total, parts)  # type: ignore[arg-type]
    assert result == [Decimal(e) for e in expected]
    assert all(p.as_tuple().exponent == -2 for p in result)


@pytest.mark.parametrize(
    ("total", "parts", "error"),
    [
        ("100", 0, ValueError),
        ("100", -1, ValueError),
        ("100", [], ValueError),
        ("100", [0, 0], ValueError),
        ("100", [1, -1], ValueError),
        ("100", [Decimal("NaN")], ValueError),
        (
            "0.05",
            10,
            ValueError,
        ),  # nine parts of 0.01 leave -0.04: no negative instalment
        ("100", True, TypeError),
        ("100", [1.5, 1], TypeError),
        ("100", [True], TypeError),
        (100.0, 2, TypeError),
        ("0.001", 2, ValueError),
    ],
)
def test_split_refuses(total: object, parts: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        split(total, parts)  # type: ignore[arg-type]


def _half_up(x: Fraction) -> int:
    """Round half away from zero, by integer division."""
    whole, rest = divmod(abs(x.numerator), x.denominator)
    magnitude = whole + (2 * rest >= x.denominator)
    return magnitude if x >= 0 else -magnitude


def _check_split(total_fen: int, weights: list[int]) -> None:
    """All parts but the last are their exact share rounded half up; the last absorbs."""
    exact = [Fraction(total_fen * w, sum(weights)) for w in weights]
    expected = [_half_up(share) for share in exact[:-1]]
    expected.append(total_fen - sum(expected))
    if expected[-1] * total_fen < 0:  # the remainder would change sign: too few fen
        with pytest.raises(ValueError):
            split(from_fen(total_fen), weights)
        return
    parts = split(from_fen(total_fen), weights)
    assert [to_fen(p) for p in parts] == expected
    assert sum(parts) == from_fen(total_fen)
    assert all(p * total_fen >= 0 for p in parts)  # every part has the total's sign
    assert all(
        abs(fen - share) <= Fraction(1, 2)
        for fen, share in zip(expected[:-1], exact[:-1], strict=False)
    )
    # The last part carries the others' rounding errors: up to half a fen each.
    assert abs(expected[-1] - exact[-1]) <= Fraction(len(weights) - 1, 2)


@given(st.integers(-(10**12), 10**12), st.integers(1, 60))
@example(100_05, 10)
@example(5, 10)
@example(-5, 2)
def test_split_equal_parts(total_fen: int, n: int) -> None:
    _check_split(total_fen, [1] * n)


@given(st.integers(-(10**12), 10**12), st.integers(1, 60))
def test_split_int_is_equal_weights(total_fen: int, n: int) -> None:
    try:
        expected = split(from_fen(total_fen), [7] * n)
    except ValueError:
        with pytest.raises(ValueError):
            split(from_fen(total_fen), n)
    else:
        assert split(from_fen(total_fen), n) == expected


@given(
    st.integers(-(10**12), 10**12),
    st.lists(st.integers(0, 10**6), min_size=1, max_size=20).filter(any),
)
def test_split_weights(total_fen: int, weights: list[int]) -> None:
    _check_split(total_fen, weights)


@given(st.integers(0, 10**12), st.integers(1, 30))
def test_split_mirrors_negative_totals(total_fen: int, n: int) -> None:
    try:
        positive = split(from_fen(total_fen), n)
    except ValueError:
        with pytest.raises(ValueError):
            split(from_fen(-total_fen), n)
        return
    assert split(from_fen(-total_fen), n) == [from_fen(-to_fen(p)) for p in positive]


# --- fmt ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("1000000", "1,000,000.00"),
        ("-1234.5", "-1,234.50"),
        ("0", "0.00"),
        ("-0", "0.00"),
        ("0.05", "0.05"),
        ("999.99", "999.99"),
        ("1000", "1,000.00"),
        ("-1000000000.01", "-1,000,000,000.01"),
        (Decimal("12345678.9"), "12,345,678.90"),
        (Money("1409.50", "CNY"), "1,409.50"),
    ],
)
def test_fmt(amount: object, text: str) -> None:
    assert fmt(amount) == text  # type: ignore[arg-type]


@given(st.integers(-(10**15), 10**15))
def test_fmt_round_trips(fen: int) -> None:
    text = fmt(from_fen(fen))
    assert re.fullmatch(r"-?\d{1,3}(,\d{3})*\.\d{2}", text)
    assert cny(text.replace(",", "")) == from_fen(fen)


def test_fmt_refuses_float() -> None:
    with pytest.raises(TypeError):
        fmt(1.5)  # type: ignore[arg-type]


# --- daxie: 人民币大写 ----------------------------------------------------------

SPEC_EXAMPLES = [
    ("1409.50", "壹仟肆佰零玖元伍角整"),
    ("6007.14", "陆仟零柒元壹角肆分"),
    ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
    ("1000", "壹仟元整"),
    ("15", "壹拾伍元整"),
    ("100001", "壹拾万零壹元整"),
    ("0.34", "叁角肆分"),
    ("0", "零元整"),
]

MORE_EXAMPLES = [
    # from the brief and the 支付结算办法
    ("0.05", "伍分"),
    ("0.50", "伍角整"),
    ("10.05", "壹拾元零伍分"),
    ("1000000", "壹佰万元整"),
    ("100000000", "壹亿元整"),
    ("100010000", "壹亿零壹万元整"),
    ("1010101.01", "壹佰零壹万零壹佰零壹元零壹分"),
    ("20000.30", "贰万元零叁角整"),
    ("105.00", "壹佰零伍元整"),
    ("1100.00", "壹仟壹佰元整"),
    ("1010.00", "壹仟零壹拾元整"),
    ("1680.32", "壹仟陆佰捌拾元零叁角贰分"),
    ("107000.53", "壹拾万柒仟元零伍角叁分"),
    # units and small numbers
    ("1", "壹元整"),
    ("10", "壹拾元整"),
    ("11", "壹拾壹元整"),
    ("20", "贰拾元整"),
    ("99", "玖拾玖元整"),
    ("100", "壹佰元整"),
    ("101", "壹佰零壹元整"),
    ("110", "壹佰壹拾元整"),
    ("111", "壹佰壹拾壹元整"),
    ("1001", "壹仟零壹元整"),
    ("1011", "壹仟零壹拾壹元整"),
    ("1101", "壹仟壹佰零壹元整"),
    ("9999", "玖仟玖佰玖拾玖元整"),
    # 角 only, 分 only, both, with and without yuan
    ("0.01", "壹分"),
    ("0.10", "壹角整"),
    ("0.99", "玖角玖分"),
    ("1.10", "壹元壹角整"),
    ("1.01", "壹元零壹分"),
    ("1.11", "壹元壹角壹分"),
    ("10.10", "壹拾元零壹角整"),
    ("10.11", "壹拾元零壹角壹分"),
    ("10.01", "壹拾元零壹分"),
    ("100.50", "壹佰元零伍角整"),
    ("101.50", "壹佰零壹元伍角整"),
    # the 万 boundary
    ("10000", "壹万元整"),
    ("10001", "壹万零壹元整"),
    ("10010", "壹万零壹拾元整"),
    ("10100", "壹万零壹佰元整"),
    ("11000", "壹万壹仟元整"),
    ("100000", "壹拾万元整"),
    ("101000", "壹拾万壹仟元整"),
    ("110000", "壹拾壹万元整"),
    ("1000001", "壹佰万零壹元整"),
    ("1001000", "壹佰万壹仟元整"),
    ("1010000", "壹佰零壹万元整"),
    ("10000000", "壹仟万元整"),
    ("10000100", "壹仟万零壹佰元整"),
    ("10010000", "壹仟零壹万元整"),
    ("99999999.99", "玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    # the 亿 boundary
    ("100000001", "壹亿零壹元整"),
    ("100001000", "壹亿零壹仟元整"),
    ("100100000", "壹亿零壹拾万元整"),
    ("101000000", "壹亿零壹佰万元整"),
    ("110000000", "壹亿壹仟万元整"),
    ("120000000.05", "壹亿贰仟万元零伍分"),
    ("1000000000", "壹拾亿元整"),
    ("1000000010.20", "壹拾亿零壹拾元零贰角整"),
    ("10000000000", "壹佰亿元整"),
    ("100000000000", "壹仟亿元整"),
    ("100100100100", "壹仟零壹亿零壹拾万零壹佰元整"),
    # 万亿, up to the maximum
    ("1000000000000", "壹万亿元整"),
    ("1000000000001", "壹万亿零壹元整"),
    ("1000100000000", "壹万零壹亿元整"),
    ("1100000000000", "壹万壹仟亿元整"),
    (
        "9999999999999.99",
        "玖万玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分",
    ),
    # negative amounts: 负
    ("-5", "负伍元整"),
    ("-0.05", "负伍分"),
    ("-1409.50", "负壹仟肆佰零玖元伍角整"),
    (
        "-9999999999999.99",
        "负玖万玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分",
    ),
]


@pytest.mark.parametrize(("amount", "text"), SPEC_EXAMPLES + MORE_EXAMPLES)
def test_daxie(amount: str, text: str) -> None:
    assert daxie(amount) == text
    assert daxie(Decimal(amount)) == text
    assert parse_daxie(text) == cny(amount)


def test_daxie_accepts_every_amount_type() -> None:
    assert daxie(15) == "壹拾伍元整"
    assert daxie(Money("0.34", "CNY")) == "叁角肆分"
    assert daxie("-0") == "零元整"


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        ("10000000000000", ValueError),
        ("-10000000000000", ValueError),
        (DAXIE_MAX + FEN, ValueError),
        ("0.001", ValueError),
        ("1e3", ValueError),
        (1.5, TypeError),
        (True, TypeError),
    ],
)
def test_daxie_refuses(bad: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        daxie(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("壹仟肆佰零玖元伍角", "1409.50"),  # 整 after 角 is optional
        ("人民币壹仟肆佰零玖元伍角整", "1409.50"),
        ("壹仟元正", "1000"),  # the old 正 for 整
        ("壹仟元", "1000"),
        ("拾伍元整", "15"),  # a bare 拾 is 壹拾
        ("壹仟陆佰捌拾元叁角贰分", "1680.32"),  # the other form the 支付结算办法 allows
        ("壹拾万零柒仟元伍角叁分", "107000.53"),
        ("负伍分", "-0.05"),
    ],
)
def test_parse_daxie_variants(text: str, amount: str) -> None:
    assert parse_daxie(text) == cny(amount)


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "整",
        "元",
        "伍",
        "壹元伍分整",  # nothing after 分
        "壹贰元整",
        "壹佰拾元整",
        "零拾元整",
        "壹拾佰元整",
        "万元整",
        "壹万壹万元整",
        "壹亿壹亿元整",
        "壹元伍角伍角",
        "壹元五角整",  # lowercase digit
        "1元整",
        "壹元整整",
        " 壹元整",
    ],
)
def test_parse_daxie_refuses(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_daxie(bad)


_D = "零壹贰叁肆伍陆柒捌玖"
# Position of each integer digit, from the units up to 万亿.
_UNITS = ["", "拾", "佰", "仟", "万", "拾", "佰", "仟", "亿", "拾", "佰", "仟", "万"]


def reference_daxie(amount: Decimal) -> str:
    """A second formulation: write every digit with its unit, then reduce by regex.

    Independent of ledger.money: "壹拾零万零仟零佰零拾壹元零角零分" is reduced
    step by step to "壹拾万零壹元整".
    """
    if amount < 0:
        return "负" + reference_daxie(-amount)
    yuan_digits, frac = f"{amount:.2f}".split(".")
    yuan = int(yuan_digits)
    if yuan == 0 and frac == "00":
        return "零元整"
    text = ""
    if yuan:
        positions = range(len(str(yuan)) - 1, -1, -1)
        text = "".join(_D[int(c)] + _UNITS[p] for c, p in zip(str(yuan), positions, strict=False))
        text = re.sub("零[拾佰仟]", "零", text)
        text = re.sub("零+", "零", text)
        text = re.sub("零([万亿])", r"\1", text)
        text = text.replace("亿万", "亿零")  # an empty 万 section leaves a gap
        text = re.sub("零+", "零", text)
        text = text.rstrip("零") + "元"
    text += _D[int(frac[0])] + "角" + _D[int(frac[1])] + "分"
    text = text.replace("零角", "零").replace("零分", "")
    if yuan and yuan % 10 == 0 and frac[0] != "0":
        text = text.replace("元", "元零")
    text = text.rstrip("零")
    if not yuan:
        text = text.lstrip("零")
    return text if text.endswith("分") else text + "整"


@pytest.mark.parametrize(("amount", "text"), SPEC_EXAMPLES + MORE_EXAMPLES)
def test_reference_daxie_agrees_with_the_examples(amount: str, text: str) -> None:
    assert reference_daxie(Decimal(amount)) == text


@given(amount_fen, st.booleans())
def test_daxie_agrees_with_reference(fen: int, negative: bool) -> None:
    amount = from_fen(-fen if negative else fen)
    assert daxie(amount) == reference_daxie(amount)


@given(amount_fen, st.booleans())
@example(MAX_FEN, False)
@example(MAX_FEN, True)
def test_daxie_round_trips(fen: int, negative: bool) -> None:
    amount = from_fen(-fen if negative else fen)
    text = daxie(amount)
    assert parse_daxie(text) == amount
    assert parse_daxie(text.removesuffix("整")) == amount


@given(amount_fen)
def test_daxie_shape(fen: int) -> None:
    text = daxie(from_fen(fen))
    assert "零零" not in text
    assert fen == 0 or not re.search("零[元万亿角分整]", text)
    assert text.endswith(("分", "整"))
    assert text.endswith("分") == (fen % 10 != 0)
    assert set(text) <= set(_D + "拾佰仟万亿元角分整")
