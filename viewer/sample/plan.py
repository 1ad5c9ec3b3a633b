"""How many records each table gets, for a named size or a total."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from viewer.errors import UsageError

# Records per service at the "typical" size (about 60k in all).
TYPICAL: Mapping[str, int] = {
    "recorder": 300,
    "contacts": 2000,
    "find_device": 40,
    "sms": 40_000,
    "call_log": 10_000,
    "notes": 600,
    "mi_card": 30,
    "browser": 2500,
    "cloud_card": 40,
    "app_backup": 450,
    "music": 1200,
    "calendar": 1200,
    "lending": 20,
    "app_search": 1200,
    "phrases": 60,
    "clipboard": 343,
    "user_quota": 3,
    "service_quota_usage": 12,
    "gift_membership": 2,
}
# At the heavy size, SMS and calls dominate (about 1M in all).
HEAVY: Mapping[str, int] = {
    **TYPICAL,
    "contacts": 5000,
    "sms": 700_000,
    "call_log": 220_000,
    "browser": 30_000,
    "music": 10_000,
    "calendar": 8000,
    "app_search": 10_000,
    "notes": 3000,
    "recorder": 2000,
    "app_backup": 2000,
    "clipboard": 3000,
}
# Tables that describe a life, not its activity: they do not grow with the total.
BOUNDED = frozenset(
    {
        "find_device",
        "mi_card",
        "cloud_card",
        "lending",
        "phrases",
        "user_quota",
        "service_quota_usage",
        "gift_membership",
    }
)
SIZES: Mapping[str, tuple[Mapping[str, int], int]] = {
    "small": (TYPICAL, 2000),
    "typical": (TYPICAL, 60_000),
    "heavy": (HEAVY, sum(HEAVY.values())),
}
DEFAULT_WEIGHT = 100  # for services of another contract that we have no figures for
MAX_RECORDS = 20_000_000


def plan(
    service_ids: Sequence[str], size: str = "small", records: int | None = None
) -> dict[str, int]:
    """Return the record count per service id: about `records` in all, or the size's total."""
    if size not in SIZES:
        raise UsageError(f"unknown size {size!r}: choose one of {', '.join(SIZES)}")
    weights, total = SIZES[size]
    if records is not None:
        if not 1 <= records <= MAX_RECORDS:
            raise UsageError(f"--records must be between 1 and {MAX_RECORDS}, not {records}")
        weights, total = TYPICAL, records
    known = {s: weights.get(s, DEFAULT_WEIGHT) for s in service_ids}
    factor = total / max(1, sum(known.values()))
    counts = {}
    for service_id, weight in known.items():
        count = max(1, round(weight * factor))
        if service_id in BOUNDED:  # shrink slower than the rest, so that small samples show them
            count = min(weight, max(3, round(weight * factor * 10)))
        counts[service_id] = count
    return counts
