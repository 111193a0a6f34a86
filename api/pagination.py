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

A big list is paged by seeking too (``@blp.paginate(seek=True)``, a
`Listing` with keys): it also takes an opaque ``after`` cursor and answers
``Link: <...>; rel="next"`` with the cursor of the page after this one (none
on the last page). Following the links never skips or repeats a row, even
when rows are added between pages, and costs the same on every page;
``page`` still works as before, and ``after`` wins when both are given.
"""

from __future__ import annotations

import http
from collections.abc import Callable
from copy import deepcopy
from functools import wraps
from typing import Any, ClassVar, TypeVar

import flask_smorest
import marshmallow as ma
from flask import current_app, request, url_for
from flask_smorest import Page
from flask_smorest.pagination import PaginationParameters
from flask_smorest.utils import unpack_tuple_response
from sqlalchemy.orm import Session

from api.strictinput import StrictParser
from ledger.read.listing import MAX_CURSOR, Listing

__all__ = [
    "TOTAL_COUNT_HEADER",
    "Blueprint",
    "Page",
    "PaginationParameters",
    "Paging",
    "paginate_listing",
]

TOTAL_COUNT_HEADER = "X-Total-Count"
#: Name of the header component in the OpenAPI document.
TOTAL_COUNT_COMPONENT = "X_TOTAL_COUNT"
TOTAL_COUNT_DOC = {
    "description": "记录总数(所有页)/ Total number of items on all pages",
    "schema": {"type": "integer", "minimum": 0},
}
LINK_COMPONENT = "LINK_NEXT"
LINK_DOC = {
    "description": '下一页的地址(最后一页没有)/ The next page: `<url>; rel="next"`, '
    "with its `after` cursor; absent on the last page",
    "schema": {"type": "string"},
}


class Paging(PaginationParameters):
    """The page asked for (by number, or after a cursor) and, once read, the next cursor."""

    def __init__(
        self, page: int, page_size: int, after: str | None = None, seek: bool = False
    ) -> None:
        super().__init__(page, page_size)
        self.after = after
        #: The endpoint pages by cursor (``paginate(seek=True)``): it answers a Link header.
        self.seek = seek
        self.next: str | None = None


F = TypeVar("F", bound=Callable[..., Any])
R = TypeVar("R")


def _parameters_schema(
    default_page: int, default_per_page: int, max_per_page: int, seek: bool
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
        def make_paginator(self, data: dict[str, Any], **kwargs: Any) -> Paging:
            return Paging(data["page"], data["per_page"], data.get("after"), seek)

    if not seek:
        return PaginationParametersSchema

    class SeekParametersSchema(PaginationParametersSchema):
        after = ma.fields.String(
            validate=ma.validate.Length(min=1, max=MAX_CURSOR),
            metadata={
                "description": "游标:从上一页 Link 头(rel=next)取得,勿自行构造;给出时忽略 page"
                " / cursor from the previous page's Link header (rel=next); opaque;"
                " when given, `page` is ignored"
            },
        )

    return SeekParametersSchema


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
        seek: bool = False,
    ) -> Callable[[F], F]:
        """Like flask-smorest's, but the query parameter is ``per_page``; with `seek`,
        an ``after`` cursor too and a ``Link`` header to the next page."""
        defaults = self.DEFAULT_PAGINATION_PARAMETERS
        schema = _parameters_schema(
            page or defaults["page"],
            page_size or defaults["page_size"],
            max_page_size or defaults["max_page_size"],
            seek,
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
                "response": {
                    error_status: http.HTTPStatus(error_status).name,
                    # A cursor no page handed out (ledger.errors.BadCursor).
                    **({400: http.HTTPStatus.BAD_REQUEST.name} if seek else {}),
                },
                "seek": seek,
            }
            return wrapper  # type: ignore[return-value]

        return decorator

    def _set_pagination_metadata(
        self, page_params: PaginationParameters, result: Any, headers: Any
    ) -> tuple[Any, Any]:
        headers = {} if headers is None else headers
        headers[TOTAL_COUNT_HEADER] = str(page_params.item_count)
        cursor = getattr(page_params, "next", None)
        if cursor is not None:
            args = {k: v for k, v in request.args.items() if k not in ("page", "after")}
            url = url_for(request.endpoint or "", **(request.view_args or {}), **args, after=cursor)
            headers["Link"] = f'<{url}>; rel="next"'
        return result, headers

    def _prepare_pagination_doc(
        self, doc: dict[str, Any], doc_info: dict[str, Any], **kwargs: Any
    ) -> dict[str, Any]:
        doc = super()._prepare_pagination_doc(doc, doc_info, **kwargs)
        if doc_info.get("pagination", {}).get("seek"):
            for status in doc_info.get("success_status_codes", []):
                doc["responses"][status].setdefault("headers", {})["Link"] = LINK_COMPONENT
        return doc

    def _document_pagination_metadata(self, spec: Any, resp_doc: dict[str, Any]) -> None:
        resp_doc.setdefault("headers", {})[TOTAL_COUNT_HEADER] = TOTAL_COUNT_COMPONENT


def paginate_listing(session: Session, listing: Listing[R], params: Paging) -> list[R]:
    """Count `listing`'s rows, then fetch one page of them, in the database: on a list
    paged by cursor, the rows after the cursor (or the first ones), else by offset."""
    params.item_count = listing.count(session)
    if not (params.seek and listing.keys):
        return listing.page(session, params.first_item, params.page_size)
    found = listing.slice(session, params.after, params.first_item, params.page_size)
    params.next = found.next
    return found.items
