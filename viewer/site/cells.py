"""Write a display cell as HTML: the hot path of big tables, so Python instead of a Jinja macro.

Every value goes through markupsafe's escape(), exactly as autoescaping would treat it; links are
made only from hrefs that links.safe_href accepted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

from viewer.site.links import REL, safe_href
from viewer.site.values import Cell

_EMPTY = '<span class="muted">—</span>'
_SPECIAL = re.compile("[&<>\"']")


def escape(value: object) -> str:
    """Return text with &, <, >, " and ' escaped exactly as markupsafe.escape does it.

    As a plain str: markupsafe wraps every result in a Markup object, which is most of its cost
    for the thousands of short values of a page (and the values here are always text).
    """
    html = getattr(value, "__html__", None)
    if html is not None:  # already markup (a translated label): as markupsafe, leave it
        return str(html())
    text = str(value)
    if _SPECIAL.search(text) is None:
        return text
    return (
        text.replace("&", "&amp;")
        .replace(">", "&gt;")
        .replace("<", "&lt;")
        .replace("'", "&#39;")
        .replace('"', "&#34;")
    )


def cell_html(c: Cell) -> Markup:
    """Return the HTML of one cell (time with its raw value on hover, link, nested details)."""
    return Markup(_cell(c))  # noqa: S704 (every value is escaped in _cell)


def _cell(c: Cell) -> str:
    # Plain strings with escape() on every value (Markup's own % and join would re-escape them).
    kind = c["kind"]
    if kind == "empty":
        return _EMPTY
    text = escape(c["text"])
    title = c.get("title") or ""
    if kind == "time":
        return f'<time title="{escape(title)}">{text}</time>'
    if kind == "url" and (href := safe_href(c.get("href"))):
        return f'<a href="{escape(href)}" rel="{REL}" class="ext">{text}</a>'
    if kind == "object":
        pretty = escape(c["pretty"])
        return f'<details class="nested"><summary>{text}</summary><pre>{pretty}</pre></details>'
    if title and title != c["text"]:
        return f'<span title="{escape(title)}">{text}</span>'
    return text


def row_html(
    row: Mapping[str, Any], columns: Sequence[Mapping[str, Any]], base: str, label: str
) -> Markup:
    """Return one table row: the record's link, then a cell per column (hidden ones hidden).

    `label` is the link's accessible name with `{n}` for the record's number.
    """
    seq = str(row["seq"])
    parts = [
        f'<tr><th scope="row"><a href="{escape(base + row["href"])}" '
        f'aria-label="{escape(label.replace("{n}", seq))}">{seq}</a></th>'
    ]
    for c, column in zip(row["cells"], columns, strict=True):
        parts.append("<td>" if column["visible"] else "<td hidden>")
        parts.append(_cell(c))
        parts.append("</td>")
    parts.append("</tr>")
    return Markup("".join(parts))  # noqa: S704 (every value is escaped in _cell and above)
