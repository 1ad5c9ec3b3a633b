"""The columns of a table for CSV, SQLite and the data package: nested objects flattened, typed.

A record's objects are opened into columns with dotted names (`content.address`) down to
MAX_DEPTH parts; lists, empty objects and deeper objects stay one column holding JSON text.
Columns keep the records' first-seen key order, each object's keys right after it. A documented
timestamp (a contract field of type timestamp, or the view's main time) held as an epoch number
gets a readable column beside it, `<name>_iso`, in ISO 8601 UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from viewer.timeparse import ms_to_datetime, to_epoch_ms

if TYPE_CHECKING:
    from verify.contract import Service
    from viewer.store import Store

MAX_DEPTH = 3
ISO_SUFFIX = "_iso"
EPOCH_FORMATS = frozenset({"epoch-ms", "epoch-s"})
# Frictionless field types; SQLite column types follow from them.
SQL_TYPES = {"integer": "INTEGER", "number": "REAL", "boolean": "INTEGER", "string": "TEXT",
             "object": "TEXT", "array": "TEXT", "any": "TEXT", "datetime": "TEXT"}  # fmt: skip


@dataclass(frozen=True)
class Column:
    """One column: its unique name, the record path it reads and its Frictionless type.

    A readable-time column has `time_of` set: it shows the epoch value at `path` as ISO 8601.
    """

    name: str
    path: tuple[str, ...]
    type: str
    time_of: str | None = None  # the name of the epoch column it renders
    time_format: str | None = None
    title: str | None = None

    def value(self, data: Mapping[str, Any]) -> Any:
        """Return this column's value in a record (None when the record has none)."""
        value = leaf_at(data, self.path)
        if self.time_of is None:
            return value
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        ms = to_epoch_ms(value, self.time_format)
        return iso_utc(ms) if ms is not None else None


@dataclass(frozen=True)
class TableSchema:
    """The columns of one table, in order."""

    columns: tuple[Column, ...]

    @property
    def names(self) -> list[str]:
        return [column.name for column in self.columns]

    def row(self, data: Mapping[str, Any]) -> list[Any]:
        """Return a record's values, one per column."""
        return [column.value(data) for column in self.columns]


def iso_utc(ms: int) -> str | None:
    """Return epoch milliseconds as ISO 8601 UTC to the second ("2024-05-01T08:00:00Z")."""
    moment = ms_to_datetime(ms)
    if moment is None:
        return None
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def leaf_at(data: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    """Return the value a column at `path` holds: None where the record opens it into columns."""
    value: Any = data
    for part in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return None if _opens(value, len(path)) else value


def _opens(value: Any, depth: int) -> bool:
    """Whether a value at this depth becomes columns of its own (a non-empty, shallow object)."""
    return isinstance(value, Mapping) and bool(value) and depth < MAX_DEPTH


def kind_of(value: Any) -> str | None:
    """Return the Frictionless type of one JSON value (None for null)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        # Beyond 64 bits SQLite would round it to a float: such a column is text, digits exact.
        return "integer" if -(2**63) <= value < 2**63 else "string"
    if isinstance(value, float):
        return "number"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return "string"


def merge(old: str | None, new: str | None) -> str | None:
    """Return the type that holds values of both types."""
    if old is None or old == new:
        return new if old is None else old
    if new is None:
        return old
    if {old, new} == {"integer", "number"}:
        return "number"
    return "string"  # mixed kinds: the CSV text is still exact, the type is only text


@dataclass
class _Node:
    """A path seen in the records: the type of its plain values, and the keys it opened into."""

    type: str | None = None
    leaf: bool = False  # held a value that is not opened (null included)
    children: dict[str, _Node] = field(default_factory=dict)

    def add(self, value: Any, depth: int) -> None:
        if isinstance(value, Mapping) and _opens(value, depth):
            for key, item in value.items():
                self.children.setdefault(str(key), _Node()).add(item, depth + 1)
        else:
            self.leaf = True
            self.type = merge(self.type, kind_of(value))

    def paths(self, prefix: tuple[str, ...]) -> Iterable[tuple[tuple[str, ...], str]]:
        # A path only ever null where it is also an object elsewhere adds nothing: no column.
        if prefix and self.leaf and (self.type is not None or not self.children):
            yield prefix, self.type or "any"
        for key, child in self.children.items():
            yield from child.paths((*prefix, key))


def scan_table(store: Store, table: str, service: Service | None = None) -> TableSchema:
    """Return a table's schema from one streamed pass over its records."""
    root = _Node()
    for record in store.records(table):
        for key, value in record.data.items():
            root.children.setdefault(str(key), _Node()).add(value, 1)
    times = _time_paths(service)
    titles: dict[tuple[str, ...], str] = (
        {(key,): f.name.en for f in service.fields for key in f.keys} if service else {}
    )
    taken: set[str] = set()
    columns: list[Column] = []
    for path, kind in root.paths(()):
        name = unique_name(".".join(path), taken)
        columns.append(Column(name, path, kind, title=titles.get(path)))
        fmt = times.get(path, "")
        if path in times and (fmt in EPOCH_FORMATS or kind in ("integer", "number")):
            iso = unique_name(name + ISO_SUFFIX, taken)
            columns.append(Column(iso, path, "datetime", time_of=name, time_format=fmt or None))
    return TableSchema(tuple(columns))


def _time_paths(service: Service | None) -> dict[tuple[str, ...], str]:
    """Return the documented time paths of a service with their format ("" when not given)."""
    if service is None:
        return {}
    found: dict[tuple[str, ...], str] = {}
    for documented in service.fields:
        if documented.type == "timestamp":
            found.update(
                dict.fromkeys(((key,) for key in documented.keys), documented.format or "")
            )
    main = service.view.get("time")
    if main:
        found.setdefault(tuple(main.split(".")), "")
    return found


def unique_name(name: str, taken: set[str]) -> str:
    """Return `name`, or `name_2`, `name_3`... unique case-insensitively (SQLite's rule)."""
    candidate, n = name or "_", 2
    while candidate.casefold() in taken:
        candidate = f"{name or '_'}_{n}"
        n += 1
    taken.add(candidate.casefold())
    return candidate
