"""Authorization rows for inspections, recalls and outcomes (merged into
test_authorization.MATRIX).

The county (clerk, approver) inspects and closes findings; every reader
reads inspections and open findings, a township officer their own township's,
so township B asking for township A's inspection's findings gets 404. A
recall is proposed by a clerk or approver and decided by an approver, and
read by the county like the other proposals. The clerk sets the poverty
line; township officers record and approve incomes; township B asking for
township A's household's outcomes or incomes gets 404.
"""

from __future__ import annotations

from tests.api.roles import COUNTY_READERS, PROPOSERS, READERS, TOWNSHIPS, F, expect

ROWS: dict[tuple[str, str], dict[str, int]] = {
    ("GET", f"{F}/inspections"): expect(200, *READERS),
    ("POST", f"{F}/inspections"): expect(422, *PROPOSERS),
    ("GET", f"{F}/inspections/<int:id>/findings"): expect(200, *READERS, b=404),
    ("POST", f"{F}/inspections/<int:id>/findings"): expect(422, *PROPOSERS),
    ("GET", f"{F}/findings/open"): expect(200, *READERS),
    # an empty body closes nothing: no evidence is a 422
    ("POST", f"{F}/findings/<int:id>/close"): expect(422, *PROPOSERS),
    ("GET", f"{F}/recalls"): expect(200, *COUNTY_READERS),
    ("POST", f"{F}/recalls"): expect(422, *PROPOSERS),
    ("POST", f"{F}/recalls/<int:id>/decision"): expect(422, "approver"),
    ("GET", f"{F}/poverty-lines"): expect(200, *READERS),
    ("POST", f"{F}/poverty-lines"): expect(422, "clerk"),
    ("POST", f"{F}/incomes"): expect(422, *TOWNSHIPS),
    ("POST", f"{F}/incomes/<int:id>/approval"): expect(422, *TOWNSHIPS),
    ("GET", f"{F}/households/<int:id>/outcomes"): expect(200, *READERS, b=404),
    ("GET", f"{F}/townships/<t>/incomes"): expect(200, *READERS, b=404),
    ("GET", f"{F}/outcomes"): expect(200, *READERS),
}
