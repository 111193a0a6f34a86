"""What every page is sent with: security headers, and error pages in Chinese.

Scripts and styles come from this app only, nothing inline, nothing from the
internet; pages are never framed or cached. A refusal that reaches a page (not
a form, which redraws itself) is shown as a short Chinese page with the right
status: 404 reads the same whether the record is missing or hidden.
"""

from __future__ import annotations

from typing import Any

from flask import Response, render_template, request
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from ledger.db import CommitOutcomeUnknown
from ledger.errors import LedgerError
from reports.fonts import CJKFontMissing
from shell.problems import database_unreachable, log_incident, status_for
from web.blueprint import bp

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    if request.endpoint != "web.static":
        response.headers["Cache-Control"] = "no-store"
    return response


MESSAGES = {
    400: ("请求无效", "表单已过期或不完整,请返回重新填写。"),
    403: ("无权访问", "您的角色不能使用此页面。"),
    404: ("未找到", "没有这个页面,或您无权查看它。"),
    405: ("不支持该操作", "此页面不接受这种请求。"),
    409: ("无法办理", "记录当前的状态不允许这样做。"),
    413: ("文件过大", "上传的文件超过大小上限。"),
    503: ("暂时无法办理", "服务器暂时无法完成此请求,请稍后再试。"),
}


def error_page(status: int, detail: str | None = None) -> tuple[str, int]:
    title, default = MESSAGES.get(status, ("出错了", "请求未能完成。"))
    return render_template("web/error.html", title=title, detail=detail or default), status


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Any:
    return error_page(error.code or 500)


@bp.errorhandler(LedgerError)
def _ledger_error(error: LedgerError) -> Any:
    status = status_for(error)  # the API's one mapping of refusals to statuses
    return error_page(status, None if status == 404 else error.detail_zh)


@bp.errorhandler(CJKFontMissing)
def _no_font(error: CJKFontMissing) -> Any:
    """A PDF the server cannot set in Chinese: say which package the administrator must add."""
    log_incident(error)
    return error_page(
        503,
        f"服务器缺少 PDF 报表嵌入的中文字体,请管理员安装软件包 {error.package}"
        f"(apt-get install {error.package})后重试。",
    )


@bp.errorhandler(CommitOutcomeUnknown)
def _outcome_unknown(error: CommitOutcomeUnknown) -> Any:
    """The connection broke while saving: the clerk must look before sending it again."""
    return error_page(
        503,
        "保存时与数据库的连接中断,无法确定是否已经保存。请先查看记录(例如凭证或借款页),"
        "确认没有保存后再重新提交。",
    )


@bp.errorhandler(DBAPIError)
def _database(error: DBAPIError) -> Any:
    """During a failover a page says to try again in a moment, as the API does."""
    if not database_unreachable(error):
        return _unexpected(error)
    body, status = error_page(503, "暂时连不上数据库(可能正在切换主库),请稍等片刻后刷新页面。")
    return body, status, {"Retry-After": "2"}


@bp.errorhandler(Exception)
def _unexpected(error: Exception) -> Any:
    incident = log_incident(error)
    return error_page(500, f"服务器内部错误,请将事件编号 {incident} 告知管理员。")
