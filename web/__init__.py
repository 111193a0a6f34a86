"""The web pages for clerks, townships, approvers and leaders (server-rendered)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the pages on `app`."""
