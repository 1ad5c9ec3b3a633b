"""Hostile and odd records: files stay valid, names stay inside, every change or skip is listed."""

from __future__ import annotations

import csv
import json
import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import icalendar
import pytest
import vobject

from verify.contract import load_contract
from viewer.convert import ConvertOptions, convert, parse_formats
from viewer.convert.files import safe_name, xml_clean
from viewer.errors import UsageError
from viewer.store import Store

CONTRACT = load_contract()
EVIL = 'a\x00b\x1bc <x> & "q" \']]> \ufffe'

TABLES: dict[str, list[dict[str, Any]]] = {
    "contacts": [
        {"id": "1", "content": {"displayName": EVIL, "phoneNumbers": [{"type": "mobile",
         "value": "+46 70 123"}], "emails": "x@example.com", "note": "line1\nline2"}},
        {"id": "2", "content": {}},  # nothing to call: skipped, with the reason
        {"id": "3", "content": {"phoneNumbers": ["+4670999"]}},
    ],
    "sms": [
        {"id": 1, "content": {"address": "+4670", "body": EVIL, "date": 1700000000000,
                              "type": "inbox"}},
        {"id": 2, "content": {"address": "+4670", "body": "no date", "type": "sent"}},
        {"id": 3, "content": {"address": "</smses>", "body": "x", "date": "1700000000",
                              "type": "weird"}},
    ],
    "calendar": [
        {"id": 1, "content": {"title": EVIL, "dtStart": "2024-05-01T10:00:00",
                              "timezone": "../../etc/passwd", "rrule": "NOT A RULE"}},
        {"id": 2, "content": {"title": "no start"}},
    ],
    "notes": [
        {"id": n, "folderName": folder, "content": {"title": title, "body": "---\nx: 1\n---"}}
        for n, (folder, title) in enumerate(
            [("../../etc", "CON"), ("../../etc", "CON"), ("a/b", "x: [1]"), ("", "")]
        )
    ],
    "weird table/../name": [{"Name": 1, "name": "two", "_file": True, "big": 10**30}],
}  # fmt: skip


def make_store(tables: dict[str, list[dict[str, Any]]]) -> Store:
    store = Store.open(contract=CONTRACT)
    entry = store.begin("export.json")
    for table, records in tables.items():
        entry.table(table)
        for index, record in enumerate(records):
            entry.add(table, index, record)
    entry.commit()
    return store


@pytest.fixture
def store() -> Iterator[Store]:
    made = make_store(TABLES)
    yield made
    made.close()


