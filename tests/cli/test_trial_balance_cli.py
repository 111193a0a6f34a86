"""``trial-balance``: each fund's totals, and exit 1 when a book does not balance."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select, update

from ledger.models import ChartAccount, ChartDailyTotal
from tests.factories import committing, make_loan, make_programme


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_prints_the_totals_and_refuses_a_book_that_does_not_balance(committed_db, make_app):
    prog = make_programme(committed_db)
    make_loan(committed_db, prog, amount="3000.00")
    app = make_app()
    result = run(app, "trial-balance", "--fund", prog.code)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"{prog.code}: 借方发生额 debit 143,000.00, 贷方发生额 credit 143,000.00, "
        "借方余额 debit balances 100,000.00, 贷方余额 credit balances 100,000.00: ok\n"
    )
    # Every fund when none is named, this one among them.
    assert f"{prog.code}: 借方发生额 debit 143,000.00" in run(app, "trial-balance").stdout

    with committing(committed_db) as uow:  # one day's turnover of one chart line altered
        chart_id = uow.session.scalars(
            select(ChartDailyTotal.chart_id)
            .join(ChartAccount, ChartAccount.id == ChartDailyTotal.chart_id)
            .where(ChartAccount.fund_id == prog.fund.id)
            .order_by(ChartDailyTotal.chart_id)
        ).first()
        uow.session.execute(
            update(ChartDailyTotal)
            .where(ChartDailyTotal.chart_id == chart_id)
            .values(debit=ChartDailyTotal.debit + Decimal("0.01"))
        )
    result = run(app, "trial-balance", "--fund", prog.code)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"{prog.code}: 借方发生额 debit 143,000.")
    assert result.stderr.endswith(": 不平衡 does not balance\n")


def test_an_unknown_fund_is_refused(make_app):
    result = run(make_app(), "trial-balance", "--fund", "NOPE")
    assert result.exit_code == 1
    assert "基金 NOPE 不存在 / fund NOPE does not exist" in result.stderr
