"""Fund set-up: townships, project types, batches, liaisons, households, limits.

Each function checks the actor's role against `ledger.permissions` (the
records: `Action.SET_UP`; the limits, a matter of the fund:
`Action.MANAGE_FUNDS`), validates everything, then writes and flushes (its
caller commits); a refusal names the field and leaves nothing behind.
"""

from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import select

from ledger import permissions, positions, validate
from ledger.actors import Actor
from ledger.db import UnitOfWork
from ledger.errors import DuplicateKey, InvalidField
from ledger.identifiers import check_id_number, check_mobile, check_township_code
from ledger.models import Batch, FundSettings, Household, Liaison, ProjectType, Township
from ledger.permissions import Action
from ledger.services import lookup

CODE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
RATE = re.compile(r"^[0-9](\.[0-9]{1,4})?$")


def _code(value: object, field: str = "code") -> str:
    if not isinstance(value, str) or not CODE.match(value):
        raise InvalidField(
            "编号只能包含字母、数字、- 和 _,长度 1–16",
            "code must be 1-16 letters, digits, '-' or '_'",
            field=field,
        )
    return value


def _unique(uow: UnitOfWork, model: type, fund_id: int, code: str) -> None:
    exists = uow.session.scalar(
        select(model.id).where(model.fund_id == fund_id, model.code == code)  # type: ignore[attr-defined]
    )
    if exists is not None:
        raise DuplicateKey(f"编号 {code} 已存在", f"code {code} already exists", field="code")


def add_township(
    uow: UnitOfWork, actor: Actor, fund_code: str, *, code: str, name: str
) -> Township:
    """Register a township (乡镇) by its 9-digit code."""
    permissions.check(actor, Action.SET_UP)
    fund = lookup.fund(uow.session, fund_code)
    code = check_township_code(code)
    name = validate.text(name, "name", max_length=100)
    _unique(uow, Township, fund.id, code)
    township = Township(fund_id=fund.id, code=code, name=name)
    uow.session.add(township)
    uow.session.flush()
    return township


def add_project_type(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    *,
    code: str,
    name: str,
    borrowing_standard: object,
) -> ProjectType:
    """A project type and its borrowing standard (借款标准), at most the fund's maximum loan."""
    permissions.check(actor, Action.SET_UP)
    fund = lookup.fund(uow.session, fund_code)
    code = _code(code)
    name = validate.text(name, "name", max_length=100)
    standard = validate.amount(borrowing_standard, "borrowing_standard")
    limits = lookup.settings(uow.session, fund.id)
    if standard > limits.max_loan:
        raise InvalidField(
            f"借款标准 {standard} 超过基金单笔上限 {limits.max_loan}",
            f"borrowing standard {standard} exceeds the fund's maximum loan {limits.max_loan}",
            field="borrowing_standard",
        )
    _unique(uow, ProjectType, fund.id, code)
    project_type = ProjectType(fund_id=fund.id, code=code, name=name, borrowing_standard=standard)
    uow.session.add(project_type)
    uow.session.flush()
    return project_type


def add_batch(
    uow: UnitOfWork, actor: Actor, fund_code: str, *, code: str, name: str, budget: object
) -> Batch:
    """A lending batch (批次) with its budget."""
    permissions.check(actor, Action.SET_UP)
    fund = lookup.fund(uow.session, fund_code)
    code = _code(code)
    name = validate.text(name, "name", max_length=100)
    amount = validate.amount(budget, "budget", allow_zero=True)
    _unique(uow, Batch, fund.id, code)
    batch = Batch(fund_id=fund.id, code=code, name=name, budget=amount)
    uow.session.add(batch)
    uow.session.flush()
    return batch


def add_liaison(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    *,
    name: str,
    township: str,
    monthly_salary: object,
    phone: str | None = None,
) -> Liaison:
    """A liaison (行政联系人) whose monthly salary guarantees the loans they answer for."""
    permissions.check(actor, Action.SET_UP)
    session = uow.session
    fund = lookup.fund(session, fund_code)
    name = validate.text(name, "name", max_length=50)
    town = lookup.township(session, fund.id, township, actor, "township")
    salary = validate.amount(monthly_salary, "monthly_salary")
    liaison = Liaison(
        fund_id=fund.id,
        township_id=town.id,
        name=name,
        monthly_salary=salary,
        phone=check_mobile(phone) if phone else None,
        created_by=actor.username,
    )
    session.add(liaison)
    uow.session.flush()
    return liaison


def add_household(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    *,
    name: str,
    id_number: str,
    township: str,
    village: str,
    party_member: bool,
    phone: str | None = None,
) -> Household:
    """A household (贫困户); its ID number is checked per GB 11643 and unique in the fund."""
    permissions.check(actor, Action.SET_UP)
    session = uow.session
    fund = lookup.fund(session, fund_code)
    name = validate.text(name, "name", max_length=50)
    id_number = check_id_number(id_number)
    town = lookup.township(session, fund.id, township, actor, "township")
    village = validate.text(village, "village", max_length=100)
    party_member = validate.flag(party_member, "party_member")
    phone = check_mobile(phone) if phone else None
    if (
        session.scalar(
            select(Household.id).where(
                Household.fund_id == fund.id, Household.id_number == id_number
            )
        )
        is not None
    ):
        raise DuplicateKey(
            f"身份证号 {id_number} 已登记",
            f"ID number {id_number} is already registered",
            field="id_number",
        )
    household = Household(
        fund_id=fund.id,
        township_id=town.id,
        name=name,
        id_number=id_number,
        village=village,
        party_member=party_member,
        phone=phone,
        created_by=actor.username,
    )
    session.add(household)
    uow.session.flush()
    positions.record_counts(session, fund.id, households={town.id: 1})
    return household


def update_settings(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    *,
    max_loan: object = None,
    max_term_months: object = None,
    deduction_cap: object = None,
    fee_rate: object = None,
) -> FundSettings:
    """Change a fund's limits (SPEC §10); rates are fractions such as ``"0.20"``."""
    permissions.check(actor, Action.MANAGE_FUNDS)
    fund = lookup.fund(uow.session, fund_code)
    row = lookup.settings(uow.session, fund.id)
    if max_loan is not None:
        row.max_loan = validate.amount(max_loan, "max_loan")
    if max_term_months is not None:
        if not isinstance(max_term_months, int) or not 1 <= max_term_months <= 600:
            raise InvalidField(
                "最长期限应为 1–600 个月", "max_term_months must be 1-600", field="max_term_months"
            )
        row.max_term_months = max_term_months
    if deduction_cap is not None:
        row.deduction_cap_bp = _basis_points(deduction_cap, "deduction_cap", low=1, high=10000)
    if fee_rate is not None:
        row.fee_rate_bp = _basis_points(fee_rate, "fee_rate", low=0, high=9999)
    uow.session.flush()
    return row


def _basis_points(value: object, field: str, *, low: int, high: int) -> int:
    """A rate such as ``"0.2"`` in basis points; more than four decimals is refused."""
    if isinstance(value, str) and RATE.match(value):
        points = Decimal(value) * 10000
    elif isinstance(value, Decimal) and value.is_finite():
        points = value * 10000
    else:
        points = Decimal(-1)
    if points != points.to_integral_value() or not low <= points <= high:
        raise InvalidField(
            f"{field} 应为 {Decimal(low) / 10000}–{Decimal(high) / 10000} 之间的比例(如 0.20)",
            f"{field} must be a fraction between {Decimal(low) / 10000} and "
            f"{Decimal(high) / 10000} (e.g. 0.20)",
            field=field,
        )
    return int(points)
