"""The refusals of plans and visits get their status from their family, like every other."""

from __future__ import annotations

import pytest

from ledger import errors
from shell.problems import status_for


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (errors.YearOutsidePlan, 422),
        (errors.PlanUnchanged, 422),
        (errors.NotTheLiaison, 422),
        (errors.PlansOverlap, 409),
    ],
)
def test_plan_and_visit_refusals_map_to_their_family_status(error, status):
    refusal = error("中文说明", "English detail", field="lines")
    assert status_for(refusal) == status
    assert refusal.title_zh and refusal.title_en and refusal.code != "ledger-error"
