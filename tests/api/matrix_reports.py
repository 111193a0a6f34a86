"""Authorization rows for the PDF reports (merged into test_authorization.MATRIX).

County-wide reports are the county readers'; a township officer reads their
own township's statement, loans, liaisons, aging and progress report, and township B gets 404
for township A's. The month's voucher print needs ``period``: an admitted
caller without it gets 422.
"""

from __future__ import annotations

from tests.api.roles import COUNTY_READERS, READERS, F, expect

R = f"{F}/reports"
ROWS: dict[tuple[str, str], dict[str, int]] = {
    ("GET", f"{R}/fund-statement.pdf"): expect(200, *COUNTY_READERS),
    ("GET", f"{R}/progress.pdf"): expect(200, *READERS),
    ("GET", f"{R}/townships/<t>/reconciliation.pdf"): expect(200, *READERS, b=404),
    ("GET", f"{R}/loans/<no>/statement.pdf"): expect(200, *READERS, b=404),
    ("GET", f"{R}/liaisons/<int:id>/guarantee.pdf"): expect(200, *READERS, b=404),
    ("GET", f"{R}/disasters/<code>.pdf"): expect(200, *COUNTY_READERS),
    ("GET", f"{R}/trial-balance.pdf"): expect(200, *COUNTY_READERS),
    ("GET", f"{R}/accounts/<account>/subledger.pdf"): expect(200, *COUNTY_READERS),
    ("GET", f"{R}/aging.pdf"): expect(200, *READERS),
    ("GET", f"{R}/vouchers.pdf"): expect(422, *COUNTY_READERS),
    ("GET", f"{R}/vouchers/<voucher>.pdf"): expect(200, *COUNTY_READERS),
}
