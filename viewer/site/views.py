"""Views that fit the data: conversations, contacts, calls, notes, agenda, recordings, backups."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from viewer.site.model import SiteData
from viewer.store import Store


def build_views(site: SiteData, store: Store, writer: Any, langs: Sequence[str]) -> None:
    """Write the special view pages of every service that has one."""
