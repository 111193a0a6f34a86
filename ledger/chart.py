"""The standard chart of accounts (SPEC §4) every fund starts with.

Codes and sub-ledgers are fixed by the posting rules; names are shown in
reports. An admin may add lines later; these are only the seed.
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger.models import AccountKind, SubLedger


@dataclass(frozen=True)
class ChartLine:
    code: str
    name_zh: str
    name_en: str
    kind: AccountKind
    subledger: SubLedger


SPECIAL_ACCOUNT = "1001"  #: 专户存款
TOWNSHIP_FUNDS = "1011"  #: 乡镇周转金
LOANS = "1101"  #: 农户借款
LIAISON_RECEIVABLE = "1102"  #: 联系人代偿应收
CAPITAL = "3001"  #: 周转金基金
FEE_INCOME = "4001"  #: 资金占用费收入
RECOVERIES = "4002"  #: 核销收回
DISASTER_WRITE_OFFS = "5001"  #: 灾害核销
OTHER_WRITE_OFFS = "5002"  #: 其他核销

STANDARD_CHART: tuple[ChartLine, ...] = (
    ChartLine(
        SPECIAL_ACCOUNT, "专户存款", "County special account", AccountKind.ASSET, SubLedger.NONE
    ),
    ChartLine(
        TOWNSHIP_FUNDS,
        "乡镇周转金",
        "Funds held by township finance offices",
        AccountKind.ASSET,
        SubLedger.TOWNSHIP,
    ),
    ChartLine(LOANS, "农户借款", "Household loans receivable", AccountKind.ASSET, SubLedger.LOAN),
    ChartLine(
        LIAISON_RECEIVABLE,
        "联系人代偿应收",
        "Salary deductions ordered, not received",
        AccountKind.ASSET,
        SubLedger.LIAISON,
    ),
    ChartLine(CAPITAL, "周转金基金", "Fund capital", AccountKind.NET_ASSETS, SubLedger.SOURCE),
    ChartLine(FEE_INCOME, "资金占用费收入", "Fee income", AccountKind.INCOME, SubLedger.NONE),
    ChartLine(
        RECOVERIES,
        "核销收回",
        "Recoveries of written-off loans",
        AccountKind.INCOME,
        SubLedger.LOAN,
    ),
    ChartLine(
        DISASTER_WRITE_OFFS,
        "灾害核销",
        "Disaster write-offs",
        AccountKind.EXPENSE,
        SubLedger.DISASTER,
    ),
    ChartLine(
        OTHER_WRITE_OFFS, "其他核销", "Other write-offs", AccountKind.EXPENSE, SubLedger.NONE
    ),
)
