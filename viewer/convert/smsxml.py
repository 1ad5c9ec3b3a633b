"""SMS and call log -> the XML of "SMS Backup & Restore" (restorable on Android), plus CSV.

Written as the app writes its backups (synctech.com.au, "Fields in XML backup files"): files
`sms-<YYYYMMDDHHMMSS>.xml` and `calls-<...>.xml` named by the backup (here: export) time, a root
`<smses>`/`<calls>` with count, backup_set, backup_date (epoch ms) and type="full", and per message
<sms protocol address date type subject body toa sc_toa service_center read status locked
date_sent sub_id readable_date contact_name/>: type 1 received, 2 sent, 3 draft, 4 outbox,
5 failed, 6 queued; read 1/0; status -1 none. Per call <call number duration date type
presentation subscription_id post_dial_digits readable_date contact_name/>: duration in seconds,
type 1 incoming, 2 outgoing, 3 missed, 4 voicemail, 5 rejected, 6 blocked; presentation 1 allowed,
2 restricted. An optional attribute the export does not know (sub_id, subscription_id,
subscription_component_name) is left out rather than guessed. contact_name is the name the
export's contacts give the number, else the app's "(Unknown)".
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import XMLGenerator
from xml.sax.xmlreader import AttributesImpl

from verify.contract import Service
from viewer.convert.contacts import ContactNames
from viewer.convert.context import Context, beside, get_path
from viewer.convert.files import assemble, open_text, private_dir, xml_clean
from viewer.convert.tabular import excel_safe
from viewer.timeparse import to_epoch_ms

if TYPE_CHECKING:
    from viewer.convert.manifest import Tally
    from viewer.store import Record, TableInfo

FORMAT = "sms-xml"
UNKNOWN = "(Unknown)"
SMS_TYPES = {"inbox": 1, "received": 1, "incoming": 1, "sent": 2, "outgoing": 2, "draft": 3,
             "outbox": 4, "failed": 5, "queued": 6}  # fmt: skip
CALL_TYPES = {"incoming": 1, "outgoing": 2, "missed": 3, "voicemail": 4, "rejected": 5,
              "blocked": 6, "refused": 6}  # fmt: skip
# Values the contract's view has no role for yet, looked for beside the body / the number.
_READ_KEYS = ("read", "isRead")
_SENT_KEYS = ("dateSent", "date_sent", "sentDate")
_SIM_KEYS = ("subId", "sub_id", "subscriptionId", "simSlot")

Element = tuple[dict[str, str], list[str]]  # (XML attributes, CSV row)
Builder = Callable[[Service, Mapping[str, Any], ContactNames, list[str]], Element | None]


@dataclass(frozen=True)
class Kind:
    """One of the app's two backup kinds."""

    root: str
    element: str
    stem: str
    columns: tuple[str, ...]
    build: Builder


def convert_sms_xml(ctx: Context) -> None:
    """Write every SMS and call-log table as SMS Backup & Restore XML and as CSV."""
    tables = [*ctx.tables("conversations"), *ctx.tables("calls")]
    if not tables:
        return
    names = ContactNames.from_context(ctx)
    for info, service in tables:
        assert service is not None
        kind = SMS if service.view_kind == "conversations" else CALLS
        _write(ctx, info, service, kind, names)


def _write(
    ctx: Context, info: TableInfo, service: Service, kind: Kind, names: ContactNames
) -> None:
    folder = private_dir(ctx.out / FORMAT)
    made = ctx.export_date()
    xml_path = ctx.file_name(folder, f"{kind.stem}-{made:%Y%m%d%H%M%S}", ".xml")
    csv_path = ctx.file_name(folder, info.name, ".csv")
    count = 0
    with (
        tempfile.NamedTemporaryFile(dir=folder, suffix=".part", delete=False) as body,
        open_text(csv_path, bom=ctx.options.excel, newline="") as csv_handle,
    ):
        xml = XMLGenerator(body, encoding="utf-8", short_empty_elements=True)
        rows = csv.writer(csv_handle)
        rows.writerow(kind.columns)
        for record, tally in ctx.records(info, FORMAT):
            built = _one(kind.build, service, record, names, tally)
            if built is None:
                continue
            attrs, row = built
            xml.ignorableWhitespace("  ")
            xml.startElement(kind.element, AttributesImpl(attrs))
            xml.endElement(kind.element)
            xml.ignorableWhitespace("\n")
            rows.writerow([excel_safe(v) for v in row] if ctx.options.excel else row)
            count += 1
    head, tail = document_ends(kind.root, count, made)
    assemble(xml_path, head, Path(body.name), tail)
    ctx.done(xml_path, FORMAT)
    ctx.done(csv_path, FORMAT)


