"""Reconciling the county's book with a township's book and with the bank (对账).

Both are read-only: an uploaded book is read (`ledger.uploads`), every row
checked (all bad cells reported, as for the registration import), and
matched line by line against the county's entries. Nothing is posted.

Township (乡镇对账): the county's sub-account 1011/<township> against the
township's own book of movements (date, IOU number, kind, amount). Lines
match on kind, IOU number, date and amount; a line with the same kind, IOU
number and date but another amount is an amount difference; what is left
is only in the county's books or only in the township's.

Bank (银行存款余额调节表): the special account 1001 against the bank
statement (date, amount, direction, reference, balance). Lines match on
direction and amount, the same date first, then any date of the statement;
what is left adjusts the two balances: book balance + received by the bank
but not booked − paid by the bank but not booked = statement balance +
booked but not yet at the bank (in) − booked but not yet at the bank (out).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger import chart, dates
from ledger.actors import Actor
from ledger.errors import LedgerError, RowError, RowsRefused, SheetRefused
from ledger.models import Account, Entry, Journal
from ledger.read.access import FundHeader, county_wide
from ledger.read.access import fund as gate
from ledger.read.books import check_dates
from ledger.registration_import import sheet_amount, sheet_date
from ledger.services import lookup
from ledger.uploads import header_name, read_table

ZERO = Decimal("0.00")

#: A township book's kinds (Chinese as clerks write them, or the journal kind) → sign.
TOWNSHIP_KINDS = {
    "拨入": ("allocation", 1),
    "上缴": ("remittance", -1),
    "发放": ("disbursement", -1),
    "收回": ("repayment", 1),
    "占用费": ("fee", 1),
    "核销收回": ("recovery", 1),
}
TOWNSHIP_KINDS.update({kind: (kind, sign) for kind, sign in TOWNSHIP_KINDS.values()})
KIND_ZH = {kind: zh for zh, (kind, _) in TOWNSHIP_KINDS.items() if not zh.isascii()}
DIRECTIONS = {
    "收": "in",
    "收入": "in",
    "借": "in",
    "in": "in",
    "付": "out",
    "支出": "out",
    "贷": "out",
    "out": "out",
}


@dataclass(frozen=True)
class Line:
    """One movement of either book: signed from the account holder's side (+ in, − out)."""

    on: date
    kind: str
    amount: Decimal
    iou: str = ""
    voucher: str | None = None  #: the county's voucher
    row: int | None = None  #: the uploaded file's row
    reference: str = ""


@dataclass(frozen=True)
class Pair:
    county: Line
    other: Line


@dataclass
class Matching:
    matched: list[Pair] = field(default_factory=list)
    amount_differences: list[Pair] = field(default_factory=list)
    only_county: list[Line] = field(default_factory=list)
    only_other: list[Line] = field(default_factory=list)


def verdict_rows(m: Matching) -> list[tuple[str, Line | None, Line | None]]:
    """Every line of both books with its verdict, in the order a clerk checks them."""
    return [
        *(("相符", p.county, p.other) for p in m.matched),
        *(("金额不符", p.county, p.other) for p in m.amount_differences),
        *(("仅县账有", x, None) for x in m.only_county),
        *(("仅对方有", None, x) for x in m.only_other),
    ]


def _take(pool: list[Line], test: Callable[[Line], bool]) -> Line | None:
    for index, line in enumerate(pool):
        if test(line):
            return pool.pop(index)
    return None


def match(county: Iterable[Line], other: Iterable[Line], *, any_date: bool) -> Matching:
    """Pair lines: same key and amount (and date unless `any_date` allows any), then the
    same key and date with another amount (an amount difference)."""
    result = Matching()
    rest = list(other)
    unmatched = []
    for line in county:
        twin = _take(
            rest,
            lambda o, x=line: _key(o) == _key(x) and o.on == x.on and o.amount == x.amount,
        )
        if twin is None and any_date:
            twin = _take(rest, lambda o, x=line: _key(o) == _key(x) and o.amount == x.amount)
        if twin is not None:
            result.matched.append(Pair(line, twin))
        else:
            unmatched.append(line)
    for line in unmatched:
        twin = (
            None if any_date else _take(rest, lambda o, x=line: _key(o) == _key(x) and o.on == x.on)
        )
        if twin is not None:
            result.amount_differences.append(Pair(line, twin))
        else:
            result.only_county.append(line)
    result.only_other = rest
    return result


def _key(line: Line) -> tuple[str, str]:
    return line.kind, line.iou


# --- reading the uploaded books ---------------------------------------------------

#: The widest book read: a handful of known columns among the township's or bank's own.
MAX_COLUMNS = 24


