"""Importing a township's registration sheet (逐户登记表): households and their applications.

All or nothing: every row is checked first (against the fund and against
the other rows) and every bad cell is reported, with its row and column, in
Chinese and English; only a file without a single bad row is written, in
one transaction. The checks are the registration services' own
(`ledger.identifiers`, `ledger.validate`, and from `services.loans` the
numbering, the amount's limits and the date rule of `register_loan`)
applied to the whole file at once, with the fund's townships, batches,
project types, households and numbers read in a handful of queries, so a
10,000-row sheet imports in seconds.

A household already registered in the fund (same ID number) is reused, as
when batch 2 re-lends to batch 1's households; its name must match.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, insert, select

from ledger import permissions, positions, validate
from ledger.actors import Actor
from ledger.db import UnitOfWork
from ledger.errors import (
    DateInFuture,
    DateOutOfOrder,
    OverLimit,
    RowError,
    RowsRefused,
    SheetRefused,
)
from ledger.identifiers import check_id_number, check_mobile
from ledger.models import (
    OPEN_STATUSES,
    Batch,
    Fund,
    Household,
    Loan,
    LoanEvent,
    LoanStatus,
    ProjectType,
    Township,
)
from ledger.money import cny, fmt
from ledger.permissions import Action
from ledger.services import lookup
from ledger.services.loans import NUMBER, REQUESTED, registration_day, within_loan_limits
from ledger.uploads import Column, Row, cell_values, match_columns, read_table

#: In SPEC §9's order; the import matches headers by name, in any order.
COLUMNS = (
    Column(
        "registration_no",
        ("登记编号", "登记号"),
        "",
        "空则按 批次-乡镇代码-序号 编排",
        required=False,
    ),
    Column("name", ("姓名", "户主姓名", "户主", "借款人"), "张三", "借款户户主姓名"),
    Column(
        "id_number",
        ("身份证号", "身份证号码", "公民身份号码", "身份证"),
        "340123197005128880",
        "18 位,末位校验码",
    ),
    Column("township", ("乡镇代码", "乡镇编码"), "340123001", "9 位乡镇代码"),
    Column("village", ("村", "村名", "行政村", "所在村"), "胡家湾村", "所在行政村"),
    Column("party_member", ("党员", "党员户", "是否党员"), "是", "是 / 否"),
    Column(
        "phone",
        ("手机号", "手机号码", "联系电话", "电话"),
        "13912345678",
        "11 位手机号,可空",
        required=False,
    ),
    Column("batch", ("批次", "借款批次"), "1", "批次编号"),
    Column("project_type", ("项目类型", "项目类别"), "fish", "项目类型代码"),
    Column("project", ("项目内容", "项目", "项目名称", "借款用途"), "鱼塘 3 亩", "项目说明"),
    Column(
        "requested_amount",
        ("申请金额", "借款金额", "申请借款金额"),
        "5000.00",
        "元,最多两位小数,不超过借款标准",
    ),
    Column(
        "on",
        ("登记日期", "申请日期"),
        "2007-04-01",
        "YYYY-MM-DD,空则为导入当日",
        required=False,
    ),
)
BY_NAME = {name: c for c in COLUMNS for name in c.names}
#: The widest sheet read: the columns above, with room for empty formatted ones.
MAX_COLUMNS = 32
YES, NO = (
    {"是", "Y", "y", "yes", "Yes", "1", "true", "TRUE"},
    {"否", "N", "n", "no", "No", "0", "false", "FALSE"},
)
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class ImportResult:
    households: int  #: new households (existing ones were reused)
    loans: int
    registration_nos: tuple[str, ...]


@dataclass
class _Entry:
    """One good row, ready to write."""

    row: int
    values: dict[str, object]
    household_id: int | None = None


def import_registrations(
    uow: UnitOfWork,
    actor: Actor,
    fund_code: str,
    data: bytes,
    *,
    today: date,
    progress: Callable[[str, int], None] | None = None,
) -> ImportResult:
    """Check every row of the sheet in `data`, then register all of them or none."""
    session = uow.session
    fund = lookup.fund(session, fund_code)
    permissions.check(actor, Action.IMPORT)
    header, rows = read_table(data, max_columns=MAX_COLUMNS)
    columns, labels = match_columns(header, COLUMNS)
    context = _Context.load(session, fund.id)
    errors: list[RowError] = []
    entries: list[_Entry] = []
    for row in rows:
        entry = _check_row(row, columns, labels, context, today, errors)
        if entry is not None:
            entries.append(entry)
        if progress and (row.number - 1) % 1000 == 0:  # row 1 is the header
            progress("checked", row.number - 1)
    if errors:
        raise RowsRefused(errors)
    if not entries:
        raise SheetRefused("文件中没有数据行", "the file has no data rows", field="file")
    result = _write(uow, actor, fund.id, context, entries, progress)
    uow.session.flush()
    return result


@dataclass
class _Context:
    """What the rows are checked against: the fund's reference data and what is taken."""

    townships: dict[str, int]
    batches: dict[str, int]
    kinds: dict[str, ProjectType]
    max_loan: Decimal
    households: dict[str, tuple[int, str]]  #: id number → (household id, name)
    open_loans: set[tuple[int, str]]  #: (batch id, id number) with an open loan
    numbers: set[str]  #: registration and application numbers in use
    next_seq: dict[tuple[int, int], int]  #: (batch id, township id) → next sequence number
    opened_on: date | None  #: the fund's start: nothing is registered before it

    @classmethod
    def load(cls, session, fund_id: int) -> _Context:
        def pairs(*cols, where) -> list:
            return session.execute(select(*cols).where(where)).all()

        settings = lookup.settings(session, fund_id)
        seqs = session.execute(
            select(Loan.batch_id, Loan.township_id, func.max(Loan.seq))
            .where(Loan.fund_id == fund_id)
            .group_by(Loan.batch_id, Loan.township_id)
        ).all()
        open_loans = session.execute(
            select(Loan.batch_id, Household.id_number)
            .join(Household, Household.id == Loan.household_id)
            .where(Loan.fund_id == fund_id, Loan.status.in_(OPEN_STATUSES))
        ).all()
        numbers = pairs(Loan.registration_no, Loan.application_no, where=Loan.fund_id == fund_id)
        return cls(
            townships=dict(pairs(Township.code, Township.id, where=Township.fund_id == fund_id)),
            batches=dict(pairs(Batch.code, Batch.id, where=Batch.fund_id == fund_id)),
            kinds={
                kind.code: kind
                for kind in session.scalars(
                    select(ProjectType).where(ProjectType.fund_id == fund_id)
                )
            },
            max_loan=settings.max_loan,
            households={
                number: (hid, name)
                for number, hid, name in pairs(
                    Household.id_number,
                    Household.id,
                    Household.name,
                    where=Household.fund_id == fund_id,
                )
            },
            open_loans={(batch, number) for batch, number in open_loans},
            numbers={n for pair in numbers for n in pair},
            opened_on=session.scalar(select(Fund.opened_on).where(Fund.id == fund_id)),
            next_seq={(b, t): (s or 0) + 1 for b, t, s in seqs},
        )


