"""Reading request input strictly: one spelling of a request means one thing.

The standard library's JSON parser takes the last of two equal keys
(``{"amount": "1.00", "amount": "1000.00"}``), accepts ``NaN`` and
``Infinity``, and overflows the stack on deeply nested input. A body a
reviewer could read two ways is refused instead, as a 400 naming the
problem, before any schema sees it. NUL characters are refused anywhere in
the path, the query or a JSON string: no field has a use for them, and
PostgreSQL cannot store them (it would be a 500 deep in a query).
"""

from __future__ import annotations

import json
from typing import Any, NoReturn

from flask import Request, request
from flask_smorest import abort
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from shell.fields import Message


class BodyRefused(json.JSONDecodeError):
    """Valid JSON text we will not read; carries its message in both languages."""

    def __init__(self, en: str, zh: str, doc: str = "", pos: int = 0) -> None:
        super().__init__(en, doc, pos)
        self.message = Message(en, zh)


NUL = "\x00"


def _refuse_nul(values: list[Any]) -> None:
    """Refuse a NUL in these strings or in the strings of lists among them."""
    pending = list(values)
    while pending:
        value = pending.pop()
        if isinstance(value, str) and NUL in value:
            raise BodyRefused(
                "A string in the JSON body holds a NUL.", "JSON 字符串中含有 NUL 字符。"
            )
        if isinstance(value, list):
            pending.extend(value)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Build one JSON object (nested objects were built, and checked, first)."""
    _refuse_nul([item for pair in pairs for item in pair])
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise BodyRefused(
                f"Duplicate key {key!r} in the JSON body.", f"JSON 中键 {key!r} 重复。"
            )
        seen[key] = value
    return seen


def _no_constant(name: str) -> NoReturn:
    raise BodyRefused(f"{name} is not a JSON value.", f"{name} 不是合法的 JSON 值。")


def strict_loads(text: str | bytes) -> Any:
    """`json.loads` refusing duplicate keys, NaN/Infinity and nesting that exhausts the stack."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")  # UnicodeDecodeError: webargs answers 400
    try:
        value = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
        _refuse_nul([value])  # a top-level string or array
        return value
    except RecursionError:
        raise BodyRefused(
            "The JSON body is nested too deeply.", "JSON 嵌套层数过多。", text
        ) from None
    except BodyRefused as refused:
        refused.doc = text  # webargs reads an error on an empty document as "no body"
        raise


class StrictParser(FlaskParser):
    """webargs' Flask parser reading bodies with `strict_loads`."""

    def _raw_load_json(self, req: Request) -> Any:
        if not is_json_request(req):
            return core.missing
        return strict_loads(req.get_data(cache=True))

    def _handle_invalid_json_error(
        self,
        error: json.JSONDecodeError | UnicodeDecodeError,
        req: Request,
        *args: Any,
        **kwargs: Any,
    ) -> NoReturn:
        if isinstance(error, BodyRefused):
            message = error.message
        elif isinstance(error, UnicodeDecodeError):
            message = Message("The body is not UTF-8.", "请求内容不是 UTF-8 编码。")
        else:
            message = Message("Invalid JSON body.", "请求体不是有效的 JSON。")
        abort(400, exc=error, messages={"json": [message]})


def refuse_nul_in_url() -> None:
    """``before_request``: a NUL in the path or the query string is a 400."""
    if NUL in request.path or any(
        NUL in key or NUL in value for key, value in request.args.items(multi=True)
    ):
        abort(
            400,
            messages={
                "query": [Message("The URL holds a NUL character.", "地址中含有 NUL 字符。")]
            },
        )
