"""Authorization rows for reconciliation (merged into test_authorization.MATRIX).

The township book: the clerk or the township's own officer (township B gets
404 for A's, before the upload is looked at); the bank: the clerk. An empty
JSON body is no upload: 422 for whoever is let in.
"""

from __future__ import annotations

from tests.api.roles import F, expect

R = f"{F}/reconciliations"
ROWS: dict[tuple[str, str], dict[str, int]] = {
    ("POST", f"{R}/townships/<t>"): expect(422, "clerk", "township_a", "township_b", b=404),
    ("POST", f"{R}/bank"): expect(422, "clerk"),
}
