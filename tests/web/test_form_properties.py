"""Property: whatever is typed into the repayment form, the book moves by exactly that
amount or not at all, and a refusal is shown beside the amount."""

from __future__ import annotations

import re
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger import dates
from ledger.models import Journal
from tests.web.journeys import lend
from tests.web.test_pages import count

TODAY = dates.today().isoformat()
OUTSTANDING = re.compile(r'id="outstanding">([0-9,.-]+)<')
#: What a clerk may type: yuan with at most two decimals (no signs, exponents or separators).
PLAIN = re.compile(r"[0-9]+(\.[0-9]{1,2})?")

typed_amounts = st.one_of(
    st.decimals(min_value=Decimal("-10"), max_value=Decimal("4000"), places=2).map(str),
    st.decimals(min_value=0, max_value=100, places=3).map(str),
    st.sampled_from(["", " ", "1e3", "NaN", "Infinity", "1,000.00", "0", "0.00", "¥100", "１００"]),
    st.text(max_size=12),
)


def outstanding(user, no: str) -> Decimal:
    page = user.get(user.f(f"loans/{no}")).get_data(as_text=True)
    return Decimal(OUTSTANDING.search(page).group(1).replace(",", ""))


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(typed=typed_amounts)
def test_a_repayment_moves_the_book_by_what_was_typed_or_not_at_all(browser, demo, typed):
    clerk = browser("clerk")
    no = getattr(test_a_repayment_moves_the_book_by_what_was_typed_or_not_at_all, "loan", None)
    if no is None or outstanding(clerk, no) < 100:
        no = lend(clerk, amount="3000.00")
        test_a_repayment_moves_the_book_by_what_was_typed_or_not_at_all.loan = no
    before, journals = outstanding(clerk, no), count(demo, Journal)
    response = clerk.post(clerk.f(f"loans/{no}/repayment"), {"date": TODAY, "amount": typed})
    valid = PLAIN.fullmatch(typed.strip()) is not None and 0 < Decimal(typed.strip()) <= before
    if valid:
        assert response.status_code == 303, response.get_data(as_text=True)
        assert outstanding(clerk, no) == before - Decimal(typed.strip())
        assert count(demo, Journal) == journals + 1
    else:
        assert response.status_code == 422, response.status_code
        assert 'id="repayment-amount-error"' in response.get_data(as_text=True)
        assert outstanding(clerk, no) == before
        assert count(demo, Journal) == journals
