"""Convert a sample export; read every format back with an independent parser; compare."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import sqlite3
import stat
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import icalendar
import pytest
import vobject
import yaml

from verify.contract import Contract, load_contract
from viewer.convert import Manifest, convert
from viewer.loader import load_export
from viewer.sample import write_sample
from viewer.store import Store

CONTRACT = load_contract()


@dataclass
class Converted:
    store: Store
    contract: Contract
    out: Path
    manifest: Manifest
    export_date: dt.datetime


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Converted]:
    base = tmp_path_factory.mktemp("convert")
    sample = write_sample(base / "export.zip", size="small", password="pw")
    result = load_export(sample.path, password=lambda _n: "pw", contract=CONTRACT)
    assert result.store is not None
    out = base / "out"
    made = result.info.export_date
    assert made is not None
    source = {"export_date": made.isoformat()}
    manifest = convert(result.store, CONTRACT, ["all"], out, source=source)
    yield Converted(result.store, CONTRACT, out, manifest, made)
    result.store.close()


def view(contract: Contract, service_id: str, role: str) -> str:
    service = contract.service(service_id)
    assert service is not None
    return service.view[role]


def dig(data: object, path: str) -> object:
    for part in path.split("."):
        assert isinstance(data, dict)
        data = data.get(part)
    return data


def test_vcard_holds_every_contact_with_names_numbers_and_emails(converted: Converted) -> None:
    store, contract = converted.store, converted.contract
    text = (converted.out / "vcard" / "contacts.vcf").read_text(encoding="utf-8")
    cards = list(vobject.readComponents(text))
    records = list(store.records("contacts"))
    assert len(cards) == len(records) == store.count("contacts") > 0
    for card, record in zip(cards, records, strict=True):
        assert card.version.value == "3.0"
        assert card.fn.value == dig(record.data, view(contract, "contacts", "name"))
        phones = dig(record.data, view(contract, "contacts", "phones"))
        assert isinstance(phones, list)
        assert [t.value for t in card.contents["tel"]] == [p["value"] for p in phones]
        emails = dig(record.data, view(contract, "contacts", "emails"))
        assert isinstance(emails, list)
        assert [e.value for e in card.contents["email"]] == [e["value"] for e in emails]
        org = dig(record.data, view(contract, "contacts", "organization"))
        assert (card.org.value[0] if "org" in card.contents else None) == (org or None)
        content = record.data["content"]
        assert (card.n.value.family, card.n.value.given) == (
            content["familyName"],
            content["givenName"],
        )
        assert card.uid.value == record.data["id"] == record.rid
        assert card.rev.value == rev(record.data["updateTime"])
        bday = dig(record.data, view(contract, "contacts", "birthday"))
        assert (card.bday.value if "bday" in card.contents else None) == bday
        note = dig(record.data, view(contract, "contacts", "note"))
        assert (card.note.value if "note" in card.contents else "") == note
        # Everything else the contact holds, as exported: nothing is dropped.
        extras = {k: v[0].value for k, v in card.contents.items() if k.startswith("x-export-")}
        assert extras == {
            "x-export-createtime": str(record.data["createTime"]),
            "x-export-content-starred": str(content["starred"]).lower(),
            "x-export-type": record.data["type"],
            "x-export-status": record.data["status"],
        }
    assert {c.bday.value for c in cards if "bday" in c.contents}, "the sample has birthdays"
    assert {c.note.value for c in cards if "note" in c.contents}, "the sample has notes"


def rev(ms: object) -> str:
    assert isinstance(ms, int)
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def test_icalendar_holds_every_event_with_time_zone_and_recurrence(converted: Converted) -> None:
    store, contract = converted.store, converted.contract
    cal = icalendar.Calendar.from_ical((converted.out / "ics" / "calendar.ics").read_bytes())
    events = cal.walk("VEVENT")
    records = list(store.records("calendar"))
    assert len(events) == len(records) == store.count("calendar") > 0
    zones = {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")}
    for event, record in zip(events, records, strict=True):
        assert str(event["SUMMARY"]) == dig(record.data, view(contract, "calendar", "title"))
        start = event.decoded("DTSTART")
        if dig(record.data, view(contract, "calendar", "all_day")) is True:
            assert start.isoformat() == dig(record.data, view(contract, "calendar", "start"))
        else:
            assert start.tzinfo is not None and str(event["DTSTART"].params["TZID"]) in zones
            local = start.replace(tzinfo=None).isoformat()
            assert local == dig(record.data, view(contract, "calendar", "start"))
        rule = dig(record.data, view(contract, "calendar", "rrule"))
        if rule is None:
            assert "RRULE" not in event
        else:
            assert event["RRULE"] == icalendar.vRecur.from_ical(str(rule))
        end = dig(record.data, view(contract, "calendar", "end"))
        assert event.decoded("DTEND").isoformat()[: len(str(end))] == end
        for prop, role in (("LOCATION", "location"), ("DESCRIPTION", "description")):
            expected = dig(record.data, view(contract, "calendar", role))
            assert str(event.get(prop, "")) == expected, prop
        content = record.data["content"]
        [alarm] = event.walk("VALARM")
        assert alarm.decoded("TRIGGER") == -dt.timedelta(minutes=content["reminderMinutes"])
        assert str(alarm["ACTION"]) == "DISPLAY" and str(alarm["DESCRIPTION"]) == event["SUMMARY"]
        assert event["CATEGORIES"].cats == [content["calendar"]]
    recurring = [e for e in events if "RRULE" in e]
    assert recurring and len(recurring) < len(events), "the sample has both kinds"


SMS_ATTRS = ["protocol", "address", "date", "type", "subject", "body", "toa", "sc_toa",
             "service_center", "read", "status", "locked", "date_sent", "sub_id",
             "readable_date", "contact_name"]  # fmt: skip
CALL_ATTRS = ["number", "duration", "date", "type", "presentation", "subscription_id",
              "post_dial_digits", "readable_date", "contact_name"]  # fmt: skip


def phone_book(store: Store) -> dict[str, str]:
    """Number -> name from the Store's contacts (the sample writes every number alike)."""
    book: dict[str, str] = {}
    for record in store.records("contacts"):
        for phone in record.data["content"]["phoneNumbers"]:
            book[phone["value"]] = record.data["content"]["displayName"]
    return book