def test_hostile_values_keep_every_file_parseable(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "out"
    manifest = convert(store, CONTRACT, ["all"], out)
    cards = list(vobject.readComponents((out / "vcard" / "contacts.vcf").read_text("utf-8")))
    assert len(cards) == 2 and cards[1].fn.value == "+4670999"
    assert "\x00" not in cards[0].fn.value and "<x>" in cards[0].fn.value
    [sms_xml] = (out / "sms-xml").glob("sms-*.xml")
    root = ET.parse(sms_xml).getroot()  # noqa: S314 (our output)
    assert root.attrib["count"] == "2" and len(root) == 2
    assert root[0].attrib["body"] == xml_clean(EVIL)[0]
    assert root[1].attrib["address"] == "</smses>" and root[1].attrib["type"] == "1"
    assert root[1].attrib["date"] == "1700000000000"
    cal = icalendar.Calendar.from_ical((out / "ics" / "calendar.ics").read_bytes())
    [event] = cal.walk("VEVENT")
    assert "RRULE" not in event and str(event["X-EXPORT-RRULE"]) == "NOT A RULE"
    reasons = {(i.format, i.table, i.seq): i.reason for i in manifest.skipped}
    assert reasons == {
        ("vcard", "contacts", 1): "no name, phone number or e-mail address",
        ("sms-xml", "sms", 1): "no date",
        ("ics", "calendar", 1): "no start time that can be read",
    }
    changed = {(i.format, i.table, i.seq) for i in manifest.changed}
    assert {("vcard", "contacts", 0), ("sms-xml", "sms", 0), ("sms-xml", "sms", 2)} <= changed
    assert ("ics", "calendar", 0) in changed
    listed = json.loads((out / "manifest.json").read_text("utf-8"))
    assert len(listed["skipped"]) == 3


def test_note_names_stay_inside_and_unique(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "out"
    convert(store, CONTRACT, ["markdown"], out)
    root = (out / "markdown" / "notes").resolve()
    files = sorted(p for p in root.rglob("*.md"))
    assert len(files) == 4
    assert all(p.resolve().is_relative_to(root) for p in files)
    names = sorted(p.relative_to(root).as_posix() for p in files)
    assert names == ["No folder/---.md", "a_b/x_ [1].md", "etc/_CON (2).md", "etc/_CON.md"]
    text = (root / "a_b" / "x_ [1].md").read_text("utf-8")
    assert text.startswith("---\ntitle: 'x: [1]'\nfolder: a/b\n")


def test_sqlite_columns_unique_and_big_numbers_exact(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "out"
    convert(store, CONTRACT, ["sqlite", "csv"], out)
    db = sqlite3.connect(out / "sqlite" / "export.sqlite")
    try:
        columns = [r[1] for r in db.execute('PRAGMA table_info("weird table/../name")')]
        row = db.execute('SELECT * FROM "weird table/../name"').fetchone()
    finally:
        db.close()
    assert columns == ["_file", "_index", "Name", "name_2", "_file_2", "big", "_json"]
    assert row[:-1] == ("export.json", 0, 1, "two", 1, str(10**30))
    assert json.loads(row[-1]) == TABLES["weird table/../name"][0]
    [csv_file] = [p for p in (out / "csv").iterdir() if p.name.startswith("weird")]
    assert csv_file.parent == out / "csv" and "/" not in csv_file.name


def test_vcard_4_and_split(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "out"
    options = ConvertOptions(split=True, vcard_version="4.0")
    manifest = convert(store, CONTRACT, ["vcard"], out, options=options)
    files = sorted((out / "vcard" / "contacts").iterdir())
    assert len(files) == 2 and len(manifest.skipped) == 1
    card = vobject.readOne(files[0].read_text("utf-8"))
    assert card.version.value == "4.0"
    assert card.tel.value == "tel:+4670999"


def test_vcard_keeps_every_other_value_as_x_properties(tmp_path: Path) -> None:
    tricky = 'a;b,c\\d\nline "q"'
    phones = [{"type": "iphone", "value": "+4670", "label": "own"}]  # more than TEL can hold
    content = {"displayName": "Bo", "phoneNumbers": phones, "birthday": "not a date",
               "starred": True, "weird key/ö": {"x": [1]}, "nickname": tricky}  # fmt: skip
    record = {"id": 7, "content": content, "createTime": 1700000000000, "account": tricky,
              "type": "google"}  # fmt: skip
    store = make_store({"contacts": [record]})
    try:
        options = ConvertOptions(vcard_version="4.0")
        convert(store, CONTRACT, ["vcard"], tmp_path / "out", options=options)
    finally:
        store.close()
    card = vobject.readOne((tmp_path / "out" / "vcard" / "contacts.vcf").read_text("utf-8"))
    extras = {k: [line.value for line in v] for k, v in card.contents.items() if k[:2] == "x-"}
    assert extras == {
        "x-export-content-phonenumbers": [json.dumps(phones, separators=(",", ":"))],
        "x-export-content-birthday": ["not a date"],
        "x-export-content-starred": ["true"],
        "x-export-content-weird-key": ['{"x":[1]}'],
        "x-export-content-nickname": [tricky],
        "x-export-createtime": ["1700000000000"],
        "x-export-account": [tricky],
        "x-export-type": ["google"],
    }  # fmt: skip
    assert card.uid.value == "7" and card.uid.params["VALUE"] == ["text"]
    assert "bday" not in card.contents and "rev" not in card.contents
    assert card.tel.value == "tel:+4670"


def test_ics_alarms_and_categories_from_odd_values(tmp_path: Path) -> None:
    base = {"title": "T", "dtStart": "2024-05-01T10:00:00", "timezone": "Europe/Stockholm"}
    events = [
        {"id": 1, "content": {**base, "reminderMinutes": [5, 60, -1], "calendar": "Jobb, hem"}},
        {"id": 2, "content": {**base, "reminderMinutes": -1}},
        {"id": 3, "content": {**base, "reminderMinutes": "soon", "calendar": " "}},
        {"id": 4, "content": {**base, "reminderMinutes": 10**9}},
    ]
    store = make_store({"calendar": events})
    try:
        manifest = convert(store, CONTRACT, ["ics"], tmp_path / "out")
    finally:
        store.close()
    cal = icalendar.Calendar.from_ical((tmp_path / "out" / "ics" / "calendar.ics").read_bytes())
    found = cal.walk("VEVENT")
    triggers = [[a.decoded("TRIGGER") for a in e.walk("VALARM")] for e in found]
    minutes = [[-t.total_seconds() / 60 for t in row] for row in triggers]
    assert minutes == [[5, 60], [], [], []]
    assert found[0]["CATEGORIES"].cats == ["Jobb, hem"] and "CATEGORIES" not in found[2]
    assert [str(e.get("X-EXPORT-REMINDER")) for e in found[2:]] == ["soon", str(10**9)]
    changed = {i.seq: i.reason for i in manifest.changed}
    assert changed == {2: "reminder not understood: kept as X-EXPORT-REMINDER",
                       3: "reminder not understood: kept as X-EXPORT-REMINDER"}  # fmt: skip


def test_sms_and_calls_read_flags_names_and_file_names(tmp_path: Path) -> None:
    def sms(n: int, address: str, **more: Any) -> dict[str, Any]:
        return {"id": n, "content": {"address": address, "body": "b", "date": 1700000000000 + n,
                                     "type": "inbox", **more}}  # fmt: skip

    asa = {"displayName": "Åsa", "phoneNumbers": [{"value": "+46 70-123 45 67"}]}
    contacts = [
        {"id": "1", "content": asa},
        {"id": "2", "content": {"givenName": "Bo", "familyName": "Ek", "phoneNumbers": ["+4611"]}},
        {"id": "3", "content": {"displayName": "Twin A", "phoneNumbers": ["+46 8 999 999 99"]}},
        {"id": "4", "content": {"displayName": "Twin B", "phoneNumbers": ["+46899999999"]}},
    ]  # fmt: skip
    messages = [sms(0, "0701234567", read=False, dateSent=1699999999000),
                sms(1, "+4611", read=0), sms(2, "+46899999999", read="yes"),
                sms(3, "12345", body="two\nlines\r\n")]  # fmt: skip
    calls = [{"id": 1, "content": {"number": "0046701234567", "date": 1700000000000,
                                   "duration": 5, "type": "missed"}}]  # fmt: skip
    store = make_store({"contacts": contacts, "sms": messages, "messages": [sms(9, "+4611")],
                        "call_log": calls})  # fmt: skip
    try:
        source = {"export_date": "2024-05-01T12:30:05"}
        convert(store, CONTRACT, ["sms-xml"], tmp_path / "out", source=source)
    finally:
        store.close()
    folder = tmp_path / "out" / "sms-xml"
    names = sorted(p.name for p in folder.glob("*.xml"))
    assert names == ["calls-20240501123005.xml", "sms-20240501123005 (2).xml",
                     "sms-20240501123005.xml"]  # fmt: skip
    root = ET.parse(folder / "sms-20240501123005.xml").getroot()  # noqa: S314 (our output)
    got = [(e.attrib["read"], e.attrib["contact_name"], e.attrib["date_sent"]) for e in root]
    assert got == [("0", "Åsa", "1699999999000"), ("0", "Bo Ek", "0"),
                   ("1", "(Unknown)", "0"), ("1", "(Unknown)", "0")]  # fmt: skip
    assert "sub_id" not in root[0].attrib  # not in the export: left out, not guessed
    assert root[3].attrib["body"] == "two\nlines\r\n"  # as character references, kept exactly
    [call] = ET.parse(folder / "calls-20240501123005.xml").getroot()  # noqa: S314
    assert (call.attrib["contact_name"], call.attrib["type"]) == ("Åsa", "3")
    raw = (folder / "sms-20240501123005.xml").read_bytes()
    assert raw.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<smses count="4" ')
    assert raw.endswith(b"</smses>\n")


def test_excel_csv_has_bom_and_defuses_formulas(tmp_path: Path) -> None:
    store = make_store({"clipboard": [{"id": 1, "text": "=HYPERLINK(\"x\")"}, {"id": 2,
                        "text": "-12.5"}]})  # fmt: skip
    try:
        convert(store, CONTRACT, ["csv"], tmp_path / "out", options=ConvertOptions(excel=True))
    finally:
        store.close()
    raw = (tmp_path / "out" / "csv" / "clipboard.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(tmp_path / "out" / "csv" / "clipboard.csv", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["text"] for r in rows] == ['\'=HYPERLINK("x")', "-12.5"]


def test_format_names() -> None:
    assert parse_formats("csv,vcard") == ["vcard", "csv"]
    assert len(parse_formats("all")) == 8
    with pytest.raises(UsageError, match="unknown format pdf"):
        parse_formats("csv,pdf")


def test_safe_name() -> None:
    taken: set[str] = set()
    assert safe_name("..", taken) == "untitled"
    assert safe_name("nul.txt", taken) == "_nul.txt"
    assert safe_name("a/../b", taken) == "a_.._b"
    assert safe_name("A/../B", taken) == "A_.._B (2)"
    assert xml_clean("ok\tfine\n") == ("ok\tfine\n", False)
