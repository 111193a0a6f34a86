"""A society's chart of accounts (SPEC §13): its codes and their lines."""

from __future__ import annotations

from ledger.chart import ChartLine
from ledger.models import AccountKind, SubLedger

BANK = "1001"  #: 银行存款 the society's one bank account (专户)
LOANS = "1201"  #: 借出互助资金, by loan
FEE_RECEIVABLE = "1301"  #: 应收占用费, by loan
DIVIDENDS_PAYABLE = "2201"  #: 应付社员分红, by member
SUBSIDIES_PAYABLE = "2202"  #: 应付管理人员补贴
FISCAL_CAPITAL = "3001"  #: 财政扶贫资金: the society's, never refunded
MEMBER_SHARES = "3002"  #: 社员互助金, by member: refunded on exit
DONATIONS = "3003"  #: 捐赠资金, by donor
RESERVE = "3101"  #: 公积金
WELFARE = "3102"  #: 公益金
RISK_RESERVE = "3103"  #: 风险准备金
YEAR_RESULT = "3201"  #: 本年收益
FEE_INCOME = "4001"  #: 占用费收入, by loan
BANK_INTEREST = "4002"  #: 存款利息收入
EXPENSES = "5001"  #: 管理费用

ASSET, LIABILITY, CAPITAL, INCOME, EXPENSE = (
    AccountKind.ASSET,
    AccountKind.LIABILITY,
    AccountKind.NET_ASSETS,
    AccountKind.INCOME,
    AccountKind.EXPENSE,
)
NONE, LOAN, MEMBER, DONOR = SubLedger.NONE, SubLedger.LOAN, SubLedger.MEMBER, SubLedger.DONOR

CHART: tuple[ChartLine, ...] = (
    ChartLine(BANK, "银行存款", "The society's bank account", ASSET, NONE),
    ChartLine(LOANS, "借出互助资金", "Loans to members", ASSET, LOAN),
    ChartLine(FEE_RECEIVABLE, "应收占用费", "Usage fee accrued, not yet paid", ASSET, LOAN),
    ChartLine(
        DIVIDENDS_PAYABLE, "应付社员分红", "Dividends declared, not yet paid", LIABILITY, MEMBER
    ),
    ChartLine(
        SUBSIDIES_PAYABLE, "应付管理人员补贴", "Staff subsidies declared, not paid", LIABILITY, NONE
    ),
    ChartLine(FISCAL_CAPITAL, "财政扶贫资金", "Fiscal capital", CAPITAL, NONE),
    ChartLine(MEMBER_SHARES, "社员互助金", "Members' bought shares", CAPITAL, MEMBER),
    ChartLine(DONATIONS, "捐赠资金", "Donations", CAPITAL, DONOR),
    ChartLine(RESERVE, "公积金", "Reserve fund", CAPITAL, NONE),
    ChartLine(WELFARE, "公益金", "Welfare fund", CAPITAL, NONE),
    ChartLine(RISK_RESERVE, "风险准备金", "Risk reserve", CAPITAL, NONE),
    ChartLine(YEAR_RESULT, "本年收益", "The year's result, until distributed", CAPITAL, NONE),
    ChartLine(FEE_INCOME, "占用费收入", "Usage-fee income", INCOME, LOAN),
    ChartLine(BANK_INTEREST, "存款利息收入", "Bank interest", INCOME, NONE),
    ChartLine(EXPENSES, "管理费用", "Approved expenses", EXPENSE, NONE),
)
