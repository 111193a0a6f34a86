"""Every error as an RFC 9457 problem (``application/problem+json``), mapped once.

A domain refusal (`ledger.errors.LedgerError`) gets its HTTP status from its
family here and nowhere else: `NotFound` 404, `Conflict` 409, `RuleViolated`
422, `NotPermitted` 403, `Unauthenticated` 401, `TooManyAttempts` 429,
`BadCursor` 400. Its
stable ``code`` becomes the problem ``type``
(``https://zhouzhuanjin.example/problems/<code>``); ``title`` and ``detail``
are Chinese, ``title_en`` and ``detail_en`` English, and ``errors`` lists
field errors as ``{field, location, message_zh, message_en}``. Invalid
input caught by a schema (webargs/marshmallow) is turned into the same
shape; werkzeug's own errors (404 no such URL, 405, 413...) too. Anything
unexpected is a 500 with an ``incident`` id that is also in the server log
with the traceback; the body never carries a stack trace or the exception
text. A commit whose outcome is unknown (`ledger.db.CommitOutcomeUnknown`: the
connection to the database broke during it, as in a failover) is a 503 that
asks for a retry with the same ``Idempotency-Key``; a database that cannot be
reached at all (no node takes writes while a standby is being promoted) is a
503 ``database-unavailable`` with ``Retry-After``, not an incident.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from flask import Response, current_app, g, has_request_context, request
from marshmallow import Schema, fields
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from ledger.db import CommitOutcomeUnknown
from ledger.errors import (
    BadCursor,
    Conflict,
    LedgerError,
    NotFound,
    NotPermitted,
    RowsRefused,
    RuleViolated,
    SheetTooLarge,
    TooManyAttempts,
    Unauthenticated,
)
from reports.fonts import CJKFontMissing

log = logging.getLogger(__name__)

PROBLEM_BASE = "https://zhouzhuanjin.example/problems/"
PROBLEM_MIMETYPE = "application/problem+json"
#: RFC 6750: a 401 names the scheme the client should use.
WWW_AUTHENTICATE = 'Bearer realm="zhouzhuanjin"'

#: A domain error's family decides its status; most specific first.
STATUS_BY_FAMILY: tuple[tuple[type[LedgerError], int], ...] = (
    (TooManyAttempts, 429),
    (Unauthenticated, 401),
    (NotPermitted, 403),
    (NotFound, 404),
    (SheetTooLarge, 413),
    (Conflict, 409),
    (RuleViolated, 422),
    (BadCursor, 400),
)

#: Problems the web shell itself raises: status -> (code, title_zh, title_en).
HTTP_PROBLEMS: dict[int, tuple[str, str, str]] = {
    400: ("bad-request", "请求格式错误", "Bad request"),
    401: ("unauthenticated", "未认证", "Authentication required"),
    403: ("forbidden", "禁止访问", "Forbidden"),
    404: ("not-found", "未找到", "Not found"),
    405: ("method-not-allowed", "不支持该请求方法", "Method not allowed"),
    406: ("not-acceptable", "无法提供所请求的格式", "Not acceptable"),
    409: ("conflict", "与当前状态冲突", "Conflict with the current state"),
    413: ("payload-too-large", "请求内容过大", "Payload too large"),
    415: ("unsupported-media-type", "不支持的内容类型", "Unsupported media type"),
    422: ("invalid-input", "输入无效", "Invalid input"),
    429: ("too-many-requests", "请求过多", "Too many requests"),
    500: ("internal-error", "服务器内部错误", "Internal server error"),
}

#: webargs puts field errors under the request part they came from.
LOCATIONS = frozenset(
    {"json", "query", "querystring", "form", "headers", "cookies", "files", "view_args", "path"}
    | {"multipart"}  # api.uploads: an upload's form fields and files together
)


def status_for(error: LedgerError) -> int:
    for family, status in STATUS_BY_FAMILY:
        if isinstance(error, family):
            return status
    return 422


# --- field errors -----------------------------------------------------------

_ZH_EXACT = {
    "Missing data for required field.": "缺少必填字段。",
    "Field may not be null.": "字段不能为空值(null)。",
    "Invalid value.": "值无效。",
    "Invalid input.": "输入无效。",
    "Unknown field.": "未知字段。",
    "Invalid input type.": "输入类型无效,应为 JSON 对象。",
    "Invalid type.": "类型无效。",
    "Invalid JSON body.": "请求体不是有效的 JSON。",
    "Not a valid string.": "不是有效的字符串。",
    "Not a valid utf-8 string.": "不是有效的 UTF-8 字符串。",
    "Not a valid integer.": "不是有效的整数。",
    "Not a valid number.": "不是有效的数字。",
    "Number too large.": "数字过大。",
    "Special numeric values (nan or infinity) are not permitted.": "不允许 NaN 或无穷大。",
    "Not a valid boolean.": "不是有效的布尔值(true 或 false)。",
    "Not a valid list.": "不是有效的列表。",
    "Not a valid tuple.": "不是有效的元组。",
    "Not a valid mapping type.": "不是有效的对象。",
    "Not a valid date.": "不是有效的日期。",
    "Not a valid datetime.": "不是有效的日期时间。",
    "Not a valid email address.": "不是有效的电子邮件地址。",
    "Not a valid URL.": "不是有效的网址。",
    "Not a valid UUID.": "不是有效的 UUID。",
    "String does not match expected pattern.": "格式不符合要求。",
}
_ZH_PATTERNS = tuple(
    (re.compile(pattern), zh)
    for pattern, zh in (
        (r"Longer than maximum length (\S+)\.", "长度不能超过 {0}。"),
        (r"Shorter than minimum length (\S+)\.", "长度不能少于 {0}。"),
        (r"Length must be between (\S+) and (\S+)\.", "长度须在 {0} 到 {1} 之间。"),
        (r"Length must be (\S+)\.", "长度须为 {0}。"),
        (r"Must be one of: (.*)\.", "须为下列之一:{0}。"),
        (
            r"Must be greater than or equal to (\S+) and less than or equal to (\S+)\.",
            "须在 {0} 到 {1} 之间。",
        ),
        (r"Must be greater than or equal to (\S+)\.", "须大于或等于 {0}。"),
        (r"Must be greater than (\S+)\.", "须大于 {0}。"),
        (r"Must be less than or equal to (\S+)\.", "须小于或等于 {0}。"),
        (r"Must be less than (\S+)\.", "须小于 {0}。"),
    )
)


def message_zh(message: str) -> str:
    """The Chinese of a validation message: its own, a known one, or a generic one."""
    own = getattr(message, "zh", None)
    if own:
        return str(own)
    if message in _ZH_EXACT:
        return _ZH_EXACT[message]
    for pattern, zh in _ZH_PATTERNS:
        match = pattern.fullmatch(message)
        if match:
            return zh.format(*match.groups())
    return f"输入无效:{message}"


@dataclass(frozen=True)
class FieldError:
    field: str | None
    location: str | None
    message_zh: str
    message_en: str

    def as_dict(self) -> dict[str, str | None]:
        return {
            "field": self.field,
            "location": self.location,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
        }


def field_errors(messages: Any) -> list[FieldError]:
    """Flatten webargs/marshmallow messages into one error per field and message.

    Nested fields are dotted (``schedule.0.amount``); ``_schema`` errors
    belong to the enclosing object (``field`` None at the top).
    """
    return list(_flatten(messages, None, (), top=True))


def _flatten(
    messages: Any, location: str | None, path: tuple[str, ...], *, top: bool = False
) -> Iterator[FieldError]:
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            if top and key in LOCATIONS:
                yield from _flatten(value, str(key), path)
            elif key == "_schema":
                yield from _flatten(value, location, path)
            else:
                yield from _flatten(value, location, (*path, str(key)))
    elif isinstance(messages, list | tuple):
        for item in messages:
            yield from _flatten(item, location, path)
    else:
        text = str(messages)
        yield FieldError(".".join(path) or None, location, message_zh(messages), text)


# --- responses ----------------------------------------------------------------


def problem(
    status: int,
    code: str,
    *,
    title: tuple[str, str],
    detail: tuple[str, str],
    errors: Iterable[FieldError] = (),
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> Response:
    """Build a problem+json response; `title` and `detail` are (Chinese, English)."""
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + code,
        "code": code,
        "title": title[0],
        "title_en": title[1],
        "status": status,
        "detail": detail[0],
        "detail_en": detail[1],
        "instance": request.path if has_request_context() else None,
        "errors": [error.as_dict() for error in errors],
        "request_id": g.get("request_id") if has_request_context() else None,
        **extra,
    }
    response = current_app.response_class(
        current_app.json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE
    )
    if status == 401:
        response.headers["WWW-Authenticate"] = WWW_AUTHENTICATE
    response.headers.update(headers or {})
    return response


def ledger_problem(error: LedgerError) -> Response:
    """The problem for a domain refusal."""
    status = status_for(error)
    errors = []
    if error.field:
        errors.append(FieldError(error.field, None, error.detail_zh, error.detail_en))
    headers = {}
    if isinstance(error, TooManyAttempts):
        headers["Retry-After"] = str(error.retry_after)
    extra = {}
    if isinstance(error, RowsRefused):  # every bad cell of an uploaded sheet
        errors += [
            FieldError(f"第 {r.row} 行 {r.column}", "file", r.detail_zh, r.detail_en)
            for r in error.rows
        ]
        extra["rows"] = [
            {"row": r.row, "column": r.column, "message_zh": r.detail_zh, "message_en": r.detail_en}
            for r in error.rows
        ]
    return problem(
        status,
        error.code,
        title=(error.title_zh, error.title_en),
        detail=(error.detail_zh, error.detail_en),
        errors=errors,
        headers=headers,
        **extra,
    )


def http_problem(error: HTTPException) -> Response | HTTPException:
    """The problem for an error werkzeug or webargs raised."""
    status = error.code or 500
    if status < 400:  # a redirect or the like is not an error
        return error
    code, title_zh, title_en = HTTP_PROBLEMS.get(
        status, (_slug(error.name), error.name, error.name)
    )
    data = getattr(error, "data", None) or {}
    headers = dict(data.get("headers") or {})
    if "messages" in data:  # webargs: the request did not match the schema
        errors = field_errors(data["messages"])
        if status == 400:
            code, title_zh, title_en = "malformed-request", "请求无法解析", "Malformed request"
        return problem(
            status,
            code,
            title=(title_zh, title_en),
            detail=(
                f"请求中有 {len(errors)} 处输入无效,见 errors",
                f"{len(errors)} invalid input(s) in the request; see errors",
            ),
            errors=errors,
            headers=headers,
        )
    if status == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
    detail = {
        404: ("没有这个地址", "no such URL"),
        405: (
            f"{request.path} 不支持 {request.method}",
            f"{request.method} is not supported on {request.path}",
        ),
        413: (
            "请求内容超过大小上限",
            f"the request body is larger than the limit "
            f"({current_app.config.get('MAX_CONTENT_LENGTH')} bytes)",
        ),
    }.get(status, (title_zh, error.description or title_en))
    return problem(status, code, title=(title_zh, title_en), detail=detail, headers=headers)


def font_problem(error: CJKFontMissing) -> Response:
    """503 naming the package to install: the server cannot set a PDF in Chinese."""
    log.error("PDF refused, no CJK font: %s", error)
    package = error.package
    return problem(
        503,
        "pdf-font-missing",
        title=("无法生成 PDF:服务器缺少中文字体", "PDF unavailable: the server lacks its CJK font"),
        detail=(
            f"服务器缺少 PDF 报表嵌入的中文字体,请管理员安装软件包 {package}"
            f"(apt-get install {package})后重试",
            f"the server lacks the CJK font the PDF reports embed; an administrator must "
            f"install the package {package} (apt-get install {package})",
        ),
        missing=package,
    )


def outcome_unknown_problem(error: CommitOutcomeUnknown) -> Response:
    """503: the write may or may not be in the book; only a retry with a key can tell."""
    log.warning(
        "commit outcome unknown on %s %s: %r", request.method, request.path, error.__cause__
    )
    return problem(
        503,
        "outcome-unknown",
        title=("结果未知", "Outcome unknown"),
        detail=(error.detail_zh, error.detail_en),
        headers={"Retry-After": "1"},
    )


def database_unreachable(error: DBAPIError) -> bool:
    """True when `error` says the database is out of reach (a connection broke or none
    could be made), which a failover causes for a few seconds: a retry, not an incident.

    A DBAPIError without a statement was raised while connecting.
    """
    if not (error.connection_invalidated or error.statement is None):
        return False
    log.warning("database unavailable on %s %s: %s", request.method, request.path, error.orig)
    return True


def database_problem(error: DBAPIError) -> Response:
    """503 when the database is out of reach (`database_unreachable`); any other database
    error is unexpected (500)."""
    if not database_unreachable(error):
        return unexpected_problem(error)
    return problem(
        503,
        "database-unavailable",
        title=("数据库暂时不可用", "Database unavailable"),
        detail=(
            "暂时连不上数据库(可能正在切换主库),请稍后重试;写入请带同一个 Idempotency-Key 重发",
            "the database cannot be reached for now (a failover may be under way); retry "
            "shortly, resending a write with the same Idempotency-Key",
        ),
        headers={"Retry-After": "2"},
    )


def log_incident(error: Exception) -> str:
    """Log an unexpected error with its traceback under a new incident id; return the id."""
    incident = uuid.uuid4().hex
    log.error(
        "incident %s: unhandled %s on %s %s (request %s)",
        incident,
        type(error).__name__,
        request.method,
        request.path,
        g.get("request_id"),
        exc_info=error,
    )
    return incident


def unexpected_problem(error: Exception) -> Response:
    """A 500 with an incident id; the traceback goes to the log only."""
    incident = log_incident(error)
    return problem(
        500,
        "internal-error",
        title=("服务器内部错误", "Internal server error"),
        detail=(
            f"服务器内部错误,请将事件编号 {incident} 告知管理员",
            f"internal error; report incident {incident} to the administrator",
        ),
        incident=incident,
    )


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "error"


def register_error_handlers(app: Any) -> None:
    app.register_error_handler(LedgerError, ledger_problem)
    app.register_error_handler(HTTPException, http_problem)
    app.register_error_handler(CJKFontMissing, font_problem)
    app.register_error_handler(CommitOutcomeUnknown, outcome_unknown_problem)
    app.register_error_handler(DBAPIError, database_problem)
    app.register_error_handler(Exception, unexpected_problem)


# --- documentation --------------------------------------------------------------


class FieldErrorSchema(Schema):
    field = fields.String(allow_none=True, metadata={"example": "amount"})
    location = fields.String(allow_none=True, metadata={"example": "json"})
    message_zh = fields.String(metadata={"example": "金额必须大于零。"})
    message_en = fields.String(metadata={"example": "Amount must be greater than zero."})


class RowErrorSchema(Schema):
    row = fields.Integer(metadata={"description": "行号(表头为第 1 行)/ sheet row number"})
    column = fields.String(metadata={"example": "身份证号"})
    message_zh = fields.String()
    message_en = fields.String()


class ProblemSchema(Schema):
    """RFC 9457 problem details, in Chinese (``title``, ``detail``) and English."""

    type = fields.String(metadata={"example": PROBLEM_BASE + "overpayment"})
    code = fields.String(metadata={"example": "overpayment"})
    title = fields.String(metadata={"example": "还款超过欠款"})
    title_en = fields.String(metadata={"example": "Repayment exceeds the amount owed"})
    status = fields.Integer(metadata={"example": 409})
    detail = fields.String()
    detail_en = fields.String()
    instance = fields.String(allow_none=True, metadata={"example": "/api/v1/funds/F1/loans"})
    errors = fields.List(fields.Nested(FieldErrorSchema))
    request_id = fields.String(allow_none=True)
    incident = fields.String(metadata={"description": "500 only: the id in the server log"})
    rows = fields.List(
        fields.Nested(RowErrorSchema),
        metadata={"description": "rows-refused only: every bad cell of the uploaded sheet"},
    )
    missing = fields.String(
        metadata={"description": "pdf-font-missing only: the package to install"},
    )
