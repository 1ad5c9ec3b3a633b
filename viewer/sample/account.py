"""The account's metadata: storage quota, usage per service, gift memberships."""

from __future__ import annotations

from collections.abc import Iterator

from viewer.sample import clock
from viewer.sample.context import GenContext
from viewer.sample.shape import Draft

GIB = 1024**3
_USAGE = (
    "gallery",
    "contacts",
    "sms",
    "notes",
    "recorder",
    "app_backup",
    "calendar",
    "music",
    "browser",
    "call_log",
    "find_device",
    "clipboard",
)


def user_quota(ctx: GenContext) -> Iterator[Draft]:
    """Yield the free quota and the yearly paid plans, the last one still active."""
    rng = ctx.rng
    for index in range(ctx.count):
        start = clock.day_start(min(clock.DAYS - 1, index * 365)) + rng.randrange(clock.DAY_MS)
        last = index == ctx.count - 1
        values = {
            "create_time": start,
            "expire_time": start + 365 * clock.DAY_MS,
            "size": 5 * GIB if index == 0 else 50 * GIB,
            "status": "active" if last or index == 0 else "expired",
            "type": "free" if index == 0 else "paid",
        }
        yield values, {}


def service_quota_usage(ctx: GenContext) -> Iterator[Draft]:
    """Yield the used volume per service."""
    rng = ctx.rng
    for index in range(ctx.count):
        used = int(rng.lognormvariate(18, 2))
        yield (
            {"type": _USAGE[index % len(_USAGE)], "used_status": "normal", "used_volume": used},
            {},
        )


def gift_membership(ctx: GenContext) -> Iterator[Draft]:
    """Yield gift memberships received with a new phone."""
    rng = ctx.rng
    for _ in range(ctx.count):
        yield (
            {
                "amount": rng.choice((1, 3, 6)),
                "channel": rng.choice(("new_device", "promotion")),
                "create_time": clock.moment(rng),
                "level": rng.choice(("silver", "gold")),
                "type": "months",
            },
            {},
        )
