"""Calendar -> iCalendar (RFC 5545) with icalendar: VTIMEZONE for every zone used, RRULE kept,
a VALARM per reminder and the event's calendar as CATEGORIES."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar

from verify.contract import Service
from viewer import __version__
from viewer.convert.context import Context, beside, field_value, get_path
from viewer.convert.files import assemble, private_dir, xml_clean
from viewer.timeparse import to_epoch_ms

FORMAT = "ics"
PRODID = f"-//export-viewer//export-viewer {__version__}//EN"
_END = b"END:VCALENDAR\r\n"
# The contract's view has no role for these yet (`reminder`, `calendar`): until it does, they are
# looked for beside the event's title under these names.
_REMINDER_KEYS = ("reminderMinutes", "reminder", "alarmMinutes")
_CALENDAR_KEYS = ("calendar", "calendarName")
MAX_ALARMS = 10
MAX_REMINDER_MINUTES = 60 * 24 * 366


def convert_ics(ctx: Context) -> None:
    """Write every calendar table as one .ics file."""
    for info, service in ctx.tables("agenda"):
        assert service is not None
        folder = private_dir(ctx.out / FORMAT)
        path = ctx.file_name(folder, info.name, ".ics")
        zones: set[str] = set()
        stamp = dt.datetime.now(dt.UTC).replace(microsecond=0)
        # Events stream to a body file; the VTIMEZONEs they need go first, once all are known.
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".part", delete=False) as body:
            for record, tally in ctx.records(info, FORMAT):
                event, notes = build_event(service, record.data, stamp, _uid(record, info.name))
                if event is None:
                    tally.skip(record.seq, record.file, record.index, "; ".join(notes))
                    continue
                if notes:
                    tally.change(record.seq, record.file, record.index, "; ".join(notes))
                zones.update(_zones_of(event))
                body.write(event.to_ical())
                tally.wrote()
        head = calendar_head(info.name, zones)
        assemble(path, head[: -len(_END)], Path(body.name), _END)
        ctx.done(path, FORMAT)


def calendar_head(name: str, zones: set[str]) -> bytes:
    """Return an empty VCALENDAR (with its VTIMEZONEs) serialised, END line included."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for tzid in sorted(zones):
        cal.add_component(icalendar.Timezone.from_tzid(tzid))
    head: bytes = cal.to_ical()
    assert head.endswith(_END)
    return head


def _uid(record: Any, table: str) -> str:
    return f"{record.rid or record.seq}-{table}@export-viewer"


def _zones_of(event: icalendar.Event) -> set[str]:
    zones = set()
    for key in ("dtstart", "dtend"):
        value = event.get(key)
        tzid = value.params.get("TZID") if value is not None else None
        if tzid:
            zones.add(str(tzid))
    return zones


def _zone(name: Any) -> ZoneInfo | None:
    if not isinstance(name, str) or not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def parse_time(value: Any, zone: ZoneInfo | None, all_day: bool) -> dt.date | dt.datetime | None:
    """Return a date (all-day), an aware datetime, or a floating one (no known zone)."""
    if isinstance(value, str) and len(value) <= 64:
        text = value.strip().replace("Z", "+00:00")
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            return None
        if all_day:
            return moment.date()
        if moment.tzinfo is None and zone is not None:
            return moment.replace(tzinfo=zone)
        return moment
    ms = to_epoch_ms(value, "epoch-ms")
    if ms is None:
        return None
    moment = dt.datetime.fromtimestamp(ms / 1000, zone or dt.UTC)
    return moment.date() if all_day else moment


def build_event(
    service: Service, data: Mapping[str, Any], stamp: dt.datetime, uid: str
) -> tuple[icalendar.Event | None, list[str]]:
    """Return (VEVENT or None when the record has no usable start, notes on what changed)."""
    view, notes = service.view, []
    zone_name = get_path(data, view.get("timezone"))
    zone = _zone(zone_name)
    if zone_name and zone is None:
        notes.append(f"unknown time zone {str(zone_name)[:40]!r}: times kept as floating")
    all_day = get_path(data, view.get("all_day")) is True
    start = parse_time(get_path(data, view.get("start")), zone, all_day)
    if start is None:
        return None, ["no start time that can be read"]
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    end = parse_time(get_path(data, view.get("end")), zone, all_day)
    if end is not None and type(end) is type(start) and end >= start:
        event.add("dtend", end)
    _add_texts(event, service, data, notes)
    _add_rrule(event, get_path(data, view.get("rrule")), notes)
    _add_calendar(event, beside(data, view, "calendar", "title", _CALENDAR_KEYS), notes)
    _add_alarms(event, beside(data, view, "reminder", "title", _REMINDER_KEYS), notes)
    return event, notes


def _add_calendar(event: icalendar.Event, name: Any, notes: list[str]) -> None:
    if not isinstance(name, str) or not name.strip():
        return
    text, changed = xml_clean(name.strip())
    if changed:
        notes.append("control characters in categories replaced by U+FFFD")
    event.add("categories", [text])


def _add_alarms(event: icalendar.Event, reminder: Any, notes: list[str]) -> None:
    """Add a display alarm per reminder (minutes before the start); negative means none."""
    values = reminder if isinstance(reminder, list) else [] if reminder is None else [reminder]
    minutes = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    usable = [m for m in minutes if 0 <= m <= MAX_REMINDER_MINUTES]  # negative: no reminder
    if (
        len(minutes) != len(values)
        or max(minutes, default=0) > MAX_REMINDER_MINUTES
        or len(usable) > MAX_ALARMS
    ):
        event.add("x-export-reminder", xml_clean(str(reminder))[0][:200])
        notes.append("reminder not understood: kept as X-EXPORT-REMINDER")
    summary = str(event.get("summary", "")) or "Reminder"
    for before in usable[:MAX_ALARMS]:
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary)  # RFC 5545 requires one on a DISPLAY alarm
        alarm.add("trigger", -dt.timedelta(minutes=before))
        event.add_component(alarm)


def _add_texts(
    event: icalendar.Event, service: Service, data: Mapping[str, Any], notes: list[str]
) -> None:
    view = service.view
    status = field_value(service, data, "status")
    texts = {
        "summary": get_path(data, view.get("title")),
        "location": get_path(data, view.get("location")),
        "description": get_path(data, view.get("description")),
        "x-export-status": status,
    }
    for key, value in texts.items():
        if value is None or value == "":
            continue
        text, changed = xml_clean(str(value))
        if changed:
            notes.append(f"control characters in {key} replaced by U+FFFD")
        event.add(key, text)


def _add_rrule(event: icalendar.Event, rule: Any, notes: list[str]) -> None:
    if not isinstance(rule, str) or not rule.strip():
        return
    try:
        recur = icalendar.vRecur.from_ical(rule.strip().removeprefix("RRULE:"))
    except ValueError:
        recur = None
    if not recur or "FREQ" not in recur:
        # Keep the rule text rather than drop it; a calendar cannot act on it.
        event.add("x-export-rrule", xml_clean(rule)[0])
        notes.append("recurrence rule not understood: kept as X-EXPORT-RRULE")
        return
    event.add("rrule", recur)
