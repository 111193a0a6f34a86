"""Registration import 登记导入: a clerk uploads a township's sheet; all rows or none.

A refused file is a 422 ``rows-refused`` problem whose ``rows`` list every
bad cell (row number as the sheet shows it, column header, reason in both
languages); nothing is written. An upload over the size limit is a 413
before it is read. The template is for anyone who fills the sheets in.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest.fields import Upload
from marshmallow import Schema, fields

from api.scope import READERS, in_fund
from api.uploads import MULTIPART, UploadBlueprint
from ledger import dates
from ledger.permissions import Action
from ledger.registration_import import import_registrations
from sheets.template import registration_template
from shell.auth import current_actor
from shell.downloads import XLSX, download, file_doc
from shell.writes import accepts_idempotency_key, commit_write

blp = UploadBlueprint(
    "imports",
    __name__,
    url_prefix="/api/v1/funds/<f>/imports",
    description="Registration import 登记导入 (XLSX or CSV)",
)


class SheetUpload(Schema):
    file = Upload(
        required=True,
        metadata={"description": "XLSX,或 UTF-8 / GB18030 编码的 CSV / XLSX or CSV"},
    )


class ImportResultOut(Schema):
    households = fields.Integer(metadata={"description": "新登记的农户 / new households"})
    loans = fields.Integer(metadata={"description": "登记的借款申请 / applications registered"})
    registration_nos = fields.List(fields.String())


@blp.route("/registrations")
class Registrations(MethodView):
    @in_fund(Action.IMPORT)
    @accepts_idempotency_key
    @blp.arguments(SheetUpload, location=MULTIPART)
    @blp.response(201, ImportResultOut)
    def post(self, upload: dict[str, Any], f: str) -> Any:
        """Import a registration sheet: households and applications, all or none (导入登记表)"""
        data = upload["file"].read()
        return commit_write(
            lambda uow: import_registrations(uow, current_actor(), f, data, today=dates.today()),
            schema=ImportResultOut(),
            target=f"fund:{f}/imports/registrations",
            details={"file": upload["file"].filename, "bytes": len(data)},
        )


@blp.route("/registrations/template.xlsx")
class Template(MethodView):
    @in_fund(*READERS)
    @blp.doc(**file_doc(XLSX))
    def get(self, f: str) -> Response:
        """The registration sheet template: Chinese headers, notes, an example row (登记表模板)"""
        return download(
            registration_template(), "registration-template.xlsx", zh="农户登记表模板.xlsx"
        )