def backup_root(converted: Converted, stem: str) -> ET.Element:
    made = converted.export_date
    name = f"{stem}-{made:%Y%m%d%H%M%S}.xml"  # as the app names its backups
    assert sorted(p.name for p in (converted.out / "sms-xml").glob(f"{stem}-*.xml")) == [name]
    root = ET.parse(converted.out / "sms-xml" / name).getroot()  # noqa: S314 (our output)
    assert root.attrib["type"] == "full" and root.attrib["backup_set"]
    assert int(root.attrib["backup_date"]) == int(made.timestamp() * 1000)
    assert int(root.attrib["count"]) == len(root)
    return root


def test_sms_backup_xml_holds_every_message(converted: Converted) -> None:
    store, contract = converted.store, converted.contract
    root = backup_root(converted, "sms")
    records = list(store.records("sms"))
    book = phone_book(store)
    assert root.tag == "smses" and len(root) == len(records) == store.count("sms") > 0
    for element, record in zip(root, records, strict=True):
        assert element.tag == "sms" and list(element.attrib) == SMS_ATTRS
        assert element.attrib["address"] == dig(record.data, view(contract, "sms", "counterpart"))
        assert element.attrib["body"] == dig(record.data, view(contract, "sms", "body"))
        assert int(element.attrib["date"]) == dig(record.data, view(contract, "sms", "time"))
        direction = dig(record.data, view(contract, "sms", "direction"))
        assert element.attrib["type"] == {"inbox": "1", "sent": "2"}[str(direction)]
        assert element.attrib["read"] == ("1" if record.data["content"]["read"] else "0")
        assert element.attrib["sub_id"] == str(record.data["content"]["simSlot"])
        assert element.attrib["date_sent"] == "0"  # the export does not say when it was sent
        name = book.get(element.attrib["address"], "(Unknown)")
        assert element.attrib["contact_name"] == name
    named = [e for e in root if e.attrib["contact_name"] != "(Unknown)"]
    assert 0 < len(named) < len(root), "the sample has messages from contacts and from others"
    with open(converted.out / "sms-xml" / "sms.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["body"] for r in rows] == [e.attrib["body"] for e in root]
    assert [r["contact_name"] for r in rows] == [e.attrib["contact_name"] for e in root]
    assert [r["date_ms"] for r in rows] == [e.attrib["date"] for e in root]


def test_call_log_xml_holds_every_call(converted: Converted) -> None:
    store, contract = converted.store, converted.contract
    root = backup_root(converted, "calls")
    records = list(store.records("call_log"))
    assert root.tag == "calls" and len(root) == len(records) == store.count("call_log") > 0
    types = {"incoming": "1", "outgoing": "2", "missed": "3"}
    for element, record in zip(root, records, strict=True):
        assert element.tag == "call" and list(element.attrib) == CALL_ATTRS
        assert element.attrib["number"] == dig(
            record.data, view(contract, "call_log", "counterpart")
        )
        assert int(element.attrib["duration"]) == dig(
            record.data, view(contract, "call_log", "duration")
        )
        assert int(element.attrib["date"]) == dig(record.data, view(contract, "call_log", "time"))
        direction = dig(record.data, view(contract, "call_log", "direction"))
        assert element.attrib["type"] == types[str(direction)]
        name = dig(record.data, view(contract, "call_log", "name"))
        assert element.attrib["contact_name"] == (name or "(Unknown)")
    with open(converted.out / "sms-xml" / "call_log.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["date", "date_ms", "type", "number", "contact_name", "duration"]
    expected = [
        [e.attrib[k] for k in ("date", "type", "number", "contact_name", "duration")] for e in root
    ]
    assert [[r[k] for k in ("date_ms", "type", "number", "contact_name", "duration")]
            for r in rows] == expected  # fmt: skip
    assert all(r["date"].startswith(("2022", "2023", "2024", "2025", "2026")) for r in rows)


def flatten(data: dict[str, Any], prefix: str = "", depth: int = 1) -> dict[str, Any]:
    """Open objects into dotted keys down to three parts, as the tables promise (test's own)."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict) and value and depth < 3:
            flat.update(flatten(value, f"{prefix}{key}.", depth + 1))
        else:
            flat[prefix + key] = value
    return flat


def iso(ms: object) -> str:
    assert isinstance(ms, int)
    moment = dt.datetime.fromtimestamp(ms / 1000, dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def as_csv(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def as_sql(value: object) -> object:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return int(value) if isinstance(value, bool) else value


# Where the contract documents a main time or timestamps, the sample's tables get readable times.
TIMES = {
    "sms": ["content.date", "updateTime"],
    "call_log": ["content.date"],
    "contacts": ["createTime", "updateTime"],
    "notes": ["createTime", "updateTime"],
}


def test_sqlite_holds_every_record_of_every_table(converted: Converted) -> None:
    store = converted.store
    db = sqlite3.connect(converted.out / "sqlite" / "export.sqlite")
    try:
        for info in store.tables():
            count = db.execute(f'SELECT count(*) FROM "{info.name}"').fetchone()[0]  # noqa: S608
            assert count == info.records == store.count(info.name)
            rows = db.execute(f'SELECT * FROM "{info.name}" ORDER BY rowid')  # noqa: S608
            names = [d[0] for d in rows.description]
            for row, record in zip(rows, store.records(info.name), strict=True):
                got = dict(zip(names, row, strict=True))
                assert (got["_file"], got["_index"]) == (record.file, record.index)
                assert json.loads(got["_json"]) == record.data
                for key, value in flatten(record.data).items():
                    assert got[key] == as_sql(value), (info.name, key)
                for key in TIMES.get(info.name, []):
                    assert got[f"{key}_iso"] == iso(got[key])
        columns = {row[1]: row[2] for row in db.execute('PRAGMA table_info("sms")')}
    finally:
        db.close()
    assert columns["_file"] == "TEXT" and columns["_index"] == "INTEGER"
    assert columns["updateTime"] == "INTEGER" and columns["content.date"] == "INTEGER"
    assert columns["content.address"] == columns["content.body"] == "TEXT"
    assert columns["content.read"] == "INTEGER" and columns["updateTime_iso"] == "TEXT"
    assert "content" not in columns


def test_csv_and_jsonl_hold_every_record(converted: Converted) -> None:
    store = converted.store
    for info in store.tables():
        with open(converted.out / "csv" / f"{info.name}.csv", encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        records = list(store.records(info.name))
        assert len(rows) == len(records) == info.records
        keys: dict[str, None] = {}
        for row, record in zip(rows, records, strict=True):
            flat = flatten(record.data)
            keys.update(dict.fromkeys(flat))
            assert {k: row[k] for k in flat} == {k: as_csv(v) for k, v in flat.items()}
            for key in TIMES.get(info.name, []):
                assert row[f"{key}_iso"] == iso(flat[key])
        assert {f"{key}_iso" for key in TIMES.get(info.name, [])} <= set(rows[0])
        assert {k for k in rows[0] if not k.endswith("_iso")} == set(keys)
        lines = (converted.out / "jsonl" / f"{info.name}.jsonl").read_text("utf-8").splitlines()
        assert [json.loads(line) for line in lines] == [r.data for r in records]
    with open(converted.out / "csv" / "sms.csv", encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    assert header[:3] == ["id", "content.read", "content.seen"] and "content" not in header
    assert {"content.address", "content.body", "content.date_iso", "updateTime_iso"} <= set(header)
    with open(converted.out / "csv" / "cloud_card.csv", encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    # An object's columns stay together, in first-seen order, though some keys come later.
    nested = [name for name in header if name.startswith("content.data.")]
    start = header.index(nested[0])
    assert header[start : start + len(nested)] == nested and len(nested) > 2


def test_markdown_has_a_file_per_note_with_front_matter(converted: Converted) -> None:
    store, contract = converted.store, converted.contract
    files = sorted((converted.out / "markdown" / "notes").rglob("*.md"))
    records = {r.data["id"]: r.data for r in store.records("notes")}
    assert len(files) == len(records) == store.count("notes") > 0
    seen, with_history = set(), 0
    for path in files:
        text = path.read_text("utf-8")
        assert text.startswith("---\n")
        front, _, rest = text[4:].partition("\n---\n\n")
        meta = yaml.safe_load(front)
        data = records[meta["id"]]
        seen.add(meta["id"])
        assert meta["title"] == dig(data, view(contract, "notes", "title"))
        assert meta["folder"] == data["folderName"] == path.parent.name
        assert (meta["created"], meta["updated"]) == (
            iso(data["createTime"]),
            iso(data["updateTime"]),
        )
        assert (meta["status"], meta["type"]) == (data["status"], data["type"])
        body, _, history = rest.partition("\n---\n\n## Earlier versions\n")
        assert body == dig(data, view(contract, "notes", "body")) + "\n"
        versions = history.split("\n### Version ")[1:]
        assert len(versions) == len(data["history"])
        with_history += bool(versions)
        for number, (part, old) in enumerate(zip(versions, data["history"], strict=True), 1):
            assert part == f"{number} ({iso(old['updateTime'])})\n\n{old['body']}\n"
        assert os.stat(path).st_mtime == data["updateTime"] / 1000  # note apps sort by it
    assert seen == set(records) and 0 < with_history < len(files)


def test_manifest_lists_files_with_sha256_and_counts_in_equal_out(converted: Converted) -> None:
    data = json.loads((converted.out / "manifest.json").read_text("utf-8"))
    assert data["skipped"] == [] and converted.manifest.skipped == []
    for entry in data["files"]:
        content = (converted.out / entry["path"]).read_bytes()
        assert hashlib.sha256(content).hexdigest() == entry["sha256"]
        assert len(content) == entry["bytes"]
    counts = {(t["format"], t["table"]): t for t in data["tables"]}
    for info in converted.store.tables():
        for fmt in ("csv", "jsonl", "sqlite"):
            assert counts[fmt, info.name]["records_in"] == counts[fmt, info.name]["records_out"]
            assert counts[fmt, info.name]["records_in"] == info.records
    assert "manifest.json" in (converted.out / "README.md").read_text("utf-8")


def test_every_file_is_private(converted: Converted) -> None:
    for folder, dirs, files in os.walk(converted.out):
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700, folder
        for name in files:
            assert stat.S_IMODE(os.stat(Path(folder) / name).st_mode) == 0o600, name
        assert not [d for d in dirs if d.endswith(".part")]
        assert not [f for f in files if f.endswith(".part")]
