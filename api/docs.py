"""``GET /api/v1/docs``: the API's operations as one self-contained HTML page.

Swagger UI and ReDoc load their scripts from a CDN, and nothing here may be
fetched from the internet at run time (the service runs in county offices,
often offline, and the Content-Security-Policy forbids it anyway). So this
page is rendered on the server from the same OpenAPI document served at
``/api/v1/openapi.json``: every operation by tag, who may call it
(``x-roles``), its parameters, request body fields and responses. No
script, no external asset; the one inline stylesheet is allowed by its
hash.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from flask import Blueprint, Response, current_app
from markupsafe import Markup

blp = Blueprint("docs", __name__, url_prefix="/api/v1")

METHODS = ("get", "post", "put", "patch", "delete")
STYLE = (
    "body{font:14px/1.5 system-ui,'Noto Sans CJK SC','Microsoft YaHei',sans-serif;"
    "margin:2em auto;max-width:70em;padding:0 1em;color:#222}"
    "h2{border-bottom:1px solid #ccc;margin-top:2em}"
    "section{border:1px solid #ddd;border-radius:4px;margin:1em 0;padding:.5em 1em}"
    "code,.path{font-family:ui-monospace,monospace}"
    ".m{display:inline-block;min-width:4.5em;font-weight:bold}"
    ".get{color:#0a6}.post{color:#06c}.patch{color:#a60}.delete{color:#c00}"
    "table{border-collapse:collapse;margin:.3em 0}td,th{border:1px solid #ddd;"
    "padding:.15em .5em;text-align:left;vertical-align:top}.roles{color:#555}"
)
STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
CSP = (
    f"default-src 'none'; style-src 'sha256-{STYLE_HASH}'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)


def _spec() -> dict[str, Any]:
    api = current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    return api.spec.to_dict()  # type: ignore[no-any-return]


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        *_, kind, name = node["$ref"].split("/")
        node = spec["components"][kind][name]
    return node


def _type(spec: dict[str, Any], schema: dict[str, Any]) -> str:
    schema = _resolve(spec, schema) if "$ref" not in schema else schema
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    kind = schema.get("type", "")
    if kind == "array":
        return f"[{_type(spec, schema.get('items', {}))}]"
    extra = schema.get("format") or schema.get("pattern") or ""
    if "enum" in schema:
        extra = " | ".join(map(str, schema["enum"]))
    return f"{kind} {extra}".strip()


def _fields(spec: dict[str, Any], schema: dict[str, Any]) -> Markup:
    name = schema.get("$ref", "").rsplit("/", 1)[-1]
    body = _resolve(spec, schema)
    if body.get("type") == "array":
        return _fields(spec, body.get("items", {}))
    required = set(body.get("required", ()))
    rows = Markup("").join(
        Markup("<tr><td><code>{}</code>{}</td><td>{}</td><td>{}</td></tr>").format(
            prop,
            Markup(" *") if prop in required else "",
            _type(spec, info),
            _resolve(spec, info).get("description", ""),
        )
        for prop, info in body.get("properties", {}).items()
    )
    return Markup("<p>{} {}</p><table>{}</table>").format(
        name, "(* required)" if required else "", rows
    )


def _operation(
    spec: dict[str, Any], path: str, method: str, op: dict[str, Any], shared: list[Any]
) -> Markup:
    summary = op.get("summary", "")
    roles = op.get("x-roles")
    parts = [
        Markup('<h3><span class="m {0}">{1}</span> <span class="path">{2}</span></h3>').format(
            method, method.upper(), path
        ),
        Markup("<p>{}</p>").format(summary),
    ]
    if op.get("description"):
        parts.append(Markup("<p>{}</p>").format(op["description"]))
    parts.append(
        Markup('<p class="roles">roles: {}</p>').format(", ".join(roles))
        if roles
        else Markup('<p class="roles">no authentication</p>')
    )
    params = [*shared, *op.get("parameters", [])]
    if params:
        parts.append(
            Markup(
                "<table><tr><th>parameter</th><th>in</th><th>type</th><th></th></tr>{}</table>"
            ).format(
                Markup("").join(
                    Markup(
                        "<tr><td><code>{}</code>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>"
                    ).format(
                        p["name"],
                        Markup(" *") if p.get("required") else "",
                        p["in"],
                        _type(spec, p.get("schema", {})),
                        p.get("description", ""),
                    )
                    for p in (_resolve(spec, item) for item in params)
                )
            )
        )
    content = op.get("requestBody", {}).get("content", {}).get("application/json")
    if content:
        parts.append(Markup("<p><b>body</b></p>") + _fields(spec, content["schema"]))
    responses = ", ".join(
        f"{code} {_resolve(spec, answer).get('description', '')}"
        for code, answer in op.get("responses", {}).items()
    )
    parts.append(Markup("<p><b>responses</b>: {}</p>").format(responses))
    return Markup("<section>{}</section>").format(Markup("").join(parts))


def render(spec: dict[str, Any]) -> str:
    """The HTML page for an OpenAPI document."""
    by_tag: dict[str, list[Markup]] = {}
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                op = item[method]
                tag = (op.get("tags") or ["other"])[0]
                by_tag.setdefault(tag, []).append(
                    _operation(spec, path, method, op, item.get("parameters", []))
                )
    tags = {t["name"]: t.get("description", "") for t in spec.get("tags", [])}
    body = Markup("").join(
        Markup("<h2 id='{0}'>{0}</h2><p>{1}</p>{2}").format(
            tag, tags.get(tag, ""), Markup("").join(ops)
        )
        for tag, ops in by_tag.items()
    )
    info = spec.get("info", {})
    page = Markup(
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>"
        "<title>{title}</title><style>{style}</style></head><body>"
        "<h1>{title} {version}</h1>"
        "<p>OpenAPI document: <a href='openapi.json'>openapi.json</a>. "
        "Authenticate with <code>POST /api/v1/auth/tokens</code> and send "
        "<code>Authorization: Bearer &lt;token&gt;</code>. Amounts are strings with two "
        'decimals (<code>"1000.00"</code>), dates ISO 8601, errors '
        "<code>application/problem+json</code>.</p>{body}</body></html>"
    ).format(
        title=info.get("title", "API"),
        version=info.get("version", ""),
        style=Markup(STYLE),
        body=body,
    )
    return str(page)


@blp.get("/docs")
def docs() -> Response:
    """The interactive-free, offline API documentation page."""
    response = current_app.response_class(render(_spec()), mimetype="text/html")
    response.headers["Content-Security-Policy"] = CSP
    return response
