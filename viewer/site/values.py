"""Turn record values into display cells (plain dicts): times, sizes, links, nested objects."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from verify.contract import Field, Service
from viewer.site.i18n import TYPE_LABELS, Formats, label
from viewer.site.links import safe_href
from viewer.timeparse import to_epoch_ms

Cell = dict[str, Any]
SHORT = 120  # characters of a value shown in a table cell; the record page shows everything


def clip(text: str, limit: int | None) -> str:
    """Return text cut to `limit` characters (the last one an ellipsis), if it is longer."""
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def pretty_json(value: Any) -> str:
    """Return a value as indented JSON text (shown escaped, never parsed by the browser)."""
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=False, default=str)


def at_path(data: dict[str, Any], path: tuple[str, ...] | list[str]) -> Any:
    """Return a column's value in a record: at its key, or down its path into nested objects."""
    if len(path) == 1:
        return data.get(path[0])
    value: Any = data
    for part in path:
        value = value.get(part) if type(value) is dict else None
    return value


def compact_json(value: Any) -> str:
    """Return a nested value as the one-line JSON a table cell shows."""
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str)


def _nested(value: Any, limit: int | None) -> Cell:
    compact = compact_json(value)
    # Indented JSON takes json's slow Python encoder: table cells (with a limit) expand to the
    # compact text, wrapped; the record page, which shows one record, gets it indented.
    pretty = pretty_json(value) if limit is None else compact
    return {"kind": "object", "text": clip(compact, limit or SHORT), "pretty": pretty}


def _time(value: Any, fmt_name: str | None, fmt: Formats) -> Cell | None:
    ms = to_epoch_ms(value, fmt_name)
    text = fmt.datetime(ms) if ms is not None else ""
    if not text:
        return None
    return {"kind": "time", "text": text, "title": str(value), "ms": ms}


def cell(
    value: Any,
    field: Field | None,
    fmt: Formats,
    *,
    limit: int | None = SHORT,
    kind: str | None = None,
) -> Cell:
    """Return how to show one value: its kind, its text and (for URLs only) a link target.

    `kind` is the type of a column that is no documented field (a nested main value's role).
    """
    shown = _cell(value, field, fmt, limit, kind)
    shown.setdefault("title", "")
    return shown


def _cell(
    value: Any, field: Field | None, fmt: Formats, limit: int | None, kind: str | None = None
) -> Cell:
    ftype = field.type if field else kind
    if value is None:
        return {"kind": "empty", "text": ""}
    if isinstance(value, dict | list):
        return _nested(value, limit)
    if ftype == "timestamp" and (timed := _time(value, field.format if field else None, fmt)):
        return timed
    if ftype == "size" and isinstance(value, int | float) and not isinstance(value, bool):
        return {"kind": "size", "text": fmt.size(value), "title": str(value)}
    if isinstance(value, bool):
        return {"kind": "text", "text": fmt.boolean(value), "title": "true" if value else "false"}
    text = str(value)
    href = safe_href(text)
    if href is not None:
        return {"kind": "url", "text": clip(text, limit), "href": href, "title": text}
    return {"kind": "text", "text": clip(text, limit), "title": text if limit else ""}


def field_for_key(service: Service | None, key: str) -> Field | None:
    """Return the documented field a top-level key belongs to."""
    return service.key_index().get(key) if service else None


def record_fields(data: Mapping[str, Any], service: Service | None, fmt: Formats) -> list[Cell]:
    """Return every top-level value of a record: documented fields first, with label and type."""
    rows: list[Cell] = []
    index = service.key_index() if service else {}
    lang = fmt.lang
    for key, value in data.items():
        f = index.get(key)
        rows.append(
            {
                "key": key,
                "label": f.name.get(lang) if f else key,
                "type": label(TYPE_LABELS, f.type, lang) if f else None,
                "documented": f is not None,
                "cell": cell(value, f, fmt, limit=None),
            }
        )
    rows.sort(key=lambda r: not r["documented"])
    return rows
