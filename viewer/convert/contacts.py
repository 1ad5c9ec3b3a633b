"""Who a phone number belongs to, from the export's own contacts: names for SMS and calls."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from viewer.convert.context import get_path

if TYPE_CHECKING:
    from viewer.convert.context import Context

_NOT_DIGIT = re.compile(r"\D+")
# Numbers are compared by their last digits when not written alike (+46 70..., 070..., 0046 70...):
# enough to tell subscribers apart in a national plan, and only used when one contact matches.
TAIL = 9


def digits(number: str) -> str:
    """Return the digits of a phone number."""
    return _NOT_DIGIT.sub("", number)


class ContactNames:
    """Look up a contact's name by phone number: exact digits first, else a unique tail match."""

    def __init__(self) -> None:
        self._exact: dict[str, str | None] = {}
        self._tail: dict[str, str | None] = {}

    def add(self, number: str, name: str) -> None:
        """Remember a number's name; a number two contacts share matches neither."""
        key = digits(number)
        if not key or not name:
            return
        keys = [(self._exact, key)] + ([(self._tail, key[-TAIL:])] if len(key) >= TAIL else [])
        for table, k in keys:
            table[k] = name if table.get(k, name) == name else None

    def name(self, number: str) -> str | None:
        """Return the name of the contact with this number, or None when not exactly one."""
        key = digits(number)
        if not key:
            return None
        if key in self._exact:
            return self._exact[key]
        return self._tail.get(key[-TAIL:]) if len(key) >= TAIL else None

    @classmethod
    def from_context(cls, ctx: Context) -> ContactNames:
        """Read every contacts table of the conversion's Store."""
        names = cls()
        for info, service in ctx.tables("contacts"):
            assert service is not None
            view = service.view
            for record in ctx.store.records(info.name):
                name = _name(record.data, view)
                for number in _numbers(get_path(record.data, view.get("phones"))):
                    names.add(number, name)
        return names


def _name(data: Mapping[str, Any], view: Mapping[str, str]) -> str:
    name = get_path(data, view.get("name"))
    if isinstance(name, str) and name.strip():
        return name.strip()
    parent = view.get("name", "").rpartition(".")[0]
    holder = get_path(data, parent) if parent else data
    if not isinstance(holder, Mapping):
        return ""
    parts = [holder.get("givenName"), holder.get("familyName")]
    return " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())


def _numbers(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    found = []
    for item in items:
        number = item.get("value") or item.get("number") if isinstance(item, Mapping) else item
        if isinstance(number, str):
            found.append(number)
    return found
