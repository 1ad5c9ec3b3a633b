"""Shared fixtures. Keep it small: fixtures live in their own modules and are imported here."""

from __future__ import annotations

from tests.browser import browser, page
from tests.isolation import nothing_outside

__all__ = ["browser", "nothing_outside", "page"]
