"""Authorization rows for a mutual-aid society's own endpoints (merged into
test_authorization.MATRIX).

钱账分管: the clerk keeps the 章程, groups, members and loans; the cashier moves the
money; the approver approves loans, write-offs and the distribution; the county's
leader and auditor read. No township officer or administrator enters. The society is
county A's (`society_world`); an empty body is a 422 for whoever is let in, and so
are the two bodiless writes: closing the month "2030-13" (no month) and distributing
2030 (a year's end still to come); none writes anything.
"""

from __future__ import annotations

from tests.api.roles import COUNTY_READERS, expect

S = "/api/v1/societies/<s>"
SOCIETY_READERS = ("clerk", "cashier", "approver", "leader", "auditor")

ROWS: dict[tuple[str, str], dict[str, int]] = {
    # the county's societies: read side by side by their people and the county's, opened by
    # whoever opens funds (the administrator)
    ("GET", "/api/v1/societies"): expect(200, *SOCIETY_READERS, "admin"),
    ("POST", "/api/v1/societies"): expect(422, "admin"),
    ("GET", "/api/v1/societies/export.xlsx"): expect(200, *SOCIETY_READERS, "admin"),
    ("GET", f"{S}/rules"): expect(200, *SOCIETY_READERS),
    ("POST", f"{S}/rules"): expect(422, "clerk"),
    ("GET", f"{S}/groups"): expect(200, *SOCIETY_READERS),
    ("POST", f"{S}/groups"): expect(422, "clerk"),
    ("GET", f"{S}/members"): expect(200, *SOCIETY_READERS),
    ("POST", f"{S}/members"): expect(422, "clerk"),
    ("GET", f"{S}/members/<int:id>"): expect(200, *SOCIETY_READERS),
    ("POST", f"{S}/members/<int:id>/shares"): expect(422, "cashier", "clerk"),
    ("POST", f"{S}/members/<int:id>/exit"): expect(422, "cashier"),
    ("POST", f"{S}/members/<int:id>/dividends"): expect(422, "cashier"),
    ("POST", f"{S}/fiscal-capital"): expect(422, "cashier"),
    ("POST", f"{S}/donations"): expect(422, "cashier"),
    ("POST", f"{S}/bank-interest"): expect(422, "cashier"),
    ("GET", f"{S}/expenses"): expect(200, *SOCIETY_READERS),
    ("POST", f"{S}/expenses"): expect(422, "cashier"),
    ("POST", f"{S}/subsidies"): expect(422, "cashier"),
    ("POST", f"{S}/imports/groups"): expect(422, "clerk"),
    ("POST", f"{S}/imports/members"): expect(422, "clerk"),
    ("GET", f"{S}/exports/members.xlsx"): expect(200, *SOCIETY_READERS),
    ("GET", f"{S}/exports/groups.xlsx"): expect(200, *SOCIETY_READERS),
    ("GET", f"{S}/exports/loans.xlsx"): expect(200, *SOCIETY_READERS),
    ("GET", f"{S}/exports/expenses.xlsx"): expect(200, *SOCIETY_READERS),
    ("GET", f"{S}/loans"): expect(200, *SOCIETY_READERS),
    ("POST", f"{S}/loans"): expect(422, "clerk"),
    ("GET", f"{S}/loans/<no>"): expect(200, *SOCIETY_READERS),
    ("POST", f"{S}/loans/<no>/notice"): expect(422, "clerk"),
    ("POST", f"{S}/loans/<no>/approval"): expect(422, "approver"),
    ("POST", f"{S}/loans/<no>/disbursements"): expect(422, "cashier"),
    ("POST", f"{S}/loans/<no>/repayments"): expect(422, "cashier"),
    ("POST", f"{S}/loans/<no>/write-off"): expect(422, "approver"),
    ("POST", f"{S}/periods/<period>/close"): expect(422, "clerk"),
    ("POST", f"{S}/distributions/<int:year>"): expect(422, "approver"),
    ("GET", f"{S}/summary"): expect(200, *SOCIETY_READERS),
    # the society's PDFs (api/society_reports.py): the monthly report without its ``month``
    # is a 422, and 2030 has not been distributed (404)
    ("GET", f"{S}/reports/loan-notice.pdf"): expect(200, *SOCIETY_READERS),
    ("GET", f"{S}/reports/members/<int:id>/statement.pdf"): expect(200, *SOCIETY_READERS),
    ("GET", f"{S}/reports/monthly.pdf"): expect(422, *SOCIETY_READERS),
    ("GET", f"{S}/reports/distribution/<int:year>.pdf"): expect(404, *SOCIETY_READERS),
    # the county's roll-up of its societies, by the readers of a county's books
    ("GET", "/api/v1/regions/<r>/reports/societies.pdf"): expect(200, *COUNTY_READERS),
}
