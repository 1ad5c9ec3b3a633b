"""Turn a generator's values into a record shaped exactly as the contract documents it."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping
from typing import Any

from verify.contract import Field, Service
from viewer.sample import clock

Record = dict[str, Any]
Draft = tuple[dict[str, Any], dict[str, Any]]
"""What a generator yields: values by field id, and values by view role (placed at view paths)."""

_YEAR_MS = 365 * clock.DAY_MS


def _format_time(field: Field, ms: int | None) -> Any:
    if ms is None or not isinstance(ms, int):
        return ms
    if field.format == "epoch-s":
        return ms // 1000
    if field.format == "iso":
        return dt.datetime.fromtimestamp(ms / 1000, clock.TZ).isoformat(timespec="seconds")
    return ms


class RecordShape:
    """The record layout of one service: canonical keys in contract order, id key, view paths."""

    def __init__(self, service: Service, seed: int) -> None:
        self.service = service
        keys = service.key_index()
        first_id = service.id_keys[0] if service.id_keys else "id"
        self.id_field = keys[first_id].id if first_id in keys else None
        self.id_key = None if first_id in keys else first_id
        canonical = {f.keys[0]: f for f in service.fields}
        self.nested: list[tuple[str, list[str]]] = []
        self.top: dict[str, str] = {}  # role -> field id, for view paths that are a field's key
        for role, path in service.view.items():
            if role == "kind":
                continue
            if path in canonical:
                self.top[role] = canonical[path].id
            elif "." in path:
                self.nested.append((role, path.split(".")))
        base = random.Random(f"{seed}:{service.id}:ids").randrange(10**15, 8 * 10**15)
        self.id_base = base

    def record_id(self, index: int) -> str:
        """Return the id of the index-th record (unique within the table)."""
        return str(self.id_base + index * 7)

    def build(self, index: int, draft: Draft, rng: random.Random) -> Record:
        """Return the record for a draft: every documented field under its canonical key."""
        values, roles = draft
        record_id = self.record_id(index)
        record: Record = {} if self.id_key is None else {self.id_key: record_id}
        for role, field_id in self.top.items():
            if role in roles and field_id not in values:
                values[field_id] = roles[role]
        if self.id_field is not None:
            values[self.id_field] = record_id
        base: int | None = None
        for field in self.service.fields:
            if field.id in values:
                value = values[field.id]
            else:
                if base is None:
                    base = clock.moment(rng)
                value = _default(field, self.service.id, record_id, base, rng)
            record[field.keys[0]] = _conform(field, value)
        for role, path in self.nested:
            if role in roles:
                _place(record, path, roles[role])
        return record


def _conform(field: Field, value: Any) -> Any:
    if field.type == "timestamp":
        return _format_time(field, value)
    if field.type == "status" and field.values and value not in field.values:
        return field.values[0]
    return value


def _place(record: Record, path: list[str], value: Any) -> None:
    target: Any = record
    for key in path[:-1]:
        if key not in target:
            target[key] = {}
        target = target[key]
        if not isinstance(target, dict):
            return  # the path runs through a value that is not an object: nothing to place
    target[path[-1]] = value


def _default(field: Field, service_id: str, record_id: str, base: int, rng: random.Random) -> Any:
    """Return a plausible value of the field's type, for fields no generator fills."""
    if field.type == "timestamp":
        offsets = {"created": 0, "updated": clock.DAY_MS, "expires": _YEAR_MS}
        return None if field.role == "deleted" else base + offsets.get(field.role or "", 0)
    return _TYPE_DEFAULTS[field.type](field, service_id, record_id, rng)


_TYPE_DEFAULTS: Mapping[str, Any] = {
    "text": lambda f, s, i, rng: rng.choice(("standard", "personal", "default")),
    "id": lambda f, s, i, rng: f"{rng.getrandbits(48):012x}",
    "integer": lambda f, s, i, rng: rng.randint(0, 100),
    "size": lambda f, s, i, rng: rng.randint(1_000, 5_000_000),
    "url": lambda f, s, i, rng: f"https://files.example.com/{s}/{i}",
    "status": lambda f, s, i, rng: f.values[0] if f.values else "normal",
    "boolean": lambda f, s, i, rng: rng.random() < 0.5,
    "object": lambda f, s, i, rng: {},
    "list": lambda f, s, i, rng: [],
}
