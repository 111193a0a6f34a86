"""Plans (规划): recording a fund's three-year plan and revising it.

The county's leading group decides a three-year plan (三年规划) and each
year's plan per township (分年度计划): how many households to support and
how much to lend, by batch. The clerk records the decision; a change of plan
is recorded as a revision that restates the whole plan as the next version,
with its date and reason, so every earlier version stays as it was decided.

Who may (SPEC §2): the clerk, who records the county's decisions. An
approver's part is deciding proposals, and a plan is not a proposal: it is
decided outside the ledger, and the reason names that decision.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger import dates, permissions, validate
from ledger.actors import Actor
from ledger.db import UnitOfWork
from ledger.errors import (
    InvalidField,
    PlansOverlap,
    PlanUnchanged,
    RecordNotFound,
    YearOutsidePlan,
)
from ledger.models import Batch, Plan, PlanLine, PlanRevision, Township
from ledger.permissions import Action
from ledger.services import lookup

#: The longest plan: five years (a five-year plan); the seed's is three.
MAX_PLAN_YEARS = 5
#: The most households one line may plan (a county lends to 500-10,000 in all).
MAX_HOUSEHOLDS = 1_000_000
#: Years a plan may name; wider than any programme, narrow enough to catch typos.
EARLIEST_YEAR, LATEST_YEAR = 1990, 2100

#: One checked line: year, township id, batch id, households, amount.
Line = tuple[int, int, int, int, Decimal]


def _year(value: object, field: str) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not EARLIEST_YEAR <= value <= LATEST_YEAR
    ):
        raise InvalidField(
            f"{field} 应为 {EARLIEST_YEAR}–{LATEST_YEAR} 之间的年份",
            f"{field} must be a year from {EARLIEST_YEAR} to {LATEST_YEAR}",
            field=field,
        )
    return value


def _lines(session: Session, fund_id: int, plan_years: range, lines: object) -> list[Line]:
    """Check every line of a plan and return them as ids and exact figures.

    Each line names a year within the plan, a township and a batch of the
    fund, a positive number of households and a positive amount exact to
    the fen; a year, township and batch appear once.
    """
    if not isinstance(lines, Sequence) or isinstance(lines, str) or not lines:
        raise InvalidField(
            "规划至少应有一行(年度、乡镇、批次、户数、金额)",
            "lines must list at least one year, township, batch, households and amount",
            field="lines",
        )
    towns: dict[str, int] = {}
    batches: dict[str, int] = {}
    out: list[Line] = []
    seen: set[tuple[int, int, int]] = set()
    for i, line in enumerate(lines):
        at = f"lines[{i}]"
        if not isinstance(line, Mapping):
            raise InvalidField(f"{at} 应为一行规划", f"{at} must be a plan line", field=at)
        year = line.get("year")
        if isinstance(year, bool) or not isinstance(year, int) or year not in plan_years:
            raise YearOutsidePlan(
                f"{at}.year {year} 不在规划期 {plan_years[0]}–{plan_years[-1]} 年内",
                f"{at}.year {year} is outside the plan's years {plan_years[0]}-{plan_years[-1]}",
                field=f"{at}.year",
            )
        town_code, batch_code = line.get("township"), line.get("batch")
        for part, value in (("township", town_code), ("batch", batch_code)):
            if not isinstance(value, str):
                raise InvalidField(
                    f"{at}.{part} 应为编码", f"{at}.{part} must be a code", field=f"{at}.{part}"
                )
        if town_code not in towns:
            towns[town_code] = lookup.by_code(
                session, Township, fund_id, town_code, f"{at}.township"
            ).id
        if batch_code not in batches:
            batches[batch_code] = lookup.by_code(
                session, Batch, fund_id, batch_code, f"{at}.batch"
            ).id
        households = line.get("households")
        if (
            isinstance(households, bool)
            or not isinstance(households, int)
            or not 0 < households <= MAX_HOUSEHOLDS
        ):
            raise InvalidField(
                f"{at}.households 扶持户数应为 1–{MAX_HOUSEHOLDS} 的整数",
                f"{at}.households must be a whole number from 1 to {MAX_HOUSEHOLDS}",
                field=f"{at}.households",
            )
        amount = validate.amount(line.get("amount"), f"{at}.amount")
        key = (year, towns[town_code], batches[batch_code])
        if key in seen:
            raise InvalidField(
                f"{at}:{year} 年 {town_code} 乡镇 {batch_code} 批次重复",
                f"{at}: year {year}, township {town_code}, batch {batch_code} appears twice",
                field=at,
            )
        seen.add(key)
        out.append((*key, households, amount))
    return out


def _add_revision(
    uow: UnitOfWork,
    actor: Actor,
    plan: Plan,
    version: int,
    on: date,
    reason: str,
    lines: list[Line],
) -> PlanRevision:
    revision = PlanRevision(
        plan_id=plan.id, version=version, recorded_on=on, reason=reason, recorded_by=actor.username
    )
    uow.session.add(revision)
    uow.session.flush()  # the lines need its id
    uow.session.add_all(
        PlanLine(
            revision_id=revision.id,
            year=year,
            township_id=town,
            batch_id=batch,
            households=households,
            amount=amount,
        )
        for year, town, batch, households, amount in lines
    )
    return revision


def record_plan(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    *,
    first_year: int,
    last_year: int,
    name: str,
    lines: Sequence[Mapping[str, object]],
    reason: str,
    on: date,
) -> PlanRevision:
    """Record a plan for `first_year`–`last_year` as decided on `on`; its version 1.

    A year belongs to one plan of a fund, so plans may not overlap.
    """
    session = uow.session
    fund = lookup.fund(session, fund_code)
    permissions.check(actor, Action.PLAN)
    first_year = _year(first_year, "first_year")
    last_year = _year(last_year, "last_year")
    if not first_year <= last_year < first_year + MAX_PLAN_YEARS:
        raise InvalidField(
            f"规划期应为 1–{MAX_PLAN_YEARS} 年,且结束年不早于开始年",
            f"last_year must be from first_year to {MAX_PLAN_YEARS - 1} years after it",
            field="last_year",
        )
    name = validate.text(name, "name", max_length=100)
    reason = validate.text(reason, "reason", max_length=500)
    on = dates.business_day(on, "on", dates.PLAN)
    checked = _lines(session, fund.id, range(first_year, last_year + 1), lines)
    other = session.scalar(
        select(Plan).where(
            Plan.fund_id == fund.id, Plan.first_year <= last_year, Plan.last_year >= first_year
        )
    )
    if other is not None:
        raise PlansOverlap(
            f"{first_year}–{last_year} 年与已有规划 {other.first_year}–{other.last_year} 年重叠",
            f"{first_year}-{last_year} overlaps the plan for {other.first_year}-{other.last_year}",
            field="first_year",
        )
    plan = Plan(
        fund_id=fund.id,
        first_year=first_year,
        last_year=last_year,
        name=name,
        created_by=actor.username,
    )
    session.add(plan)
    session.flush()  # the revision needs its id
    revision = _add_revision(uow, actor, plan, 1, on, reason, checked)
    uow.session.flush()
    return revision


def plan_by_year(session: Session, fund_id: int, first_year: object, *, lock: bool = False) -> Plan:
    """The fund's plan that starts in `first_year`, or RecordNotFound."""
    query = select(Plan).where(Plan.fund_id == fund_id, Plan.first_year == first_year)
    found = session.scalar(query.with_for_update() if lock else query)
    if found is None:
        raise RecordNotFound(
            f"{first_year} 年开始的规划不存在",
            f"no plan starts in {first_year}",
            field="plan",
        )
    return found


