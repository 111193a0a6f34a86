"""`Amount` and `Date`: strict in, exact out."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from marshmallow import Schema, ValidationError

from shell.fields import Amount, Date
from shell.problems import field_errors, message_zh


class Payment(Schema):
    amount = Amount(required=True, positive=True)
    balance = Amount()
    refund = Amount(allow_negative=False)
    on = Date()


def refused(data: dict) -> dict:
    with pytest.raises(ValidationError) as caught:
        Payment().load(data)
    return caught.value.messages  # type: ignore[return-value]


@pytest.mark.parametrize(
    "value",
    [
        1000,  # a JSON number
        10.5,
        True,
        "1e3",
        "1E3",
        "0.001",
        "1.005",
        "NaN",
        "nan",
        "Infinity",
        "-Infinity",
        "１０",  # full-width digits
        "١٠",  # Arabic-Indic digits
        "10 ",
        " 10",
        "10\n",
        "+10",
        "1,000.00",
        "10.",
        ".5",
        "",
        "-",
        "--1",
        "0x10",
        "10\x00",
        "1" * 10_240,
        "10000000000000.00",  # beyond what 大写 can write
        ["10"],
        {"amount": "10"},
    ],
)
def test_amount_refuses(value):
    messages = refused({"amount": value})
    assert list(messages) == ["amount"]
    [message] = messages["amount"]
    assert message_zh(message) != f"输入无效:{message}"  # carries its own Chinese


@pytest.mark.parametrize("value", ["-1", "-0.01", "0", "0.00", "-0"])
def test_a_positive_amount_refuses_zero_and_negatives(value):
    assert refused({"amount": value})["amount"] == ["Amount must be greater than zero."]


def test_a_non_negative_amount_takes_zero_but_not_negatives():
    assert Payment().load({"amount": "1", "refund": "0"})["refund"] == Decimal("0.00")
    assert refused({"amount": "1", "refund": "-0.01"})["refund"] == ["Amount must not be negative."]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1000", Decimal("1000.00")),
        ("0.5", Decimal("0.50")),
        ("1409.50", Decimal("1409.50")),
        ("007.10", Decimal("7.10")),
        ("9999999999999.99", Decimal("9999999999999.99")),
    ],
)
def test_amount_accepts_plain_decimals(value, expected):
    loaded = Payment().load({"amount": value, "balance": "-" + value})
    assert loaded["amount"] == expected
    assert loaded["amount"].as_tuple().exponent == -2
    assert loaded["balance"] == -expected


def test_amount_dumps_two_decimals_as_a_string():
    dumped = Payment().dump(
        {"amount": Decimal("1000"), "balance": Decimal("-0.5"), "refund": 3, "on": None}
    )
    assert dumped == {"amount": "1000.00", "balance": "-0.50", "refund": "3.00", "on": None}


def test_amount_refuses_to_dump_a_float():
    with pytest.raises(TypeError):
        Payment().dump({"amount": 0.1})


@pytest.mark.parametrize(
    "value",
    [
        "2007-02-30",
        "2007-02-29",
        "2007-13-01",
        "2007-00-10",
        "2007-4-1",
        "20070401",
        "2007-W14-1",
        "2007-04-01T00:00:00",
        "２００７-04-01",
        "2007-04-01 ",
        20070401,
        None,
    ],
)
def test_date_refuses(value):
    assert "on" in refused({"amount": "1", "on": value})


def test_date_accepts_a_real_leap_day():
    assert Payment().load({"amount": "1", "on": "2008-02-29"})["on"] == dt.date(2008, 2, 29)


def test_field_errors_are_flattened_with_paths():
    messages = {
        "json": {
            "schedule": {0: {"amount": ["Not a valid number."]}},
            "_schema": ["Invalid input type."],
        },
        "query": {
            "per_page": ["Must be greater than or equal to 1 and less than or equal to 500."]
        },
    }
    assert [(e.field, e.location, e.message_zh) for e in field_errors(messages)] == [
        ("schedule.0.amount", "json", "不是有效的数字。"),
        (None, "json", "输入类型无效,应为 JSON 对象。"),
        ("per_page", "query", "须在 1 到 500 之间。"),
    ]
