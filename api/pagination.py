"""Paginated lists: ``?page=&per_page=`` in, an ``X-Total-Count`` header out (SPEC §9).

flask-smorest paginates with ``page``/``page_size`` and a JSON
``X-Pagination`` header; its documentation's way to change that is to
subclass its Blueprint and override the pagination hooks, which is what
`Blueprint` does. Every API blueprint should use it:

    blp = Blueprint("households", __name__, url_prefix="/api/v1/funds/<f>/households")

    @blp.route("")
    class Households(MethodView):
        @in_fund(*READERS)
        @blp.arguments(HouseholdFilter, location="query")
        @blp.response(200, HouseholdOut(many=True))
        @blp.paginate()
        def get(self, query, f, pagination_parameters):
            with get_db().read() as session:
                listing = setup.households(session, current_actor(), f, **query)
                return paginate_listing(session, listing, pagination_parameters)

`paginate_listing` counts and slices a `ledger.read.listing.Listing` in the
database; a view that already holds a list can use ``@blp.paginate(Page)``
instead.
"""

from __future__ import annotations

import http
from collections.abc import Callable
from copy import deepcopy
from functools import wraps
from typing import Any, ClassVar, TypeVar

import flask_smorest
import marshmallow as ma
from flask import current_app, request
from flask_smorest import Page
from flask_smorest.pagination import PaginationParameters
from flask_smorest.utils import unpack_tuple_response
from sqlalchemy.orm import Session

from api.strictinput import StrictParser
from ledger.read.listing import Listing

__all__ = ["TOTAL_COUNT_HEADER", "Blueprint", "Page", "PaginationParameters", "paginate_listing"]

TOTAL_COUNT_HEADER = "X-Total-Count"
#: Name of the header component in the OpenAPI document.
TOTAL_COUNT_COMPONENT = "X_TOTAL_COUNT"
TOTAL_COUNT_DOC = {
    "description": "记录总数(所有页)/ Total number of items on all pages",
    "schema": {"type": "integer", "minimum": 0},
}

F = TypeVar("F", bound=Callable[..., Any])
R = TypeVar("R")


def _parameters_schema(
    default_page: int, default_per_page: int, max_per_page: int
) -> type[ma.Schema]:
    class PaginationParametersSchema(ma.Schema):
        class Meta:
            unknown = ma.EXCLUDE

        page = ma.fields.Integer(
            load_default=default_page,
            validate=ma.validate.Range(min=1, max=1_000_000),
            metadata={"description": "页码,从 1 开始 / page number, from 1"},
        )
        per_page = ma.fields.Integer(
            load_default=default_per_page,
            validate=ma.validate.Range(min=1, max=max_per_page),
            metadata={"description": "每页条数 / items per page"},
        )

        @ma.post_load
        def make_paginator(self, data: dict[str, int], **kwargs: Any) -> PaginationParameters:
            return PaginationParameters(data["page"], data["per_page"])

    return PaginationParametersSchema


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint with ``per_page`` and an ``X-Total-Count`` header."""

    ARGUMENTS_PARSER = StrictParser()
    PAGINATION_HEADER_NAME = TOTAL_COUNT_HEADER
    DEFAULT_PAGINATION_PARAMETERS: ClassVar[dict[str, int]] = {
        "page": 1,
        "page_size": 50,
        "max_page_size": 500,
    }

    def paginate(
        self,
        pager: type[Page] | None = None,
        *,
        page: int | None = None,
        page_size: int | None = None,
        max_page_size: int | None = None,
    ) -> Callable[[F], F]:
        """Like flask-smorest's, but the query parameter is ``per_page``."""
        defaults = self.DEFAULT_PAGINATION_PARAMETERS
        schema = _parameters_schema(
            page or defaults["page"],
            page_size or defaults["page_size"],
            max_page_size or defaults["max_page_size"],
        )
        error_status = self.PAGINATION_ARGUMENTS_PARSER.DEFAULT_VALIDATION_STATUS

        def decorator(func: F) -> F:
            @wraps(func)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                params = self.PAGINATION_ARGUMENTS_PARSER.parse(schema, request, location="query")
                if pager is None:
                    kwargs["pagination_parameters"] = params
                result, status, headers = unpack_tuple_response(
                    current_app.ensure_sync(func)(*args, **kwargs)
                )
                if pager is not None:
                    result = pager(result, page_params=params).items
                if params.item_count is None:
                    raise RuntimeError(f"item_count not set in endpoint {request.endpoint}")
                result, headers = self._set_pagination_metadata(params, result, headers)
                return result, status, headers

            wrapper._apidoc = deepcopy(getattr(wrapper, "_apidoc", {}))  # type: ignore[attr-defined]
            wrapper._apidoc["pagination"] = {  # type: ignore[attr-defined]
                "parameters": {"in": "query", "schema": schema},
                "response": {error_status: http.HTTPStatus(error_status).name},
            }
            return wrapper  # type: ignore[return-value]

        return decorator

    def _set_pagination_metadata(
        self, page_params: PaginationParameters, result: Any, headers: Any
    ) -> tuple[Any, Any]:
        headers = {} if headers is None else headers
        headers[TOTAL_COUNT_HEADER] = str(page_params.item_count)
        return result, headers

    def _document_pagination_metadata(self, spec: Any, resp_doc: dict[str, Any]) -> None:
        resp_doc.setdefault("headers", {})[TOTAL_COUNT_HEADER] = TOTAL_COUNT_COMPONENT


def paginate_listing(
    session: Session, listing: Listing[R], params: PaginationParameters
) -> list[R]:
    """Count `listing`'s rows, then fetch one page of them, in the database."""
    params.item_count = listing.count(session)
    return listing.page(session, params.first_item, params.page_size)
