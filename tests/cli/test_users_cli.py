"""``create-user``, ``disable-user`` and ``audit-verify`` from the command line."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select, text

from ledger.audit import chain_head, verify_all
from ledger.db import Database, make_engine
from ledger.models import AuditRecord, User
from ledger.models.audit import SYSTEM_CHAIN
from ledger.services import users
from tests.factories import committing, make_fund, make_household, make_programme
from tests.ledger.test_audit import unguard_audit

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    monkeypatch.setattr(users, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def new_name() -> str:
    return f"cli-{uuid.uuid4().hex[:10]}"


def user_row(db: Database, name: str) -> User | None:
    with db.read() as session:
        user = session.scalar(select(User).where(User.username == name))
        if user is not None:
            session.expunge(user)
    return user


@pytest.fixture
def fresh_url(tmp_path, engine) -> Iterator[str]:
    """A database of its own (SQLite file or PostgreSQL schema) for tests that break it."""
    if engine.dialect.name != "postgresql":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    base = os.environ["LEDGER_TEST_DATABASE_URL"]
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def fund(committed_db: Database) -> str:
    """A committed fund's code, to grant."""
    return make_fund(committed_db).code


def test_create_user_with_the_password_on_stdin(make_app, committed_db, fund):
    name = new_name()
    result = run(
        make_app(),
        "create-user",
        name,
        "--role",
        "township",
        "--township",
        "340123001",
        "--fund",
        fund,
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert f"user created: {name} (township, township 340123001)" in result.output
    user = user_row(committed_db, name)
    assert user is not None and (user.township_code, user.fund_code) == ("340123001", fund)
    with committing(committed_db) as uow:
        issued = users.authenticate(uow, username=name, password=PASSWORD, client="cli-test")
    assert issued.actor.role == "township"


def test_create_user_prompts_twice_without_echo(make_app, committed_db, fund):
    name = new_name()
    args = ("create-user", name, "--role", "clerk", "--fund", fund)
    result = run(make_app(), *args, input=f"{PASSWORD}\n" * 2)
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert user_row(committed_db, name) is not None


def test_create_user_refuses_mismatched_passwords(make_app, committed_db, fund):
    name = new_name()
    args = ("create-user", name, "--role", "clerk", "--fund", fund)
    result = run(make_app(), *args, input="one-password\nanother\n")
    assert result.exit_code != 0
    assert "do not match" in result.output
    assert user_row(committed_db, name) is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "township", "--fund", "{fund}"], "9-digit township code"),
        (["--role", "clerk", "--township", "340123001", "--fund", "{fund}"], "township"),
        (["--role", "clerk", "--fund", "NO-SUCH-FUND"], "fund NO-SUCH-FUND does not exist"),
        (["--role", "boss"], "Invalid value for '--role'"),
        (["--role", "clerk"], "must be granted a fund (--fund)"),
        (["--role", "township", "--township", "340123001"], "must be granted a fund (--fund)"),
        (["--role", "cashier"], "must be granted a fund (--fund)"),
    ],
)
def test_create_user_refusals_exit_nonzero(make_app, committed_db, fund, args, message):
    name = new_name()
    args = [arg.format(fund=fund) for arg in args]
    result = run(make_app(), "create-user", name, *args, "--password-stdin", input=PASSWORD)
    assert result.exit_code != 0
    assert message in result.output
    assert user_row(committed_db, name) is None


def test_a_user_without_a_fund_is_refused_before_the_password_is_asked(make_app, committed_db):
    name = new_name()
    result = run(make_app(), "create-user", name, "--role", "township", "--township", "340123001")
    assert result.exit_code == 1
    assert "Password" not in result.output  # refused first, nothing typed in vain
    assert "须指定所属基金(--fund)" in result.output and "(--fund)" in result.output
    assert user_row(committed_db, name) is None


