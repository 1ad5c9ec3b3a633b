"""The special views of an open export (conversations, contacts, calls, notes, agenda...) served.

The plan of the view pages (which page is what) is made once per loaded export, from a few
counts in SQL, on the first request for a view; each page is then made when it is asked for,
from its own records, by the builders the static site uses. A reload brings a new Loaded, and
with it a new plan.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.exceptions import HTTPException

from viewer.site.views import Views, plan_views
from viewer.site.views import view_page as build_page

if TYPE_CHECKING:
    from viewer.app.loading import Loaded


@dataclass
class ViewPages:
    """The plan of one loaded export's view pages, made on first use."""

    views: Views | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


def view_page(loaded: Loaded, lang: str, path: str) -> tuple[dict[str, Any], str]:
    """Return a view page's context and its template (404 when the export has no such page)."""
    pages = loaded.views
    try:
        with pages.lock:  # the plan is made once; requests meanwhile wait for it
            if pages.views is None:
                pages.views = plan_views(loaded.site, loaded.store)
            views = pages.views
        ctx = build_page(views, lang, path)
    except sqlite3.ProgrammingError as exc:  # the export was closed meanwhile
        raise HTTPException(404, "No such open export: it may have been closed.") from exc
    if ctx is None:
        raise HTTPException(404, "No such page.")
    return ctx, f"views/{ctx['kind']}.html"