def document_ends(root: str, count: int, made: dt.datetime) -> tuple[bytes, bytes]:
    """Return the XML declaration with the root's start tag, and its end tag, as XMLGenerator
    writes them (the elements between are streamed to a file first, as the count comes last)."""
    attrs = {
        "count": str(count),
        "backup_set": str(uuid.uuid4()),  # the app names each backup run with a fresh UUID
        "backup_date": str(int(made.timestamp() * 1000)),
        "type": "full",
    }
    head, tail = io.BytesIO(), io.BytesIO()
    start = XMLGenerator(head, encoding="utf-8", short_empty_elements=True)
    start.startDocument()
    start.startElement(root, AttributesImpl(attrs))
    start.ignorableWhitespace("\n")  # closes the start tag
    XMLGenerator(tail, encoding="utf-8").endElement(root)
    return head.getvalue(), tail.getvalue() + b"\n"


def _one(
    build: Builder, service: Service, record: Record, names: ContactNames, tally: Tally
) -> Element | None:
    notes: list[str] = []
    built = build(service, record.data, names, notes)
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


def _flag(value: Any) -> str | None:
    """Return "1"/"0" for a true/false value (bool, 0/1, "true"...), None when unknown."""
    if isinstance(value, bool) or value in (0, 1):
        return "1" if value else "0"
    text = str(value).strip().lower() if isinstance(value, str) else ""
    return {"true": "1", "1": "1", "false": "0", "0": "0"}.get(text)


def _small_int(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool) and -1 <= value < 2**31:
        return str(value)
    return None


def sms_element(
    service: Service, data: Mapping[str, Any], names: ContactNames, notes: list[str]
) -> Element | None:
    """Return the <sms> attributes and CSV row of a message, or None (reason in notes)."""
    view = service.view
    ms = to_epoch_ms(get_path(data, view.get("time")))
    address = _text(get_path(data, view.get("counterpart")), "address", notes)
    if ms is None or not address:
        notes.append("no " + ("date" if ms is None else "address"))
        return None
    body = _text(get_path(data, view.get("body")), "body", notes)
    kind = _kind(get_path(data, view.get("direction")), SMS_TYPES, 1, notes)
    read = _flag(beside(data, view, "read", "body", _READ_KEYS))
    sent = to_epoch_ms(beside(data, view, "date_sent", "body", _SENT_KEYS))
    contact = _text(names.name(address), "contact name", notes) or UNKNOWN
    attrs = {
        "protocol": "0", "address": address, "date": str(ms), "type": str(kind),
        "subject": "null", "body": body, "toa": "null", "sc_toa": "null",
        "service_center": "null", "read": read or "1", "status": "-1", "locked": "0",
        "date_sent": str(sent or 0),
    }  # fmt: skip
    sim = _small_int(beside(data, view, "sim", "body", _SIM_KEYS))
    if sim is not None:
        attrs["sub_id"] = sim
    attrs |= {"readable_date": _readable(ms), "contact_name": contact}
    thread = _text(get_path(data, view.get("thread")), "thread", notes)
    row = [_iso(ms), str(ms), str(kind), address, contact, body, attrs["read"], thread]
    return attrs, row


def call_element(
    service: Service, data: Mapping[str, Any], names: ContactNames, notes: list[str]
) -> Element | None:
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
    name = _text(get_path(data, view.get("name")), "name", notes).strip()
    contact = name or _text(names.name(number), "contact name", notes) or UNKNOWN
    attrs = {"number": number, "duration": str(seconds), "date": str(ms), "type": str(kind),
             "presentation": "1" if number else "2"}  # fmt: skip
    sim = _small_int(beside(data, view, "sim", "counterpart", _SIM_KEYS))
    if sim is not None:
        attrs["subscription_id"] = sim
    attrs |= {"post_dial_digits": "", "readable_date": _readable(ms), "contact_name": contact}
    return attrs, [_iso(ms), str(ms), str(kind), number, contact, str(seconds)]


SMS = Kind("smses", "sms", "sms",
           ("date", "date_ms", "type", "address", "contact_name", "body", "read", "thread"),
           sms_element)  # fmt: skip
CALLS = Kind("calls", "call", "calls",
             ("date", "date_ms", "type", "number", "contact_name", "duration"),
             call_element)  # fmt: skip
