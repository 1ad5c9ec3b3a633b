"""Contacts, SMS and calls: the same cast, talked to in a day-and-night rhythm."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from typing import Any

from viewer.sample import clock, texts
from viewer.sample.context import DEVICES, GenContext
from viewer.sample.people import Person
from viewer.sample.shape import Draft

MINUTE_MS = 60_000


def contacts(ctx: GenContext) -> Iterator[Draft]:
    """Yield one contact per person of the cast, most of them added early."""
    rng = ctx.rng
    for person in ctx.people()[: ctx.count]:
        created = clock.moment(rng, 0, int(clock.DAYS * rng.choice((0.05, 0.3, 0.9))))
        phones = [{"type": "mobile", "value": person.phone}]
        if person.organization and rng.random() < 0.3:
            phones.append({"type": "work", "value": f"+468{rng.randrange(10**7):07d}"})
        values: dict[str, Any] = {
            "content": {
                "givenName": person.given,
                "familyName": person.family,
                "starred": person.closeness > 4,
            },
            "create_time": created,
            "update_time": clock.later(rng, created, 400),
            "status": "deleted" if rng.random() < 0.03 else "normal",
            "type": rng.choice(("local", "local", "local", "sim", "google")),
        }
        roles = {
            "name": person.display_name,
            "phones": phones,
            "emails": [{"type": rng.choice(("home", "work")), "value": person.email}],
            "organization": person.organization or None,
            "birthday": person.birthday,
            "note": rng.choice(("", "", "", "Träffades på KTH", "Granne, nr 12", "Kollega")),
        }
        yield values, roles


def _weights(people: tuple[Person, ...]) -> list[float]:
    return list(itertools.accumulate(p.closeness for p in people))


def _sms_burst(rng: random.Random, start: int, length: int) -> Iterator[tuple[int, str]]:
    """Yield (time, direction) of a short back-and-forth exchange."""
    direction = rng.choice(("inbox", "sent"))
    moment = start
    for _ in range(length):
        yield moment, direction
        moment += rng.randrange(MINUTE_MS // 3, 15 * MINUTE_MS)
        if rng.random() < 0.7:
            direction = "sent" if direction == "inbox" else "inbox"


def _sms_day(ctx: GenContext, day: int, count: int, cum: list[float]) -> list[dict[str, Any]]:
    rng, people = ctx.rng, ctx.people()
    messages: list[dict[str, Any]] = []
    while len(messages) < count:
        start = clock.at(day, clock.hour(rng), rng)
        if rng.random() < 0.06:  # a code, a parcel, a reminder: one message from a service
            sender, body = texts.service_message(rng)
            messages.append(
                {
                    "address": texts.SERVICE_SENDERS[sender],
                    "body": body,
                    "date": start,
                    "type": "inbox",
                    "threadId": len(people) + 1 + sender,
                }
            )
            continue
        person = rng.choices(people, cum_weights=cum)[0]
        length = min(count - len(messages), 1 + int(rng.expovariate(0.6)))
        for moment, direction in _sms_burst(rng, start, length):
            messages.append(
                {
                    "address": person.phone,
                    "body": texts.message(rng, person.language),
                    "date": moment,
                    "type": direction,
                    "threadId": person.index + 1,
                }
            )
    messages.sort(key=lambda m: m["date"])
    return messages


def sms(ctx: GenContext) -> Iterator[Draft]:
    """Yield SMS in threads with the cast (and a few services), oldest first."""
    rng, cum = ctx.rng, _weights(ctx.people())
    for day, count in enumerate(clock.spread(ctx.count, clock.DAYS, rng)):
        for message in _sms_day(ctx, day, count, cum):
            device = DEVICES[0] if day < clock.DAYS * 0.55 else DEVICES[1]
            deleted = rng.random() < 0.02
            values = {
                "content": {"read": True, "seen": True, "simSlot": 1},
                "creator": device,
                "deleter": rng.choice((device, "i.mi.com")) if deleted else "",
                "update_time": message["date"] + rng.randrange(1000, 90_000),
            }
            roles = {
                "counterpart": message["address"],
                "body": message["body"],
                "time": message["date"],
                "direction": message["type"],
                "thread": message["threadId"],
            }
            yield values, roles


def _duration(rng: random.Random, direction: str) -> int:
    return 0 if direction == "missed" else max(3, int(rng.lognormvariate(4.3, 1.1)))


def calls(ctx: GenContext) -> Iterator[Draft]:
    """Yield calls with the cast, oldest first: incoming, outgoing and missed, in seconds."""
    rng, people = ctx.rng, ctx.people()
    cum = _weights(people)
    for day, count in enumerate(clock.spread(ctx.count, clock.DAYS, rng)):
        moments = sorted(clock.at(day, clock.hour(rng), rng) for _ in range(count))
        device = DEVICES[0] if day < clock.DAYS * 0.55 else DEVICES[1]
        for moment in moments:
            person = rng.choices(people, cum_weights=cum)[0]
            direction = rng.choices(("incoming", "outgoing", "missed"), (40, 45, 15))[0]
            values = {
                "creator": device,
                "modifier": device,
                "content": {"simSlot": 1, "countryIso": "SE"},
                "status": "deleted" if rng.random() < 0.02 else "normal",
            }
            roles = {
                "counterpart": person.phone,
                "name": person.display_name,
                "time": moment,
                "duration": _duration(rng, direction),
                "direction": direction,
            }
            yield values, roles
