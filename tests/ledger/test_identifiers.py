from __future__ import annotations

from datetime import date

import pytest

from ledger import errors
from ledger.identifiers import check_id_number, check_mobile, check_township_code


@pytest.mark.parametrize(
    "value", ["11010519491231002X", "11010519491231002x", "440524188001010014"]
)
def test_valid_id_numbers(value):
    assert check_id_number(value) == value.upper()


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("110105194912310021", "check digit"),
        ("11010519491231002", "17 digits"),
        ("1101051949123100ZX", "17 digits"),
        ("110105194902300021", "does not exist"),  # 30 February
        ("110105209912310021", "impossible"),  # born in the future
        ("１１０１０５１９４９１２３１００２X", "17 digits"),  # full-width digits
        (None, "17 digits"),
    ],
)
def test_invalid_id_numbers(value, reason):
    with pytest.raises(errors.InvalidField) as info:
        check_id_number(value, today=date(2026, 11, 23))
    assert info.value.field == "id_number"
    assert reason in info.value.detail_en


@pytest.mark.parametrize(
    ("value", "normal"),
    [
        ("13800138000", "13800138000"),
        ("+8613800138000", "13800138000"),
        ("138-0013-8000", "13800138000"),
    ],
)
def test_mobile_numbers(value, normal):
    assert check_mobile(value) == normal


@pytest.mark.parametrize("value", ["12800138000", "1380013800", "+8512800138000", "", None])
def test_bad_mobile_numbers(value):
    with pytest.raises(errors.InvalidField):
        check_mobile(value)


@pytest.mark.parametrize("value", ["34012300", "3401230011", "34012300a", 340123001])
def test_bad_township_codes(value):
    with pytest.raises(errors.InvalidField):
        check_township_code(value)
