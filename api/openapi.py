"""The flask-smorest `Api`, adapted: problem+json errors, bearer security, X-Total-Count.

`LedgerApi` registers ``shell.problems``' error handlers instead of
flask-smorest's, documents every error response as ``application/problem+json``
with `ProblemSchema`, declares the ``bearerAuth`` security scheme that
``shell.auth.require`` refers to, and the ``X-Total-Count`` header that
``api.pagination.Blueprint`` refers to.
"""

from __future__ import annotations

import http
from typing import Any

from flask_smorest import Api
from flask_smorest.utils import prepare_response

from api.pagination import LINK_COMPONENT, LINK_DOC, TOTAL_COUNT_COMPONENT, TOTAL_COUNT_DOC
from shell.auth import BEARER_SCHEME, SECURITY_SCHEME
from shell.problems import PROBLEM_MIMETYPE, ProblemSchema, register_error_handlers


class LedgerApi(Api):
    ERROR_SCHEMA = ProblemSchema

    def init_app(self, app: Any, *, spec_kwargs: dict[str, Any] | None = None) -> None:
        super().init_app(app, spec_kwargs=spec_kwargs)
        self.spec.components.security_scheme(BEARER_SCHEME, SECURITY_SCHEME)

    def _register_error_handlers(self) -> None:
        register_error_handlers(self._app)

    def _register_responses(self) -> None:
        """Name a response per status (lazily), errors as problem+json."""
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_MIMETYPE)
            self.spec.components.response(status.name, response, lazy=True)
        default = {"description": "Error (problem details)", "schema": self.ERROR_SCHEMA}
        prepare_response(default, self.spec, PROBLEM_MIMETYPE)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, default, lazy=True)

    def _register_pagination_header(self) -> None:
        self.spec.components.header(TOTAL_COUNT_COMPONENT, TOTAL_COUNT_DOC, lazy=True)
        self.spec.components.header(LINK_COMPONENT, LINK_DOC, lazy=True)