def test_a_township_officer_reads_only_the_fund_granted(make_app, committed_db):
    """The same township code in two funds: the officer of fund A gets 404 in fund B."""
    a, b = make_programme(committed_db), make_programme(committed_db)
    town = a.townships[1]
    assert town in b.townships
    mine, theirs = make_household(committed_db, a, town), make_household(committed_db, b, town)
    app = make_app()
    name = new_name()
    args = ("--role", "township", "--township", town, "--fund", a.code, "--password-stdin")
    assert run(app, "create-user", name, *args, input=PASSWORD).exit_code == 0
    client = app.test_client()
    login = client.post("/api/v1/auth/tokens", json={"username": name, "password": PASSWORD})
    headers = {"Authorization": f"Bearer {login.get_json()['token']}"}

    own = client.get(f"/api/v1/funds/{a.code}/households", headers=headers)
    assert own.status_code == 200
    assert [h["id"] for h in own.get_json()] == [mine]
    assert (
        client.get(f"/api/v1/funds/{a.code}/households/{mine}", headers=headers).status_code == 200
    )
    for path in (
        f"/api/v1/funds/{b.code}/households",
        f"/api/v1/funds/{b.code}/households/{theirs}",
    ):
        other = client.get(path, headers=headers)
        assert other.status_code == 404, other.get_data(as_text=True)
        assert other.get_json()["code"] in ("fund-not-found", "record-not-found")


def test_create_and_disable_are_audited(make_app, committed_db):
    app = make_app()
    name = new_name()
    with committed_db.read() as session:
        before, _ = chain_head(session)
    run(app, "create-user", name, "--role", "leader", "--password-stdin", input=PASSWORD)
    with committing(committed_db) as uow:
        issued = users.authenticate(uow, username=name, password=PASSWORD, client="cli-test")
    result = run(app, "disable-user", name)
    assert result.exit_code == 0, result.output
    assert f"user disabled: {name}" in result.output
    with committed_db.read() as session:
        assert users.resolve_token(session, issued.token) is None
        records = session.scalars(
            select(AuditRecord)
            .where(AuditRecord.chain == SYSTEM_CHAIN, AuditRecord.seq > before)
            .order_by(AuditRecord.seq)
        ).all()
        assert [(r.action, r.target, r.role) for r in records] == [
            ("cli create-user", f"user:{name}", "admin"),
            ("cli disable-user", f"user:{name}", "admin"),
        ]
        assert all(r.actor.startswith("cli:") for r in records)
        assert PASSWORD not in records[0].details


def test_disable_an_unknown_user_fails(make_app):
    result = run(make_app(), "disable-user", "nobody-at-all")
    assert result.exit_code != 0
    assert "does not exist" in result.output


def test_audit_verify_reports_the_chain(make_app, committed_db):
    result = run(make_app(), "audit-verify")
    assert result.exit_code == 0, result.output
    with committed_db.read() as session:
        reports = verify_all(session)
        grouped = select(AuditRecord.chain, func.count()).group_by(AuditRecord.chain)
        counts = {chain: n for chain, n in session.execute(grouped)}
    lines = result.output.strip().splitlines()
    assert lines == [
        f"ok {r.chain or 'system'}: {r.records} records, head {r.head_hash}" for r in reports
    ]
    assert {r.chain: r.records for r in reports if r.records} == counts
    assert all(r.head_seq == r.records for r in reports)


def test_audit_verify_names_a_tampered_record(make_app, fresh_url):
    app = make_app(fresh_url)
    assert run(app, "init-db").exit_code == 0
    for _ in range(3):
        result = run(
            app, "create-user", new_name(), "--role", "leader", "--password-stdin", input=PASSWORD
        )
        assert result.exit_code == 0, result.output
    result = run(app, "audit-verify")
    assert result.exit_code == 0 and result.output.startswith("ok system: 3 records, head ")

    db = Database.connect(fresh_url)
    try:
        with db.uow() as uow:
            unguard_audit(uow.session)
            uow.session.execute(text("UPDATE audit_record SET actor = 'cli:nobody' WHERE seq = 2"))
            uow.commit()
    finally:
        db.engine.dispose()
    result = run(app, "audit-verify")
    assert result.exit_code == 1
    assert "audit chain system broken at record 2 " in result.output
    assert "cli:nobody cli create-user" in result.output
