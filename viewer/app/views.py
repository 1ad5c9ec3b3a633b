"""The special views of an open export (conversations, contacts, calls, notes, agenda...) served.

The static site's view builder writes every view page of an export in one pass over its records;
it cannot make one page alone. So the first request for a view page in a language runs that
pass once, keeping each page's context compressed in memory (a few MB for a typical export),
and every view page of that language is then drawn from them, with the server's bar. A reload
brings a new Loaded, and with it new views.
"""

from __future__ import annotations

import pickle
import sqlite3
import threading
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.exceptions import HTTPException

from viewer.site.views import build_views

if TYPE_CHECKING:
    from viewer.app.loading import Loaded


@dataclass
class ViewPages:
    """The view pages of one loaded export: per language, each page's context and template."""

    pages: dict[str, dict[str, tuple[bytes, str | None]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Collect:
    """A page sink that keeps each page's context (pickled and compressed: our own data only)."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[bytes, str | None]] = {}

    def page(self, ctx: dict[str, Any], template: str | None = None) -> None:
        self.pages[str(ctx["path"])] = (zlib.compress(pickle.dumps(ctx), 3), template)


def view_page(loaded: Loaded, lang: str, path: str) -> tuple[dict[str, Any], str]:
    """Return a view page's context and its template (404 when the export has no such page)."""
    views = loaded.views
    with views.lock:  # one build per language; requests meanwhile wait for it
        if lang not in views.pages:
            sink = _Collect()
            try:
                build_views(loaded.site, loaded.store, sink, [lang])
            except sqlite3.ProgrammingError as exc:  # the export was closed meanwhile
                raise HTTPException(404, "No such open export: it may have been closed.") from exc
            views.pages[lang] = sink.pages
        found = views.pages[lang].get(path)
    if found is None:
        raise HTTPException(404, "No such page.")
    data, template = found
    ctx: dict[str, Any] = pickle.loads(zlib.decompress(data))  # noqa: S301 (made above, in memory)
    return ctx, template or f"views/{ctx['kind']}.html"
