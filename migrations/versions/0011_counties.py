"""counties as tenants

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06

A county (区县, its 6-digit GB/T 2260 code and name) owns funds; a user may
be confined to a region: a county (6 digits), a city (4) or a province (2),
and a city's or province's user is a leader or an auditor (read-only).
Every table a county owns leads a key or an index with its fund (or county):
``fund`` by its county, ``guarantee_call`` and ``salary_deduction`` by their fund
(tests/test_tenancy_keys.py).

What an existing install gets: the placeholder county ``000000`` ("本县
(待更名)"), which owns every fund already opened, and its users keep no
region, so they see exactly what they saw before (nobody loses access). The
administrator then gives the county its real code with ``flask --app wsgi
rename-county 000000 <code> --name <name>``. A new install starts with the
same placeholder, so a single-county install never has to name its county.

SQLite cannot add a NOT NULL foreign key column or a CHECK to a table that
others reference without copying it, and a copy of ``fund`` (which every book
table references) cannot be dropped while foreign keys are on, as they are in
the migration's transaction. So on SQLite the constraints are written into
the stored table definition after the column is filled (writable_schema, the
procedure SQLite documents for changes that leave the stored rows as they
are); the rows already satisfy them. PostgreSQL alters the tables directly.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

PLACEHOLDER, PLACEHOLDER_NAME = "000000", "本县(待更名)"
#: Tables with a fund key that no key or index led with.
KEYED_BY_FUND = ("guarantee_call", "salary_deduction")


def digits_only(column: str) -> str:
    """As `ledger.models.county.digits_only` (a migration does not import the models)."""
    stripped = column
    for digit in "0123456789":
        stripped = f"replace({stripped}, '{digit}', '')"
    return f"{stripped} = ''"


COUNTY_CODE_CHECK = f"length(code) = 6 AND {digits_only('code')}"
REGION_CHECK = f"region IS NULL OR (length(region) IN (2, 4, 6) AND {digits_only('region')})"
REGION_ROLE_CHECK = "region IS NULL OR length(region) = 6 OR role IN ('leader', 'auditor')"

FUND_FK = "CONSTRAINT fk_fund_county_code_county FOREIGN KEY(county_code) REFERENCES county (code)"
USER_CHECKS = (
    f"CONSTRAINT ck_app_user_region_code CHECK ({REGION_CHECK})",
    f"CONSTRAINT ck_app_user_region_above_county_reads_only CHECK ({REGION_ROLE_CHECK})",
)


def _sqlite_rewrite(table: str, old: str, new: str) -> None:
    """Replace `old` by `new` in `table`'s stored CREATE TABLE (rows untouched)."""
    bind = op.get_bind()
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).scalar_one()
    assert sql.count(old) == 1, (table, old)
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
        (sql.replace(old, new), table),
    )
    bind.exec_driver_sql(f"PRAGMA schema_version = {version + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")
    problems = bind.exec_driver_sql(f"PRAGMA quick_check({table})").scalars().all()
    assert problems == ["ok"], problems


def _sqlite_append(table: str, clauses: tuple[str, ...]) -> None:
    """Add table constraints at the end of `table`'s stored definition."""
    _sqlite_rewrite(table, "\n)", "".join(f", \n\t{c}" for c in clauses) + "\n)")


def upgrade() -> None:
    county = op.create_table(
        "county",
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.CheckConstraint(COUNTY_CODE_CHECK, name=op.f("ck_county_code_six_digits")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_county")),
    )
    op.bulk_insert(county, [{"code": PLACEHOLDER, "name": PLACEHOLDER_NAME, "created_by": "system"}])
    sqlite = op.get_bind().dialect.name == "sqlite"
    # Plain ALTERs, never a batch copy: see the module's docstring.
    op.add_column("fund", sa.Column("county_code", sa.String(length=6), nullable=True))
    op.execute(sa.text("UPDATE fund SET county_code = :c").bindparams(c=PLACEHOLDER))
    op.add_column("app_user", sa.Column("region", sa.String(length=6), nullable=True))
    op.create_index(op.f("ix_fund_county_code"), "fund", ["county_code"])
    for table in KEYED_BY_FUND:
        op.create_index(op.f(f"ix_{table}_fund_id"), table, ["fund_id"])
    if sqlite:
        _sqlite_rewrite("fund", "county_code VARCHAR(6)", "county_code VARCHAR(6) NOT NULL")
        _sqlite_append("fund", (FUND_FK,))
        _sqlite_append("app_user", USER_CHECKS)
        return
    op.alter_column("fund", "county_code", nullable=False)
    op.create_foreign_key(
        op.f("fk_fund_county_code_county"), "fund", "county", ["county_code"], ["code"]
    )
    op.create_check_constraint(op.f("ck_app_user_region_code"), "app_user", REGION_CHECK)
    op.create_check_constraint(
        op.f("ck_app_user_region_above_county_reads_only"), "app_user", REGION_ROLE_CHECK
    )


def downgrade() -> None:
    bind = op.get_bind()
    # Before counties there was one county and no auditor: refuse rather than merge
    # counties' books or drop people.
    counties = bind.exec_driver_sql("SELECT count(*) FROM county").scalar_one()
    auditors = bind.exec_driver_sql(
        "SELECT count(*) FROM app_user WHERE role = 'auditor' OR length(region) < 6"
    ).scalar_one()
    if counties > 1 or auditors:
        raise RuntimeError(
            "cannot downgrade below 0011: the database holds several counties, "
            "or auditors or city/province users, which the older schema cannot keep"
        )
    if bind.dialect.name == "sqlite":
        for check in USER_CHECKS:
            _sqlite_rewrite("app_user", f", \n\t{check}", "")
        _sqlite_rewrite("fund", f", \n\t{FUND_FK}", "")
        _sqlite_rewrite("fund", "county_code VARCHAR(6) NOT NULL", "county_code VARCHAR(6)")
    else:
        op.drop_constraint(op.f("ck_app_user_region_above_county_reads_only"), "app_user")
        op.drop_constraint(op.f("ck_app_user_region_code"), "app_user")
        op.drop_constraint(op.f("fk_fund_county_code_county"), "fund", type_="foreignkey")
    for table in KEYED_BY_FUND:
        op.drop_index(op.f(f"ix_{table}_fund_id"), table)
    op.drop_index(op.f("ix_fund_county_code"), "fund")
    op.drop_column("app_user", "region")
    op.drop_column("fund", "county_code")
    op.drop_table("county")