def latest_revision(
    session: Session, plan_id: int, as_of: date | None = None
) -> PlanRevision | None:
    """The version in force on `as_of` (the newest recorded by then), or the newest of all."""
    query = select(PlanRevision).where(PlanRevision.plan_id == plan_id)
    if as_of is not None:
        query = query.where(PlanRevision.recorded_on <= as_of)
    # A revision never precedes the version before it, so the newest version is the latest.
    return session.scalar(query.order_by(PlanRevision.version.desc()).limit(1))


def revise_plan(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    first_year: int,
    *,
    lines: Sequence[Mapping[str, object]],
    reason: str,
    on: date,
) -> PlanRevision:
    """Supersede the plan from `on` with a new version restating all its lines.

    The revision may not precede the version it supersedes, and must change
    something: a revision that restates the plan in force is refused.
    """
    session = uow.session
    fund = lookup.fund(session, fund_code)
    permissions.check(actor, Action.PLAN)
    plan = plan_by_year(
        session, fund.id, _year(first_year, "first_year"), lock=True
    )  # versions are numbered in turn
    reason = validate.text(reason, "reason", max_length=500)
    current = latest_revision(session, plan.id)
    assert current is not None  # a plan is recorded with its version 1
    on = dates.not_before(
        dates.business_day(on, "on", dates.PLAN_REVISION),
        current.recorded_on,
        "on",
        dates.PLAN_REVISION,
        dates.PREVIOUS_PLAN,
    )
    checked = _lines(session, fund.id, range(plan.first_year, plan.last_year + 1), lines)
    before = session.execute(
        select(
            PlanLine.year,
            PlanLine.township_id,
            PlanLine.batch_id,
            PlanLine.households,
            PlanLine.amount,
        ).where(PlanLine.revision_id == current.id)
    ).all()
    if {tuple(row) for row in before} == set(checked):
        raise PlanUnchanged(
            f"调整后的规划与第 {current.version} 版完全相同",
            f"the revision is the same as version {current.version}",
            field="lines",
        )
    revision = _add_revision(uow, actor, plan, current.version + 1, on, reason, checked)
    uow.session.flush()
    return revision
