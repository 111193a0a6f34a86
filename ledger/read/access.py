"""Who may read what: the one gate every read passes before it touches the books.

A fund is named in every URL; a user granted another fund only, or confined
to a region (county, city, province) the fund's county lies outside, is told
it does not exist (`FundNotFound`), exactly as for a fund that does not. A
township officer is confined to their own township the same way: another
township's loan, liaison or statement is a `NotFound`, never a refusal
that would confirm it exists. Reports of the whole fund are the county's
(SPEC §9): a township officer asking for one is refused by role.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy.orm import Session

from ledger.actors import Actor, confine_county, confine_fund
from ledger.errors import FundNotFound, RoleNotAllowed
from ledger.services import lookup


@dataclass(frozen=True)
class FundHeader:
    """The fund a read is about: its id for the queries, its code and name for a heading."""

    id: int
    code: str
    name: str


def fund(
    session: Session, actor: Actor, code: str, kinds: Collection[str] | None = None
) -> FundHeader:
    """The fund `code`, if it exists and `actor` may see it; FundNotFound otherwise.

    The grant is checked before the database is asked, the region against
    the fund's county once it is found; either way a fund the actor may not
    see reads the same as one that is missing. With `kinds`, a fund of
    another programme kind reads as missing too (a society at a URL of the
    revolving fund's own).
    """
    hidden = FundNotFound(f"基金 {code} 不存在", f"fund {code} does not exist", field="fund")
    confine_fund(actor, code, not_found=hidden)
    found = lookup.fund(session, code)
    confine_county(actor, found.county_code, not_found=hidden)
    if kinds is not None and found.kind not in kinds:
        raise hidden
    return FundHeader(found.id, found.code, found.name)


def fund_id(session: Session, actor: Actor, code: str) -> int:
    return fund(session, actor, code).id


def check_visible(
    session: Session,
    actor: Actor,
    fund_code: str,
    loan_no: str | None = None,
    *,
    township: str | None = None,
    kinds: Collection[str] | None = None,
) -> None:
    """Raise NotFound unless the fund (of one of `kinds`, if given) and the loan or
    township, if named, exist for `actor`.

    The shells call this before reading a request body, so that another
    township's loan is a 404 whatever the body says.
    """
    found = fund(session, actor, fund_code, kinds)
    if loan_no is not None:
        lookup.loan(session, found.id, loan_no, actor)
    if township is not None:
        lookup.township(session, found.id, township, actor, "township")


def county_wide(actor: Actor, report_zh: str, report_en: str) -> None:
    """Refuse a township officer a report of the whole fund (SPEC §9: clerks and leaders)."""
    if actor.is_township:
        raise RoleNotAllowed(
            f"乡镇财政所用户无权查看{report_zh}",
            f"a township officer may not see the {report_en}",
        )
