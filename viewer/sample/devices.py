"""The owner's devices (well-formed IMEIs), their app backups and Find Device records."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from viewer.sample import clock
from viewer.sample.context import DEVICES, GenContext
from viewer.sample.shape import Draft

# (label, package, major version, typical APK size in MB)
APPS = (
    ("WhatsApp", "com.whatsapp", 2, 60),
    ("BankID", "com.bankid.bus", 8, 25),
    ("Swish", "se.bankgirot.swish", 3, 30),
    ("Spotify", "com.spotify.music", 8, 90),
    ("SL-appen", "se.sl.android", 4, 40),
    ("Kivra", "com.kivra.Kivra", 6, 35),
    ("1177", "se.inera.vardguiden", 5, 28),
    ("SVT Play", "se.svt.svti.android.svtplayer", 5, 32),
    ("Google Maps", "com.google.android.apps.maps", 11, 120),
    ("Signal", "org.thoughtcrime.securesms", 7, 70),
    ("Mi Fitness", "com.xiaomi.wearable", 3, 110),
    ("Duolingo", "com.duolingo", 5, 85),
)
# Where each device was in use, as fractions of the period (the first phone was replaced).
_IN_USE = ((0.0, 0.55), (0.5, 1.0), (0.3, 1.0))
_TACS = ("86446506", "86777205", "86011405")


def luhn_check_digit(digits: str) -> int:
    """Return the Luhn check digit for a string of digits."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return (10 - total % 10) % 10


def luhn_valid(number: str) -> bool:
    """Tell whether a string of digits ends in its correct Luhn check digit."""
    return number.isdigit() and luhn_check_digit(number[:-1]) == int(number[-1])


@dataclass(frozen=True)
class Device:
    """One of the owner's devices."""

    model: str
    device_id: str
    imei: str
    android: str
    first_day: int
    last_day: int


@lru_cache(maxsize=8)
def devices(seed: int) -> tuple[Device, ...]:
    """Return the owner's devices, the same for the same seed."""
    rng = random.Random(f"{seed}:devices")
    result = []
    for model, tac, (start, end) in zip(DEVICES, _TACS, _IN_USE, strict=True):
        body = f"{tac}{rng.randrange(10**6):06d}"
        result.append(
            Device(
                model=model,
                device_id=f"{rng.getrandbits(64):016x}",
                imei=f"{body}{luhn_check_digit(body)}",
                android=rng.choice(("13", "14", "15")),
                first_day=int(start * (clock.DAYS - 1)),
                last_day=int(end * (clock.DAYS - 1)),
            )
        )
    return tuple(result)


def app_backups(ctx: GenContext) -> Iterator[Draft]:
    """Yield app backups across the devices, newest versions later in the period."""
    rng, owned = ctx.rng, devices(ctx.seed)
    for index in range(ctx.count):
        device = rng.choices(owned, (5, 5, 2))[0]
        label, package, major, apk_mb = rng.choice(APPS)
        when = clock.moment(rng, device.first_day, device.last_day)
        minor = 1 + 40 * clock.day_of(when) // clock.DAYS
        retired = device.last_day < clock.DAYS - 1
        deleted = clock.later(rng, when, 60) if retired and rng.random() < 0.5 else None
        purge = deleted + 30 * clock.DAY_MS if deleted else None
        values = {
            "device_id": device.device_id,
            "product": device.model,
            "imei": device.imei,
            "backup_time": when,
            "backup_size": rng.randint(200_000, 900_000_000),
            "purge_time": purge,
            "package_name": package,
            "label": label,
            "version_name": f"{major}.{minor}.{rng.randrange(10)}",
            "version_code": major * 1_000_000 + minor * 1000 + rng.randrange(1000),
            "icon_active": rng.random() < 0.9,
            "apk_size": apk_mb * 1_000_000 + rng.randrange(1_000_000),
            "delete_time": deleted,
            "oldest_backup_time": clock.moment(rng, device.first_day, clock.day_of(when)),
            "url": f"https://backup.files.example.com/eu/{device.device_id}/{index:06d}.bak",
        }
        yield values, {}


def find_device(ctx: GenContext) -> Iterator[Draft]:
    """Yield Find Device records: each device seen over time, once lost and locked."""
    rng, owned = ctx.rng, devices(ctx.seed)
    for index in range(ctx.count):
        device = owned[index % len(owned)]
        status = rng.choices(("normal", "lost", "locked"), (90, 5, 5))[0]
        values = {
            "lock_content": {
                "message": "Hittad? Ring ägaren, tack! 🙏" if status != "normal" else "",
                "locked": status == "locked",
            },
            "phone_info": {
                "model": device.model,
                "imei": device.imei,
                "androidVersion": device.android,
            },
            "status": status,
            "content": {
                "latitude": round(59.3 + rng.random() * 0.1, 5),
                "longitude": round(18.0 + rng.random() * 0.15, 5),
                "accuracyMeters": rng.randint(5, 80),
                "battery": rng.randint(5, 100),
            },
            "update_time": clock.moment(rng, device.first_day, device.last_day),
        }
        yield values, {}
