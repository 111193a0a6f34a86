"""Business dates on the pages: a refused date is shown beside the date, naming both dates."""

from __future__ import annotations

from ledger import dates
from ledger.models import Journal
from tests.web.journeys import lend
from tests.web.test_pages import count, error_beside


def test_a_repayment_form_dated_wrong_shows_both_dates_beside_the_date(browser, demo, set_today):
    clerk = browser("clerk")
    disbursed = dates.today()  # the journey disburses on today's date
    no = lend(clerk)
    set_today(disbursed)
    journals = count(demo, Journal)
    for typed, message in (
        ("2008-12-31", f"还款日 2008-12-31 早于发放日 {disbursed}"),
        ("2030-01-01", f"还款日 2030-01-01 晚于今天 {disbursed}"),
    ):
        response = clerk.post(clerk.f(f"loans/{no}/repayment"), {"date": typed, "amount": "100.00"})
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert error_beside(html, "repayment-date") == message
        assert f'value="{typed}"' in html  # what was typed stays
    assert count(demo, Journal) == journals
