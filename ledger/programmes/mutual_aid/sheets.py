"""Importing a society's groups (联保小组) and members (社员名册) from a sheet: all or nothing.

A village's register is kept in a spreadsheet before the society's book is:
the clerk uploads it (XLSX, or CSV as Chinese Excel writes it) within the
limits every upload has (`ledger.uploads`). Every row goes through the very
verb one entry takes (`services.add_group`, `services.join`: the ID number
per GB 11643, one membership per household, the group's size under the
章程), after its cells are read as the registration import reads them, so a
row is refused for the same reasons a form would be. Every bad cell is
reported with its row number (as the sheet numbers it: the header is row
1), its column as the sheet heads it, and the rule, in Chinese and English;
then nothing is kept. Each row is audited on the society's chain, as one
entry would be; a refused file leaves no record either.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ledger.actors import Actor
from ledger.db import UnitOfWork
from ledger.errors import LedgerError, RowError, RowsRefused, SheetRefused
from ledger.programmes.mutual_aid import services
from ledger.registration_import import (
    sheet_code,
    sheet_date,
    sheet_flag,
    sheet_id_number,
    sheet_text,
)
from ledger.uploads import Column, cell_values, match_columns, read_table

#: The widest sheet read: the columns below, with room for empty formatted ones.
MAX_COLUMNS = 16

GROUP_COLUMNS = (Column("code", ("小组编号", "联保小组", "小组"), "G1", "字母、数字、- 或 _"),)
MEMBER_COLUMNS = (
    Column("name", ("姓名", "户主姓名", "户主", "社员姓名"), "张三", "户主姓名"),
    Column("id_number", ("身份证号", "身份证号码", "公民身份号码"), "340123197005128880", "18 位"),
    Column("poor", ("贫困户", "建档立卡贫困户", "是否贫困户"), "是", "是 / 否"),
    Column("group", ("联保小组", "小组编号", "小组"), "G1", "已成立的小组,可空", required=False),
    Column("joined_on", ("入社日期", "入社日"), "2024-01-02", "YYYY-MM-DD"),
)
PARSERS: dict[str, Callable[[object], object]] = {
    "code": sheet_code,
    "name": sheet_text(50),
    "id_number": sheet_id_number,
    "poor": sheet_flag,
    "group": sheet_code,
    "joined_on": sheet_date,
}


@dataclass(frozen=True)
class Imported:
    """What a sheet added: how many rows, and the new groups' codes or members' ids."""

    rows: int
    keys: tuple[str, ...]


def import_groups(uow: UnitOfWork, actor: Actor, fund_code: str, data: bytes) -> Imported:
    """Form every group the sheet lists (成立联保小组), or none."""
    _may_import(uow, actor, fund_code)
    return _import(
        data,
        GROUP_COLUMNS,
        lambda values: services.add_group(uow, actor, fund_code, **values).code,
    )


def import_members(uow: UnitOfWork, actor: Actor, fund_code: str, data: bytes) -> Imported:
    """Every household the sheet lists joins the society (入社), into its group if named,
    or none does."""
    _may_import(uow, actor, fund_code)

    def join(values: dict[str, Any]) -> str:
        return str(services.join(uow, actor, fund_code, **values).id)

    return _import(data, MEMBER_COLUMNS, join)


def _may_import(uow: UnitOfWork, actor: Actor, fund_code: str) -> None:
    """Refuse the caller or the society once, before any row is read."""
    services.may(actor, services.MEMBERS)
    services.society(uow.session, fund_code)


def _import(
    data: bytes, columns: tuple[Column, ...], add: Callable[[dict[str, Any]], str]
) -> Imported:
    """Read every row of `data`'s sheet and `add` it; refuse the whole file with every bad
    cell if any (the caller's unit of work then keeps nothing)."""
    header, rows = read_table(data, max_columns=MAX_COLUMNS)
    matched, labels = match_columns(header, columns)
    errors: list[RowError] = []
    keys: list[str] = []
    for row in rows:
        before = len(errors)
        values = cell_values(row, matched, labels, PARSERS, errors)
        if len(errors) > before:
            continue
        try:
            keys.append(add(values))
        except LedgerError as refusal:
            # The verb's refusal names its field; the sheet's problem names that column.
            column = labels.get(refusal.field or "", "")
            errors.append(RowError(row.number, column, refusal.detail_zh, refusal.detail_en))
    if errors:
        raise RowsRefused(errors)
    if not keys:
        raise SheetRefused("文件中没有数据行", "the file has no data rows", field="file")
    return Imported(len(keys), tuple(keys))
