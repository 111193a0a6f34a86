"""Authorization rows for the XLSX exports (merged into test_authorization.MATRIX).

Loans, aging, the recovery table and plan against actual are per township
(a township officer exports their own rows); journals and the trial balance
are the county's.
"""

from __future__ import annotations

from tests.api.roles import COUNTY_READERS, READERS, F, expect

X = f"{F}/exports"
ROWS: dict[tuple[str, str], dict[str, int]] = {
    ("GET", f"{X}/loans.xlsx"): expect(200, *READERS),
    ("GET", f"{X}/journals.xlsx"): expect(200, *COUNTY_READERS),
    ("GET", f"{X}/trial-balance.xlsx"): expect(200, *COUNTY_READERS),
    ("GET", f"{X}/aging.xlsx"): expect(200, *READERS),
    ("GET", f"{X}/recovery-table.xlsx"): expect(200, *READERS),
    ("GET", f"{X}/plan-against-actual.xlsx"): expect(200, *READERS),
}
