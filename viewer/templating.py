"""The Jinja2 environment for the viewer's pages and reports: autoescaped, our filters only."""

from __future__ import annotations

import datetime as dt
from functools import cache

import jinja2

from viewer.resources import data_path


def humanize_size(n: int | float | None) -> str:
    """Return a byte count as a short human-readable size (1.5 MB)."""
    if n is None:
        return ""
    size = float(n)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(size) < 1000 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} TB"


def percent(x: float | None) -> str:
    """Return a share (0..1) as a percentage with one decimal."""
    return "" if x is None else f"{x * 100:.1f} %"


def when(iso: str | None) -> str:
    """Return an ISO 8601 time as the report shows it in English (UTC when it has no zone)."""
    from viewer.site.i18n import Formats

    return Formats("en").when(iso)


@cache
def environment() -> jinja2.Environment:
    """Return the shared environment (templates are `.html`; autoescape is always on)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(data_path("templates"))),
        autoescape=True,  # every value from an export is escaped, whatever the template's name
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    # Shared templates (the report body) mark their text for translation; English here.
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    env.filters["size"] = humanize_size
    env.filters["percent"] = percent
    env.filters["number"] = lambda n: "" if n is None else f"{n:,}"
    env.filters["when"] = when
    env.globals["now"] = lambda: dt.datetime.now(dt.UTC)
    return env
