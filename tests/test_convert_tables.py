"""CSV and SQLite columns: objects opened to a bounded depth, names unique, nothing dropped."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path
from typing import Any

from verify.contract import load_contract
from viewer.convert import convert
from viewer.store import Store

CONTRACT = load_contract()
RECORDS: list[dict[str, Any]] = [
    {"a": {"b": {"c": {"d": 1}}}, "x.y": 1, "x": {"y": 2}, "m": {}, "l": [1, {"k": 2}], "mix": 1},
    {"a": None, "mix": {"p": 1.5}, "m": {"z": True}, "late": "new"},
]
HEADER = ["a.b.c", "x.y", "x.y_2", "m", "m.z", "l", "mix", "mix.p", "late"]


def write(tmp_path: Path, table: str, records: list[dict[str, Any]]) -> Path:
    store = Store.open(contract=CONTRACT)
    entry = store.begin("export.json")
    entry.table(table)
    for index, record in enumerate(records):
        entry.add(table, index, record)
    entry.commit()
    try:
        convert(store, CONTRACT, ["csv", "sqlite"], tmp_path / "out")
    finally:
        store.close()
    return tmp_path / "out"


def test_objects_open_into_dotted_columns_to_three_levels(tmp_path: Path) -> None:
    out = write(tmp_path, "odd", RECORDS)
    with open(out / "csv" / "odd.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == HEADER
    assert rows[1] == ['{"d":1}', "1", "2", "{}", "", '[1,{"k":2}]', "1", "", ""]
    assert rows[2] == ["", "", "", "", "true", "", "", "1.5", "new"]
    db = sqlite3.connect(out / "sqlite" / "export.sqlite")
    try:
        types = {r[1]: r[2] for r in db.execute('PRAGMA table_info("odd")')}
        stored = [json.loads(r[0]) for r in db.execute('SELECT _json FROM "odd" ORDER BY rowid')]
        first = db.execute('SELECT "a.b.c", "m.z", "mix.p" FROM "odd" ORDER BY rowid').fetchall()
    finally:
        db.close()
    assert list(types) == ["_file", "_index", *HEADER, "_json"]
    assert [types[n] for n in HEADER] == ["TEXT", "INTEGER", "INTEGER", "TEXT", "INTEGER",
                                          "TEXT", "INTEGER", "REAL", "TEXT"]  # fmt: skip
    assert first == [('{"d":1}', None, None), (None, 1, 1.5)]
    assert stored == RECORDS  # what no column shows (a null object, key order) is kept here


def test_documented_epoch_times_get_a_readable_column(tmp_path: Path) -> None:
    # notes documents createTime (epoch-ms); a value that is no number gets no readable time.
    records = [{"id": 1, "createTime": 1714550400000, "content": {"title": "t"}},
               {"id": 2, "createTime": "yesterday"}, {"id": 3, "createTime": 2**70}]  # fmt: skip
    out = write(tmp_path, "notes", records)
    with open(out / "csv" / "notes.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["id", "createTime", "createTime_iso", "content.title"]
    assert [r["createTime_iso"] for r in rows] == ["2024-05-01T08:00:00Z", "", ""]
    db = sqlite3.connect(out / "sqlite" / "export.sqlite")
    try:
        types = {r[1]: r[2] for r in db.execute('PRAGMA table_info("notes")')}
    finally:
        db.close()
    assert types["createTime"] == "TEXT" and types["createTime_iso"] == "TEXT"


def test_an_undocumented_table_gets_no_readable_times(tmp_path: Path) -> None:
    out = write(tmp_path, "mystery", [{"createTime": 1714550400000}])
    with open(out / "csv" / "mystery.csv", encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle)) == ["createTime"]
