"""Opening a fund: the fund row, its kind's chart of accounts, and its plain accounts."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from ledger import dates, permissions
from ledger.actors import Actor
from ledger.db import UnitOfWork
from ledger.errors import DuplicateKey, InvalidField
from ledger.models import Account, AccountKind, ChartAccount, Fund, SubLedger
from ledger.permissions import Action
from ledger.programmes import REVOLVING, programme
from ledger.services import counties

FUND_CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def open_fund(
    uow: UnitOfWork,
    *,
    actor: Actor,
    code: str,
    name: str,
    opened_on: date | None = None,
    county: str | None = None,
    kind: str = REVOLVING,
) -> Fund:
    """Create a fund of `county`, of programme `kind`, with that kind's chart (SPEC §4, §13).

    `opened_on` is the fund's start (启用日); without it the fund starts on
    the date of its first journal, its first appropriation. Without a
    county the fund goes to the install's only county
    (`counties.county_of_new_fund`). Only a role of `Action.MANAGE_FUNDS`
    opens one, in a county of its region.
    """
    permissions.check(actor, Action.MANAGE_FUNDS)
    if not isinstance(code, str) or not FUND_CODE.match(code):
        raise InvalidField(
            "基金代码只能包含字母、数字、- 和 _,长度 1–32",
            "fund code must be 1-32 letters, digits, '-' or '_'",
            field="code",
        )
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise InvalidField(
            "基金名称不能为空且不超过 200 字", "name must be 1-200 characters", field="name"
        )
    if opened_on is not None:
        opened_on = dates.business_day(opened_on, "opened_on", dates.FUND_START)
    kind_of = programme(kind)
    session = uow.session
    owner = counties.county_of_new_fund(session, actor, county)
    if session.scalar(select(Fund.id).where(Fund.code == code)) is not None:
        raise DuplicateKey(
            f"基金代码 {code} 已存在", f"fund code {code} already exists", field="code"
        )
    fund = Fund(
        code=code,
        name=name.strip(),
        county_code=owner.code,
        created_by=actor.username,
        opened_on=opened_on,
        kind=kind_of.kind,
    )
    session.add(fund)
    session.flush()  # the chart rows need the fund id
    kind_of.open(session, fund)
    for line in kind_of.chart:
        chart = ChartAccount(
            fund_id=fund.id,
            code=line.code,
            name_zh=line.name_zh,
            name_en=line.name_en,
            kind=line.kind,
            subledger=line.subledger,
            allow_negative=False,
        )
        session.add(chart)
        if line.subledger is SubLedger.NONE:
            session.flush()
            session.add(
                Account(
                    fund_id=fund.id,
                    chart_id=chart.id,
                    code=line.code,
                    subkey="",
                    guard_nonnegative=line.kind is AccountKind.ASSET,
                )
            )
    uow.session.flush()
    return fund
