"""The web pages: Chinese, server-rendered, on the same services and queries as the API.

No business rule lives here: views parse with the shared schemas (``shell.schemas``), call the
same ``ledger`` services through the same audited write path, read with the
same ``ledger.read`` functions, and link the API's PDF and XLSX downloads
(which accept the signed-in session's cookie for GETs). Every page is sent
with a strict Content-Security-Policy (``web.responses``).
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from ledger.config import secret_key


def init_app(app: Flask) -> None:
    """Give the session cookie its key and lifetime, and register the pages."""
    app.config["SECRET_KEY"] = app.config.get("SECRET_KEY") or secret_key()
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=app.config["TOKEN_TTL_SECONDS"])

    from web import filters, responses, views  # noqa: F401  (importing registers the routes)
    from web.blueprint import bp

    filters.register(app)
    app.register_blueprint(bp)
