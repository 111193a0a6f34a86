"""Uploads: a file and its form fields as one ``multipart/form-data`` request body.

flask-smorest turns the first ``form`` or ``files`` argument of a view into
the OpenAPI 3 ``requestBody`` and leaves any second one as an OpenAPI 2
``in: formData`` parameter, which OpenAPI 3 does not have (the document no
longer validates, and client generators choke on it). So a view that takes
a file with fields declares one schema holding both, at the location
``multipart``, which reads the form and the files together:

    blp = UploadBlueprint("imports", __name__, url_prefix="...")

    @blp.arguments(SheetUpload, location="multipart")
    def post(self, upload, f): ...
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, ClassVar

from flask import Request
from marshmallow import Schema
from werkzeug.datastructures import CombinedMultiDict

from api.pagination import Blueprint
from api.strictinput import StrictParser

MULTIPART = "multipart"


class MultipartParser(StrictParser):
    """The API's parser, plus the ``multipart`` location: form fields and files together."""

    __location_map__: ClassVar[dict[str, Any]] = {
        **StrictParser.__location_map__,
        MULTIPART: "load_multipart",
    }

    def load_multipart(self, req: Request, schema: Schema) -> Any:
        return self._makeproxy(CombinedMultiDict([req.form, req.files]), schema)


class UploadBlueprint(Blueprint):
    """A `Blueprint` whose views may take ``location="multipart"`` arguments.

    Such a view is documented with its 413 too: an upload over the size limit,
    or a sheet that would unpack past the reading limits, is refused whole.
    """

    ARGUMENTS_PARSER = MultipartParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING: ClassVar[dict[str, str]] = {
        **Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        MULTIPART: "multipart/form-data",
    }

    def arguments(self, schema: Any, *, location: str = "json", **kwargs: Any) -> Any:
        decorator = super().arguments(schema, location=location, **kwargs)
        if location != MULTIPART:
            return decorator
        too_large = self.alt_response(413, response=HTTPStatus.REQUEST_ENTITY_TOO_LARGE.name)
        return lambda view: too_large(decorator(view))