def _rows(data: bytes, columns: dict[str, tuple[str, ...]], required: set[str]):
    """Yield (row number, {key: value}) per data row; refuse the file on unknown headers."""
    header, rows = read_table(data, max_columns=MAX_COLUMNS)
    index: dict[int, str] = {}
    for i, text in enumerate(header):
        for key, names in columns.items():
            if header_name(text) in names:
                index[i] = key
    missing = [columns[k][0] for k in sorted(required) if k not in index.values()]
    if missing:
        raise RowsRefused(
            [RowError(1, name, f"缺少列“{name}”", f"missing column {name!r}") for name in missing]
        )
    for row in rows:
        values = {}
        for i, cell in enumerate(row.cells):
            if i in index:
                if cell.formula:
                    values[index[i]] = _Formula()
                elif cell.value not in (None, ""):
                    values[index[i]] = cell.value
        yield row.number, values


class _Formula:
    """A formula cell: refused where it is read."""


def _parse(
    number: int,
    values: dict,
    key: str,
    header: str,
    parse,
    errors: list[RowError],
    *,
    required: bool = True,
):
    """The cell's value parsed, or None with the problem appended to `errors` (an
    optional column left empty is "", without a problem)."""
    value = values.get(key)
    if isinstance(value, _Formula):
        errors.append(
            RowError(
                number,
                header,
                "不接受公式,请填写数值",
                "formulas are not accepted; enter the value",
            )
        )
        return None
    if value is None:
        if not required:
            return ""
        errors.append(RowError(number, header, "必填", "required"))
        return None
    try:
        return parse(value)
    except LedgerError as error:
        errors.append(RowError(number, header, error.detail_zh, error.detail_en))
        return None


def _stripped(value: object) -> str:
    return str(value).strip()


TOWNSHIP_COLUMNS = {
    "on": ("日期", "业务日期", "date"),
    "iou": ("借据号", "借据编号", "登记编号", "iou"),
    "kind": ("类型", "业务类型", "摘要", "kind"),
    "amount": ("金额", "发生额", "amount"),
}


def _kind(value: object) -> tuple[str, int]:
    text = str(value).strip()
    if text not in TOWNSHIP_KINDS:
        raise SheetRefused(
            f"类型“{text}”无效,应为:{'、'.join(KIND_ZH.values())}",
            f"kind {text!r} is not one of {', '.join(KIND_ZH)}",
        )
    return TOWNSHIP_KINDS[text]


def read_township_book(data: bytes) -> list[Line]:
    errors: list[RowError] = []
    lines = []
    for number, values in _rows(data, TOWNSHIP_COLUMNS, {"on", "kind", "amount"}):
        on = _parse(number, values, "on", "日期", sheet_date, errors)
        kind = _parse(number, values, "kind", "类型", _kind, errors)
        amount = _parse(number, values, "amount", "金额", sheet_amount, errors)
        iou = _parse(number, values, "iou", "借据号", _stripped, errors, required=False)
        if None not in (on, kind, amount, iou):
            lines.append(Line(on, kind[0], kind[1] * amount, iou, row=number))
    if errors:
        raise RowsRefused(errors)
    return lines


BANK_COLUMNS = {
    "on": ("日期", "交易日期", "date"),
    "amount": ("金额", "发生额", "amount"),
    "direction": ("方向", "收付", "借贷", "direction"),
    "reference": ("摘要", "参考号", "凭证号", "reference"),
    "balance": ("余额", "balance"),
}


def _direction(value: object) -> str:
    text = str(value).strip()
    if text not in DIRECTIONS:
        raise SheetRefused(f"方向“{text}”无效,应为 收 或 付", f"direction {text!r}: use 收 or 付")
    return DIRECTIONS[text]


def _balance(value: object) -> Decimal:
    return sheet_amount(value) if str(value).strip() not in ("0", "0.00", "0.0") else ZERO


def read_bank_statement(data: bytes) -> tuple[list[Line], Decimal]:
    """The statement's lines (+ received, − paid) and its closing balance (the last row's)."""
    errors: list[RowError] = []
    lines = []
    closing = None
    for number, values in _rows(data, BANK_COLUMNS, {"on", "amount", "direction", "balance"}):
        on = _parse(number, values, "on", "日期", sheet_date, errors)
        direction = _parse(number, values, "direction", "方向", _direction, errors)
        amount = _parse(number, values, "amount", "金额", sheet_amount, errors)
        balance = _parse(number, values, "balance", "余额", _balance, errors)
        reference = _parse(number, values, "reference", "摘要", _stripped, errors, required=False)
        if None not in (on, direction, amount, balance, reference):
            sign = 1 if direction == "in" else -1
            lines.append(Line(on, direction, sign * amount, row=number, reference=reference))
            closing = balance
    if errors:
        raise RowsRefused(errors)
    if closing is None:
        raise SheetRefused("银行对账单中没有数据行", "the statement has no rows", field="file")
    return lines, closing


# --- the county's side ---------------------------------------------------------------


