"""Write a display cell as HTML: the hot path of big tables, so Python instead of a Jinja macro.

Every value goes through markupsafe's escape(), exactly as autoescaping would treat it; links are
made only from hrefs that links.safe_href accepted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

from viewer.site.i18n import Formats
from viewer.site.links import REL, safe_href
from viewer.site.values import SHORT, Cell, at_path, clip, compact_json
from viewer.timeparse import to_epoch_ms

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


def value_html(value: Any, ftype: str | None, time_format: str | None, fmt: Formats) -> str:
    """Return a table cell's HTML for a value of a column of type `ftype` (a field's, or a role's).

    The same as cell_html(cell(value, ...)) (the tests hold them equal) without the Cell dict
    in between: a big table's pages are mostly this.
    """
    if value is None:
        return _EMPTY
    if isinstance(value, dict | list):
        compact = compact_json(value)
        summary, full = escape(clip(compact, SHORT)), escape(compact)
        return f'<details class="nested"><summary>{summary}</summary><pre>{full}</pre></details>'
    if ftype == "timestamp":
        ms = to_epoch_ms(value, time_format)
        shown = fmt.datetime(ms) if ms is not None else ""
        if shown:
            return f'<time title="{escape(value)}">{escape(shown)}</time>'
    if ftype == "size" and isinstance(value, int | float) and not isinstance(value, bool):
        return _titled(fmt.size(value), str(value))
    if isinstance(value, bool):
        return _titled(fmt.boolean(value), "true" if value else "false")
    text = str(value)
    shown = clip(text, SHORT)
    href = safe_href(text)
    if href is not None:
        return f'<a href="{escape(href)}" rel="{REL}" class="ext">{escape(shown)}</a>'
    return _titled(shown, text)


def _titled(text: str, title: str) -> str:
    if title and title != text:
        return f'<span title="{escape(title)}">{escape(text)}</span>'
    return escape(text)


def row_html(
    row: Mapping[str, Any],
    columns: Sequence[Mapping[str, Any]],
    base: str,
    label: str,
    fmt: Formats | None = None,
) -> Markup:
    """Return one table row: the record's link, then a cell per column (hidden ones hidden).

    `label` is the link's accessible name with `{n}` for the record's number. A row has its
    cells, or (written straight from its values) the record's `data` and `fmt` is given.
    """
    seq = str(row["seq"])
    parts = [
        f'<tr><th scope="row"><a href="{escape(base + row["href"])}" '
        f'aria-label="{escape(label.replace("{n}", seq))}">{seq}</a></th>'
    ]
    cells = row.get("cells")
    if cells is None:
        if fmt is None:
            raise ValueError("a row without its cells needs the Formats to write its values")
        data = row["data"]
        for column in columns:  # a plain loop: this runs for every cell of a page
            value = at_path(data, column["path"])
            parts.append("<td>" if column["visible"] else "<td hidden>")
            parts.append(value_html(value, column["type"], column["format"], fmt))
            parts.append("</td>")
    else:
        for c, column in zip(cells, columns, strict=True):
            parts.append("<td>" if column["visible"] else "<td hidden>")
            parts.append(_cell(c))
            parts.append("</td>")
    parts.append("</tr>")
    return Markup("".join(parts))  # noqa: S704 (every value is escaped in _cell and above)
