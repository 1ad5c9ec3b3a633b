"""Every check code: an export with exactly that defect yields exactly that finding."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from verify.contract import load_contract
from verify.report import Options, exit_code, flatten
from verify.run import verify_export
from viewer.sample import ROOT, write_sample

Row = tuple[str, str, str, str, str, int]
BACKGROUND = {"export-date", "encryption-none"}


def no_password(name: str) -> str:
    raise AssertionError(f"{name} is not encrypted; no password should be asked")


def report_of(path: Path, password: str | None = None, **options: Any) -> dict[str, Any]:
    source = (lambda name: password) if password else no_password
    return verify_export(path, load_contract(), password=source, options=Options(**options))


def rows(report: dict[str, Any]) -> list[Row]:
    return [row for row in flatten(report) if row[0] not in BACKGROUND]


def sample(tmp_path: Path, *defects: str, password: str | None = None) -> Path:
    path = tmp_path / "export.zip"
    write_sample(path, seed=7, records=300, password=password, defects=defects)
    return path


def rewrite(path: Path, table: str, change: Callable[[Any], Any]) -> Path:
    """Return a copy of an unencrypted sample with one table's JSON changed."""
    out = path.with_name("changed.zip")
    name = f"{ROOT}/{table}.json"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == name:
                data = json.dumps(change(json.loads(data)), ensure_ascii=False).encode()
            dst.writestr(item, data)
    return out


def test_clean_sample_is_complete_with_exit_0(tmp_path: Path) -> None:
    report = report_of(sample(tmp_path, password="pw"), "pw")
    assert report["summary"]["status"] == "complete"
    assert report["summary"]["coverage"] == 1.0
    assert rows(report) == []
    assert [f["check"] for f in report["findings"]] == ["export-date"]
    assert exit_code(report) == 0


@pytest.mark.parametrize(
    ("defect", "status", "expected"),
    [
        ("missing-service:music", "incomplete", [("service-missing", "error", "music", "", "", 1)]),
        (
            "missing-service:user_quota",
            "incomplete",
            [("metadata-missing", "error", "user_quota", "", "", 1)],
        ),
        (
            "missing-field:sms.creator",
            "incomplete",
            [("field-missing", "error", "sms", "sms", "creator", 1)],
        ),
        (
            "partial-field:notes.history",
            "complete",
            [("field-partial", "warning", "notes", "notes", "history", 1)],
        ),
        (
            "bad-type:recorder.size",
            "complete",
            [("type-mismatch", "error", "recorder", "recorder", "size", 1)],
        ),
        (
            "bad-timestamp:sms",
            "complete",
            [("timestamp-invalid", "error", "sms", "sms", "update_time", 100)],
        ),
        (
            "duplicate-id:contacts",
            "complete",
            [("duplicate-id", "error", "contacts", "contacts", "", 1)],
        ),
        (
            "undocumented-table:weather",
            "complete",
            [("undocumented-table", "warning", "", "weather", "", 25)],
        ),
        (
            "undocumented-field:sms.simSlot",
            "complete",
            [("undocumented-field", "warning", "sms", "sms", "simSlot", 200)],
        ),
        (
            "not-exportable:vip",
            "complete",
            [("not-exportable-present", "error", "", "vip_statistics", "", 25)],
        ),
        (
            "invalid-json:browser",
            "invalid",
            [
                ("json-invalid", "error", "", "", "", 1),
                ("service-missing", "error", "browser", "", "", 1),
            ],
        ),
        ("hostile-content", "complete", []),
    ],
)
def test_sample_defect_gives_exactly_its_finding(
    tmp_path: Path, defect: str, status: str, expected: list[Row]
) -> None:
    report = report_of(sample(tmp_path, defect))
    assert rows(report) == expected
    assert report["summary"]["status"] == status
    assert exit_code(report) == (1 if report["summary"]["errors"] else 0)


