"""Read the time values an export may hold: epoch milliseconds, epoch seconds or ISO 8601."""

from __future__ import annotations

import datetime as dt
from typing import Any

# Anything before this is not a plausible time for data in a cloud service.
EARLIEST_MS = int(dt.datetime(2000, 1, 1, tzinfo=dt.UTC).timestamp() * 1000)
# Epoch values below this are seconds, not milliseconds (it is 1973 in ms, 5138 in s).
SECONDS_CUTOFF = 100_000_000_000
SECONDS_BELOW = SECONDS_CUTOFF  # the name verify/values.py imports


def _iso_to_ms(value: str) -> int | None:
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        # Local times without zone are read as UTC: good enough for ordering and ranges.
        parsed = parsed.replace(tzinfo=dt.UTC)
    return int(parsed.timestamp() * 1000)


def to_epoch_ms(value: Any, fmt: str | None = None) -> int | None:
    """Return `value` as epoch milliseconds, or None when it is no time at all.

    `fmt` is the documented format (`epoch-ms`, `epoch-s`, `iso`); numbers are read by their size
    when the format is unknown, so that a mix-up of seconds and milliseconds still gives a time.
    """
    if type(value) is int:  # nearly every time of an export, so first (a bool is not this)
        if fmt == "epoch-s" or (fmt != "epoch-ms" and -SECONDS_CUTOFF < value < SECONDS_CUTOFF):
            return value * 1000
        return value
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        number = int(value)
        if fmt == "epoch-s" or (fmt != "epoch-ms" and abs(number) < SECONDS_CUTOFF):
            return number * 1000
        return number
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.lstrip("-").isdigit() and len(stripped) < 20:
            return to_epoch_ms(int(stripped), fmt)
        return _iso_to_ms(stripped)
    return None


def ms_to_datetime(ms: int) -> dt.datetime | None:
    """Return the UTC datetime for epoch milliseconds, or None when out of range."""
    try:
        return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None