def _check_row(
    row: Row,
    columns: dict[int, Column],
    labels: dict[str, str],
    ctx: _Context,
    today: date,
    errors: list[RowError],
) -> _Entry | None:
    """The row's values, checked; every problem appended to `errors` (then None)."""
    before = len(errors)
    values = cell_values(row, columns, labels, PARSERS, errors)
    values.setdefault("on", today)
    if len(errors) == before:
        _check_against_fund(row.number, values, labels, ctx, today, errors)
    return _Entry(row.number, values) if len(errors) == before else None


def _check_against_fund(
    number: int,
    values: dict[str, object],
    labels: dict[str, str],
    ctx: _Context,
    today: date,
    errors: list[RowError],
) -> None:
    def refuse(key: str, zh: str, en: str) -> None:
        errors.append(RowError(number, labels[key], zh, en))

    town = values["township"]
    batch = ctx.batches.get(values["batch"])  # type: ignore[arg-type]
    kind = ctx.kinds.get(values["project_type"])  # type: ignore[arg-type]
    if town not in ctx.townships:
        refuse("township", f"乡镇 {town} 不存在", f"township {town} does not exist")
    if batch is None:
        refuse("batch", f"批次 {values['batch']} 不存在", f"batch {values['batch']} does not exist")
    if kind is None:
        refuse(
            "project_type",
            f"项目类型 {values['project_type']} 不存在",
            f"project type {values['project_type']} does not exist",
        )
    amount = values["requested_amount"]
    assert isinstance(amount, Decimal)
    try:  # the same rules as one registration's (`register_loan`)
        within_loan_limits(amount, REQUESTED, kind, ctx.max_loan)
    except OverLimit as refusal:
        refuse("requested_amount", refusal.detail_zh, refusal.detail_en)
    id_number = values["id_number"]
    known = ctx.households.get(id_number)  # type: ignore[arg-type]
    if known is not None and known[1] != values["name"]:
        refuse(
            "name",
            f"身份证号 {id_number} 已登记为 {known[1]}",
            f"ID number {id_number} is registered as {known[1]}",
        )
    if batch is not None:
        if (batch, id_number) in ctx.open_loans:
            refuse(
                "id_number",
                f"身份证号 {id_number} 在第 {values['batch']} 批已有借款(或本文件中重复)",
                f"ID number {id_number} already has a loan in batch {values['batch']}"
                " (or appears twice in this file)",
            )
        else:
            ctx.open_loans.add((batch, id_number))  # type: ignore[arg-type]
    given = values.get("registration_no")
    if given is not None:
        if given in ctx.numbers:
            refuse(
                "registration_no",
                f"登记编号 {given} 已被使用(或本文件中重复)",
                f"registration number {given} is already used (or appears twice in this file)",
            )
        ctx.numbers.add(given)  # type: ignore[arg-type]
    try:
        registration_day(values["on"], ctx.opened_on, "on", now=today)
    except (DateInFuture, DateOutOfOrder) as refusal:
        refuse("on", refusal.detail_zh, refusal.detail_en)


