"""Which generator makes each service's records (services we do not know get typed defaults)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from viewer.sample import account, apps, comms, devices, personal, wallet
from viewer.sample.context import GenContext, Generator
from viewer.sample.shape import Draft


def generic(ctx: GenContext) -> Iterator[Draft]:
    """Yield empty drafts: every field then gets a plausible value of its documented type."""
    for _ in range(ctx.count):
        yield {}, {}


GENERATORS: Mapping[str, Generator] = {
    "recorder": personal.recordings,
    "contacts": comms.contacts,
    "find_device": devices.find_device,
    "sms": comms.sms,
    "call_log": comms.calls,
    "notes": personal.notes,
    "mi_card": wallet.mi_card,
    "browser": apps.browser,
    "cloud_card": wallet.cloud_card,
    "app_backup": devices.app_backups,
    "music": apps.music,
    "calendar": personal.calendar,
    "lending": wallet.lending,
    "app_search": apps.app_search,
    "phrases": apps.phrases,
    "clipboard": apps.clipboard,
    "user_quota": account.user_quota,
    "service_quota_usage": account.service_quota_usage,
    "gift_membership": account.gift_membership,
}


def generator_for(service_id: str) -> Generator:
    """Return the generator of a service (the generic one for services we do not know)."""
    return GENERATORS.get(service_id, generic)
