"""Write a display cell as HTML: the hot path of big tables, so Python instead of a Jinja macro.

Every value goes through markupsafe's escape(), exactly as autoescaping would treat it; links are
made only from hrefs that links.safe_href accepted.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from viewer.site.links import REL, safe_href
from viewer.site.values import Cell

_EMPTY = Markup('<span class="muted">—</span>')


def cell_html(c: Cell) -> Markup:
    """Return the HTML of one cell (time with its raw value on hover, link, nested details)."""
    kind = c["kind"]
    text = escape(c["text"])
    title = c.get("title") or ""
    if kind == "empty":
        return _EMPTY
    if kind == "time":
        return Markup('<time title="%s">%s</time>') % (title, c["text"])
    if kind == "url" and (href := safe_href(c.get("href"))):
        return Markup('<a href="%s" rel="%s" class="ext">%s</a>') % (href, REL, c["text"])
    if kind == "object":
        return Markup('<details class="nested"><summary>%s</summary><pre>%s</pre></details>') % (
            c["text"],
            c["pretty"],
        )
    if title and title != c["text"]:
        return Markup('<span title="%s">%s</span>') % (title, c["text"])
    return text
