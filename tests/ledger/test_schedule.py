from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger import errors
from ledger.dates import APPROVAL
from ledger.schedule import add_months, aging_bucket, check_schedule, make_schedule, overdue

D = Decimal


def test_make_schedule_sums_exactly_with_remainder_last():
    schedule = make_schedule(D("1000.00"), first_due=date(2008, 1, 31), count=3, every_months=1)
    assert [s.amount for s in schedule] == [D("333.33"), D("333.33"), D("333.34")]
    assert [s.due_date for s in schedule] == [
        date(2008, 1, 31),
        date(2008, 2, 29),
        date(2008, 3, 31),
    ]


@given(st.integers(1, 60), st.integers(100, 10**9))
def test_generated_schedules_always_sum(count, fen_each):
    principal = D(fen_each * count) / 100 + D("0.01") * (fen_each % 7)
    assert (
        sum(s.amount for s in make_schedule(principal, first_due=date(2008, 1, 1), count=count))
        == principal
    )


def test_make_schedule_refuses_instalments_smaller_than_a_fen():
    with pytest.raises(errors.InvalidField) as info:
        make_schedule(D("0.02"), first_due=date(2008, 1, 1), count=4)
    assert info.value.field == "count"


def test_check_schedule_accepts_a_fitting_schedule():
    items = [(date(2008, 4, 1), "500.00"), (date(2009, 4, 1), "500.00")]
    result = check_schedule(
        items,
        principal=D("1000.00"),
        starts=date(2007, 4, 1),
        starts_as=APPROVAL,
        max_term_months=36,
    )
    assert [i.seq for i in result] == [1, 2]


@pytest.mark.parametrize(
    ("items", "field"),
    [
        ([(date(2008, 4, 1), "600.00"), (date(2009, 4, 1), "500.00")], "schedule"),
        ([(date(2009, 4, 1), "500.00"), (date(2008, 4, 1), "500.00")], "schedule[1].due_date"),
        ([(date(2007, 3, 1), "1000.00")], "schedule[0].due_date"),
        ([(date(2011, 4, 2), "1000.00")], "schedule[0].due_date"),
        ([(date(2008, 4, 1), "0.001"), (date(2009, 4, 1), "999.999")], "schedule[0].amount"),
        ([(date(2008, 4, 1), "-1.00"), (date(2009, 4, 1), "1001.00")], "schedule[0].amount"),
        ([("2008-04-01", "1000.00")], "schedule[0].due_date"),
        ([], "schedule"),
    ],
)
def test_check_schedule_refusals(items, field):
    with pytest.raises(errors.LedgerError) as info:
        check_schedule(
            items,
            principal=D("1000.00"),
            starts=date(2007, 4, 1),
            starts_as=APPROVAL,
            max_term_months=36,
        )
    assert info.value.field == field


def test_overdue_days_count_from_the_oldest_unpaid_instalment():
    schedule = make_schedule(D("900.00"), first_due=date(2008, 4, 10), count=3)
    assert overdue(schedule, D("0.00"), date(2008, 4, 10)) == (0, D("0.00"))  # due today: not yet
    assert overdue(schedule, D("0.00"), date(2008, 4, 11)) == (1, D("300.00"))
    assert overdue(schedule, D("100.00"), date(2008, 5, 10)) == (30, D("200.00"))
    assert overdue(schedule, D("300.00"), date(2009, 4, 11)) == (1, D("300.00"))
    assert overdue(schedule, D("200.00"), date(2009, 4, 11)) == (366, D("400.00"))
    assert overdue(schedule, D("900.00"), date(2020, 1, 1)) == (0, D("0.00"))


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (0, None),
        (1, "1-30"),
        (30, "1-30"),
        (31, "31-90"),
        (90, "31-90"),
        (91, "91-180"),
        (180, "91-180"),
        (181, "181-365"),
        (365, "181-365"),
        (366, "365+"),
        (4000, "365+"),
    ],
)
def test_aging_buckets(days, bucket):
    assert aging_bucket(days) == bucket


def test_add_months_clamps():
    assert add_months(date(2007, 8, 31), 6) == date(2008, 2, 29)
    assert add_months(date(2007, 12, 15), 1) == date(2008, 1, 15)
