"""Schemathesis over the whole OpenAPI document: no 5xx, answers as documented.

Every operation gets generated requests (valid and invalid by the schema),
sent as the clerk with the fund path parameter pinned to the module's
fund, so requests reach the handlers rather than stopping at "no such
fund". Checks: never a server error; the status code, content type, headers
and body are those the document promises. A request the API refuses leaves
the journal count and the audit chain head as they were. Deterministic
(derandomized) and bounded, so CI runs the same cases every time.

The document declares no links, so there is no stateful run; the lifecycle
is covered by tests/api/test_programme.py and the domain state machine.
Logging out (DELETE /auth/tokens/current) is left out: it would end the
session the other cases use.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.programme import County, World
from tests.api.test_bad_input import audit_head, journal_count

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _document_app():
    """An app whose only use is to serve the document (it never touches its database)."""
    from shell.app import create_app

    return create_app({"DATABASE_URL": "sqlite://"})


# Loaded at import: pytest collects one test per operation. The requests go
# to the module's `api_app`, whose programme the fixtures build.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _document_app()).exclude(
    path="/api/v1/auth/tokens/current", method="DELETE"
)


@schema.parametrize()
@settings(
    max_examples=10,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_the_api_keeps_its_documented_promises(case, county: County, world: World, api_app):
    if "f" in (case.path_parameters or {}):
        case.path_parameters["f"] = world.code
    writes = case.method.upper() != "GET"
    before = (journal_count(county, world), audit_head(api_app)) if writes else None
    response = county.client.open(**case.as_transport_kwargs(headers=county.headers("clerk")))
    case.validate_response(response, checks=CHECKS)
    if writes and response.status_code >= 400:
        assert (journal_count(county, world), audit_head(api_app)) == before
