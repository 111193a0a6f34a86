"""Authorization rows for a region's overview and statement (merged into
test_authorization.MATRIX).

``<r>`` is county A's code: county A's readers get it; across counties
(`test_authorization_across_counties`) the callers whose region holds county A
get A's answer and the others 404, as for a fund of county A.
"""

from __future__ import annotations

from tests.api.roles import COUNTY_READERS, expect

R = "/api/v1/regions/<r>"
ROWS: dict[tuple[str, str], dict[str, int]] = {
    ("GET", f"{R}/overview"): expect(200, *COUNTY_READERS),
    ("GET", f"{R}/reports/statement.pdf"): expect(200, *COUNTY_READERS),
}
