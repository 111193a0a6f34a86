"""Journal drafts: a business event as balanced double entry, before any I/O.

A `JournalDraft` is frozen and checks itself when made: at least one debit and
one credit, every amount exact to the fen, positive (or, on a red-ink
reversal 红字冲销, negative: the lines are repeated on the same sides with
negated amounts so both turnovers go back), and Σ debit = Σ credit. A draft
that exists is therefore postable as far as arithmetic goes; `post()` adds
what needs the database (period open, accounts exist, balances stay >= 0).

Accounts are named by `AccountRef`: a chart code and, for chart lines with a
sub-ledger, the key of the sub-account (``AccountRef("1011", "340123001")``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from ledger.dates import month_of
from ledger.errors import EmptyJournal, InvalidAmount, InvalidField, UnbalancedJournal
from ledger.money import cny

Side = Literal["D", "C"]
DEBIT: Side = "D"
CREDIT: Side = "C"

MAX_KIND_LENGTH = 40
MAX_SUBKEY_LENGTH = 64
#: No single line may exceed this (one trillion yuan): larger is a typo or an attack.
MAX_LINE_AMOUNT = Decimal("1000000000000.00")


@dataclass(frozen=True, order=True)
class AccountRef:
    """A chart code plus the sub-ledger key ('' when the line has none)."""

    code: str
    key: str = ""

    def __str__(self) -> str:
        return f"{self.code}/{self.key}" if self.key else self.code

    @classmethod
    def parse(cls, text: str) -> AccountRef:
        code, _, key = text.partition("/")
        return cls(code, key)


@dataclass(frozen=True)
class Line:
    """One entry (分录) of a draft, with optional business references."""

    account: AccountRef
    side: Side
    amount: Decimal
    township: str | None = None
    loan: str | None = None
    liaison: str | None = None
    disaster: str | None = None


def debit(account: AccountRef, amount: object, **refs: str | None) -> Line:
    return Line(account, DEBIT, _amount(amount, "amount"), **refs)


def credit(account: AccountRef, amount: object, **refs: str | None) -> Line:
    return Line(account, CREDIT, _amount(amount, "amount"), **refs)


def _amount(value: object, field_name: str) -> Decimal:
    try:
        return cny(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as error:
        raise InvalidAmount(
            f"金额 {value!r} 无效:必须是精确到分的数字",
            f"amount {value!r} is invalid: {error}",
            field=field_name,
        ) from None


@dataclass(frozen=True)
class JournalDraft:
    """A balanced journal waiting to be posted."""

    posted_on: date
    kind: str
    memo: str
    lines: tuple[Line, ...]
    #: Set on a red-ink reversal: the voucher it reverses.
    reverses: str | None = None
    red: bool = field(default=False)

    def __post_init__(self) -> None:
        if not isinstance(self.posted_on, date):
            raise InvalidField("记账日期无效", "posted_on must be a date", field="posted_on")
        if not self.kind or len(self.kind) > MAX_KIND_LENGTH:
            raise InvalidField(
                f"业务类型不能为空且不超过 {MAX_KIND_LENGTH} 个字符",
                f"kind must be 1 to {MAX_KIND_LENGTH} characters",
                field="kind",
            )
        if self.red != (self.reverses is not None):
            raise InvalidField(
                "红字凭证必须注明所冲销的凭证",
                "a red journal must name the voucher it reverses",
                field="reverses",
            )
        lines = tuple(self.lines)
        object.__setattr__(self, "lines", lines)
        for index, line in enumerate(lines):
            self._check_line(index, line)
        sides = {line.side for line in lines}
        if sides != {DEBIT, CREDIT}:
            raise EmptyJournal(
                "凭证至少需要一条借方分录和一条贷方分录",
                "a journal needs at least one debit and one credit line",
                field="lines",
            )
        if self.total(DEBIT) != self.total(CREDIT):
            raise UnbalancedJournal(
                f"借方合计 {self.total(DEBIT)} 不等于贷方合计 {self.total(CREDIT)}",
                f"debits {self.total(DEBIT)} do not equal credits {self.total(CREDIT)}",
                field="lines",
            )

    def _check_line(self, index: int, line: Line) -> None:
        where = f"lines[{index}]"
        if not isinstance(line, Line) or line.side not in (DEBIT, CREDIT):
            raise InvalidField("分录无效", "a line must be a debit or a credit", field=where)
        if not line.account.code or len(line.account.key) > MAX_SUBKEY_LENGTH:
            raise InvalidField(
                "科目无效", "the account code is missing or too long", field=f"{where}.account"
            )
        amount = _amount(line.amount, f"{where}.amount")
        if amount != line.amount or abs(amount) > MAX_LINE_AMOUNT:
            raise InvalidAmount("金额超出范围", "amount out of range", field=f"{where}.amount")
        if self.red and amount >= 0:
            raise InvalidAmount(
                "红字凭证的金额必须为负数",
                "a red-ink line must be negative",
                field=f"{where}.amount",
            )
        if not self.red and amount <= 0:
            raise InvalidAmount(
                "金额必须大于零", "amount must be greater than zero", field=f"{where}.amount"
            )

    def total(self, side: Side) -> Decimal:
        return sum((line.amount for line in self.lines if line.side == side), Decimal("0.00"))

    @property
    def period(self) -> str:
        return month_of(self.posted_on)

    def accounts(self) -> list[AccountRef]:
        """The distinct accounts touched, in the fixed (sorted) locking order."""
        return sorted({line.account for line in self.lines})


def journal(posted_on: date, kind: str, memo: str, lines: Iterable[Line]) -> JournalDraft:
    """Make an ordinary (black-ink) draft."""
    return JournalDraft(posted_on, kind, memo, tuple(lines))


def red_ink(original: JournalDraft, voucher: str, posted_on: date, memo: str) -> JournalDraft:
    """The red-ink reversal of `original`: same accounts and sides, negated amounts."""
    lines = tuple(
        Line(ln.account, ln.side, -ln.amount, ln.township, ln.loan, ln.liaison, ln.disaster)
        for ln in original.lines
    )
    return JournalDraft(posted_on, "reversal", memo, lines, reverses=voucher, red=True)
