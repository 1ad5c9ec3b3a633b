"""Exports changed by hand and packed again with 7-Zip are reported with exactly the right codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from verify.contract import load_contract
from verify.report import flatten
from verify.run import verify_export
from viewer.sample import ROOT, write_sample

pytestmark = [
    pytest.mark.tools,
    pytest.mark.skipif(shutil.which("7z") is None, reason="7z is not installed"),
]
PASSWORD = "Tr1cky pass; $HOME `x` 'q' \"d\" & | <>"


def load(folder: Path, table: str) -> list[dict[str, Any]]:
    data = json.loads((folder / ROOT / f"{table}.json").read_text(encoding="utf-8"))
    records: list[dict[str, Any]] = data[table]
    return records


def save(folder: Path, table: str, records: list[dict[str, Any]]) -> None:
    text = json.dumps({table: records}, ensure_ascii=False)
    (folder / ROOT / f"{table}.json").write_text(text, encoding="utf-8")


def edit_by_hand(folder: Path) -> None:
    (folder / ROOT / "music.json").unlink()  # a service's table removed
    notes = load(folder, "notes")
    for note in notes:
        del note["folderName"]  # a field dropped from every record
    save(folder, "notes", notes)
    save(folder, "horoscope", [{"sign": "Libra"}])  # an unknown table
    save(folder, "invoices", [{"invoiceId": "A-1", "amount": 10}])  # not exportable
    contacts = load(folder, "contacts")
    save(folder, "contacts", [*contacts, contacts[0]])  # a record duplicated


def test_hand_edited_7zip_export(tmp_path: Path) -> None:
    original = tmp_path / "original.zip"
    write_sample(original, seed=4, records=300, password=None)
    folder = tmp_path / "edit"
    with zipfile.ZipFile(original) as zf:
        zf.extractall(folder)
    edit_by_hand(folder)
    packed = tmp_path / "repacked.zip"
    subprocess.run(
        ["7z", "a", "-tzip", f"-p{PASSWORD}", "-mem=AES256", str(packed), ROOT],
        cwd=folder,
        check=True,
        capture_output=True,
    )
    report = verify_export(packed, load_contract(), password=lambda name: PASSWORD)
    rows = sorted(r[:5] for r in flatten(report) if r[0] != "export-date")
    assert rows == [
        ("duplicate-id", "error", "contacts", "contacts", ""),
        ("field-missing", "error", "notes", "notes", "folder_name"),
        ("not-exportable-present", "error", "", "invoices", ""),
        ("service-missing", "error", "music", "", ""),
        ("undocumented-table", "warning", "", "horoscope", ""),
    ]
    assert report["archive"]["encryption"] == "aes-256"
    assert report["summary"]["status"] == "incomplete"
