"""Reconciliation with a township: upload its book, see what agrees and what does not."""

from __future__ import annotations

from typing import Any

from flask import g, render_template, request
from marshmallow import ValidationError

from ledger.errors import LedgerError
from ledger.permissions import Action
from shell.reconciliation import TownshipBookForm, township_reconciliation
from web.blueprint import bp, page
from web.choices import choices
from web.forms import FORM, blank, parse, submitted_values

FORMATS = ("html", "pdf", "xlsx")


def _page(f: str, form: Any, result: Any = None, status: int = 200) -> Any:
    return (
        render_template(
            "web/reconciliation.html",
            title="乡镇对账",
            fund=f,
            form=form,
            result=result,
            **choices(f),
        ),
        status,
    )


@bp.route("/f/<f>/reconciliation", methods=["GET", "POST"])
@page(Action.RECONCILE_TOWNSHIP)
def reconciliation(f: str) -> Any:
    actor = g.actor
    if request.method == "GET":
        return _page(f, blank(township=actor.township_code or "", format="html"))
    typed = submitted_values()
    form = blank(**typed)
    township = actor.township_code or typed.get("township", "")
    kind = typed.get("format", "html")
    upload = request.files.get("file")
    if not township:
        form.error("township", "请选择乡镇")
    if upload is None or not upload.filename:
        form.error("file", "请选择乡镇账的导出文件(.xlsx 或 .csv)")
    if kind not in FORMATS:
        form.error("format", "请选择结果的形式")
    if form.refused:
        return _page(f, form, status=422)
    try:
        period = {name: typed[name] for name in ("from", "to", "opening") if name in typed}
        book = parse(TownshipBookForm(), period)
        result = township_reconciliation(
            f, township, upload.read(), book, "json" if kind == "html" else kind
        )
    except ValidationError as error:
        form.refused_by(error)
        return _page(f, form, status=422)
    except LedgerError as error:
        name = error.field if error.field in ("from", "to", "opening", "township") else FORM
        form.error(name, error.detail_zh)
        for row in getattr(error, "rows", ()):
            form.error("file", f"第 {row.row} 行 {row.column}:{row.detail_zh}")
        return _page(f, form, status=422)
    if kind != "html":
        return result  # the download
    return _page(f, form, result)
