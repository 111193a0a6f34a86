"""Authorization rows for the registration import (merged into test_authorization.MATRIX).

The clerk imports (an empty JSON body is no upload: 422); anyone who reads
the fund may fetch the template, townships included, since they fill it in.
"""

from __future__ import annotations

from tests.api.roles import READERS, F, expect

ROWS: dict[tuple[str, str], dict[str, int]] = {
    ("POST", f"{F}/imports/registrations"): expect(422, "clerk"),
    ("GET", f"{F}/imports/registrations/template.xlsx"): expect(200, *READERS),
}
