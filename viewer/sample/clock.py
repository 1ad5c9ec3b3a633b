"""The sample's fixed calendar: three years of one life in Stockholm, as epoch milliseconds."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from functools import lru_cache
from zoneinfo import ZoneInfo

TZ_NAME = "Europe/Stockholm"
TZ = ZoneInfo(TZ_NAME)
FIRST_DAY = dt.date(2023, 1, 1)
LAST_DAY = dt.date(2025, 12, 31)
DAYS = (LAST_DAY - FIRST_DAY).days + 1
EXPORT_DATE = (2026, 1, 15, 12, 0, 0)
"""The day the export was made: ZIP entry dates, so that even the ZIP bytes are reproducible."""

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
# How busy a phone is at each local hour: little at night, peaks at lunch and in the evening.
HOUR_WEIGHTS = (
    1,
    0.5,
    0.3,
    0.2,
    0.2,
    0.5,
    2,
    5,
    7,
    7,
    7,
    8,
    10,
    8,
    7,
    7,
    8,
    10,
    12,
    13,
    12,
    10,
    6,
    3,
)
_HOURS = tuple(range(24))
_HOUR_CUM = tuple(itertools.accumulate(HOUR_WEIGHTS))


@lru_cache(maxsize=1)
def _day_starts() -> tuple[int, ...]:
    starts = []
    for n in range(DAYS):
        day = FIRST_DAY + dt.timedelta(days=n)
        local = dt.datetime(day.year, day.month, day.day, tzinfo=TZ)
        starts.append(int(local.timestamp()) * 1000)
    return tuple(starts)


def day_start(day: int) -> int:
    """Return local midnight of day number `day` (0 = the first day) in epoch ms."""
    return _day_starts()[day]


def date_of(day: int) -> dt.date:
    """Return the calendar date of day number `day`."""
    return FIRST_DAY + dt.timedelta(days=day)


def hour(rng: random.Random) -> int:
    """Pick a local hour following the day-and-night rhythm."""
    return rng.choices(_HOURS, cum_weights=_HOUR_CUM)[0]


def at(day: int, hour_of_day: int, rng: random.Random) -> int:
    """Return a moment within the given local hour of a day, in epoch ms."""
    return day_start(day) + hour_of_day * HOUR_MS + rng.randrange(HOUR_MS)


def moment(rng: random.Random, first: int = 0, last: int = DAYS - 1) -> int:
    """Return a random waking-hours-weighted moment between two day numbers, in epoch ms."""
    return at(rng.randint(first, last), hour(rng), rng)


def later(rng: random.Random, start: int, max_days: float) -> int:
    """Return a moment after `start`, at most `max_days` later and never after the period."""
    end = day_start(DAYS - 1) + DAY_MS - 1
    return min(end, start + rng.randrange(1, max(2, int(max_days * DAY_MS))))


def day_of(ms: int) -> int:
    """Return the day number of an epoch-ms moment (clamped to the period)."""
    starts = _day_starts()
    lo, hi = 0, DAYS - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= ms:
            lo = mid
        else:
            hi = mid - 1
    return lo


def local_iso(ms: int) -> str:
    """Return an epoch-ms moment as an ISO 8601 local time in Stockholm, without offset."""
    return dt.datetime.fromtimestamp(ms / 1000, TZ).replace(tzinfo=None).isoformat()


def spread(total: int, days: int, rng: random.Random) -> list[int]:
    """Split `total` over `days` with some days busier than others (weekends a little more)."""
    weights = [
        rng.uniform(0.3, 1.7) * (1.3 if date_of(d).weekday() >= 5 else 1.0) for d in range(days)
    ]
    scale = total / sum(weights)
    counts, carried, given = [], 0.0, 0
    for weight in weights:
        carried += weight * scale
        counts.append(round(carried) - given)
        given += counts[-1]
    return counts
