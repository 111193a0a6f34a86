"""Command-line tools: ``flask --app wsgi <command>``."""

from __future__ import annotations

import getpass
import sys
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from ledger import dates, positions
from ledger.actors import ROLES, Actor, Role
from ledger.audit import append_audit, verify_all
from ledger.backup import BackupFailed, backup
from ledger.clock import iso_utc
from ledger.db import UnitOfWork, run_in_transaction
from ledger.demo import DemoRefused, load_demo
from ledger.errors import LedgerError, RowsRefused
from ledger.models import AuditRecord, Fund
from ledger.models.audit import SYSTEM_CHAIN
from ledger.money import fmt
from ledger.read.books import trial_balance
from ledger.registration_import import import_registrations
from ledger.schema import upgrade
from ledger.services import lookup
from ledger.services.counties import rename_county
from ledger.services.users import create_user, disable_user, require_fund_grant
from ledger.uploads import MAX_BYTES
from reports.fonts import CJKFontMissing, register_cjk_font
from shell.db import get_db


def register(app: Flask) -> None:
    app.cli.add_command(init_db)
    app.cli.add_command(backup_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(disable_user_command)
    app.cli.add_command(rename_county_command)
    app.cli.add_command(audit_verify)
    app.cli.add_command(trial_balance_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(import_registrations_command)
    app.cli.add_command(check_command)
    app.cli.add_command(rebuild_positions_command)
    app.cli.add_command(check_positions_command)


def fail(error: LedgerError | BackupFailed) -> click.ClickException:
    if isinstance(error, LedgerError):
        return click.ClickException(f"{error.detail_zh} / {error.detail_en}")
    return click.ClickException(str(error))


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the database schema (Alembic upgrade head). 建库/升级。"""
    db = get_db()
    upgrade(db.engine)
    click.echo(f"数据库已就绪 database ready: {db.engine.url.render_as_string()}")
    # A book that lent money before the kept figures existed gets them now,
    # before it takes a write that would add to empty rows.
    with db.read() as session:
        unfilled = positions.unfilled(session)
    for code in unfilled:
        rebuild_fund_positions(code)


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Skip quietly when the database already has data.")
@with_appcontext
def demo_command(if_empty: bool) -> None:
    """Load the demo programme into an empty database. 装入演示数据。"""
    db = get_db()
    try:
        summary = load_demo(db)
    except DemoRefused as error:
        if if_empty:
            click.echo("数据库已有数据,不再装入演示数据 / database not empty: demo not loaded")
            return
        raise fail(error) from None
    click.echo(
        f"演示数据已装入 demo loaded: 基金 {summary.fund}, {summary.townships} 个乡镇, "
        f"{summary.households} 户, {summary.loans} 笔借款, {summary.journals} 张凭证; "
        f"{summary.societies} 个村级扶贫互助社"
    )
    lines = [f"{name:<10} {role:<9} {password}" for name, role, password in summary.logins]
    logins = Path(current_app.instance_path) / "demo-logins.txt"
    logins.parent.mkdir(parents=True, exist_ok=True)
    logins.write_text("username   role      password\n" + "\n".join(lines) + "\n", encoding="utf-8")
    logins.chmod(0o600)
    click.echo("演示账号 demo logins (also in instance/demo-logins.txt):")
    for line in lines:
        click.echo(f"  {line}")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Write an online backup of the database to PATH. 在线备份。"""
    try:
        written = backup(get_db().engine, path)
    except (LedgerError, BackupFailed) as error:
        raise fail(error) from None
    click.echo(f"备份已写入 backup written: {written}")


def cli_actor() -> Actor:
    """Who runs a command: the operating-system user, as ``cli:<name>`` with admin rights."""
    return cli_actor_as(Role.ADMIN)


def cli_actor_as(role: str) -> Actor:
    """The operating-system user as ``cli:<name>`` acting in `role` (an import is a clerk's)."""
    try:
        name = getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers
        name = "unknown"
    return Actor(f"cli:{name}"[:64], role)


def audited_command(
    action: str,
    target: str,
    details: Mapping[str, Any],
    work: Any,
    *,
    chain: str = SYSTEM_CHAIN,
) -> Any:
    """Run `work(uow)` (one service) and its audit record as one transaction.

    The command's one commit point, rerun whole on a serialization failure;
    `chain` is the fund's code when the command writes into one fund's books.
    """

    def transaction(uow: UnitOfWork) -> Any:
        result = work(uow)
        append_audit(
            uow.session,
            chain=chain,
            actor=cli_actor(),
            action=f"cli {action}",
            target=target,
            details=details,
            request_id=uuid.uuid4().hex,
            client_addr="cli",
        )
        uow.commit()
        return result

    return run_in_transaction(get_db(), transaction)


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(click.prompt("密码 Password", hide_input=True, confirmation_prompt=True))


@click.command("create-user")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(ROLES), help="clerk, approver, ...")
@click.option(
    "--fund", "fund_code", default=None, help="Grant this fund (required for clerk, township)."
)
@click.option("--township", "township_code", default=None, help="9-digit code (township role).")
@click.option(
    "--region",
    default=None,
    help="Confine to a county (6 digits), city (4) or province (2; leader, auditor only).",
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_user_command(
    username: str,
    role: str,
    fund_code: str | None,
    township_code: str | None,
    region: str | None,
    password_stdin: bool,
) -> None:
    """Create a user; the password is prompted for (hidden, twice). 创建用户。"""
    try:
        require_fund_grant(role, fund_code)
    except LedgerError as error:
        raise fail(error) from None
    password = read_password(password_stdin)
    try:
        user = audited_command(
            "create-user",
            f"user:{username.strip().lower()}",
            {"role": role, "fund": fund_code, "township": township_code, "region": region},
            lambda uow: create_user(
                uow,
                username=username,
                password=password,
                role=role,
                township_code=township_code,
                fund_code=fund_code,
                region=region,
            ),
        )
    except LedgerError as error:
        raise fail(error) from None
    where = f", township {user.township_code}" if user.township_code else ""
    where += f", region {user.region}" if user.region else ""
    click.echo(f"用户已创建 user created: {user.username} ({user.role}{where})")


@click.command("rename-county")
@click.argument("code")
@click.argument("new_code")
@click.option("--name", required=True, help="The county's name, e.g. 来安县.")
@with_appcontext
def rename_county_command(code: str, new_code: str, name: str) -> None:
    """Give a county (the upgrade's placeholder 000000) its code and name. 区县更名。

    Its funds and the users confined to it move with it.
    """
    try:
        county = audited_command(
            "rename-county",
            f"county:{code}",
            {"new_code": new_code, "name": name},
            lambda uow: rename_county(
                uow, actor=cli_actor(), code=code, new_code=new_code, name=name
            ),
        )
    except LedgerError as error:
        raise fail(error) from None
    click.echo(f"区县已更名 county renamed: {code} -> {county.code} {county.name}")


@click.command("disable-user")
@click.argument("username")
@with_appcontext
def disable_user_command(username: str) -> None:
    """Disable a user and revoke all their tokens at once. 停用用户。"""
    try:
        user = audited_command(
            "disable-user",
            f"user:{username.strip().lower()}",
            {},
            lambda uow: disable_user(uow, username=username),
        )
    except LedgerError as error:
        raise fail(error) from None
    click.echo(f"用户已停用 user disabled: {user.username}; tokens revoked")


@click.command("audit-verify")
@with_appcontext
def audit_verify() -> None:
    """Recompute every audit chain (the system's, each fund's); name each break. 校验审计日志。"""
    with get_db().read() as session:
        reports = verify_all(session)
        broken = {}
        for report in reports:
            if not report.ok:
                record = session.get(AuditRecord, (report.chain, report.broken_seq))
                broken[report.chain] = (
                    f" ({iso_utc(record.at)} {record.actor} {record.action})" if record else ""
                )
    for report in reports:
        name = report.chain or "system"
        if report.ok:
            click.echo(f"ok {name}: {report.records} records, head {report.head_hash}")
            continue
        what = broken[report.chain]
        click.echo(
            f"审计日志 {name} 在第 {report.broken_seq} 条记录处断开 / audit chain {name} broken "
            f"at record {report.broken_seq}{what}: {report.reason}",
            err=True,
        )
    if broken:
        raise click.exceptions.Exit(1)


@click.command("trial-balance")
@click.option("--fund", "fund_code", metavar="CODE", help="Only this fund (default: every fund).")
@with_appcontext
def trial_balance_command(fund_code: str | None) -> None:
    """Each fund's trial balance totals, as of now; exit 1 if one does not balance. 试算平衡。

    With ``audit-verify``, the check of a book restored from a backup: the
    totals are the ones to compare with the trial balance printed at the
    moment restored to.
    """
    unbalanced = 0
    for code in fund_codes(fund_code):
        with get_db().read() as session:
            totals = trial_balance(session, lookup.fund(session, code).id).totals
        figures = (
            f"{code}: 借方发生额 debit {fmt(totals.debit)}, "
            f"贷方发生额 credit {fmt(totals.credit)}, "
            f"借方余额 debit balances {fmt(totals.debit_balances)}, "
            f"贷方余额 credit balances {fmt(totals.credit_balances)}"
        )
        if totals.balanced:
            click.echo(f"{figures}: ok")
        else:
            click.echo(f"{figures}: 不平衡 does not balance", err=True)
            unbalanced += 1
    if unbalanced:
        raise click.exceptions.Exit(1)


@click.command("import-registrations")
@click.argument("fund_code", metavar="F")
@click.argument(
    "path", metavar="FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@with_appcontext
def import_registrations_command(fund_code: str, path: Path) -> None:
    """Import a registration sheet (XLSX or CSV): every row or none. 导入登记表。"""
    if path.stat().st_size > MAX_BYTES:
        raise click.ClickException(f"文件超过 8 MB / the file is over {MAX_BYTES} bytes")
    data = path.read_bytes()

    def progress(stage: str, rows: int) -> None:
        word = {"checked": "已检查 checked", "written": "已写入 written"}[stage]
        click.echo(f"  {word} {rows:,} 行 rows", err=True)

    try:
        result = audited_command(
            "import-registrations",
            f"fund:{fund_code}/imports/registrations",
            {"file": path.name, "bytes": len(data)},
            lambda uow: import_registrations(
                uow, cli_actor_as("clerk"), fund_code, data, today=dates.today(), progress=progress
            ),
            chain=fund_code,
        )
    except RowsRefused as refused:
        for r in refused.rows:
            click.echo(
                f"第 {r.row} 行 row {r.row}, {r.column}: {r.detail_zh} / {r.detail_en}", err=True
            )
        raise click.ClickException(f"{refused.detail_zh} / {refused.detail_en}") from None
    except LedgerError as error:
        raise fail(error) from None
    click.echo(
        f"已导入 imported: {result.loans} 笔借款申请 applications, "
        f"{result.households} 户新农户 new households"
    )


@click.command("check")
def check_command() -> None:
    """Check what serving needs (the PDFs' CJK font); one line and exit 1 if missing. 自检。"""
    try:
        register_cjk_font()
    except CJKFontMissing as missing:
        click.echo(
            f"缺少 PDF 中文字体,请安装 {missing.package} / PDF font missing: {missing}", err=True
        )
        raise click.exceptions.Exit(1) from None
    click.echo("ok: PDF 中文字体可用 / the PDF font is available")


def fund_codes(code: str | None) -> list[str]:
    """The fund named (refused when it does not exist), or every fund."""
    with get_db().read() as session:
        if code is not None:
            try:
                return [lookup.fund(session, code).code]
            except LedgerError as error:
                raise fail(error) from None
        return list(session.scalars(select(Fund.code).order_by(Fund.code)))


@click.command("rebuild-positions")
@click.option("--fund", "fund_code", metavar="CODE", help="Only this fund (default: every fund).")
@with_appcontext
def rebuild_positions_command(fund_code: str | None) -> None:
    """Recompute every kept figure from the entries (after migration 0009). 重算借款余额表。"""
    for code in fund_codes(fund_code):
        rebuild_fund_positions(code)


def rebuild_fund_positions(code: str) -> None:
    """Recompute one fund's kept figures as an audited command, and say how many."""

    def work(uow: UnitOfWork) -> positions.Kept:
        return positions.rebuild(uow.session, lookup.fund(uow.session, code).id)

    kept = audited_command("rebuild-positions", f"fund:{code}/positions", {}, work, chain=code)
    click.echo(
        f"{code}: 已重算 rebuilt {len(kept.positions)} 笔借款 loans, "
        f"{len(kept.totals)} 个乡镇批次 township batches"
    )


@click.command("check-positions")
@click.option("--fund", "fund_code", metavar="CODE", help="Only this fund (default: every fund).")
@with_appcontext
def check_positions_command(fund_code: str | None) -> None:
    """Compare every kept figure with the entries; name each difference, exit 1 if any. 核对。"""
    found = 0
    for code in fund_codes(fund_code):
        with get_db().read() as session:
            differences = positions.check(session, lookup.fund(session, code).id)
        for difference in differences:
            click.echo(f"不符 differs: {difference}", err=True)
        found += len(differences)
        if not differences:
            click.echo(f"{code}: ok")
    if found:
        click.echo(f"{found} 处不符 / {found} differences: run rebuild-positions", err=True)
        raise click.exceptions.Exit(1)
