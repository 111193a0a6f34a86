"""Finding the records a request names, inside one fund, or saying which is missing.

A township officer asking for another township's household or loan is told
it does not exist (never that it belongs to someone else).
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.actors import Actor
from ledger.errors import FundNotFound, RecordNotFound
from ledger.models import (
    Batch,
    Disaster,
    Fund,
    FundSettings,
    Household,
    Liaison,
    Loan,
    ProjectType,
    Township,
)

M = TypeVar("M")

_NAMES = {
    Township: ("乡镇", "township"),
    Batch: ("批次", "batch"),
    ProjectType: ("项目类型", "project type"),
    Liaison: ("联系人", "liaison"),
    Household: ("农户", "household"),
    Loan: ("借款", "loan"),
    Disaster: ("灾害", "disaster"),
}


def not_found(model: type, key: object, field: str) -> RecordNotFound:
    zh, en = _NAMES[model]
    return RecordNotFound(f"{zh} {key} 不存在", f"{en} {key} does not exist", field=field)


def fund(session: Session, code: str) -> Fund:
    found = session.scalar(select(Fund).where(Fund.code == code))
    if found is None:
        raise FundNotFound(f"基金 {code} 不存在", f"fund {code} does not exist", field="fund")
    return found


def settings(session: Session, fund_id: int) -> FundSettings:
    return session.get_one(FundSettings, fund_id)


def by_code(session: Session, model: type[M], fund_id: int, code: str, field: str) -> M:
    found = session.scalar(
        select(model).where(model.fund_id == fund_id, model.code == code)  # type: ignore[attr-defined]
    )
    if found is None:
        raise not_found(model, code, field)
    return found


def township(session: Session, fund_id: int, code: str, actor: Actor, field: str) -> Township:
    found = by_code(session, Township, fund_id, code, field)
    if not actor.sees_township(found.code):
        raise not_found(Township, code, field)
    return found


def own_township_id(session: Session, fund_id: int, actor: Actor) -> int | None:
    """The township a township officer is confined to; None for a county-wide reader."""
    if not actor.is_township:
        return None
    return township(session, fund_id, actor.township_code or "", actor, "township").id


def by_id(
    session: Session, model: type[M], fund_id: int, key: object, actor: Actor, field: str
) -> M:
    """A liaison or household by id, hidden from other townships' officers."""
    found = session.get(model, key) if isinstance(key, int) and not isinstance(key, bool) else None
    if found is None or found.fund_id != fund_id:  # type: ignore[attr-defined]
        raise not_found(model, key, field)
    town = session.get_one(Township, found.township_id)  # type: ignore[attr-defined]
    if not actor.sees_township(town.code):
        raise not_found(model, key, field)
    return found


def loan(
    session: Session,
    fund_id: int,
    registration_no: str,
    actor: Actor,
    *,
    field: str = "loan",
    lock: bool = False,
) -> Loan:
    """The loan by registration number; `lock` takes its row lock for a state change."""
    query = select(Loan).where(Loan.fund_id == fund_id, Loan.registration_no == registration_no)
    if lock:
        query = query.with_for_update()
    found = session.scalar(query)
    if found is None:
        raise not_found(Loan, registration_no, field)
    if actor.is_township:
        town = session.get_one(Township, found.township_id)
        if not actor.sees_township(town.code):
            raise not_found(Loan, registration_no, field)
    return found
