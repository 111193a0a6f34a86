"""Rows a posting writes whose results nobody reads, sent together.

A posting ends with rows for several tables: its journals and entries, the
accounts' new running balances, and the kept sums it adds to (daily totals,
turnover by event kind). Each table's write is declared once here, as a
`Write`: rows inserted, rows added to (an upsert summing some columns on a
key) or balances set. `write_all` sends them:

- on SQLite, one executemany per table: a statement there costs
  microseconds; its rows go to the driver as tuples, each value converted
  by its column type as SQLAlchemy would (`_compiled`);
- on PostgreSQL, ONE statement: each table's rows travel as a JSON array,
  unpacked by ``jsonb_to_recordset`` in a data-modifying CTE. A statement
  there costs the client far more than its rows do (SQLAlchemy and psycopg
  take about 130 µs of CPU a statement, psycopg one execution per row of an
  executemany): a tenth to a third of a journal's client CPU
  (docs/PERFORMANCE.md, issue 18).

The CTEs of one statement run on one snapshot, so no write may read the rows
another writes from their table; what one passes to another goes by RETURNING
(the journals take their numbers from the voucher counters' RETURNING, the
entries their journal's id from the journals'). The entries' foreign key to
their journal is checked when the statement ends, the journal's balance check
at the commit. Each write's rows must hold a key once (the callers sum per key
first): PostgreSQL refuses an upsert that would touch a row twice in one
statement.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnClause,
    Connection,
    Integer,
    Row,
    String,
    Table,
    Text,
    bindparam,
    case,
    column,
    func,
    literal_column,
    null,
    select,
    update,
)
from sqlalchemy.sql.sqltypes import NullType

from ledger.db import dialect_insert
from ledger.money import to_fen


@dataclass(frozen=True)
class Write:
    """How rows reach one table.

    `adds` names the columns an existing row (by `keys`) is added to, `sets`
    those it is set to, its ``version`` counted up; without either the rows
    are inserted. `versioned` rows set the balances of existing rows by id,
    each row also naming the version it read (``b_id``, ``b_version``, the
    new ``version``): a row whose version moved meanwhile gets a NULL
    version, which NOT NULL refuses.
    """

    name: str
    table: Table
    columns: tuple[str, ...]
    keys: tuple[str, ...] = ()
    adds: tuple[str, ...] = ()
    sets: tuple[str, ...] = ()
    versioned: bool = False

    @classmethod
    def adding(
        cls,
        name: str,
        table: Table,
        keys: tuple[str, ...],
        adds: tuple[str, ...],
        also: tuple[str, ...] = (),
    ) -> Write:
        """Rows added to `table`'s row of `keys`: `adds` summed, `also` set when it is new."""
        return cls(name, table, keys + also + adds, keys=keys, adds=adds)

    @classmethod
    def setting(
        cls,
        name: str,
        table: Table,
        keys: tuple[str, ...],
        sets: tuple[str, ...],
        also: tuple[str, ...] = (),
    ) -> Write:
        """Rows that replace `table`'s row of `keys` (`sets`, `also` when it is new), its
        ``version`` counted up; a new row's ``version`` is the row's."""
        return cls(name, table, keys + also + sets + ("version",), keys=keys, sets=sets)


@lru_cache(maxsize=64)
def _compiled(write: Write, dialect: Any) -> tuple[str, tuple[Callable[[Any], Any], ...]]:
    """SQLite: the write's statement as SQL text, and per ``?`` what takes its value from a
    row, converted as SQLAlchemy converts it (the column type's own bind processor).

    The rows then go to the driver's executemany as tuples: SQLAlchemy's
    per-row work for a compiled statement (a dict of every bind, then each
    value processed) was a fifth of a 1,000-journal batch (docs/PERFORMANCE.md).
    """
    insert = dialect_insert(dialect.name)(write.table)
    statement = _set_balances(write, bindparam) if write.versioned else _adding(write, insert)
    compiled = statement.compile(dialect=dialect)
    from_rows = {*write.columns, "b_id", "b_version"}
    values = []
    for name in compiled.positiontup or ():
        bind = compiled.binds[name]
        process = bind.type.bind_processor(dialect) or (lambda value: value)
        if name in from_rows:
            values.append(_taking(name, process))
        else:  # a constant of the statement's own (the 1 of ``version + 1``)
            fixed = process(bind.effective_value)
            values.append(lambda _row, fixed=fixed: fixed)
    return str(compiled), tuple(values)


