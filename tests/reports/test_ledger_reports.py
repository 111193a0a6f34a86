"""Trial balance, sub-ledgers, aging and voucher prints (red-ink reversals in red)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from ledger.money import daxie, fmt
from ledger.read.books import subledger_listing, trial_balance_of
from ledger.read.fund import aging
from ledger.read.journals import voucher_prints
from reports.aging import render_aging
from reports.subledger import render_subledger
from reports.trial_balance import render_trial_balance
from reports.voucher import render_vouchers
from tests.factories import appropriate, committing, make_fund, reverse
from tests.reports import pdf
from tests.reports.conftest import CLERK as CLERK_ACTOR
from tests.reports.conftest import GENERATED

FROM, TO = date(2008, 1, 1), date(2008, 12, 31)


@pytest.mark.slow
def test_trial_balance(demo):
    with demo.db.read() as session:
        data = trial_balance_of(session, CLERK_ACTOR, demo.code, from_=FROM, as_of=TO)
    totals = data.totals
    assert totals.balanced
    document = render_trial_balance(data, generated_at=GENERATED)
    text = pdf.text(document)
    assert "借贷平衡" in text
    assert text.count(fmt(totals.debit)) >= 2  # the period's debit and credit totals
    assert text.count(fmt(totals.debit_balances)) >= 2  # closing debit and credit balances
    for row in data.rows:
        assert row.name in text
    pdf.assert_numbered(document)
    pdf.assert_embedded(document)


@pytest.mark.slow
@pytest.mark.parametrize("code", ["1011", "1101", "3001", "5001"])
def test_subledger_totals_equal_the_trial_balance(demo, code):
    with demo.db.read() as session:
        data = subledger_listing(session, CLERK_ACTOR, demo.code, code, from_=FROM, to=TO)
        line = next(
            r
            for r in trial_balance_of(session, CLERK_ACTOR, demo.code, from_=FROM, as_of=TO).rows
            if r.code == code
        )
    assert (data.opening, data.debit, data.credit, data.closing) == (
        line.opening,
        line.debit,
        line.credit,
        line.balance,
    )
    document = render_subledger(data, generated_at=GENERATED)
    text = pdf.text(document)
    assert fmt(data.closing) in text and fmt(data.opening) in text
    if code == "1101":  # 503 loans: many pages, the header on each
        total = pdf.assert_numbered(document)
        assert total > 5
        listing = [p for p in pdf.pages(document) if re.search(r"\d-\d{9}-\d{4}", p)]
        assert len(listing) == total or len(listing) == total - 1  # the signatures may follow
        assert all("登记编号" in page for page in listing)
    if code == "3001":
        assert "县级财政" in text and "省级财政" in text
    pdf.assert_embedded(document)


@pytest.mark.slow
def test_aging_report(demo):
    with demo.db.read() as session:
        data = aging(session, CLERK_ACTOR, demo.code, as_of=TO)
        town = aging(session, CLERK_ACTOR, demo.code, as_of=TO, township="341525103")
    a = data
    assert sum(b.loans for b in a.buckets) == len(a.loans) > 0
    assert sum(b.overdue_amount for b in a.buckets) == a.overdue_amount
    document = render_aging(data, generated_at=GENERATED)
    text = pdf.text(document)
    assert fmt(a.overdue_amount) in text and fmt(a.overdue_outstanding) in text
    assert "人民币" + daxie(a.outstanding) in pdf.squeezed(document)
    for r in a.loans[:5]:
        assert r.registration_no in text
    assert {r.township for r in town.loans} <= {"341525103"}
    assert "341525103" in pdf.text(render_aging(town, generated_at=GENERATED))
    pdf.assert_numbered(document)
    pdf.assert_embedded(document)


def test_voucher_and_its_red_ink_reversal(db):
    fund = make_fund(db)
    original = appropriate(db, fund, "1409.50", on=date(2007, 4, 1))
    with committing(db) as uow:
        reversal = reverse(uow, fund.code, original.voucher, on=date(2007, 4, 2), reason="金额录错")
    with db.read() as session:
        data = voucher_prints(
            session, CLERK_ACTOR, fund.code, vouchers=[original.voucher, reversal]
        )
        month = voucher_prints(session, CLERK_ACTOR, fund.code, period="2007-04")
    assert [v.view.voucher for v in month.vouchers] == [original.voucher, reversal]
    document = render_vouchers(data, generated_at=GENERATED)
    text, flat = pdf.text(document), pdf.squeezed(document)
    assert "记账凭证(红字冲销)" in flat
    assert f"冲销{original.voucher}号凭证" in flat
    assert f"本凭证已被{reversal}号凭证红字冲销" in flat
    assert "1,409.50" in text and "-1,409.50" in text
    assert "人民币壹仟肆佰零玖元伍角整" in flat and "人民币负壹仟肆佰零玖元伍角整" in flat
    assert "1001专户存款" in flat and "3001周转金基金" in flat and "县级财政" in flat
    # The reversal's amounts are in red ink; a voucher that is not red has none.
    assert pdf.RED_FILL in b"".join(pdf.contents(document))
    alone = render_vouchers(type(data)(data.fund, data.vouchers[:1]), generated_at=GENERATED)
    assert pdf.RED_FILL not in b"".join(pdf.contents(alone))
    pdf.assert_numbered(document)
    pdf.assert_embedded(document)
