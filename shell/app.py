"""The composition root: `create_app()` builds the Flask app around one `Database`
and registers both shells, the REST API and the web pages."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

import web
from api import (
    batches,
    cli,
    counties,
    disasters,
    docs,
    exports,
    funding,
    funds,
    health,
    households,
    imports,
    inspections,
    ledger_views,
    liaisons,
    loans,
    outcomes,
    overview,
    plans,
    project_types,
    proposals,
    reconciliations,
    regions,
    reports,
    societies,
    society_reports,
    strictinput,
    tokens,
    townships,
    visits,
)
from api.openapi import LedgerApi
from ledger.config import INSTANCE_DIR, database_url, replica_url
from ledger.db import MAX_RECORD_ID, Database
from ledger.uploads import Limits
from shell import audit


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Application factory: config, the database, the API blueprints, the CLI, the web pages."""
    app = Flask(__name__, instance_path=str(INSTANCE_DIR), instance_relative_config=True)
    app.config.from_mapping(
        DATABASE_URL=None,
        DATABASE_REPLICA_URL=None,
        API_TITLE="周转金台账 Revolving-fund ledger API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        JSON_AS_ASCII=False,
        # Uploads larger than this are refused with 413 before they are read.
        MAX_CONTENT_LENGTH=8 * 1024 * 1024,
        TOKEN_TTL_SECONDS=12 * 3600,
        LOGIN_MAX_FAILURES=5,
        LOGIN_FAILURE_WINDOW_SECONDS=15 * 60,
        # The web pages' session cookie (web/session.py). Secure by default: browsers
        # keep it over HTTPS and on 127.0.0.1/localhost; a plain-HTTP office network
        # must set LEDGER_INSECURE_COOKIE=1 (and should use HTTPS instead).
        SESSION_COOKIE_NAME="ledger_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("LEDGER_INSECURE_COOKIE") != "1",
        TRUSTED_PROXIES=trusted_proxies(os.environ.get("LEDGER_TRUSTED_PROXIES", "0")),
    )
    Limits.from_env()  # a wrong upload limit stops the start, not the first clerk's upload
    if test_config:
        app.config.update(test_config)
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    app.config["DATABASE_URL"] = app.config["DATABASE_URL"] or database_url()
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.url_map.converters["int"] = RecordId
    app.config["DATABASE_REPLICA_URL"] = app.config["DATABASE_REPLICA_URL"] or replica_url()
    app.extensions["ledger_db"] = Database.connect(
        app.config["DATABASE_URL"], replica_url=app.config["DATABASE_REPLICA_URL"]
    )

    api = LedgerApi(app)
    app.before_request(strictinput.refuse_nul_in_url)
    app.after_request(no_store_when_authenticated)
    audit.init_app(app)
    api.register_blueprint(health.blp)
    api.register_blueprint(tokens.blp)
    for resource in (
        counties,
        funds,
        townships,
        project_types,
        batches,
        liaisons,
        households,
        funding,
        loans,
        proposals,
        disasters,
        ledger_views,
        overview,
        reports,
        regions,
        imports,
        exports,
        reconciliations,
        plans,
        visits,
        inspections,
        outcomes,
        societies,
        society_reports,
    ):
        api.register_blueprint(resource.blp)
    api.register_blueprint(societies.registry)
    app.register_blueprint(docs.blp)  # plain Flask: the page is not an API operation
    cli.register(app)
    web.init_app(app)
    return app


def trusted_proxies(value: str) -> int:
    """How many reverse proxies in front of the app may say who the client is.

    Behind a proxy every request comes from the proxy's address, so the login
    throttle (per username and address) would lock a whole office out at once.
    With n trusted proxies the client is the n-th address from the right of
    ``X-Forwarded-For`` (Werkzeug's ProxyFix); with 0 the header is ignored, as
    anyone can send it.
    """
    if not value.strip().isdigit():
        raise ValueError(f"LEDGER_TRUSTED_PROXIES must be a whole number >= 0, not {value!r}")
    return int(value)


def no_store_when_authenticated(response: Response) -> Response:
    """Answers for a signed-in caller (ID and phone numbers, the books) are never cached."""
    if "actor" in g or "Authorization" in request.headers:
        response.headers["Cache-Control"] = "no-store"
    return response


class RecordId(IntegerConverter):
    """``<int:id>``: a record id fits its column; a larger number matches no URL (404)."""

    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_RECORD_ID)
        super().__init__(url_map, *args, **kwargs)
