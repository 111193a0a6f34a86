"""Counties from the command line and through the upgrade (SPEC §12): what an install
that predates counties gets, ``rename-county``, and ``create-user --region``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from alembic import command
from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ledger.actors import SYSTEM
from ledger.db import Database
from ledger.models import County, Fund, User
from ledger.models.county import PLACEHOLDER, PLACEHOLDER_NAME
from ledger.schema import alembic_config, upgrade
from ledger.services import counties, users
from ledger.services.funds import open_fund
from tests.conftest import isolated_url
from tests.factories import committing

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    monkeypatch.setattr(users, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def fresh(tmp_path) -> Iterator[tuple[str, Database]]:
    """A database of its own, migrated, with nothing in it: a new install."""
    with isolated_url(tmp_path) as url:
        db = Database.connect(url)
        upgrade(db.engine)
        yield url, db
        db.engine.dispose()


def migrate(db: Database, revision: str) -> None:
    config = alembic_config(db.engine)
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        if revision == "head":
            command.upgrade(config, revision)
        else:
            command.downgrade(config, revision)


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def test_a_new_install_has_one_county_and_its_funds_need_not_name_it(fresh):
    _, db = fresh
    with committing(db) as uow:
        opened = open_fund(uow, actor=SYSTEM, code="ONE", name="基金", opened_on=date(2007, 1, 1))
    assert opened.county_code == PLACEHOLDER
    with db.read() as session:
        assert [(c.code, c.name) for c in session.scalars(select(County))] == [
            (PLACEHOLDER, PLACEHOLDER_NAME)
        ]


def test_an_upgraded_install_keeps_its_funds_and_users_in_the_placeholder_county(fresh):
    """Down to 0010 (no counties) with a fund and a user, and up again."""
    _, db = fresh
    with committing(db) as uow:
        open_fund(uow, actor=SYSTEM, code="OLD", name="老基金")
        users.create_user(uow, username="old-clerk", password=PASSWORD, role="clerk")
    migrate(db, "0010")
    with db.engine.connect() as connection:
        assert "county_code" not in list(connection.exec_driver_sql("SELECT * FROM fund").keys())
    migrate(db, "head")
    with db.read() as session:
        assert session.scalar(select(Fund.county_code).where(Fund.code == "OLD")) == PLACEHOLDER
        actor = users.actor_of(session.scalar(select(User).where(User.username == "old-clerk")))
    assert actor.region is None and actor.sees_county(PLACEHOLDER)
    # the database guards the column again after the round trip: NOT NULL, foreign key
    for county in (None, "999999"):
        with pytest.raises(IntegrityError), committing(db) as uow:
            uow.session.add(Fund(code="NEW", name="x", county_code=county, created_by="t"))
            uow.session.flush()


def test_a_downgrade_refuses_to_fold_several_counties_into_one(fresh):
    _, db = fresh
    with committing(db) as uow:
        counties.add_county(uow, actor=SYSTEM, code="340123", name="甲县")
    with pytest.raises(RuntimeError, match="several counties"):
        migrate(db, "0010")
    with db.read() as session:
        assert session.get(County, "340123") is not None


def test_rename_county_gives_the_placeholder_its_code(make_app, fresh):
    url, db = fresh
    with committing(db) as uow:
        open_fund(uow, actor=SYSTEM, code="F1", name="基金")
    app = make_app(url)
    result = run(app, "rename-county", PLACEHOLDER, "341122", "--name", "来安县")
    assert result.exit_code == 0, result.output
    assert "county renamed: 000000 -> 341122 来安县" in result.output
    with db.read() as session:
        assert session.scalar(select(Fund.county_code).where(Fund.code == "F1")) == "341122"
    refused = run(app, "rename-county", PLACEHOLDER, "341123", "--name", "x")
    assert refused.exit_code != 0 and "county 000000 does not exist" in refused.output
    bad = run(app, "rename-county", "341122", "34112", "--name", "x")
    assert bad.exit_code != 0 and "6 digits" in bad.output


def test_create_user_with_a_region(make_app, fresh):
    url, db = fresh
    app = make_app(url)
    args = ("--role", "auditor", "--region", "34", "--password-stdin")
    result = run(app, "create-user", "prov-audit", *args, input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "user created: prov-audit (auditor, region 34)" in result.output
    clerk = ("--role", "clerk", "--region", "3401", "--fund", "X", "--password-stdin")
    refused = run(app, "create-user", "city-clerk", *clerk, input=PASSWORD + "\n")
    assert refused.exit_code != 0 and "leader or auditor" in refused.output
    with db.read() as session:
        assert session.scalar(select(User.region).where(User.username == "prov-audit")) == "34"
        assert session.scalar(select(User.id).where(User.username == "city-clerk")) is None
