"""Reconciling an uploaded book, shared by both shells: the answer and its audit record.

Nothing is posted, but an upload is recorded in the audit log like every
write: who sent which file (its name, size and SHA-256) to reconcile what.
The API (``api.reconciliations``) and the township page (``web.views.township``)
both answer through `township_reconciliation`.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import request
from marshmallow import Schema

from ledger.db import UnitOfWork, run_in_transaction
from ledger.read.fund import township_statement
from ledger.reconciliation import reconcile_township
from reports.fonts import register_cjk_font
from reports.township_statement import render_township_statement
from sheets.reconciliation import township_reconciliation_xlsx
from shell.audit import audit_request
from shell.auth import current_actor
from shell.db import get_db
from shell.downloads import download
from shell.fields import Amount, Date


class TownshipBookForm(Schema):
    """The period a township's uploaded book covers and its opening (the API's multipart
    fields and the page's form alike)."""

    from_ = Date(data_key="from", metadata={"description": "对账期间起 / period from"})
    to = Date(metadata={"description": "对账期间止(缺省今天)/ period to (default: today)"})
    opening = Amount(
        allow_negative=False,
        metadata={"description": "乡镇账期初余额(缺省同县账)/ the township book's opening"},
    )


def answer(result: Any, kind: str, name: str, zh: str, as_xlsx: Any, as_pdf: Any) -> Any:
    """The result as JSON (dumped by the view's schema), or as an XLSX or PDF download
    named `name` (Chinese: `zh`)."""
    if kind == "json":
        return result
    if kind == "pdf":
        register_cjk_font()  # without the font: a 503 naming the package, not a 500
    body = as_xlsx(result) if kind == "xlsx" else as_pdf(result)
    return download(body, f"{name}.{kind}", zh=f"{zh}.{kind}")


def audit_upload(target: str, data: bytes, **details: Any) -> None:
    """Record this upload in the audit log, in a transaction of its own.

    Called once the answer is ready: a refused file (or a PDF that cannot be
    rendered) changes nothing, the audit log included. Both shells upload the
    file as ``file``.
    """
    actor = current_actor()
    upload = request.files.get("file")
    described = {
        "file": upload.filename if upload else None,
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        **details,
    }

    def record(uow: UnitOfWork) -> None:
        audit_request(uow, actor=actor, target=target, details=described, include_body=False)
        uow.commit()

    run_in_transaction(get_db(), record)


def township_reconciliation(f: str, t: str, data: bytes, form: dict[str, Any], kind: str) -> Any:
    """Reconcile township `t`'s uploaded book; the result, or its XLSX or PDF download."""
    actor = current_actor()
    with get_db().read() as session:
        result = reconcile_township(session, f, t, actor, data, **form)
        period = {"from_": form.get("from_"), "to": result.to}
        statement = township_statement(session, actor, f, t, **period)
    response = answer(
        result,
        kind,
        f"{f}-{t}-reconciliation-{result.to}",
        f"{f}-{t}-乡镇对账-{result.to}",
        township_reconciliation_xlsx,
        lambda checked: render_township_statement(statement, checked=checked),
    )
    audit_upload(f"fund:{f}/township:{t}", data, township=t, to=str(result.to))
    return response
