"""The columns of a table: the union of its records' top-level keys, in first-seen order, typed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from viewer.store import Store

# Frictionless field types; SQLite column types follow from them.
SQL_TYPES = {"integer": "INTEGER", "number": "REAL", "boolean": "INTEGER", "string": "TEXT",
             "object": "TEXT", "array": "TEXT", "any": "TEXT"}  # fmt: skip


@dataclass(frozen=True)
class TableSchema:
    """Column names in first-seen order, and a Frictionless type per column."""

    columns: tuple[str, ...]
    types: dict[str, str]


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


def scan_table(store: Store, table: str) -> TableSchema:
    """Return a table's schema from one streamed pass over its records."""
    types: dict[str, str | None] = {}
    for record in store.records(table):
        for key, value in record.data.items():
            types[key] = merge(types.get(key), kind_of(value))
    return TableSchema(tuple(types), {key: kind or "any" for key, kind in types.items()})
