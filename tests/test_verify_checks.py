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
    assert [f["check"] for f in report["findings"]] == ["encryption-none", "export-date"]
    export_date = report["findings"][1]
    assert export_date["message"] == (
        "exported on 2026-01-15; the download link is valid until 2026-02-14 (30 days)"
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
