"""The region page: a province's, a city's or a county's counties side by side (SPEC §12).

The city's and province's leaders and auditors land here (a link on the page
they land on); the figures are the API's overview and the region statement
PDF's, as of the end of the 截至 date, maybe read on the replica (the page
then says how old they are).
"""

from __future__ import annotations

from typing import Any

from flask import g, render_template

from ledger.read import regions
from shell.db import get_db
from web.blueprint import COUNTY, bp, page
from web.views.overview import as_of_form


@bp.route("/regions/<r>")
@page(*COUNTY)
def region(r: str) -> Any:
    as_of, form = as_of_form()
    with get_db().replica_read() as read:
        data = regions.overview(read.session, g.actor, r, as_of)
    return render_template(
        "web/region.html",
        title=f"各区县对照({data.region})",
        form=form,
        as_of=as_of,
        data=data,
        data_age=read.age,
    )