def test_status_outside_the_vocabulary(tmp_path: Path) -> None:
    def archive(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        records[0]["status"] = "archived"
        return records

    path = rewrite(sample(tmp_path), "contacts", lambda d: {"contacts": archive(d["contacts"])})
    report = report_of(path)
    assert rows(report) == [("status-unknown", "warning", "contacts", "contacts", "status", 1)]
    assert exit_code(report) == 0
    assert exit_code(report, "warning") == 1


def test_created_after_updated(tmp_path: Path) -> None:
    def swap(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        records[0]["createTime"] = records[0]["updateTime"] + 86_400_000
        return records

    path = rewrite(sample(tmp_path), "notes", lambda d: {"notes": swap(d["notes"])})
    assert rows(report_of(path)) == [("time-order", "warning", "notes", "notes", "", 1)]


def test_empty_service_table(tmp_path: Path) -> None:
    path = rewrite(sample(tmp_path), "music", lambda d: {"music": []})
    report = report_of(path)
    assert rows(report) == [("service-empty", "warning", "music", "music", "", 1)]
    assert report["summary"]["status"] == "incomplete"
    assert next(s for s in report["services"] if s["id"] == "music")["status"] == "empty"


def test_an_empty_extra_table_of_a_service_with_records_is_a_warning_only(tmp_path: Path) -> None:
    path = rewrite(sample(tmp_path), "notes", lambda d: {**d, "note": []})
    report = report_of(path)
    assert rows(report) == [("service-empty", "warning", "notes", "note", "", 1)]
    assert report["summary"]["status"] == "complete"
    notes = next(s for s in report["services"] if s["id"] == "notes")
    assert notes["status"] == "complete"
    assert [t["name"] for t in notes["tables"]] == ["notes", "note"]
    assert exit_code(report) == 0


def _set_first(table: str, key: str, value: Any) -> Callable[[Any], Any]:
    def change(data: dict[str, list[dict[str, Any]]]) -> Any:
        data[table][0][key] = value
        return data

    return change


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2024-13-45T25:61:00", "unparseable"),
        (631_152_000_000, "too early"),  # 1990
        (4_102_444_800_000, "future"),  # 2100
        (1_700_000_000, "seconds as milliseconds"),
    ],
)
def test_each_implausible_time_is_one_finding_with_its_reason(
    tmp_path: Path, value: Any, reason: str
) -> None:
    path = rewrite(sample(tmp_path), "sms", _set_first("sms", "updateTime", value))
    report = report_of(path)
    assert rows(report) == [("timestamp-invalid", "error", "sms", "sms", "update_time", 1)]
    found = next(f for f in report["findings"] if f["check"] == "timestamp-invalid")
    assert found["message"] == (
        f"field Last update time of SMS has 1 implausible times (1 {reason})"
    )
    assert found["positions"] == [
        {"file": f"{ROOT}/sms.json", "table": "sms", "index": 0, "bytes": None}
    ]


def test_milliseconds_where_seconds_are_documented(tmp_path: Path) -> None:
    import dataclasses

    contract = load_contract()
    sms = contract.service("sms")
    assert sms is not None
    fields = tuple(
        dataclasses.replace(f, format="epoch-s") if f.id == "update_time" else f for f in sms.fields
    )
    seconds = dataclasses.replace(
        contract,
        services=tuple(
            dataclasses.replace(s, fields=fields) if s.id == "sms" else s for s in contract.services
        ),
    )

    def to_seconds(data: dict[str, list[dict[str, Any]]]) -> Any:
        for record in data["sms"][1:]:  # all but the first now in seconds, as documented
            record["updateTime"] //= 1000
        return data

    path = rewrite(sample(tmp_path), "sms", to_seconds)
    report = verify_export(path, seconds, password=no_password)
    assert rows(report) == [("timestamp-invalid", "error", "sms", "sms", "update_time", 1)]
    found = next(f for f in report["findings"] if f["check"] == "timestamp-invalid")
    assert found["message"].endswith("has 1 implausible times (1 milliseconds as seconds)")


def test_created_after_deleted(tmp_path: Path) -> None:
    def deleted_before_created(data: dict[str, list[dict[str, Any]]]) -> Any:
        record = data["recorder"][0]
        record["deleteTime"] = record["createTime"] - 86_400_000
        record["purgeTime"] = None  # the other "deleted" time of the recorder stays unknown
        return data

    path = rewrite(sample(tmp_path), "recorder", deleted_before_created)
    assert rows(report_of(path)) == [("time-order", "warning", "recorder", "recorder", "", 1)]


def test_a_not_exportable_key_in_a_documented_table(tmp_path: Path) -> None:
    path = rewrite(sample(tmp_path), "sms", _set_first("sms", "shareLink", "https://x.invalid"))
    report = report_of(path)
    assert rows(report) == [("not-exportable-present", "error", "sms", "sms", "shareLink", 1)]
    assert report["findings"][0]["message"] == (
        "data of category Mi Cloud sharing files, documented as not exportable, is in the export "
        "(key shareLink in table sms)"
    )
    assert report["undocumented"] == {"tables": [], "fields": []}
    assert report["not_exportable_found"] == [
        {"id": "cloud_sharing", "tables": [], "keys": ["shareLink"]}
    ]


