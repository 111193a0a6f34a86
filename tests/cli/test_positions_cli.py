"""``rebuild-positions`` and ``check-positions``: a corrupted kept figure named, then repaired."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import delete, select, update

from ledger.models import (
    AgingDay,
    AgingNow,
    AuditRecord,
    DueDay,
    HouseholdCount,
    LoanCount,
    LoanPosition,
    PositionDay,
    PositionTotal,
    RecoveredOfDueYear,
)
from ledger.services import loans
from tests.factories import CLERK_ACTOR, committing, make_loan, make_programme
from tests.ledger.kept_figures import assert_kept_matches


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_check_names_each_difference_and_rebuild_repairs_them(committed_db, make_app, set_today):
    set_today(date(2008, 6, 1))
    prog = make_programme(committed_db)
    loan = make_loan(committed_db, prog, amount="3000.00")
    app = make_app()
    result = run(app, "check-positions", "--fund", prog.code)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{prog.code}: ok\n"
    fund_id = prog.fund.id
    with committing(committed_db) as uow:
        uow.session.execute(
            update(LoanPosition)
            .where(LoanPosition.loan_id == loan.id)
            .values(disbursed=Decimal("3100.00"), outstanding=Decimal("3100.00"))
        )
        uow.session.execute(
            update(PositionTotal).where(PositionTotal.fund_id == fund_id).values(open_loans=2)
        )
        uow.session.execute(
            update(AgingDay).where(AgingDay.fund_id == fund_id).values(unpaid=Decimal("0.01"))
        )
        uow.session.execute(update(AgingNow).where(AgingNow.fund_id == fund_id).values(loans=3))
    result = run(app, "check-positions", "--fund", prog.code)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    town = prog.townships[0]
    for figure in ("disbursed", "outstanding"):
        assert (
            f"不符 differs: {prog.code} loan {loan.registration_no} {figure}: "
            "kept 3100.00, computed 3000.00"
        ) in lines
    assert (
        f"不符 differs: {prog.code} township {town} batch 1 open_loans: kept 2, computed 1" in lines
    )
    assert (
        f"不符 differs: {prog.code} township {town} batch 1 oldest due 2008-04-01 due 2008-04-01 "
        "day 2007-04-10 unpaid: kept 0.01, computed 1000.00"
    ) in lines
    assert (
        f"不符 differs: {prog.code} township {town} batch 1 oldest due 2008-04-01 due 2008-04-01 "
        "now loans: kept 3, computed 1"
    ) in lines
    assert (
        lines[-1]
        == f"{len(lines) - 1} 处不符 / {len(lines) - 1} differences: run rebuild-positions"
    )
    result = run(app, "rebuild-positions", "--fund", prog.code)
    assert result.exit_code == 0, result.stderr
    assert (
        result.stdout
        == f"{prog.code}: 已重算 rebuilt 1 笔借款 loans, 1 个乡镇批次 township batches\n"
    )
    assert run(app, "check-positions").exit_code == 0
    assert_kept_matches(committed_db, prog.fund.id, prog.code, (None, date(2008, 4, 2)))
    with committed_db.read() as session:
        record = session.scalars(
            select(AuditRecord)
            .where(AuditRecord.chain == prog.code)
            .order_by(AuditRecord.seq.desc())
        ).first()
        assert (record.action, record.target) == (
            "cli rebuild-positions",
            f"fund:{prog.code}/positions",
        )


def test_check_names_a_corrupted_recovery_table_row(committed_db, make_app, set_today):
    """The kept dues (columns 5 and 6) and column 9 of the recovery table are checked too."""
    set_today(date(2008, 6, 1))
    prog = make_programme(committed_db)
    loan = make_loan(committed_db, prog, amount="3000.00")
    with committing(committed_db) as uow:
        loans.repay_loan(
            uow, CLERK_ACTOR, prog.code, loan.registration_no, on=date(2008, 4, 1), amount="1000.00"
        )
    app = make_app()
    assert run(app, "check-positions", "--fund", prog.code).exit_code == 0
    fund_id = prog.fund.id
    with committing(committed_db) as uow:
        uow.session.execute(
            update(DueDay)
            .where(DueDay.fund_id == fund_id, DueDay.due_date == date(2008, 4, 1))
            .values(due=Decimal("999.99"))
        )
        uow.session.execute(
            update(RecoveredOfDueYear)
            .where(RecoveredOfDueYear.fund_id == fund_id, RecoveredOfDueYear.year == 2008)
            .values(recovered=Decimal("1.00"))
        )
    result = run(app, "check-positions", "--fund", prog.code)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    town = prog.townships[0]
    assert (
        f"不符 differs: {prog.code} township {town} batch 1 due 2008-04-01 day 2007-04-08 due: "
        "kept 999.99, computed 1000.00"
    ) in lines
    assert (
        f"不符 differs: {prog.code} township {town} batch 1 year 2008 recovered_of_due: "
        "kept 1.00, computed 1000.00"
    ) in lines
    assert len(lines) == 3
    assert run(app, "rebuild-positions", "--fund", prog.code).exit_code == 0
    assert run(app, "check-positions", "--fund", prog.code).exit_code == 0
    assert_kept_matches(committed_db, fund_id, prog.code, (None, date(2007, 12, 31)))


def test_an_unknown_fund_is_refused(make_app):
    app = make_app()
    for command in ("check-positions", "rebuild-positions"):
        result = run(app, command, "--fund", "NOPE")
        assert result.exit_code == 1
        assert "基金 NOPE 不存在 / fund NOPE does not exist" in result.stderr


def test_init_db_fills_the_kept_figures_of_a_book_that_lent_before_them(
    committed_db, make_app, set_today
):
    """A book upgraded across migration 0009 has entries and no kept figures; init-db fills them."""
    set_today(date(2008, 6, 1))
    prog = make_programme(committed_db)
    make_loan(committed_db, prog, amount="3000.00")
    with committing(committed_db) as uow:
        for model in (AgingDay, AgingNow, PositionDay, PositionTotal, LoanPosition):
            uow.session.execute(delete(model).where(model.fund_id == prog.fund.id))
    app = make_app()
    assert run(app, "check-positions", "--fund", prog.code).exit_code == 1
    result = run(app, "init-db")
    assert result.exit_code == 0, result.stderr
    assert f"{prog.code}: 已重算 rebuilt 1 笔借款 loans" in result.stdout
    assert run(app, "check-positions", "--fund", prog.code).exit_code == 0
    # Run again, nothing is left to fill.
    again = run(app, "init-db")
    assert f"{prog.code}:" not in again.stdout


def test_check_names_a_corrupted_count_and_init_db_fills_the_counts_of_a_book_that_lent_nothing(
    committed_db, make_app, set_today
):
    """The kept counts of loans by status and of households are checked and rebuilt too; a
    book with applications and nothing lent (upgraded across migration 0025, which leaves
    the counts empty) is filled by init-db all the same."""
    set_today(date(2008, 6, 1))
    prog = make_programme(committed_db)
    make_loan(committed_db, prog, stage="applied")
    fund_id = prog.fund.id
    app = make_app()
    assert run(app, "check-positions", "--fund", prog.code).exit_code == 0
    with committing(committed_db) as uow:
        uow.session.execute(update(LoanCount).where(LoanCount.fund_id == fund_id).values(loans=7))
    result = run(app, "check-positions", "--fund", prog.code)
    assert result.exit_code == 1
    town = prog.townships[0]
    assert result.stderr.splitlines()[:-1] == [
        f"不符 differs: {prog.code} township {town} batch 1 status applied count loans: "
        "kept 7, computed 1"
    ]
    assert run(app, "rebuild-positions", "--fund", prog.code).exit_code == 0
    assert run(app, "check-positions", "--fund", prog.code).exit_code == 0
    with committing(committed_db) as uow:
        for model in (LoanCount, HouseholdCount):
            uow.session.execute(delete(model).where(model.fund_id == fund_id))
    assert run(app, "check-positions", "--fund", prog.code).exit_code == 1
    result = run(app, "init-db")
    assert result.exit_code == 0, result.stderr
    assert f"{prog.code}: 已重算 rebuilt 0 笔借款 loans" in result.stdout
    assert run(app, "check-positions", "--fund", prog.code).exit_code == 0
    assert f"{prog.code}:" not in run(app, "init-db").stdout
