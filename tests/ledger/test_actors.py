"""Actors and confinement: a township officer sees one township, and "not found" elsewhere."""

from __future__ import annotations

import pytest

from ledger.actors import (
    ROLES,
    Actor,
    Role,
    confine_fund,
    confine_township,
    township_filter,
)
from ledger.errors import NotFound, RecordNotFound

OFFICER = Actor("wang", "township", "340123001", 7)
CLERK = Actor("li", Role.CLERK)


def test_roles_compare_as_plain_strings():
    assert ROLES == ("clerk", "approver", "township", "leader", "auditor", "cashier", "admin")
    assert Role.CLERK == "clerk" and CLERK.role == "clerk"
    assert Actor("x", Role.TOWNSHIP, "340123001") == Actor("x", "township", "340123001")


@pytest.mark.parametrize(
    ("actor", "code", "allowed"),
    [
        (OFFICER, "340123001", True),
        (OFFICER, "340123002", False),
        (CLERK, "340123002", True),
        (Actor("boss", "leader"), "340123002", True),
    ],
)
def test_confine_township(actor, code, allowed):
    if allowed:
        confine_township(actor, code)
    else:
        with pytest.raises(NotFound):
            confine_township(actor, code)


def test_confinement_raises_the_callers_own_not_found():
    own = RecordNotFound("借款 X 不存在", "loan X does not exist", field="loan")
    with pytest.raises(RecordNotFound) as raised:
        confine_township(OFFICER, "340123002", not_found=own)
    assert raised.value is own


def test_township_filter_pins_officers_to_their_own_township():
    assert township_filter(OFFICER, None) == "340123001"
    assert township_filter(OFFICER, "340123001") == "340123001"
    with pytest.raises(NotFound):
        township_filter(OFFICER, "340123002")
    assert township_filter(CLERK, None) is None
    assert township_filter(CLERK, "340123002") == "340123002"


def test_confine_fund():
    granted = Actor("zhao", "clerk", fund_code="PPM2007")
    confine_fund(granted, "PPM2007")
    confine_fund(CLERK, "ANY")
    with pytest.raises(NotFound):
        confine_fund(granted, "OTHER")
