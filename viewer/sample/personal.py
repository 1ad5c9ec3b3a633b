"""Notes with their history, the calendar (one-off, all-day and recurring events), recordings."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

from viewer.sample import clock, texts
from viewer.sample.context import GenContext
from viewer.sample.shape import Draft


def _history(rng: random.Random, title: str, body: str, created: int, updated: int) -> list[Any]:
    """Return earlier versions of a note, oldest first, each shorter than the next."""
    versions = []
    count = rng.choice((0, 0, 1, 2, 3))
    for n in range(count):
        moment = created + (updated - created) * (n + 1) // (count + 1)
        cut = max(1, len(body) * (n + 1) // (count + 1))
        versions.append({"updateTime": moment, "title": title, "body": body[:cut]})
    return versions


def notes(ctx: GenContext) -> Iterator[Draft]:
    """Yield notes in folders, some edited several times, a few deleted."""
    rng = ctx.rng
    for index in range(ctx.count):
        folder = rng.choice(texts.NOTE_FOLDERS)
        title, body = rng.choice(texts.NOTES[folder])
        if index >= len(texts.NOTE_FOLDERS) * 2:
            body = f"{body}\n\n{texts.message(rng, rng.choice(('sv', 'sv', 'en', 'zh')))}"
        created = clock.moment(rng)
        updated = clock.later(rng, created, 200)
        values = {
            "history": _history(rng, title, body, created, updated),
            "folder_name": folder,
            "status": "deleted" if rng.random() < 0.05 else "normal",
            "type": rng.choice(("note", "note", "note", "checklist")),
            "create_time": created,
            "update_time": updated,
            "order": index,
            "content": {"snippet": body[:40]},
        }
        yield values, {"title": title, "body": body, "folder": folder}


def _event_roles(title: str, start: dt.datetime, minutes: int, all_day: bool) -> dict[str, Any]:
    if all_day:
        return {
            "title": title,
            "start": start.date().isoformat(),
            "all_day": True,
            "end": (start.date() + dt.timedelta(days=1)).isoformat(),
        }
    end = start + dt.timedelta(minutes=minutes)
    return {"title": title, "start": start.isoformat(), "end": end.isoformat(), "all_day": False}


def _local(rng: random.Random, day: int, hour: int) -> dt.datetime:
    date = clock.date_of(day)
    return dt.datetime(date.year, date.month, date.day, hour, rng.choice((0, 15, 30, 45)))


_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _first_day(rrule: str) -> int:
    """Return the first day of the period on which a simple weekly or monthly rule falls."""
    parts = dict(part.split("=") for part in rrule.split(";"))
    for day in range(62):
        date = clock.date_of(day)
        if "BYDAY" in parts and _WEEKDAYS[date.weekday()] == parts["BYDAY"]:
            return day
        if "BYMONTHDAY" in parts and date.day == int(parts["BYMONTHDAY"]):
            return day
    return 0


def calendar(ctx: GenContext) -> Iterator[Draft]:
    """Yield events: recurring ones first, then birthdays and one-off appointments."""
    rng, people = ctx.rng, ctx.people()
    celebrating = [p for p in people if p.birthday]
    for index in range(ctx.count):
        roles: dict[str, Any]
        if index < len(texts.RECURRING):
            title, rrule, location, all_day = texts.RECURRING[index]
            start = _local(rng, _first_day(rrule), rng.choice((8, 9, 18)))
            roles = {**_event_roles(title, start, 60, all_day), "rrule": rrule}
            kind = "event"
        elif rng.random() < 0.15 and celebrating:
            person = rng.choice(celebrating)
            born = dt.date.fromisoformat(person.birthday or "1990-01-01")
            start = dt.datetime(2023, born.month, born.day)
            roles = {
                **_event_roles(f"{person.display_name} fyller år 🎂", start, 0, True),
                "rrule": "FREQ=YEARLY",
            }
            location, kind = "", "birthday"
        else:
            name = rng.choice(people).display_name
            title, place = rng.choice(texts.EVENTS)
            start = _local(rng, rng.randrange(clock.DAYS), rng.randint(8, 20))
            roles = {
                **_event_roles(
                    title.format(name=name), start, rng.choice((30, 60, 90, 120)), False
                ),
                "rrule": None,
            }
            location, kind = place.format(name=name), "event"
        roles.update(
            timezone=clock.TZ_NAME,
            location=location,
            description=rng.choice(("", "Ta med ID-handling", "Boka om vid behov")),
        )
        values = {
            "status": "deleted" if rng.random() < 0.03 else "normal",
            "type": kind,
            "content": {"reminderMinutes": rng.choice((0, 10, 30, 1440)), "calendar": "Privat"},
        }
        yield values, roles


_AUDIO = (
    ("audio/mp4", "m4a", 16_000),
    ("audio/mpeg", "mp3", 16_000),
    ("audio/amr", "amr", 1_600),
    ("audio/ogg", "ogg", 12_000),
)


def _purge(delete_time: int | None) -> int | None:
    """Return when a deleted file is purged: 30 days later, if that is within the period."""
    if delete_time is None or delete_time + 30 * clock.DAY_MS > clock.day_start(clock.DAYS - 1):
        return None
    return delete_time + 30 * clock.DAY_MS


def recordings(ctx: GenContext) -> Iterator[Draft]:
    """Yield recordings with types, sizes from their length, and cloud URLs; a few deleted."""
    rng = ctx.rng
    for index in range(ctx.count):
        mime, suffix, bytes_per_second = rng.choice(_AUDIO)
        created = clock.moment(rng)
        local = clock.local_iso(created)[:19].replace("T", " ").replace(":", ".")
        seconds = int(rng.lognormvariate(4.5, 1.0)) + 2
        deleted = rng.random() < 0.08
        delete_time = clock.later(rng, created, 120) if deleted else None
        restored = deleted and rng.random() < 0.3
        values = {
            "doc_type": mime,
            "size": seconds * bytes_per_second + rng.randrange(4096),
            "name": f"Inspelning {local}.{suffix}",
            "url": f"https://recorder.files.example.com/eu/{ctx.seed}/{index:06d}.{suffix}",
            "create_time": created,
            "upload_time": created + rng.randrange(5_000, 600_000),
            "delete_time": delete_time,
            "purge_time": _purge(delete_time) if not restored else None,
            "restore_time": clock.later(rng, delete_time, 20) if delete_time and restored else None,
        }
        yield values, {}
