"""The pages, one module per area; importing them registers their routes."""

from web.views import auth, books, disasters, loans, overview, proposals, setup, township  # noqa: F401
