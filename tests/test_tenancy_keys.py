"""Every table a county owns can be placed by county (SPEC §12, issue 19).

A province keeps its counties in one database, and may later distribute the
rows by county. For that, each table a county owns must lead its primary key
or one of its indexes with the fund's (or the county's) key, so that the
rows of one fund sit together and every lookup can name the fund first.
Rows that belong to a parent row (a journal's entries, a loan's instalments)
are led by the parent's key instead, which itself carries the fund. A table
must be one of these, or shared by every county; a new table nobody
classified fails here.
"""

from __future__ import annotations

from sqlalchemy import Table, UniqueConstraint

import ledger.models  # noqa: F401 - registers every table
from ledger.db import Base

#: Tables of the whole install: counties, people, their sign-ins and the replay store.
SHARED = {"county", "app_user", "api_token", "login_failure", "idempotency_record"}
#: The fund's key, by table, where it is not ``fund_id``: a fund names its county, and an
#: audit chain is named by its fund's code.
FUND_KEY = {"fund": "county_code", "audit_record": "chain", "audit_head": "chain"}
#: Rows that belong to a row of another table, and the column naming that parent.
CHILDREN = {
    "account_daily_total": ("account_id", "account"),
    "chart_daily_total": ("chart_id", "chart_account"),
    "account_kind_day": ("account_id", "account"),
    "chart_kind_day": ("chart_id", "chart_account"),
    "entry": ("journal_id", "journal"),
    "instalment": ("loan_id", "loan"),
    "schedule_version": ("loan_id", "loan"),
    "loan_event": ("loan_id", "loan"),
    "liaison_assignment": ("loan_id", "loan"),
    "loss_report": ("disaster_id", "disaster"),
    "disaster_township": ("disaster_id", "disaster"),
    "deduction_plan": ("call_id", "guarantee_call"),
    "finding": ("inspection_id", "inspection"),
    "inspection_loan": ("inspection_id", "inspection"),
    "plan_revision": ("plan_id", "plan"),
    "plan_line": ("revision_id", "plan_revision"),
}


def leading_columns(table: Table) -> set[str]:
    """The first column of the table's primary key, unique constraints and indexes
    (a foreign key is no index)."""
    keys = [list(table.primary_key.columns)]
    keys += [list(index.columns) for index in table.indexes]
    keys += [list(c.columns) for c in table.constraints if isinstance(c, UniqueConstraint)]
    return {key[0].name for key in keys if key}


def owner_key(name: str) -> str:
    """The column that carries the fund (or county) in table `name`."""
    return FUND_KEY.get(name, "fund_id")


def test_every_table_is_shared_keyed_by_its_fund_or_by_its_parent():
    for name, table in Base.metadata.tables.items():
        if name in SHARED:
            continue
        if name in CHILDREN:
            column, parent = CHILDREN[name]
            assert parent not in SHARED and parent in Base.metadata.tables, name
            assert {fk.column.table.name for fk in table.c[column].foreign_keys} == {parent}, name
            assert column in leading_columns(table), f"{name}: nothing leads with {column}"
            continue
        key = owner_key(name)
        assert key in table.c, f"{name}: no {key}; classify it (SHARED, CHILDREN) or add it"
        assert key in leading_columns(table), f"{name}: no key or index leads with {key}"


def test_the_parents_chain_up_to_a_table_keyed_by_its_fund():
    for name in CHILDREN:
        parent = name
        while parent in CHILDREN:
            parent = CHILDREN[parent][1]
        assert owner_key(parent) in Base.metadata.tables[parent].c, (name, parent)


def test_a_table_without_its_key_first_fails(monkeypatch):
    """The walk can fail: guarantee_call without the index that leads with its fund."""
    table = Base.metadata.tables["guarantee_call"]
    assert "fund_id" in leading_columns(table)
    index = next(i for i in table.indexes if [c.name for c in i.columns] == ["fund_id"])
    monkeypatch.setattr(table, "indexes", table.indexes - {index})
    assert "fund_id" not in leading_columns(table)
