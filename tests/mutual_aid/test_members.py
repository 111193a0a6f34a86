"""Members, shares, allocated shares, exit, money in and out, and the 章程's versions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from ledger.errors import DuplicateKey, InvalidField, MakerIsChecker, RoleNotAllowed
from ledger.models import Journal
from ledger.posting import AccountRef
from ledger.programmes.mutual_aid import services as society
from ledger.programmes.mutual_aid.errors import (
    AllocationRefused,
    CharterLimit,
    GroupOverdue,
    MemberOwes,
    NotAMember,
    NotInGroup,
)
from ledger.programmes.mutual_aid.reads import society_figures
from ledger.read.books import balance
from tests.factories import audit_heads, audited_since, committing, journal_count
from tests.mutual_aid.society import (
    CASHIER,
    CLERK,
    OPENED,
    RULES,
    lend,
    make_group,
    make_group_of,
    make_member,
    make_society,
)

D = Decimal
DAY = date(2024, 1, 15)


def bal(db, fund, code, key=""):
    with db.read() as session:
        return balance(session, fund.id, AccountRef(code, key)).balance


def test_a_new_version_of_the_rules_holds_from_its_date_and_not_before(db):
    fund = make_society(db)
    with committing(db) as uow:
        society.add_rules(uow, CLERK, fund.code, effective_on=date(2024, 6, 1), **RULES)
    with db.read() as session:
        before = society.rules_on(session, fund.id, date(2024, 5, 31))
        after = society.rules_on(session, fund.id, date(2024, 6, 1))
        assert (before.share_size, after.share_size) == (D("1000.00"), D("500.00"))
        assert after.fee_rate == D("0.005") and after.overdue_fee_rate == D("0.0075")
        assert after.distribution["reserve"] == D("0.4")
        with pytest.raises(CharterLimit, match="no version"):
            society.rules_on(session, fund.id, date(2023, 12, 31))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"distribution": {**RULES["distribution"], "dividend": "0.25"}}, "distribution"),
        ({"distribution": {"reserve": "1"}}, "distribution"),
        ({"fee_rate_monthly": "0.0000001"}, "fee_rate_monthly"),
        ({"fee_rate_monthly": 0.006}, "fee_rate_monthly"),  # a float is never a rate
        ({"overdue_fee_rate_monthly": "0.5"}, "overdue_fee_rate_monthly"),
        ({"share_size": "0"}, "share_size"),
        ({"max_term_months": 0}, "max_term_months"),
        ({"group_min": 6}, "group_min"),
        ({"notice_days": True}, "notice_days"),
    ],
)
def test_a_bad_version_of_the_rules_is_refused_naming_the_setting(db, change, field):
    fund = make_society(db)
    with pytest.raises(InvalidField) as refused, committing(db) as uow:
        society.add_rules(
            uow, CLERK, fund.code, effective_on=date(2024, 6, 1), **{**RULES, **change}
        )
    assert refused.value.field.startswith(field)
    with db.read() as session:
        assert society.rules_on(session, fund.id, date(2024, 7, 1)).effective_on == OPENED


def test_two_versions_on_one_day_and_a_clerkless_change_are_refused(db):
    fund = make_society(db)
    with pytest.raises(DuplicateKey), committing(db) as uow:
        society.add_rules(uow, CLERK, fund.code, effective_on=OPENED, **RULES)
    with pytest.raises(RoleNotAllowed), committing(db) as uow:
        society.add_rules(uow, CASHIER, fund.code, effective_on=date(2024, 6, 1), **RULES)


def test_joining_checks_the_id_number_once_per_household_and_the_groups_size(db):
    fund = make_society(db)
    make_group(db, fund)
    with pytest.raises(InvalidField) as refused, committing(db) as uow:
        society.join(
            uow,
            CLERK,
            fund.code,
            name="李四",
            id_number="110105194912310021",
            poor=True,
            joined_on=DAY,
        )
    assert refused.value.field == "id_number"
    with committing(db) as uow:
        member = society.join(
            uow,
            CLERK,
            fund.code,
            name="李四",
            id_number="11010519491231002x",
            poor=True,
            joined_on=DAY,
            group="G1",
        )
    assert member.id_number == "11010519491231002X"
    with pytest.raises(DuplicateKey), committing(db) as uow:
        society.join(
            uow,
            CLERK,
            fund.code,
            name="李四",
            id_number="11010519491231002X",
            poor=True,
            joined_on=DAY,
        )
    for _ in range(6):  # the default rules' group_max is 7
        make_member(db, fund)
    with pytest.raises(NotInGroup, match="group_max"), committing(db) as uow:
        society.join(
            uow,
            CLERK,
            fund.code,
            name="王五",
            id_number="440524188001010014",
            poor=False,
            joined_on=DAY,
            group="G1",
        )


def test_a_bought_share_is_whole_shares_into_the_members_own_account(db):
    fund = make_society(db)
    member = make_member(db, fund, group=None, shares="2000.00")
    assert bal(db, fund, "3002", str(member.id)) == D("2000.00")
    assert bal(db, fund, "1001") == D("102000.00")
    with pytest.raises(CharterLimit, match="share_size") as refused, committing(db) as uow:
        society.buy_share(uow, CASHIER, fund.code, member.id, on=DAY, amount="1500.00")
    assert "每股金额" in refused.value.detail_zh
    with pytest.raises(RoleNotAllowed, match="cash and books"), committing(db) as uow:
        society.buy_share(uow, CLERK, fund.code, member.id, on=DAY, amount="1000.00")
    assert bal(db, fund, "3002", str(member.id)) == D("2000.00")


def test_an_allocated_share_goes_to_a_poor_member_within_the_fiscal_capital_and_moves_no_money(
    db,
):
    fund = make_society(db, fiscal="3000.00")
    poor = make_member(db, fund, group=None, poor=True, shares=None)
    other = make_member(db, fund, group=None, poor=False, shares=None)
    journals = journal_count(db, fund)
    with committing(db) as uow:
        society.allocate_share(uow, CLERK, fund.code, poor.id, on=DAY, amount="2000.00")
    assert journal_count(db, fund) == journals  # a register entry, no journal
    assert bal(db, fund, "3001") == bal(db, fund, "1001") == D("3000.00")
    with pytest.raises(AllocationRefused, match="not a registered poor"), committing(db) as uow:
        society.allocate_share(uow, CLERK, fund.code, other.id, on=DAY, amount="1000.00")
    with pytest.raises(AllocationRefused, match="fiscal capital 3000"), committing(db) as uow:
        society.allocate_share(uow, CLERK, fund.code, poor.id, on=DAY, amount="2000.00")
    with db.read() as session:
        assert society.allocated(session, fund.id) == D("2000.00")
        assert society.member_shares(session, fund, poor) == D("2000.00")


def test_leaving_refunds_the_own_share_only_and_returns_the_allocation_to_the_pool(db):
    fund = make_society(db, fiscal="2000.00")
    make_group(db, fund)
    poor = make_member(db, fund, poor=True, shares="1000.00")
    with committing(db) as uow:
        society.allocate_share(uow, CLERK, fund.code, poor.id, on=DAY, amount="2000.00")
        left = society.leave(uow, CASHIER, fund.code, poor.id, on=date(2024, 1, 20))
    assert (left.refund, left.voucher is not None) == (D("1000.00"), True)
    assert bal(db, fund, "3002", str(poor.id)) == D("0.00")
    assert bal(db, fund, "1001") == bal(db, fund, "3001") == D("2000.00")
    with db.read() as session:
        assert society.allocated(session, fund.id) == D("0.00")
    with pytest.raises(NotAMember), committing(db) as uow:
        society.buy_share(uow, CASHIER, fund.code, poor.id, on=date(2024, 1, 21), amount="1000.00")
    with pytest.raises(NotAMember), committing(db) as uow:
        society.leave(uow, CASHIER, fund.code, poor.id, on=date(2024, 1, 21))


def test_a_member_who_owes_or_whose_group_is_overdue_cannot_leave(db):
    fund = make_society(db)
    borrower, neighbour, *_ = make_group_of(db, fund, 5)
    loan = lend(db, fund, borrower, "3000.00", term_months=1)  # due 10 March 2024
    heads = audit_heads(db)
    with pytest.raises(MemberOwes, match=loan.no), committing(db) as uow:
        society.leave(uow, CASHIER, fund.code, borrower.id, on=date(2024, 3, 1))
    with pytest.raises(GroupOverdue, match=loan.no), committing(db) as uow:
        society.leave(uow, CASHIER, fund.code, neighbour.id, on=date(2024, 3, 11))
    with committing(db) as uow:  # before the due date the neighbour may go
        society.leave(uow, CASHIER, fund.code, neighbour.id, on=date(2024, 3, 10))
    assert [r.action for r in audited_since(db, heads)] == ["society exit"]


def test_money_in_and_an_approved_expense_each_post_their_own_accounts(db):
    fund = make_society(db, fiscal=None)
    heads = audit_heads(db)
    with committing(db) as uow:
        society.receive_fiscal_capital(uow, CASHIER, fund.code, on=DAY, amount="50000.00")
        society.receive_donation(uow, CASHIER, fund.code, on=DAY, amount="800.00", donor="县商会")
        society.record_bank_interest(uow, CASHIER, fund.code, on=DAY, amount="12.34")
        society.pay_expense(
            uow, CASHIER, fund.code, on=DAY, amount="100.00", purpose="账簿", approved_by="lishi"
        )
    assert bal(db, fund, "3001") == D("50000.00")
    assert bal(db, fund, "3003", "县商会") == D("800.00")
    assert bal(db, fund, "4002") == D("12.34")
    assert bal(db, fund, "5001") == D("100.00")
    assert bal(db, fund, "1001") == D("50712.34")
    records = audited_since(db, heads)
    assert {r.chain for r in records} == {fund.code}
    assert [r.action for r in records] == [
        "society fiscal_capital",
        "society donation",
        "society bank_interest",
        "society expense",
    ]
    with db.read() as session:
        figures = society_figures(session, fund.id, DAY)
    assert (figures.fiscal_capital, figures.donations, figures.bank) == (
        D("50000.00"),
        D("800.00"),
        D("50712.34"),
    )


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"amount": "100.00", "approved_by": "chuna"}, MakerIsChecker),
        ({"amount": "100.00", "approved_by": ""}, InvalidField),
        ({"amount": "-1.00", "approved_by": "lishi"}, InvalidField),
        ({"amount": "0.001", "approved_by": "lishi"}, InvalidField),
    ],
)
def test_a_bad_expense_is_refused_and_posts_nothing(db, kwargs, error):
    fund = make_society(db)
    journals = journal_count(db, fund)
    with pytest.raises(error), committing(db) as uow:
        society.pay_expense(uow, CASHIER, fund.code, on=DAY, purpose="x", **kwargs)
    assert journal_count(db, fund) == journals


def test_a_society_service_refuses_a_revolving_fund(db):
    from tests.factories import make_fund

    fund = make_fund(db)
    with pytest.raises(Exception, match="society") as refused, committing(db) as uow:
        society.receive_fiscal_capital(uow, CASHIER, fund.code, on=DAY, amount="1.00")
    assert refused.value.field == "fund"
    with db.read() as session:
        assert session.scalar(select(Journal.id).where(Journal.fund_id == fund.id)) is None


@pytest.mark.parametrize(
    ("donor", "amount"), [("县/商会", "10.00"), ("", "10.00"), ("县商会", "0.00")]
)
def test_a_bad_donation_is_refused_and_posts_nothing(db, donor, amount):
    fund = make_society(db)
    journals = journal_count(db, fund)
    with pytest.raises(InvalidField), committing(db) as uow:
        society.receive_donation(uow, CASHIER, fund.code, on=DAY, amount=amount, donor=donor)
    assert journal_count(db, fund) == journals
