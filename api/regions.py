"""``/api/v1/regions/<r>``: a province's, a city's or a county's counties side by side
(SPEC §12), as JSON and as the region statement PDF.

Readers of a county's books (`COUNTY_READERS`) may ask for any region inside
their own (`ledger.read.regions.region_code`: the one `in_region` rule); a
region outside theirs, or holding no county, is a 404 like one that does not
exist, and a malformed code a 422 naming ``region``.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView

from api.pagination import Blueprint
from api.reports import pdf
from api.scope import COUNTY_READERS
from ledger import dates
from ledger.read import regions
from reports.region_statement import render_region_statement
from shell.auth import current_actor, require
from shell.db import get_db
from shell.downloads import PDF, file_doc
from shell.schemas.common import AsOfQuery
from shell.schemas.regions import RegionOverviewOut

blp = Blueprint(
    "regions",
    __name__,
    url_prefix="/api/v1/regions/<r>",
    description="A region's counties side by side 各区县对照 (SPEC §12)",
)
#: The answers a region's URL may give besides its success.
REFUSALS = {"responses": {"404": "NOT_FOUND", "422": "UNPROCESSABLE_ENTITY"}}


@blp.route("/overview")
class Overview(MethodView):
    @require(*COUNTY_READERS)
    @blp.arguments(AsOfQuery, location="query")
    @blp.response(200, RegionOverviewOut)
    @blp.doc(**REFUSALS)
    def get(self, query: dict[str, Any], r: str) -> Any:
        """The counties of region r (省 2 位、市 4 位、区县 6 位) side by side, as of a date"""
        with get_db().read() as session:
            return regions.overview(session, current_actor(), r, query.get("as_of"))


@blp.route("/reports/statement.pdf")
class Statement(MethodView):
    @require(*COUNTY_READERS)
    @blp.arguments(AsOfQuery, location="query")
    @blp.doc(**file_doc(PDF))
    @blp.doc(**REFUSALS)
    def get(self, query: dict[str, Any], r: str) -> Response:
        """各区县周转金运行情况对照表: the region's counties side by side, with a chart"""
        day = (query.get("as_of") or dates.today()).isoformat()
        return pdf(
            lambda s: regions.overview(s, current_actor(), r, query.get("as_of")),
            render_region_statement,
            f"region-{r}-statement-{day}",
            f"{r}-各区县周转金运行情况对照表-{day}",
        )
