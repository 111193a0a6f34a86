"""The pages, one module per area; importing them registers their routes."""

from web.views import (  # noqa: F401
    auth,
    books,
    disasters,
    inspections,
    loans,
    outcomes,
    overview,
    plans,
    progress,
    proposals,
    regions,
    setup,
    societies,
    township,
    visits,
)
