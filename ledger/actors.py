"""Who is acting: every service takes an `Actor` and records its username.

A township officer (role ``township``) is bound to one township and may
never see or touch another; services call `confine_township` so the rule
holds whatever door (API, web page, CLI) the request came through. Being
confined means being told "not found" (never "forbidden"): a 403 would tell
the officer that the other township's record exists.

Counties are tenants (SPEC §12): a user with a region (a county's 6-digit
code, a city's 4 or a province's 2) sees only the funds of the counties
whose code starts with it, and a fund of another county is "not found" in
the same way (`sees_county`, checked by `ledger.read.access.fund`, the gate
every door passes). A user without a region sees every county: the install
serves one county, as before counties existed.

Roles (SPEC §2): ``clerk`` (county settlement-centre clerk), ``approver``
(county office head), ``township`` (乡镇财政所 finance officer), ``leader``
(county, city or province leader, read-only), ``auditor`` (a city's or
province's auditor, read-only: every read), ``cashier`` (a mutual-aid
society's 出纳, who alone moves the society's money, SPEC §13: a core role
rather than a duty mapped onto another, so that 钱账分管 holds by role and a
cashier is never also the society's clerk or approver) and ``admin``
(users, funds, chart, periods).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ledger.errors import LedgerError, NotFound


class Role(enum.StrEnum):
    """A user's role; a `str`, so ``actor.role == "clerk"`` holds either way."""

    CLERK = "clerk"
    APPROVER = "approver"
    TOWNSHIP = "township"
    LEADER = "leader"
    AUDITOR = "auditor"
    CASHIER = "cashier"
    ADMIN = "admin"


ROLES = tuple(role.value for role in Role)
#: A county's code (GB/T 2260); a city's is its first 4 digits, a province's its first 2.
COUNTY_DIGITS = 6
#: The roles a city's or a province's user may have: they read, never write (SPEC §12).
REGION_ROLES = (Role.LEADER, Role.AUDITOR)


@dataclass(frozen=True)
class Actor:
    username: str
    role: str
    township_code: str | None = None
    user_id: int | None = None
    #: The fund a user is granted, when the grant is limited to one.
    fund_code: str | None = None
    #: The county, city or province the user is confined to; None for every county.
    region: str | None = None

    @property
    def is_township(self) -> bool:
        return self.role == "township"

    def sees_township(self, code: str) -> bool:
        """True unless this is a township officer of another township."""
        return not self.is_township or self.township_code == code

    def sees_fund(self, code: str) -> bool:
        """True unless the user is granted another fund only."""
        return self.fund_code is None or self.fund_code == code

    @property
    def above_county(self) -> bool:
        """A city's (4-digit region) or a province's (2) user, who reads the counties under it."""
        return self.region is not None and len(self.region) < COUNTY_DIGITS

    def sees_county(self, code: str) -> bool:
        """True when the county lies in the user's region (or the user has none)."""
        return in_region(code, self.region)


def in_region(county_code: str, region: str | None) -> bool:
    """True when the county's code starts with the region's (None: every region)."""
    return region is None or county_code.startswith(region)


#: The actor of system jobs (demo loading, migrations); never a person.
SYSTEM = Actor("system", "admin")


def _hidden(kind_zh: str, kind_en: str, key: str) -> NotFound:
    return NotFound(f"{kind_zh} {key} 不存在", f"{kind_en} {key} does not exist")


def confine_township(
    actor: Actor, township_code: str, *, not_found: LedgerError | None = None
) -> None:
    """Raise `not_found` (a plain NotFound by default) if `actor` may not see the township.

    Pass the very error an unknown record would raise, so that "yours to
    see, but missing" and "another township's" read the same.
    """
    if not actor.sees_township(township_code):
        raise not_found or _hidden("乡镇", "township", township_code)


def confine_fund(actor: Actor, fund_code: str, *, not_found: LedgerError | None = None) -> None:
    """Raise `not_found` if `actor` is granted another fund only."""
    if not actor.sees_fund(fund_code):
        raise not_found or _hidden("基金", "fund", fund_code)


def confine_county(actor: Actor, county_code: str, *, not_found: LedgerError) -> None:
    """Raise `not_found` if the county lies outside `actor`'s region.

    Pass the error the record the county owns would raise when missing (the
    fund's FundNotFound), so that another county's fund reads as no fund.
    """
    if not actor.sees_county(county_code):
        raise not_found


def township_filter(actor: Actor, requested: str | None) -> str | None:
    """The township a list may show: the officer's own, whatever was asked.

    A township officer who filters on another township gets NotFound, as if
    the township did not exist; other roles get what they asked for (None
    meaning every township).
    """
    if not actor.is_township:
        return requested
    if requested is not None:
        confine_township(actor, requested)
    return actor.township_code
