"""Township and bank reconciliation 对账: upload a book, get the matching (never posts).

Nothing is posted, but an upload is recorded in the audit log
(``shell.reconciliation``, which the township page shares).

A township officer (or the clerk) uploads the township's own book of
movements and gets it matched with the county's sub-account of that
township; another township's is a 404. The clerk uploads the bank statement
of the special account and gets the 银行存款余额调节表. Both answer JSON, or
with ``?format=xlsx`` / ``?format=pdf`` the same result as a download; the
township's PDF is its reconciliation statement (乡镇周转金对账单) for the
period with the line-by-line check against its book as the last section.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from api.imports import SheetUpload
from api.scope import in_fund
from api.uploads import MULTIPART, UploadBlueprint
from ledger.permissions import Action
from ledger.reconciliation import reconcile_bank
from reports.reconciliation import render_bank_reconciliation
from sheets.reconciliation import bank_reconciliation_xlsx
from shell.auth import current_actor
from shell.db import get_db
from shell.downloads import PDF, XLSX, file_doc
from shell.fields import Amount, Date
from shell.reconciliation import TownshipBookForm, answer, audit_upload, township_reconciliation

blp = UploadBlueprint(
    "reconciliations",
    __name__,
    url_prefix="/api/v1/funds/<f>/reconciliations",
    description="Township and bank reconciliation 对账 (never posts; audited)",
)


class TownshipBookUpload(SheetUpload, TownshipBookForm):
    """The township's book and the period it covers, in one multipart body."""


class LineOut(Schema):
    date = Date(attribute="on")
    kind = fields.String()
    iou = fields.String()
    amount = Amount(metadata={"description": "+ 收入 / − 支出"})
    voucher = fields.String(allow_none=True)
    row = fields.Integer(allow_none=True, metadata={"description": "上传文件中的行号"})
    reference = fields.String()


class PairOut(Schema):
    county = fields.Nested(LineOut)
    other = fields.Nested(LineOut, metadata={"description": "乡镇账或银行对账单的一行"})


class MatchingOut(Schema):
    matched = fields.List(fields.Nested(PairOut))
    amount_differences = fields.List(fields.Nested(PairOut))
    only_county = fields.List(fields.Nested(LineOut))
    only_other = fields.List(fields.Nested(LineOut))


class TownshipReconciliationOut(Schema):
    township = fields.String()
    name = fields.String()
    from_ = Date(data_key="from", allow_none=True)
    to = Date()
    county_opening = Amount()
    county_closing = Amount()
    township_opening = Amount()
    township_closing = Amount()
    agreed = fields.Boolean()
    matching = fields.Nested(MatchingOut)


class BankReconciliationOut(Schema):
    from_ = Date(data_key="from")
    to = Date()
    book_balance = Amount(metadata={"description": "账面余额(1001)"})
    bank_in_not_booked = Amount(metadata={"description": "银行已收、单位未收"})
    bank_out_not_booked = Amount(metadata={"description": "银行已付、单位未付"})
    adjusted_book = Amount(metadata={"description": "调节后的账面余额"})
    statement_balance = Amount(metadata={"description": "银行对账单余额"})
    booked_in_not_at_bank = Amount(metadata={"description": "单位已收、银行未收"})
    booked_out_not_at_bank = Amount(metadata={"description": "单位已付、银行未付"})
    adjusted_statement = Amount(metadata={"description": "调节后的银行余额"})
    reconciled = fields.Boolean()
    matching = fields.Nested(MatchingOut)


class FormatQuery(Schema):
    format = fields.String(
        load_default="json",
        validate=validate.OneOf(("json", "xlsx", "pdf")),
        metadata={"description": "json(缺省)、xlsx 或 pdf / the answer's format"},
    )


ALSO = file_doc(XLSX, PDF)


@blp.route("/townships/<t>")
class TownshipReconciliation(MethodView):
    @in_fund(Action.RECONCILE_TOWNSHIP, township=True)
    @blp.arguments(FormatQuery, location="query")
    @blp.arguments(TownshipBookUpload, location=MULTIPART)
    @blp.response(200, TownshipReconciliationOut)
    @blp.doc(**ALSO)
    def post(self, query: dict[str, Any], upload: dict[str, Any], f: str, t: str) -> Any:
        """Match a township's own book with the county's account of it (乡镇对账)"""
        book = upload.pop("file")
        return township_reconciliation(f, t, book.read(), upload, query["format"])


@blp.route("/bank")
class BankReconciliation(MethodView):
    @in_fund(Action.RECONCILE_BANK)
    @blp.arguments(FormatQuery, location="query")
    @blp.arguments(SheetUpload, location=MULTIPART)
    @blp.response(200, BankReconciliationOut)
    @blp.doc(**ALSO)
    def post(self, query: dict[str, Any], upload: dict[str, Any], f: str) -> Any:
        """The 银行存款余额调节表 of the special account from a bank statement upload"""
        data = upload["file"].read()
        with get_db().read() as session:
            result = reconcile_bank(session, f, current_actor(), data)
        response = answer(
            result,
            query["format"],
            f"{f}-bank-reconciliation-{result.to}",
            f"{f}-银行存款余额调节表-{result.to}",
            bank_reconciliation_xlsx,
            render_bank_reconciliation,
        )
        audit_upload(f"fund:{f}/bank", data, to=str(result.to))
        return response
