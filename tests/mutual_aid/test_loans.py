"""Loans: members only, in a group of the rules' size, no overdue group, the caps, notice,
three people; the usage fee, fee first then principal; month close; 封闭运行 on every path."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from ledger.errors import (
    DateOutOfOrder,
    InsufficientBalance,
    InvalidTransition,
    MakerIsChecker,
    Overpayment,
    PeriodClosed,
    RoleNotAllowed,
)
from ledger.models import Journal
from ledger.posting import AccountRef, credit, debit, journal
from ledger.programmes.mutual_aid import services as society
from ledger.programmes.mutual_aid.errors import (
    CharterLimit,
    ClosedVillage,
    GroupOverdue,
    NoticeNotServed,
    NotInGroup,
)
from ledger.programmes.mutual_aid.models import LoanState, SocietyLoan
from ledger.programmes.mutual_aid.reads import loan_figures, society_figures
from ledger.read.books import balance
from ledger.services.journals import post_reversal, record_journal
from tests.factories import audit_heads, audited_since, committing, journal_count
from tests.mutual_aid.society import (
    APPROVER,
    CASHIER,
    CLERK,
    RULES,
    lend,
    make_group,
    make_group_of,
    make_member,
    make_society,
)

D = Decimal
APPLIED = date(2024, 2, 1)
PAID = date(2024, 2, 10)


def bal(db, fund, code, key=""):
    with db.read() as session:
        return balance(session, fund.id, AccountRef(code, key)).balance


def apply(db, fund, member, amount="5000.00", term=12, on=APPLIED):
    with committing(db) as uow:
        return society.apply_for_loan(
            uow,
            CLERK,
            fund.code,
            member=member.id,
            amount=amount,
            term_months=term,
            purpose="种植",
            applied_on=on,
        )


def loan_row(db, fund, no):
    with db.read() as session:
        row = session.scalar(
            select(SocietyLoan).where(SocietyLoan.fund_id == fund.id, SocietyLoan.no == no)
        )
        session.expunge(row)
    return row


def test_a_loan_is_applied_published_approved_and_paid_out_by_three_people(db):
    fund = make_society(db)
    member, *_ = make_group_of(db, fund)
    heads = audit_heads(db)
    loan = lend(db, fund, member, "5000.00")
    row = loan_row(db, fund, loan.no)
    assert (row.state, row.due_on, row.fee_accrued_to) == (LoanState.LENT, date(2025, 2, 10), PAID)
    assert (row.recorded_by, row.approved_by, row.lent_by) == ("kuaiji", "lishi", "chuna")
    assert bal(db, fund, "1201", loan.no) == D("5000.00")
    assert bal(db, fund, "1001") == D("100000.00")  # 95,000 + five members' 1,000 shares
    assert [r.action for r in audited_since(db, heads)] == [
        "society loan application",
        "society loan notice",
        "society loan approval",
        "society loan payout",
    ]


@pytest.mark.parametrize(
    ("amount", "term", "setting"),
    [
        ("5000.01", 12, "loan_cap"),
        ("4000.00", 13, "max_term_months"),
    ],
)
def test_a_loan_outside_the_cap_or_term_is_refused_naming_the_setting(db, amount, term, setting):
    fund = make_society(db)
    member, *_ = make_group_of(db, fund)
    with pytest.raises(CharterLimit, match=setting):
        apply(db, fund, member, amount, term)


def test_a_loan_is_at_most_the_multiple_of_bought_and_allocated_shares(db):
    fund = make_society(db)
    make_group(db, fund)
    poor = make_member(db, fund, poor=True, shares=None)
    for _ in range(4):
        make_member(db, fund)
    with pytest.raises(CharterLimit, match="loan_share_multiple") as refused:
        apply(db, fund, poor, "1000.00")
    assert "at most 0.00" in refused.value.detail_en
    with committing(db) as uow:
        society.allocate_share(uow, CLERK, fund.code, poor.id, on=APPLIED, amount="1000.00")
    assert apply(db, fund, poor, "5000.00").state is LoanState.APPLIED


def test_a_loan_is_judged_by_the_rules_in_force_on_its_application_date(db):
    fund = make_society(db)
    member, *_ = make_group_of(db, fund)
    with committing(db) as uow:
        society.add_rules(uow, CLERK, fund.code, effective_on=date(2024, 3, 1), **RULES)
    early = apply(db, fund, member, "5000.00", 12, on=date(2024, 2, 29))
    with pytest.raises(CharterLimit, match=r"\(loan_cap\) 3000.00"):
        apply(db, fund, member, "5000.00", 6, on=date(2024, 3, 1))
    assert loan_row(db, fund, early.no).amount == D("5000.00")


def test_only_a_member_in_a_group_of_the_rules_size_may_borrow(db):
    fund = make_society(db)
    loner = make_member(db, fund, group=None)
    with pytest.raises(NotInGroup, match="no mutual-guarantee group"):
        apply(db, fund, loner)
    small = make_group_of(db, fund, 2, code="G2")  # the default group_min is 3
    with pytest.raises(NotInGroup, match="group_min 3"):
        apply(db, fund, small[0], "1000.00")


def test_a_group_with_an_overdue_loan_cannot_borrow_until_it_is_repaid(db):
    fund = make_society(db)
    first, second, *_ = make_group_of(db, fund)
    overdue = lend(db, fund, first, "3000.00", term_months=1)  # due 10 March
    apply(db, fund, second, "1000.00", on=date(2024, 3, 10))  # due today: not yet overdue
    with pytest.raises(GroupOverdue, match=overdue.no) as refused:
        apply(db, fund, second, "1000.00", on=date(2024, 3, 11))
    assert "联保小组" in refused.value.detail_zh
    with db.read() as session:
        figures = society_figures(session, fund.id, date(2024, 3, 11))
    assert (figures.loans_outstanding, figures.overdue) == (D("3000.00"), D("3000.00"))
    with committing(db) as uow:  # 29 days at 6‰ = 17.40, 2 overdue days at 9‰ = 1.80
        society.repay(uow, CASHIER, fund.code, overdue.no, on=date(2024, 3, 12), amount="3019.20")
    assert loan_row(db, fund, overdue.no).state is LoanState.REPAID
    assert apply(db, fund, second, "1000.00", on=date(2024, 3, 12)).state is LoanState.APPLIED


def test_approval_waits_the_notice_days_and_is_not_the_recorders(db):
    fund = make_society(db)
    member, *_ = make_group_of(db, fund)
    loan = apply(db, fund, member)
    with pytest.raises(InvalidTransition), committing(db) as uow:
        society.approve_loan(uow, APPROVER, fund.code, loan.no, on=PAID)  # not yet published
    with committing(db) as uow:
        society.post_notice(uow, CLERK, fund.code, loan.no, on=APPLIED)
    with pytest.raises(NoticeNotServed, match="notice_days") as refused, committing(db) as uow:
        society.approve_loan(uow, APPROVER, fund.code, loan.no, on=date(2024, 2, 7))
    assert "公示 7 天" in refused.value.detail_zh
    with pytest.raises(RoleNotAllowed), committing(db) as uow:
        society.approve_loan(uow, CLERK, fund.code, loan.no, on=date(2024, 2, 8))
    clerk_as_approver = type(APPROVER)("kuaiji", "approver")
    with pytest.raises(MakerIsChecker), committing(db) as uow:
        society.approve_loan(uow, clerk_as_approver, fund.code, loan.no, on=date(2024, 2, 8))
    with committing(db) as uow:
        society.approve_loan(uow, APPROVER, fund.code, loan.no, on=date(2024, 2, 8))
    cashier_as_approver = type(CASHIER)("lishi", "cashier")
    with pytest.raises(MakerIsChecker), committing(db) as uow:
        society.pay_out(uow, cashier_as_approver, fund.code, loan.no, on=PAID)
    with pytest.raises(RoleNotAllowed), committing(db) as uow:
        society.pay_out(uow, CLERK, fund.code, loan.no, on=PAID)
    with pytest.raises(DateOutOfOrder), committing(db) as uow:
        society.pay_out(uow, CASHIER, fund.code, loan.no, on=date(2024, 2, 7))


def test_a_payout_beyond_the_bank_balance_is_refused(db):
    fund = make_society(db, fiscal="1000.00")
    member, *_ = make_group_of(db, fund)  # the bank holds 6,000.00
    with committing(db) as uow:
        fund_code = fund.code
        society.add_rules(
            uow,
            CLERK,
            fund_code,
            effective_on=date(2024, 1, 2),
            **{**RULES, "share_size": "1000.00", "loan_cap": "9000.00", "loan_share_multiple": 10},
        )
    loan = apply(db, fund, member, "6000.01", 6)
    with committing(db) as uow:
        society.post_notice(uow, CLERK, fund.code, loan.no, on=APPLIED)
        society.approve_loan(uow, APPROVER, fund.code, loan.no, on=PAID)
    with pytest.raises(InsufficientBalance), committing(db) as uow:
        society.pay_out(uow, CASHIER, fund.code, loan.no, on=PAID)
    assert loan_row(db, fund, loan.no).state is LoanState.APPROVED


def test_a_repayment_accrues_the_fee_for_the_days_used_and_settles_it_first(db):
    fund = make_society(db)
    member, *_ = make_group_of(db, fund)
    loan = lend(db, fund, member, "5000.00")
    with committing(db) as uow:  # 10 Feb -> 11 Mar: 30 days at 6‰ on 5,000 = 30.00
        first = society.repay(
            uow, CASHIER, fund.code, loan.no, on=date(2024, 3, 11), amount="20.00"
        )
    assert (first.fee, first.principal) == (D("20.00"), D("0.00"))
    with committing(db) as uow:  # 11 Mar -> 26 Mar: 15 days = 15.00; 10.00 + 15.00 owed
        second = society.repay(
            uow, CASHIER, fund.code, loan.no, on=date(2024, 3, 26), amount="1025.00"
        )
    assert (second.fee, second.principal) == (D("25.00"), D("1000.00"))
    assert bal(db, fund, "4001", loan.no) == D("45.00")
    assert bal(db, fund, "1301", loan.no) == D("0.00")
    assert bal(db, fund, "1201", loan.no) == D("4000.00")
    with pytest.raises(Overpayment), committing(db) as uow:  # 1 day: 4000 × 0.006 / 30 = 0.80
        society.repay(uow, CASHIER, fund.code, loan.no, on=date(2024, 3, 27), amount="4000.81")
    with committing(db) as uow:
        last = society.repay(
            uow, CASHIER, fund.code, loan.no, on=date(2024, 3, 27), amount="4000.80"
        )
    assert (last.fee, last.principal) == (D("0.80"), D("4000.00"))
    with db.read() as session:
        figures = loan_figures(session, fund.id, loan_row(db, fund, loan.no))
    assert figures.state == "repaid"
    assert (figures.principal_outstanding, figures.fee_accrued, figures.fee_paid) == (
        D("0.00"),
        D("0.00"),
        D("45.80"),
    )
    with pytest.raises(InvalidTransition), committing(db) as uow:
        society.repay(uow, CASHIER, fund.code, loan.no, on=date(2024, 3, 28), amount="1.00")


def test_days_after_the_due_date_bear_the_overdue_rate(db):
    fund = make_society(db)
    member, *_ = make_group_of(db, fund)
    loan = lend(db, fund, member, "3000.00", term_months=1)  # due 10 March: 29 days
    with committing(db) as uow:  # 29 days at 6‰ = 17.40, 10 days at 9‰ = 9.00
        paid = society.repay(
            uow, CASHIER, fund.code, loan.no, on=date(2024, 3, 20), amount="3026.40"
        )
    assert (paid.fee, paid.principal) == (D("26.40"), D("3000.00"))


def test_month_close_accrues_every_lent_loans_fee_then_closes(db):
    fund = make_society(db)
    member, other, *_ = make_group_of(db, fund)
    one = lend(db, fund, member, "5000.00")
    two = lend(db, fund, other, "2000.00", applied_on=date(2024, 2, 2))
    with committing(db) as uow:
        society.close_month(uow, CLERK, fund.code, "2024-02")
    # 10 Feb -> 29 Feb: 19 days. 5000: 19.00; 2000: 7.60.
    assert bal(db, fund, "1301", one.no) == D("19.00")
    assert bal(db, fund, "1301", two.no) == D("7.60")
    assert loan_row(db, fund, one.no).fee_accrued_to == date(2024, 2, 29)
    with pytest.raises(PeriodClosed), committing(db) as uow:
        society.repay(uow, CASHIER, fund.code, one.no, on=date(2024, 2, 29), amount="1.00")
    with committing(db) as uow:  # 1 Mar: one more day, 1.00; fee owed 20.00 first
        paid = society.repay(uow, CASHIER, fund.code, one.no, on=date(2024, 3, 1), amount="50.00")
    assert (paid.fee, paid.principal) == (D("20.00"), D("30.00"))
    with db.read() as session:
        figures = society_figures(session, fund.id, date(2024, 3, 1))
    assert figures.fee_income == D("27.60")
    assert figures.loans_outstanding == D("6970.00")
    assert (figures.members, figures.overdue) == (5, D("0.00"))


def test_no_posting_path_takes_money_out_of_the_village_but_the_allowed_ones(db):
    fund = make_society(db)
    journals = journal_count(db, fund)
    bank, fiscal = AccountRef("1001"), AccountRef("3001")
    for kind in ("misc", "expense", "appropriation"):
        draft = journal(
            date(2024, 1, 5), kind, "挪用", [debit(fiscal, "10.00"), credit(bank, "10.00")]
        )
        with pytest.raises(ClosedVillage, match="stays in the village"), committing(db) as uow:
            record_journal(uow, fund.id, draft, actor="kuaiji")
    assert journal_count(db, fund) == journals
    assert bal(db, fund, "1001") == D("100000.00")
    with db.read() as session:
        first = session.scalar(select(Journal.voucher_no).where(Journal.fund_id == fund.id))
    with committing(db) as uow:  # a red-ink reversal of a mistaken receipt is no outflow
        post_reversal(
            uow, fund.id, first, actor="kuaiji", reason="重复入账", posted_on=date(2024, 1, 5)
        )
    assert bal(db, fund, "1001") == D("0.00")