@pytest.mark.parametrize(
    ("change", "where", "problem", "position"),
    [
        (lambda d: {"music": 5}, "$.music", "the table is not an array",
         {"table": "music", "index": None, "bytes": None}),
        (lambda d: {"music": [*d["music"], 7]}, "$.music[6]", "the record is not an object",
         {"table": "music", "index": 6, "bytes": None}),
        (lambda d: [d], "$", "the top level is not an object",
         {"table": None, "index": None, "bytes": None}),
    ],
)  # fmt: skip
def test_structure_problems_say_file_and_position(
    tmp_path: Path,
    change: Callable[[Any], Any],
    where: str,
    problem: str,
    position: dict[str, Any],
) -> None:
    report = report_of(rewrite(sample(tmp_path), "music", change))
    found = [f for f in report["findings"] if f["check"] == "structure-invalid"]
    assert [f["message"] for f in found] == [f"{ROOT}/music.json, {where}: {problem}"]
    assert found[0]["positions"] == [{"file": f"{ROOT}/music.json", **position}]
    assert (found[0]["service"], found[0]["table"]) == (
        ("music", "music") if position["table"] else (None, None)
    )
    assert report["summary"]["status"] == "invalid"


def test_invalid_json_says_file_and_bytes(tmp_path: Path) -> None:
    path = sample(tmp_path, "invalid-json:browser")
    with zipfile.ZipFile(path) as zf:
        size = zf.getinfo(f"{ROOT}/browser.json").file_size
    report = report_of(path)
    found = [f for f in report["findings"] if f["check"] == "json-invalid"]
    # The file is cut off: the parser fails at its last byte.
    assert [f["message"] for f in found] == [
        f"{ROOT}/browser.json, byte {size}: invalid JSON: parse error: premature EOF"
    ]
    assert found[0]["positions"] == [
        {"file": f"{ROOT}/browser.json", "table": None, "index": None, "bytes": [size, size]}
    ]


def test_root_that_is_not_an_object(tmp_path: Path) -> None:
    path = rewrite(sample(tmp_path), "music", lambda d: d["music"])
    report = report_of(path)
    assert rows(report) == [
        ("structure-invalid", "error", "", "", "", 1),
        ("service-missing", "error", "music", "", "", 1),
    ]
    assert report["summary"]["status"] == "invalid"


def test_encryption_findings(tmp_path: Path) -> None:
    report = report_of(sample(tmp_path))
    assert flatten(report) == [
        ("encryption-none", "warning", "", "", "", 1),
        ("export-date", "info", "", "", "", 1),
    ]
    assert [f["message"] for f in report["findings"]] == [
        "the archive is not encrypted",
        "exported on 2026-01-15 (the newest date of the archive's files); the download link is "
        "valid until 2026-02-14 (30 days)",
    ]
    assert report["archive"]["export_date_source"] == "entries"


def test_an_export_date_from_the_file_time_says_so(tmp_path: Path) -> None:
    import datetime as dt
    import os

    path = tmp_path / "undated.zip"
    with zipfile.ZipFile(sample(tmp_path)) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            undated = zipfile.ZipInfo(item.filename, date_time=(1980, 0, 0, 0, 0, 0))
            dst.writestr(undated, src.read(item))  # month 0: no valid date in any entry
    copied = dt.datetime(2026, 3, 1, 12, 0, 0)
    os.utime(path, (copied.timestamp(), copied.timestamp()))
    report = report_of(path)
    assert report["archive"]["export_date"] == "2026-03-01T12:00:00"
    assert report["archive"]["export_date_source"] == "mtime"
    assert report["findings"][1]["message"] == (
        "exported on 2026-03-01 (a file modification time, which may be when the file was "
        "copied); the download link is valid until 2026-03-31 (30 days)"
    )


@pytest.mark.tools
def test_zipcrypto_is_weak(tmp_path: Path) -> None:
    import subprocess

    plain = sample(tmp_path)
    folder = tmp_path / "x"
    with zipfile.ZipFile(plain) as zf:
        zf.extractall(folder)
    out = tmp_path / "zc.zip"
    subprocess.run(["zip", "-q", "-r", "-P", "s3cret", str(out), ROOT], cwd=folder, check=True)
    report = report_of(out, "s3cret")
    assert rows(report) == [("encryption-weak", "warning", "", "", "", 1)]
    assert report["archive"]["encryption"] == "zipcrypto"


def test_max_findings_marks_the_report_partial(tmp_path: Path) -> None:
    path = sample(
        tmp_path, "missing-service:music", "missing-service:notes", "bad-type:sms.creator"
    )
    report = report_of(path, max_findings=2)
    assert report["summary"]["partial"] is True
    assert len(report["findings"]) == 2
    assert report["summary"]["errors"] == 3
