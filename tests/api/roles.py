"""The kinds of caller the authorization matrix tries, and `expect()` to write its rows."""

from __future__ import annotations

ROLES = (
    "clerk",
    "approver",
    "township_a",
    "township_b",
    "leader",
    "admin",
    "anonymous",
    "disabled",
)
USERS = ROLES[:6]
TOWNSHIPS = ("township_a", "township_b")
COUNTY_READERS = ("clerk", "approver", "leader")
READERS = (*COUNTY_READERS, *TOWNSHIPS)
PROPOSERS = ("clerk", "approver")


def expect(ok: int, *roles: str, b: int | None = None, anyone: bool = False) -> dict[str, int]:
    """`ok` for `roles`, 403 for other users, 401 without a live token; `b`: township B's answer."""
    table = {}
    for role in ROLES:
        if anyone or role in roles:
            table[role] = ok
        elif role in ("anonymous", "disabled"):
            table[role] = 401
        else:
            table[role] = 403
    if b is not None:
        table["township_b"] = b
    return table


F = "/api/v1/funds/<f>"