def sheet_text(max_length: int) -> Callable[[object], str]:
    """A cell's text, 1..`max_length` characters."""
    return lambda value: validate.text(str(value), "value", max_length=max_length)


def sheet_flag(value: object) -> bool:
    """是 or 否 (and the usual spellings of yes and no)."""
    text = str(value).strip()
    if text in YES:
        return True
    if text in NO:
        return False
    raise SheetRefused("应填“是”或“否”", 'must be "是" (yes) or "否" (no)')


def sheet_amount(value: object) -> Decimal:
    """Text as typed, or a spreadsheet number: its shortest decimal spelling (5000.1 → 5000.10)."""
    if isinstance(value, bool):
        raise SheetRefused("应为金额", "must be an amount")
    text = repr(value) if isinstance(value, float) else str(value).strip()
    if isinstance(value, float) and text.endswith(".0"):
        text = text[:-2]
    try:
        return validate.amount(cny(text), "amount")
    except (TypeError, ValueError):
        raise SheetRefused(
            f"金额 {text} 无效,应为精确到分的数字",
            f"{text} is not an amount in yuan with at most 2 decimals",
        ) from None


def sheet_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        if DATE.match(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise SheetRefused(f"日期 {text} 无效,应为 YYYY-MM-DD", f"{text} is not a date YYYY-MM-DD")


def sheet_id_number(value: object) -> str:
    """An 18-digit ID number (GB 11643), its check digit checked; a lower-case x read as X."""
    return check_id_number(str(value).strip().upper())


def _number(value: object) -> str:
    text = str(value).strip()
    if not NUMBER.match(text):
        raise SheetRefused("应为 1–40 位字母、数字、- 或 _", "must be 1-40 letters, digits, - or _")
    return text


def sheet_code(value: object) -> str:
    """A code typed in a cell: Excel turns ``1`` into the number 1, so integers read back."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return sheet_text(32)(value)


PARSERS: dict[str, Callable[[object], object]] = {
    "name": sheet_text(50),
    "id_number": sheet_id_number,
    "township": sheet_code,
    "village": sheet_text(100),
    "party_member": sheet_flag,
    "phone": lambda v: check_mobile(sheet_code(v)),
    "batch": sheet_code,
    "project_type": sheet_code,
    "project": sheet_text(200),
    "requested_amount": sheet_amount,
    "on": sheet_date,
    "registration_no": _number,
}


def _write(
    uow: UnitOfWork,
    actor: Actor,
    fund_id: int,
    ctx: _Context,
    entries: list[_Entry],
    progress: Callable[[str, int], None] | None,
) -> ImportResult:
    """Insert the new households, the loans and their history lines (bulk, one transaction)."""
    session = uow.session
    new_people: dict[str, dict[str, object]] = {}
    for entry in entries:
        v = entry.values
        if v["id_number"] not in ctx.households and v["id_number"] not in new_people:
            new_people[v["id_number"]] = {  # type: ignore[index]
                "fund_id": fund_id,
                "township_id": ctx.townships[v["township"]],  # type: ignore[index]
                "name": v["name"],
                "id_number": v["id_number"],
                "village": v["village"],
                "party_member": v["party_member"],
                "phone": v.get("phone"),
                "created_by": actor.username,
            }
    if new_people:
        session.execute(insert(Household), list(new_people.values()))
        ctx.households.update(
            {
                number: (hid, name)
                for number, hid, name in session.execute(
                    select(Household.id_number, Household.id, Household.name).where(
                        Household.fund_id == fund_id, Household.id_number.in_(list(new_people))
                    )
                )
            }
        )
    loans = []
    today_rows = []
    for entry in entries:
        v = entry.values
        town_id = ctx.townships[v["township"]]  # type: ignore[index]
        batch_id = ctx.batches[v["batch"]]  # type: ignore[index]
        seq = None
        number = v.get("registration_no")
        if number is None:
            seq = ctx.next_seq.get((batch_id, town_id), 1)
            ctx.next_seq[(batch_id, town_id)] = seq + 1
            number = f"{v['batch']}-{v['township']}-{seq:04d}"
            while number in ctx.numbers:  # a hand-given number took the slot
                seq += 1
                ctx.next_seq[(batch_id, town_id)] = seq + 1
                number = f"{v['batch']}-{v['township']}-{seq:04d}"
        ctx.numbers.add(number)  # type: ignore[arg-type]
        loans.append(
            {
                "fund_id": fund_id,
                "registration_no": number,
                "seq": seq,
                "household_id": ctx.households[v["id_number"]][0],  # type: ignore[index]
                "township_id": town_id,
                "batch_id": batch_id,
                "project_type_id": ctx.kinds[v["project_type"]].id,  # type: ignore[index]
                "project": v["project"],
                "status": LoanStatus.APPLIED,
                "requested_amount": v["requested_amount"],
                "application_no": number,
                "created_by": actor.username,
            }
        )
        today_rows.append(v)
    session.execute(insert(Loan), loans)
    positions.record_counts(
        session,
        fund_id,
        loans=Counter((x["township_id"], x["batch_id"], LoanStatus.APPLIED) for x in loans),
        households=Counter(person["township_id"] for person in new_people.values()),
    )
    ids = dict(
        session.execute(
            select(Loan.registration_no, Loan.id).where(
                Loan.fund_id == fund_id,
                Loan.registration_no.in_([x["registration_no"] for x in loans]),
            )
        ).all()
    )
    events = session.scalars(
        insert(LoanEvent).returning(LoanEvent.id),
        [
            {
                "loan_id": ids[loan["registration_no"]],
                "on": v["on"],
                "action": "registered",
                "from_status": LoanStatus.APPLIED.value,
                "to_status": LoanStatus.APPLIED.value,
                "actor": actor.username,
                "note": f"申请 {fmt(v['requested_amount'])} 元(登记表导入)",  # type: ignore[arg-type]
            }
            for loan, v in zip(loans, today_rows, strict=True)
        ],
    ).all()
    positions.record_loan_events(session, fund_id, "registered", events)
    if progress:
        progress("written", len(loans))
    return ImportResult(len(new_people), len(loans), tuple(x["registration_no"] for x in loans))
