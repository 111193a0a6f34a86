"""The kinds of caller the authorization matrix tries, and `expect()` to write its rows."""

from __future__ import annotations

ROLES = (
    "clerk",
    "approver",
    "township_a",
    "township_b",
    "leader",
    "auditor",
    "admin",
    "cashier",
    "anonymous",
    "disabled",
)
USERS = ROLES[:8]
TOWNSHIPS = ("township_a", "township_b")
COUNTY_READERS = ("clerk", "approver", "leader", "auditor")
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


#: The counties of the matrix (SPEC §12): A, whose fund the world is, and B, in another
#: city of the same province.
COUNTY_A, COUNTY_B = "340123", "340221"
CITY_A, CITY_B, PROVINCE = "3401", "3402", "34"
#: Callers of county B, of the regions above the counties and of none (an install's
#: users from before counties, who see every county): who they are (role, region,
#: township) and the caller of county A whose answers they give where county A lies in
#: their region; elsewhere a fund's URLs answer them 404, as if it did not exist.
TENANTS: dict[str, tuple[str, str | None, str | None, str]] = {
    "b_clerk": ("clerk", COUNTY_B, None, "clerk"),
    "b_approver": ("approver", COUNTY_B, None, "approver"),
    "b_township": ("township", COUNTY_B, f"{COUNTY_B}001", "township_a"),
    "b_leader": ("leader", COUNTY_B, None, "leader"),
    "b_auditor": ("auditor", COUNTY_B, None, "auditor"),
    "b_admin": ("admin", COUNTY_B, None, "admin"),
    "city_a_leader": ("leader", CITY_A, None, "leader"),
    "city_a_auditor": ("auditor", CITY_A, None, "auditor"),
    "city_b_auditor": ("auditor", CITY_B, None, "auditor"),
    "province_leader": ("leader", PROVINCE, None, "leader"),
    "province_auditor": ("auditor", PROVINCE, None, "auditor"),
    "install_admin": ("admin", None, None, "admin"),
    "install_leader": ("leader", None, None, "leader"),
}


def sees_county_a(caller: str) -> bool:
    region = TENANTS[caller][1]
    return region is None or COUNTY_A.startswith(region)


F = "/api/v1/funds/<f>"