def _taking(name: str, process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda row: process(row[name])


def _set_balances(write: Write, value: Callable[[str], Any]) -> Any:
    """The versioned UPDATE, each row's values by name from `value` (its binds or its record)."""
    table = write.table
    return (
        update(table)
        .where(table.c.id == value("b_id"))
        .values(
            {
                **{c: value(c) for c in write.columns if c != "version"},
                "version": case(
                    (table.c.version == value("b_version"), value("version")), else_=null()
                ),
            }
        )
    )


def _adding(write: Write, statement: Any) -> Any:
    """`statement`, an INSERT, adding `write.adds` to (or setting `write.sets` of) the row
    of `write.keys` that exists."""
    table, new = write.table, statement.excluded
    if write.sets:
        changes = {c: new[c] for c in write.sets} | {"version": table.c.version + 1}
    elif write.adds:
        changes = {c: table.c[c] + new[c] for c in write.adds}
    else:
        return statement
    return statement.on_conflict_do_update(index_elements=list(write.keys), set_=changes)


def json_rows(name: str, columns: Sequence[ColumnClause[Any]]) -> Any:
    """PostgreSQL: the rows bound as one JSON array `name`, as a table of typed `columns`.

    Its alias is ``r`` in every CTE (each is a scope of its own), which keeps
    the statement short.
    """
    # An untyped parameter: psycopg sends a str as of unknown type, which the
    # server takes as the function's jsonb (no cast to spell out).
    return (
        func.jsonb_to_recordset(bindparam(name, type_=NullType()))
        .table_valued(*columns)
        .render_derived(name="r", with_types=True)
    )


def typed(name: str, type_: Any) -> ColumnClause[Any]:
    """A record's column: strings as TEXT (shorter to say; the column checks the length)."""
    return column(name, Text() if isinstance(type_, String) else type_)


def _from_json(write: Write) -> Any:
    """The PostgreSQL form: the rows come as one JSON array, bound as `write.name`."""
    table = write.table
    typed_columns = [typed(c, table.c[c].type) for c in write.columns]
    if write.versioned:
        typed_columns += [column("b_id", Integer()), column("b_version", Integer())]
    rows = json_rows(write.name, typed_columns)
    if write.versioned:
        return _set_balances(write, rows.c.__getitem__)
    # SELECT *, the record's columns in the INSERT's order: a short statement.
    return _adding(
        write,
        dialect_insert("postgresql")(write.table).from_select(
            list(write.columns), select(literal_column("*")).select_from(rows)
        ),
    )


@lru_cache(maxsize=16)
def _together(reading: Any, writes: tuple[Write, ...]) -> Any:
    """One PostgreSQL statement: `reading` (or ``SELECT 1``) with every write as a CTE."""
    ctes = [_from_json(write).cte(write.name) for write in writes]
    main = select(literal_column("1")) if reading is None else reading
    return main.add_cte(*ctes)


def _json_value(value: Any) -> Any:
    """What JSON cannot say by itself (strings, numbers, booleans and null it can)."""
    if isinstance(value, Decimal):
        return to_fen(value)  # only money is Decimal here: fen, as the column keeps it
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"{type(value).__name__} has no JSON form for a row")


def _as_json(rows: Sequence[dict[str, Any]]) -> str:
    return json.dumps(rows, default=_json_value, ensure_ascii=False, separators=(",", ":"))


def write_all(
    conn: Connection,
    writes: Sequence[tuple[Write, Sequence[dict[str, Any]]]],
    *,
    reading: Any = None,
    params: dict[str, Any] | None = None,
) -> list[Row[Any]]:
    """Write each `(write, rows)` in the caller's transaction; empty row lists are skipped.

    PostgreSQL only, `reading`: a SELECT (with data-modifying CTEs of its own)
    run as the statement's main query, the writes added to it, with `params`
    (a list among them goes as JSON, for `json_rows`); its rows are returned.
    No parameter may be named like a column of a table a write updates:
    SQLAlchemy would take it as a value to SET there.
    """
    present = [(write, rows) for write, rows in writes if rows]
    if conn.dialect.name != "postgresql":
        if reading is not None:
            raise ValueError("reading: one statement is PostgreSQL's")
        for write, rows in present:
            sql, values = _compiled(write, conn.dialect)
            conn.exec_driver_sql(sql, [tuple(value(row) for value in values) for row in rows])
        return []
    if not present and reading is None:
        return []
    statement = _together(reading, tuple(write for write, _ in present))
    values = {k: _as_json(v) if isinstance(v, list) else v for k, v in (params or {}).items()}
    values.update({write.name: _as_json(rows) for write, rows in present})
    result = conn.execute(statement, values)
    return list(result) if reading is not None else []
