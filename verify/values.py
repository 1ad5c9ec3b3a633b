"""Judge one value against its documented type: the per-value rules of the value checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from verify.contract import Field
from viewer.timeparse import SECONDS_BELOW, to_epoch_ms

TypeCheck = Callable[[Any], bool]

# Anything before this is not a plausible time for data kept in a cloud service.
EARLIEST_MS = int(dt.datetime(2000, 1, 1, tzinfo=dt.UTC).timestamp() * 1000)


def _is_int(value: Any) -> bool:
    kind = type(value)  # an int from JSON is exactly an int: checked first, on every record
    return kind is int or (kind is not bool and isinstance(value, int))


def _is_size(value: Any) -> bool:
    return _is_int(value) and value >= 0


def _is_id(value: Any) -> bool:
    return isinstance(value, str) or _is_int(value)


def _is_status(value: Any) -> bool:
    return isinstance(value, str) or _is_int(value) or isinstance(value, bool)


TYPE_CHECKS: dict[str, TypeCheck] = {
    "text": lambda v: isinstance(v, str),
    "id": _is_id,
    "integer": _is_int,
    "size": _is_size,
    "url": lambda v: isinstance(v, str),
    "status": _is_status,
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "list": lambda v: isinstance(v, list),
}


def _timestamp_shape(fmt: str | None) -> TypeCheck:
    if fmt == "iso":
        return lambda v: isinstance(v, str)
    return _is_int


def type_check(field: Field) -> TypeCheck:
    """Return the predicate a non-null value of `field` must satisfy."""
    if field.type == "timestamp":
        return _timestamp_shape(field.format)
    if field.type == "status" and field.values:
        return lambda v: isinstance(v, str)  # a documented vocabulary of words
    return TYPE_CHECKS[field.type]


def timestamp_problem(value: Any, fmt: str | None, latest_ms: int) -> str | None:
    """Return why a timestamp value is implausible (`unparseable`, `too-early`, `future`,
    `seconds-as-milliseconds`, `milliseconds-as-seconds`), or None when it is fine."""
    if type(value) is int and fmt in ("epoch-ms", "epoch-s"):
        # The case of nearly every record, answered at once: a plausible time in its unit
        # (milliseconds from 2000 on are never taken for seconds, nor seconds up to now for ms).
        plain = value if fmt == "epoch-ms" else value * 1000
        if EARLIEST_MS <= plain <= latest_ms:
            return None
    if fmt in ("epoch-ms", "epoch-s") and _is_int(value):
        looks_seconds = abs(value) < SECONDS_BELOW
        if fmt == "epoch-ms" and looks_seconds and value * 1000 >= EARLIEST_MS:
            return "seconds-as-milliseconds"
        if fmt == "epoch-s" and not looks_seconds:
            return "milliseconds-as-seconds"
    ms = to_epoch_ms(value, fmt)
    if ms is None:
        return "unparseable"
    if ms < EARLIEST_MS:
        return "too-early"
    if ms > latest_ms:
        return "future"
    return None