def county_lines(
    session: Session, fund_id: int, code: str, subkey: str, from_: date | None, to: date | None
) -> tuple[Decimal, list[Line]]:
    """(opening balance before `from_`, the account's movements from `from_` to `to`)."""
    query = (
        select(
            Entry.posted_on,
            Journal.kind,
            Entry.side,
            Entry.amount,
            Entry.ref_loan,
            Journal.voucher_no,
        )
        .join(Account, Account.id == Entry.account_id)
        .join(Journal, Journal.id == Entry.journal_id)
        .where(Account.fund_id == fund_id, Account.code == code, Account.subkey == subkey)
        .order_by(Entry.posted_on, Entry.id)
    )
    if to is not None:
        query = query.where(Entry.posted_on <= to)
    opening = ZERO
    lines = []
    for on, kind, side, amount, loan, voucher in session.execute(query):
        signed = amount if side == "D" else -amount
        if from_ is not None and on < from_:
            opening += signed
        else:
            lines.append(Line(on, kind, signed, loan or "", voucher))
    return opening, lines


@dataclass(frozen=True)
class TownshipReconciliation:
    fund: FundHeader
    township: str
    name: str
    from_: date | None
    to: date
    county_opening: Decimal
    county_closing: Decimal
    township_opening: Decimal
    township_closing: Decimal
    matching: Matching

    @property
    def agreed(self) -> bool:
        m = self.matching
        return not (m.amount_differences or m.only_county or m.only_other) and (
            self.county_closing == self.township_closing
        )


def reconcile_township(
    session: Session,
    fund_code: str,
    township: str,
    actor: Actor,
    data: bytes,
    *,
    from_: date | None = None,
    to: date | None = None,
    opening: Decimal | None = None,
) -> TownshipReconciliation:
    """Match the township's uploaded book with 1011/<township> for the period."""
    check_dates(from_, to)
    header = gate(session, actor, fund_code)
    fund_id = header.id
    town = lookup.township(session, fund_id, township, actor, "township")
    theirs = read_township_book(data)
    day = to or dates.today()
    outside = [x.row for x in theirs if x.on > day or (from_ is not None and x.on < from_)]
    if outside:
        raise RowsRefused(
            [
                RowError(r, "日期", "日期不在对账期间内", "the date is outside the period")
                for r in outside
                if r is not None
            ]
        )
    county_opening, ours = county_lines(
        session, fund_id, chart.TOWNSHIP_FUNDS, town.code, from_, day
    )
    start = county_opening if opening is None else opening
    return TownshipReconciliation(
        header,
        town.code,
        town.name,
        from_,
        day,
        county_opening,
        county_opening + sum((x.amount for x in ours), ZERO),
        start,
        start + sum((x.amount for x in theirs), ZERO),
        match(ours, theirs, any_date=False),
    )


@dataclass(frozen=True)
class BankReconciliation:
    fund: FundHeader
    from_: date
    to: date
    book_balance: Decimal
    statement_balance: Decimal
    matching: Matching

    @property
    def bank_in_not_booked(self) -> Decimal:
        return sum((x.amount for x in self.matching.only_other if x.amount > 0), ZERO)

    @property
    def bank_out_not_booked(self) -> Decimal:
        return -sum((x.amount for x in self.matching.only_other if x.amount < 0), ZERO)

    @property
    def booked_in_not_at_bank(self) -> Decimal:
        return sum((x.amount for x in self.matching.only_county if x.amount > 0), ZERO)

    @property
    def booked_out_not_at_bank(self) -> Decimal:
        return -sum((x.amount for x in self.matching.only_county if x.amount < 0), ZERO)

    @property
    def adjusted_book(self) -> Decimal:
        return self.book_balance + self.bank_in_not_booked - self.bank_out_not_booked

    @property
    def adjusted_statement(self) -> Decimal:
        return self.statement_balance + self.booked_in_not_at_bank - self.booked_out_not_at_bank

    @property
    def reconciled(self) -> bool:
        return self.adjusted_book == self.adjusted_statement


def reconcile_bank(
    session: Session, fund_code: str, actor: Actor, data: bytes
) -> BankReconciliation:
    """The 银行存款余额调节表 of the special account for the statement's dates."""
    county_wide(actor, "银行对账", "bank reconciliation")
    header = gate(session, actor, fund_code)
    fund_id = header.id
    theirs, statement_balance = read_bank_statement(data)
    first, last = min(x.on for x in theirs), max(x.on for x in theirs)
    opening, ours = county_lines(session, fund_id, chart.SPECIAL_ACCOUNT, "", first, last)
    ours = [Line(x.on, "in" if x.amount > 0 else "out", x.amount, voucher=x.voucher) for x in ours]
    return BankReconciliation(
        header,
        first,
        last,
        opening + sum((x.amount for x in ours), ZERO),
        statement_balance,
        match(ours, theirs, any_date=True),
    )
