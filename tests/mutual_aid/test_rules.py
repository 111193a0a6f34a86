"""The 章程's arithmetic, pure: the usage fee and its rounding, spans, terms, 封闭运行."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.posting import AccountRef, credit, debit, journal, red_ink
from ledger.programmes.mutual_aid.errors import ClosedVillage
from ledger.programmes.mutual_aid.rules import (
    OUTFLOWS,
    add_months,
    check_closed_village,
    span_fee,
    usage_fee,
)

D = Decimal
BANK = AccountRef("1001")


@pytest.mark.parametrize(
    ("principal", "rate", "days", "fee"),
    [
        ("5000.00", "0.006", 30, "30.00"),  # a month at 6‰
        ("5000.00", "0.006", 1, "1.00"),
        ("1234.56", "0.006", 17, "4.20"),  # 4.197504
        ("25.00", "0.006", 1, "0.01"),  # exactly half a fen: up, not to even
        ("24.99", "0.006", 1, "0.00"),  # 0.004998
        ("5000.00", "0.006", 0, "0.00"),
        ("0.00", "0.006", 30, "0.00"),
        ("3000.00", "0", 30, "0.00"),
    ],
)
def test_usage_fee_is_p_m_d_over_30_rounded_half_up_to_the_fen(principal, rate, days, fee):
    assert usage_fee(D(principal), D(rate), days) == D(fee)


@given(
    fen=st.integers(min_value=0, max_value=10**10),
    rate_ppm=st.integers(min_value=0, max_value=100_000),
    days=st.integers(min_value=0, max_value=800),
)
def test_usage_fee_equals_the_decimal_formula(fen, rate_ppm, days):
    principal, rate = D(fen) / 100, D(rate_ppm) / 1_000_000
    with localcontext() as ctx:
        ctx.prec = 60
        expected = (principal * rate * days / 30).quantize(D("0.01"), ROUND_HALF_UP)
    assert usage_fee(principal, rate, days) == expected


def test_a_span_past_the_due_date_bears_the_overdue_rate_for_the_later_days():
    # Paid out 10 Feb 2024, due 10 Mar: 29 days at 6‰, then 10 days at 9‰.
    span = span_fee(
        D("3000.00"),
        date(2024, 2, 10),
        date(2024, 3, 20),
        date(2024, 3, 10),
        D("0.006"),
        D("0.009"),
    )
    assert (span.normal_days, span.overdue_days) == (29, 10)
    assert (span.normal_fee, span.overdue_fee) == (D("17.40"), D("9.00"))
    assert span.fee == D("26.40")
    late = span_fee(
        D("3000.00"),
        date(2024, 3, 20),
        date(2024, 3, 30),
        date(2024, 3, 10),
        D("0.006"),
        D("0.009"),
    )
    assert (late.normal_days, late.overdue_days, late.fee) == (0, 10, D("9.00"))


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (date(2024, 2, 10), 12, date(2025, 2, 10)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 11, 30), 3, date(2025, 2, 28)),
    ],
)
def test_a_term_ends_the_same_day_months_later_or_at_the_months_end(start, months, end):
    assert add_months(start, months) == end


ON = date(2024, 3, 1)


@pytest.mark.parametrize(("kind", "debited"), sorted(OUTFLOWS.items()))
def test_the_allowed_outflows_may_credit_the_bank(kind, debited):
    key = {"1201": "L1", "2201": "1"}.get(debited, "")
    check_closed_village(
        [journal(ON, kind, "x", [debit(AccountRef(debited, key), "10.00"), credit(BANK, "10.00")])]
    )


@pytest.mark.parametrize(
    ("kind", "debited"),
    [
        ("misc", AccountRef("5001")),  # an expense under another name
        ("expense", AccountRef("3001")),  # fiscal capital paid out as an "expense"
        ("loan_payout", AccountRef("5001")),
        ("share_refund", AccountRef("3003", "donor")),  # a donation is not a share
    ],
)
def test_anything_else_taking_money_out_of_the_village_is_refused(kind, debited):
    draft = journal(ON, kind, "x", [debit(debited, "10.00"), credit(BANK, "10.00")])
    with pytest.raises(ClosedVillage) as refused:
        check_closed_village([draft])
    assert "封闭运行" in refused.value.detail_zh and "village" in refused.value.detail_en


def test_money_in_and_the_red_ink_reversal_of_a_journal_pass():
    money_in = journal(
        ON, "share_bought", "x", [debit(BANK, "10.00"), credit(AccountRef("3002", "1"), "10.00")]
    )
    check_closed_village([money_in, red_ink(money_in, "记-2024-03-0001", ON, "错账")])
