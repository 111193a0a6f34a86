"""Time to import a registration sheet of N rows (target, issue 7: 10,000 rows in ≤ 5 s).

    .venv/bin/python bench/import_registrations.py            # 10,000 rows, XLSX and CSV
    .venv/bin/python bench/import_registrations.py --rows 2000
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/import_registrations.py      # a throwaway schema there

Each run builds a fund (16 townships, batch 1, a project type) in a fresh
SQLite file (or a throwaway PostgreSQL schema), writes the sheet with
openpyxl (not timed), and times `import_registrations` from bytes to
commit: reading, checking every row, and the bulk insert. Exit status 1
when the target is missed.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from openpyxl import Workbook
from sqlalchemy import create_engine, text

from ledger.actors import Actor
from ledger.db import Database
from ledger.identifiers import id_check_char
from ledger.registration_import import COLUMNS, import_registrations
from ledger.schema import upgrade
from ledger.services import funding, setup
from ledger.services.funds import open_fund

CLERK = Actor("clerk", "clerk")
TOWNS = [f"340123{n:03d}" for n in range(1, 17)]
TARGET_SECONDS = 5.0


@contextmanager
def database() -> Database:
    url = os.environ.get("DATABASE_URL")
    if not url:
        with tempfile.TemporaryDirectory() as tmp:
            db = Database.connect(f"sqlite:///{tmp}/bench.db")
            upgrade(db.engine)
            yield db
            db.engine.dispose()
        return
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url)
    with admin.begin() as c:
        c.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        db = Database.connect(f"{url}?options=-csearch_path%3D{schema}")
        upgrade(db.engine)
        yield db
        db.engine.dispose()
    finally:
        with admin.begin() as c:
            c.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def build_fund(db: Database) -> str:
    with db.uow() as uow:
        open_fund(uow, actor=Actor("admin", "admin"), code="BENCH", name="导入基准")
        uow.commit()
    with db.uow() as uow:
        funding.record_appropriation(
            uow, CLERK, "BENCH", on=date(2007, 3, 1), amount="10000000.00", source="county"
        )
        uow.commit()
    with db.uow() as uow:
        for n, code in enumerate(TOWNS):
            setup.add_township(uow, CLERK, "BENCH", code=code, name=f"第{n + 1}镇")
        setup.add_batch(uow, CLERK, "BENCH", code="1", name="第一批", budget="10000000.00")
        setup.add_project_type(
            uow, CLERK, "BENCH", code="pig", name="养猪", borrowing_standard="5000.00"
        )
        uow.commit()
    return "BENCH"


def rows(n: int) -> list[list[str]]:
    out = []
    for i in range(n):
        born = f"{1950 + i % 40}{1 + i % 12:02d}{1 + i % 28:02d}"
        first17 = f"34{i // 1000 % 90 + 10:02d}23{born}{i % 1000:03d}"
        out.append(
            [
                "",
                f"户主{i}",
                first17 + id_check_char(first17),
                TOWNS[i % 16],
                "胡家湾村",
                "是" if i % 3 else "否",
                "13912345678",
                "1",
                "pig",
                "养猪 3 头",
                f"{1000 + i % 4000}.{i % 100:02d}",
                "2007-04-02",
            ]
        )
    return out


def as_xlsx(data: list[list[str]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append([c.header for c in COLUMNS])
    for row in data:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def as_csv(data: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.header for c in COLUMNS])
    writer.writerows(data)
    return out.getvalue().encode("gb18030")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    data = rows(args.rows)
    engine = "postgresql" if os.environ.get("DATABASE_URL") else "sqlite"
    print(
        f"{platform.node()} {platform.platform()} {os.cpu_count()} CPUs, {engine}, {date.today()}"
    )
    missed = False
    for kind, sheet in (("xlsx", as_xlsx(data)), ("csv gb18030", as_csv(data))):
        with database() as db:
            fund = build_fund(db)
            started = time.perf_counter()
            with db.uow() as uow:
                result = import_registrations(uow, CLERK, fund, sheet, today=date(2007, 4, 30))
                uow.commit()
            seconds = time.perf_counter() - started
        assert result.loans == args.rows
        print(f"{kind:<12} {args.rows:>7,} rows {len(sheet) // 1024:>6,} KB {seconds:>6.2f} s")
        missed |= seconds > TARGET_SECONDS
    print(
        f"target: {args.rows:,} rows in <= {TARGET_SECONDS:.0f} s" + (" MISSED" if missed else "")
    )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
