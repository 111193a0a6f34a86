"""Counties as tenants (SPEC §12): adding and renaming counties, funds in them, users
confined to a region, and the gate that hides another county's fund."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from ledger.actors import SYSTEM, Actor
from ledger.errors import (
    CountyNotFound,
    DuplicateKey,
    FundNotFound,
    InvalidField,
    RoleNotAllowed,
)
from ledger.models import County, Fund, User
from ledger.models.county import PLACEHOLDER
from ledger.read import access, setup
from ledger.services import counties, users
from ledger.services.funds import open_fund
from tests.factories import committing, make_fund

A, B, OTHER_PROVINCE = "340123", "340221", "410102"
ADMIN = Actor("admin", "admin")


@pytest.fixture
def three(db):
    """Counties A (city 3401) and B (city 3402) of province 34, and one of province 41."""
    with committing(db) as uow:
        for code, name in ((A, "甲县"), (B, "乙县"), (OTHER_PROVINCE, "丙区")):
            counties.add_county(uow, actor=ADMIN, code=code, name=name)
    return db


def fund_in(db, county: str) -> str:
    return make_fund(db, county=county).code


@pytest.mark.parametrize("code", ["34012", "3401234", "34012a", " 34012", "", None, 340123])
def test_a_county_code_is_six_digits(db, code):
    with committing(db) as uow, pytest.raises(InvalidField) as refused:
        counties.add_county(uow, actor=ADMIN, code=code, name="某县")
    assert refused.value.field == "code"
    assert "6" in refused.value.detail_zh and "6 digits" in refused.value.detail_en


def test_an_administrator_adds_a_county_once(db):
    with committing(db) as uow:
        added = counties.add_county(uow, actor=ADMIN, code=A, name=" 甲县 ")
    assert (added.code, added.name, added.created_by) == (A, "甲县", "admin")
    with committing(db) as uow, pytest.raises(DuplicateKey) as again:
        counties.add_county(uow, actor=ADMIN, code=A, name="又一个")
    assert again.value.field == "code"
    with committing(db) as uow, pytest.raises(InvalidField) as nameless:
        counties.add_county(uow, actor=ADMIN, code=B, name="  ")
    assert nameless.value.field == "name"
    with committing(db) as uow, pytest.raises(RoleNotAllowed):
        counties.add_county(uow, actor=Actor("c", "clerk"), code=B, name="乙县")


def test_a_countys_administrator_adds_no_county_outside_it(db):
    county_admin = Actor("a", "admin", region=A)
    with committing(db) as uow, pytest.raises(InvalidField) as outside:
        counties.add_county(uow, actor=county_admin, code=B, name="乙县")
    assert outside.value.field == "code" and A in outside.value.detail_en
    with db.read() as session:
        assert session.get(County, B) is None


def test_the_database_refuses_a_malformed_county_code(db):
    for bad in ("34012a", "34012"):
        with pytest.raises(IntegrityError), committing(db) as uow:
            uow.session.add(County(code=bad, name="x", created_by="t"))
            uow.session.flush()


@pytest.mark.parametrize(
    ("role", "region"), [("clerk", "3401"), ("admin", "34"), ("leader", "341"), ("auditor", "34a1")]
)
def test_the_database_refuses_a_writer_above_a_county_or_a_malformed_region(db, role, region):
    row = {"username": "u", "password_hash": "x", "role": role, "region": region}
    with pytest.raises(IntegrityError), committing(db) as uow:
        uow.session.execute(insert(User).values(disabled=False, **row))


def test_a_fund_belongs_to_the_county_it_is_opened_in(three):
    db = three
    code = fund_in(db, A)
    with db.read() as session:
        assert session.scalar(select(Fund.county_code).where(Fund.code == code)) == A
    with committing(db) as uow, pytest.raises(CountyNotFound) as unknown:
        open_fund(uow, actor=ADMIN, code="X1", name="x", county="999999")
    assert unknown.value.field == "county"
    # an administrator of city 3402 cannot even tell that county A exists
    with committing(db) as uow, pytest.raises(CountyNotFound) as hidden:
        open_fund(uow, actor=Actor("b", "admin", region="3402"), code="X2", name="x", county=A)
    assert hidden.value.field == "county"
    # several counties: the fund must name one
    with committing(db) as uow, pytest.raises(InvalidField) as unnamed:
        open_fund(uow, actor=ADMIN, code="X3", name="x")
    assert unnamed.value.field == "county"


@pytest.mark.parametrize(
    ("region", "sees"),
    [
        (None, {A, B, OTHER_PROVINCE}),
        ("34", {A, B}),
        ("3401", {A}),
        (A, {A}),
        (B, {B}),
        ("41", {OTHER_PROVINCE}),
    ],
)
def test_a_user_sees_the_funds_of_the_counties_in_the_region_only(three, region, sees):
    db = three
    funds = {county: fund_in(db, county) for county in (A, B, OTHER_PROVINCE)}
    actor = Actor("someone", "leader", region=region)
    with db.read() as session:
        for county, code in funds.items():
            if county in sees:
                assert access.fund(session, actor, code).code == code
            else:
                with pytest.raises(FundNotFound) as hidden:
                    access.fund(session, actor, code)
                assert hidden.value.detail_en == f"fund {code} does not exist"
        listed = {row.code: row.county for row in setup.funds(actor).all(session)}
        assert {code: county for county, code in funds.items() if county in sees}.items() <= (
            listed.items()
        )
        assert not set(listed.values()) - sees - ({PLACEHOLDER} if region is None else set())
        shown = {row.code for row in setup.counties(actor).all(session)}
        assert sees <= shown and not (shown - sees - {PLACEHOLDER})


def new_user(db, **kwargs):
    with committing(db) as uow:
        return users.create_user(uow, username="u-1", password="long enough pw", **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        ({"role": "clerk", "region": "34012"}, InvalidField, "region"),
        ({"role": "clerk", "region": "3401"}, InvalidField, "role"),
        ({"role": "admin", "region": "34"}, InvalidField, "role"),
        ({"role": "approver", "region": "999999"}, CountyNotFound, "region"),
        ({"role": "township", "region": B, "township_code": "340123001"}, InvalidField, "township"),
    ],
)
def test_a_region_is_a_county_city_or_province_and_above_a_county_reads_only(
    three, kwargs, error, field
):
    with pytest.raises(error) as refused:
        new_user(three, **kwargs)
    assert refused.value.field == field
    assert refused.value.detail_zh and refused.value.detail_en


def test_a_fund_granted_lies_in_the_users_region(three):
    code = fund_in(three, A)
    with pytest.raises(FundNotFound) as refused:
        new_user(three, role="clerk", region=B, fund_code=code)
    assert refused.value.field == "fund"
    clerk = new_user(three, role="clerk", region=A, fund_code=code)
    assert users.actor_of(clerk).region == A


@pytest.mark.parametrize(("role", "region"), [("leader", "3401"), ("auditor", "34")])
def test_a_citys_or_provinces_user_is_a_leader_or_an_auditor(three, role, region):
    actor = users.actor_of(new_user(three, role=role, region=region))
    assert (actor.role, actor.region) == (role, region)


def test_renaming_the_placeholder_moves_its_funds_and_users(db):
    code = fund_in(db, PLACEHOLDER)
    new_user(db, role="approver", region=PLACEHOLDER)
    with committing(db) as uow:
        renamed = counties.rename_county(
            uow, actor=SYSTEM, code=PLACEHOLDER, new_code="341122", name="来安县"
        )
    assert (renamed.code, renamed.name) == ("341122", "来安县")
    with db.read() as session:
        assert session.get(County, PLACEHOLDER) is None
        assert session.scalar(select(Fund.county_code).where(Fund.code == code)) == "341122"
        assert session.scalar(select(User.region).where(User.username == "u-1")) == "341122"
    with committing(db) as uow:
        counties.rename_county(uow, actor=SYSTEM, code="341122", new_code="341122", name="来安")
    with db.read() as session:
        assert session.get_one(County, "341122").name == "来安"


def test_renaming_refuses_an_unknown_county_or_a_code_taken(three):
    with committing(three) as uow, pytest.raises(CountyNotFound) as unknown:
        counties.rename_county(uow, actor=SYSTEM, code="999999", new_code="999998", name="x")
    assert unknown.value.field == "code"
    with committing(three) as uow, pytest.raises(DuplicateKey) as taken:
        counties.rename_county(uow, actor=SYSTEM, code=A, new_code=B, name="x")
    assert taken.value.field == "code"
    with committing(three) as uow, pytest.raises(InvalidField) as bad:
        counties.rename_county(uow, actor=SYSTEM, code=A, new_code="3401", name="x")
    assert bad.value.field == "new_code"
