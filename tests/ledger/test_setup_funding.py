"""Fund set-up and money in and down: refusals name the field and write nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ledger import errors
from ledger.actors import Actor
from ledger.journal_templates import SPECIAL, capital, township_funds
from ledger.read.books import balance
from ledger.services import funding, setup
from tests.factories import (
    ADMIN,
    CLERK_ACTOR,
    committing,
    make_fund,
    make_id_number,
    make_programme,
)

D = Decimal


def test_appropriation_allocation_remittance_move_money_per_spec(db):
    fund = make_fund(db)
    with committing(db) as uow:
        setup.add_township(uow, CLERK_ACTOR, fund.code, code="340123001", name="但家庙镇")
    with committing(db) as uow:
        moved = funding.record_appropriation(
            uow, CLERK_ACTOR, fund.code, on=date(2007, 3, 1), amount="1000000.00", source="province"
        )
    assert moved.voucher == "记-2007-03-0001" and moved.kind == "appropriation"
    with committing(db) as uow:
        funding.record_allocation(
            uow,
            CLERK_ACTOR,
            fund.code,
            on=date(2007, 4, 1),
            township="340123001",
            amount="600000.00",
        )
    with committing(db) as uow:
        funding.record_remittance(
            uow,
            Actor("t", "township", "340123001"),
            fund.code,
            on=date(2007, 12, 1),
            township="340123001",
            amount="100000.00",
        )
    with db.read() as session:
        assert balance(session, fund.id, SPECIAL).balance == D("500000.00")
        assert balance(session, fund.id, township_funds("340123001")).balance == D("500000.00")
        assert balance(session, fund.id, capital("province")).balance == D("1000000.00")


def test_allocation_beyond_the_special_account_is_refused(db):
    prog = make_programme(db, capital="50000.00", allocate="20000.00")
    with db.uow() as uow, pytest.raises(errors.InsufficientFunds) as info:
        funding.record_allocation(
            uow,
            CLERK_ACTOR,
            prog.code,
            on=date(2007, 5, 1),
            township=prog.townships[0],
            amount="10000.01",
        )
    assert info.value.field == "amount" and "10,000.00" in info.value.detail_zh


def test_remittance_beyond_township_cash_is_refused(db):
    prog = make_programme(db)
    with db.uow() as uow, pytest.raises(errors.InsufficientFunds):
        funding.record_remittance(
            uow,
            CLERK_ACTOR,
            prog.code,
            on=date(2007, 5, 1),
            township=prog.townships[0],
            amount="20000.01",
        )


def test_a_back_dated_allocation_needs_the_money_on_its_date(db):
    prog = make_programme(db)  # 100,000.00 in on 2007-03-01, 40,000.00 out on 2007-04-01
    with committing(db) as uow:
        funding.record_appropriation(
            uow, CLERK_ACTOR, prog.code, on=date(2007, 6, 1), amount="50000.00", source="city"
        )
    allocate = {"township": prog.townships[0], "amount": "80000.00"}
    with db.uow() as uow, pytest.raises(errors.InsufficientFunds) as info:
        funding.record_allocation(uow, CLERK_ACTOR, prog.code, on=date(2007, 5, 31), **allocate)
    assert info.value.field == "date"
    assert "拨付日 2007-05-31" in info.value.detail_zh and "60,000.00" in info.value.detail_zh
    assert "allocation date 2007-05-31" in info.value.detail_en
    with committing(db) as uow:
        funding.record_allocation(uow, CLERK_ACTOR, prog.code, on=date(2007, 6, 1), **allocate)
    with db.read() as session:
        assert balance(session, prog.fund.id, SPECIAL).balance == D("30000.00")


def test_a_back_dated_remittance_may_not_overdraw_a_day_since(db):
    prog = make_programme(db)
    town = prog.townships[0]
    with committing(db) as uow:  # 20,000.00 on 2007-04-01, then 5,000.00 more on 2007-05-01
        funding.record_allocation(
            uow, CLERK_ACTOR, prog.code, on=date(2007, 5, 1), township=town, amount="5000.00"
        )
    with db.uow() as uow, pytest.raises(errors.InsufficientFunds) as info:
        funding.record_remittance(
            uow, CLERK_ACTOR, prog.code, on=date(2007, 4, 15), township=town, amount="25000.00"
        )
    assert info.value.field == "date" and "20,000.00" in info.value.detail_zh
    with committing(db) as uow:
        funding.record_remittance(
            uow, CLERK_ACTOR, prog.code, on=date(2007, 5, 1), township=town, amount="25000.00"
        )
    with db.read() as session:
        assert balance(session, prog.fund.id, township_funds(town)).balance == D("0.00")


def test_township_officer_cannot_remit_for_another_township(db):
    prog = make_programme(db)
    other = Actor("b", "township", township_code=prog.townships[1])
    with db.uow() as uow, pytest.raises(errors.RecordNotFound):
        funding.record_remittance(
            uow, other, prog.code, on=date(2007, 5, 1), township=prog.townships[0], amount="1.00"
        )


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"amount": "-1.00"}, "amount"),
        ({"amount": 5.0}, "amount"),
        ({"amount": "1e3"}, "amount"),
        ({"source": ""}, "source"),
        ({"source": "a/b"}, "source"),
        ({"on": "2007-03-01"}, "date"),
    ],
)
def test_appropriation_refusals(db, kwargs, field):
    fund = make_fund(db)
    args = {"on": date(2007, 3, 1), "amount": "10.00", "source": "county", **kwargs}
    with db.uow() as uow, pytest.raises(errors.LedgerError) as info:
        funding.record_appropriation(uow, CLERK_ACTOR, fund.code, **args)
    assert info.value.field == field


def test_unknown_fund(db):
    with db.uow() as uow, pytest.raises(errors.FundNotFound):
        setup.add_township(uow, CLERK_ACTOR, "nope", code="340123001", name="x")


@pytest.mark.parametrize(("code", "field"), [("34012300", "code"), ("340123001", "code")])
def test_township_code_rules(db, code, field):
    fund = make_fund(db)
    with committing(db) as uow:
        setup.add_township(uow, CLERK_ACTOR, fund.code, code="340123001", name="已有")
    with db.uow() as uow, pytest.raises(errors.LedgerError) as info:
        setup.add_township(uow, CLERK_ACTOR, fund.code, code=code, name="新")
    assert info.value.field == field


def test_household_rules(db):
    prog = make_programme(db)
    good = make_id_number()
    with committing(db) as uow:
        row = setup.add_household(
            uow,
            CLERK_ACTOR,
            prog.code,
            name="何云尚",
            id_number=good.lower(),
            township=prog.townships[0],
            village="双河村",
            party_member=True,
            phone="+8613800138000",
        )
    assert row.id_number == good.upper() and row.phone == "13800138000"
    cases = [
        ({"id_number": good}, errors.DuplicateKey, "id_number"),
        ({"id_number": "110105194912310021"}, errors.InvalidField, "id_number"),
        ({"phone": "12345"}, errors.InvalidField, "phone"),
        ({"party_member": "是"}, errors.InvalidField, "party_member"),
        ({"township": "340123999"}, errors.RecordNotFound, "township"),
        ({"village": ""}, errors.InvalidField, "village"),
    ]
    for change, error, field in cases:
        args = {
            "name": "邓为才",
            "id_number": make_id_number(),
            "township": prog.townships[0],
            "village": "古城村",
            "party_member": True,
            **change,
        }
        with db.uow() as uow, pytest.raises(error) as info:
            setup.add_household(uow, CLERK_ACTOR, prog.code, **args)
        assert info.value.field == field


def test_project_type_standard_within_fund_maximum(db):
    fund = make_fund(db)
    with db.uow() as uow, pytest.raises(errors.InvalidField) as info:
        setup.add_project_type(
            uow, CLERK_ACTOR, fund.code, code="tea", name="茶叶加工", borrowing_standard="50000.01"
        )
    assert info.value.field == "borrowing_standard"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"deduction_cap": "0"}, "deduction_cap"),
        ({"deduction_cap": "1.5"}, "deduction_cap"),
        ({"deduction_cap": "0.123456"}, "deduction_cap"),
        ({"max_term_months": 0}, "max_term_months"),
        ({"max_loan": "-5"}, "max_loan"),
        ({"fee_rate": "1"}, "fee_rate"),
    ],
)
def test_settings_refusals(db, kwargs, field):
    fund = make_fund(db)
    with db.uow() as uow, pytest.raises(errors.InvalidField) as info:
        setup.update_settings(uow, ADMIN, fund.code, **kwargs)
    assert info.value.field == field


def test_settings_update(db):
    fund = make_fund(db)
    with committing(db) as uow:
        row = setup.update_settings(
            uow, ADMIN, fund.code, deduction_cap="0.15", max_term_months=24, fee_rate="0.005"
        )
    assert row.deduction_cap == D("0.15") and row.fee_rate == D("0.005")
    assert row.deduction_cap_bp == 1500 and row.max_term_months == 24
