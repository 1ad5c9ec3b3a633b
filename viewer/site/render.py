"""Render a page context with its template in its language (the builder and the server alike)."""

from __future__ import annotations

from typing import Any

from viewer.site.charts import activity_chart, sparkline
from viewer.site.i18n import environment

# 'self' covers the site's own files when opened from file:// in Chromium (tested in the
# browser tests); nothing else may load, inline scripts and styles included.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'none'; form-action 'none'; base-uri 'none'"
)

TEMPLATES = {
    "overview": "index.html",
    "service": "service.html",
    "table": "table.html",
    "record": "record.html",
    "record_shell": "record_shell.html",
    "report": "report_page.html",
}


def render(context: dict[str, Any], template: str | None = None) -> str:
    """Return the HTML of a page context (its template follows from its kind unless given)."""
    env = environment(context["lang"])
    name = template or TEMPLATES.get(context["kind"]) or f"views/{context['kind']}.html"
    return env.get_template(name).render(
        context, csp=CSP, activity_chart=activity_chart, sparkline=sparkline
    )
