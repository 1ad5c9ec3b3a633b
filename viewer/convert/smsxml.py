"""SMS and call log -> the XML of "SMS Backup & Restore" (restorable on Android), plus CSV.

Attributes follow the app's published field list: for <sms> protocol, address, date (epoch ms),
type (1 received, 2 sent, 3 draft, 4 outbox, 5 failed, 6 queued), subject, body, toa, sc_toa,
service_center, read, status (-1 none), locked, date_sent, readable_date, contact_name; for <call>
number, duration (s), date, type (1 incoming, 2 outgoing, 3 missed, 4 voicemail, 5 rejected,
6 blocked), presentation (1 allowed), readable_date, contact_name.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import XMLGenerator, quoteattr

from verify.contract import Service
from viewer.convert.context import Context, get_path
from viewer.convert.files import assemble, open_text, private_dir, xml_clean
from viewer.convert.tabular import excel_safe
from viewer.timeparse import to_epoch_ms

if TYPE_CHECKING:
    from viewer.convert.manifest import Tally
    from viewer.store import Record, TableInfo

FORMAT = "sms-xml"
SMS_TYPES = {"inbox": 1, "received": 1, "incoming": 1, "sent": 2, "outgoing": 2, "draft": 3,
             "outbox": 4, "failed": 5, "queued": 6}  # fmt: skip
CALL_TYPES = {"incoming": 1, "outgoing": 2, "missed": 3, "voicemail": 4, "rejected": 5,
              "blocked": 6, "refused": 6}  # fmt: skip
SMS_COLUMNS = ("date", "date_ms", "type", "address", "body", "thread")
CALL_COLUMNS = ("date", "date_ms", "type", "number", "name", "duration")

Element = tuple[dict[str, str], list[str]]  # (XML attributes, CSV row)
Builder = Callable[[Service, Mapping[str, Any], list[str]], Element | None]


def convert_sms_xml(ctx: Context) -> None:
    """Write every SMS and call-log table as SMS Backup & Restore XML and as CSV."""
    for info, service in ctx.tables("conversations"):
        assert service is not None
        _write(ctx, info, service, ("smses", "sms", SMS_COLUMNS, sms_element))
    for info, service in ctx.tables("calls"):
        assert service is not None
        _write(ctx, info, service, ("calls", "call", CALL_COLUMNS, call_element))


def _write(
    ctx: Context, info: TableInfo, service: Service, kind: tuple[str, str, tuple[str, ...], Any]
) -> None:
    root, element, columns, build = kind
    folder = private_dir(ctx.out / FORMAT)
    xml_path = ctx.file_name(folder, info.name, ".xml")
    csv_path = xml_path.with_suffix(".csv")
    count = 0
    with (
        tempfile.NamedTemporaryFile(dir=folder, suffix=".part", delete=False) as body,
        open_text(csv_path, bom=ctx.options.excel, newline="") as csv_handle,
    ):
        xml = XMLGenerator(body, encoding="utf-8", short_empty_elements=True)
        rows = csv.writer(csv_handle)
        rows.writerow(columns)
        for record, tally in ctx.records(info, FORMAT):
            built = _one(build, service, record, tally)
            if built is None:
                continue
            attrs, row = built
            xml.ignorableWhitespace("  ")
            xml.startElement(element, attrs)  # type: ignore[arg-type]
            xml.endElement(element)
            xml.ignorableWhitespace("\n")
            rows.writerow([excel_safe(v) for v in row] if ctx.options.excel else row)
            count += 1
    head = (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n"
        f'<{root} count={quoteattr(str(count))} backup_set="export-viewer">\n'
    )
    assemble(xml_path, head.encode(), Path(body.name), f"</{root}>\n".encode())
    ctx.done(xml_path, FORMAT)
    ctx.done(csv_path, FORMAT)


def _one(build: Builder, service: Service, record: Record, tally: Tally) -> Element | None:
    notes: list[str] = []
    built = build(service, record.data, notes)
    if built is None:
        tally.skip(record.seq, record.file, record.index, "; ".join(notes))
        return None
    if notes:
        tally.change(record.seq, record.file, record.index, "; ".join(notes))
    tally.wrote()
    return built


def _text(value: Any, what: str, notes: list[str]) -> str:
    if value is None:
        return ""
    text, changed = xml_clean(value if isinstance(value, str) else str(value))
    if changed:
        notes.append(f"characters not allowed in XML replaced in {what}")
    return text


def _readable(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).strftime("%d %b %Y %H:%M:%S UTC")


def _iso(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).isoformat(timespec="seconds")


def _kind(value: Any, table: Mapping[str, int], default: int, notes: list[str]) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value in table.values():
        return value
    found = table.get(str(value).strip().lower()) if value is not None else None
    if found is None:
        notes.append(f"unknown type {str(value)[:20]!r} written as {default}")
        return default
    return found


def sms_element(service: Service, data: Mapping[str, Any], notes: list[str]) -> Element | None:
    """Return the <sms> attributes and CSV row of a message, or None (reason in notes)."""
    view = service.view
    ms = to_epoch_ms(get_path(data, view.get("time")))
    address = _text(get_path(data, view.get("counterpart")), "address", notes)
    if ms is None or not address:
        notes.append("no " + ("date" if ms is None else "address"))
        return None
    body = _text(get_path(data, view.get("body")), "body", notes)
    kind = _kind(get_path(data, view.get("direction")), SMS_TYPES, 1, notes)
    attrs = {
        "protocol": "0", "address": address, "date": str(ms), "type": str(kind),
        "subject": "null", "body": body, "toa": "null", "sc_toa": "null",
        "service_center": "null", "read": "1", "status": "-1", "locked": "0", "date_sent": "0",
        "readable_date": _readable(ms), "contact_name": "(Unknown)",
    }  # fmt: skip
    thread = _text(get_path(data, view.get("thread")), "thread", notes)
    return attrs, [_iso(ms), str(ms), str(kind), address, body, thread]


def call_element(service: Service, data: Mapping[str, Any], notes: list[str]) -> Element | None:
    """Return the <call> attributes and CSV row of a call, or None (reason in notes)."""
    view = service.view
    ms = to_epoch_ms(get_path(data, view.get("time")))
    number = _text(get_path(data, view.get("counterpart")), "number", notes)
    if ms is None:
        notes.append("no date")
        return None
    duration = get_path(data, view.get("duration"))
    seconds = int(duration) if isinstance(duration, int | float) and duration >= 0 else 0
    kind = _kind(get_path(data, view.get("direction")), CALL_TYPES, 1, notes)
    name = _text(get_path(data, view.get("name")), "name", notes)
    attrs = {
        "number": number, "duration": str(seconds), "date": str(ms), "type": str(kind),
        "presentation": "1" if number else "2", "readable_date": _readable(ms),
        "contact_name": name or "(Unknown)",
    }  # fmt: skip
    return attrs, [_iso(ms), str(ms), str(kind), number, name, str(seconds)]
