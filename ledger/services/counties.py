"""Counties (区县): adding one, giving the placeholder its real code, and finding one.

A county is the tenant of a province-wide install (SPEC §12): its funds, and
through them their townships, loans and books, belong to it. Only an
administrator of the whole install (no region) adds a county: a county's own
administrator is refused any other code, and a county outside the caller's
region reads as one that does not exist.
"""

from __future__ import annotations

import re

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ledger import permissions
from ledger.actors import Actor
from ledger.db import UnitOfWork
from ledger.errors import CountyNotFound, DuplicateKey, InvalidField
from ledger.models import County, Fund, User
from ledger.permissions import Action

COUNTY_CODE = re.compile(r"[0-9]{6}")
#: A user's region: a province (2 digits), a city (4) or a county (6).
REGION_CODE = re.compile(r"[0-9]{2}|[0-9]{4}|[0-9]{6}")


def check_code(code: object, field: str = "code") -> str:
    """`code` if it is a county's 6-digit code (GB/T 2260); InvalidField otherwise."""
    if not isinstance(code, str) or not COUNTY_CODE.fullmatch(code):
        raise InvalidField(
            "区县代码须为 6 位数字(GB/T 2260)",
            "a county code must be 6 digits (GB/T 2260)",
            field=field,
        )
    return code


def check_region_code(code: object, field: str = "region") -> str:
    """`code` if it is a province's (2 digits), a city's (4) or a county's (6) code."""
    if not isinstance(code, str) or not REGION_CODE.fullmatch(code):
        raise InvalidField(
            "辖区代码须为 2 位(省)、4 位(市)或 6 位(区县)数字",
            "region must be 2 (province), 4 (city) or 6 (county) digits",
            field=field,
        )
    return code


def check_name(name: object) -> str:
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > 100:
        raise InvalidField(
            "区县名称不能为空且不超过 100 字", "name must be 1-100 characters", field="name"
        )
    return name.strip()


def not_found(code: str, field: str) -> CountyNotFound:
    return CountyNotFound(f"区县 {code} 不存在", f"county {code} does not exist", field=field)


def county(session: Session, actor: Actor, code: object, field: str = "county") -> County:
    """The county `code` if it exists in `actor`'s region; CountyNotFound otherwise."""
    code = check_code(code, field)
    found = session.get(County, code) if actor.sees_county(code) else None
    if found is None:
        raise not_found(code, field)
    return found


def county_of_new_fund(session: Session, actor: Actor, code: str | None) -> County:
    """The county a new fund goes to: `code`, or, when none is named, the install's only one.

    The API always names it; the command line and the demo need not, on an
    install that serves one county (SPEC §12).
    """
    if code is not None:
        return county(session, actor, code)
    found = session.scalars(select(County).limit(2)).all()
    if len(found) != 1 or not actor.sees_county(found[0].code):
        raise InvalidField(
            "须指定基金所属的区县(county)", "name the county the fund belongs to", field="county"
        )
    return found[0]


def add_county(uow: UnitOfWork, *, actor: Actor, code: str, name: str) -> County:
    """Add a county (an administrator's; one confined to a region adds none outside it)."""
    permissions.check(actor, Action.MANAGE_FUNDS)
    check_code(code)
    name = check_name(name)
    if not actor.sees_county(code):
        raise InvalidField(
            f"区县 {code} 不在本用户的辖区 {actor.region} 内",
            f"county {code} lies outside the user's region {actor.region}",
            field="code",
        )
    session = uow.session
    if session.get(County, code) is not None:
        raise DuplicateKey(f"区县代码 {code} 已存在", f"county {code} already exists", field="code")
    added = County(code=code, name=name, created_by=actor.username)
    session.add(added)
    session.flush()
    return added


def rename_county(uow: UnitOfWork, *, actor: Actor, code: str, new_code: str, name: str) -> County:
    """Give a county (the upgrade's placeholder) its real code and name.

    Its funds and the users confined to it move with it, in this transaction.
    """
    session = uow.session
    old = county(session, actor, code, "code")
    check_code(new_code, "new_code")
    if new_code != code:
        renamed = add_county(uow, actor=actor, code=new_code, name=name)
        session.execute(update(Fund).where(Fund.county_code == code).values(county_code=new_code))
        session.execute(update(User).where(User.region == code).values(region=new_code))
        session.delete(old)
        session.flush()
        return renamed
    permissions.check(actor, Action.MANAGE_FUNDS)
    old.name = check_name(name)
    session.flush()
    return old
