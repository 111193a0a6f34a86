"""Authorization rows for plans and visits (merged into test_authorization.MATRIX).

The clerk records plans; every reader reads them (a township officer their
own township's lines). Visits are recorded by the clerk or the township's
officer, whose body names the loan or household, so an empty body is a 422
for both; township B asking for township A's liaison's year or loan's visits gets 404.
"""

from __future__ import annotations

from tests.api.roles import READERS, TOWNSHIPS, F, expect

ROWS: dict[tuple[str, str], dict[str, int]] = {
    ("GET", f"{F}/plans"): expect(200, *READERS),
    ("POST", f"{F}/plans"): expect(422, "clerk"),
    ("POST", f"{F}/plans/revisions"): expect(422, "clerk"),
    ("GET", f"{F}/plan-against-actual"): expect(200, *READERS),
    ("POST", f"{F}/visits"): expect(422, "clerk", *TOWNSHIPS),
    ("GET", f"{F}/visits/missing"): expect(200, *READERS),
    ("GET", f"{F}/liaisons/<int:id>/visits"): expect(200, *READERS, b=404),
    ("GET", f"{F}/cadre-visits"): expect(200, *READERS),
    ("POST", f"{F}/cadre-visits"): expect(422, "clerk", *TOWNSHIPS),
    ("GET", f"{F}/loans/<no>/visits"): expect(200, *READERS, b=404),
}
