"""`export-viewer convert`: exit 0 when all converted, 1 when some records skipped, 2 on errors."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from viewer.cli import main
from viewer.sample import write_sample


def test_convert_sample_to_vcard_and_sqlite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = write_sample(tmp_path / "export.zip", size="small", password="pw")
    (tmp_path / "pw").write_text("pw\n")
    out = tmp_path / "out"
    code = main(["convert", str(sample.path), "--to", "vcard,sqlite", "--out", str(out),
                 "--password-file", str(tmp_path / "pw")])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    assert "0 records skipped" in capsys.readouterr().out
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["formats"] == ["vcard", "sqlite"]
    assert manifest["source"]["sha256"] and manifest["source"]["encryption"] == "aes-256"
    assert {f["path"] for f in manifest["files"]} == {"vcard/contacts.vcf", "sqlite/export.sqlite"}


def test_skipped_record_exits_1_and_is_listed(tmp_path: Path) -> None:
    export = tmp_path / "export.zip"
    with zipfile.ZipFile(export, "w") as archive:
        records = [{"id": "1", "content": {"displayName": "Åsa"}}, {"id": "2", "content": {}}]
        archive.writestr("contacts.json", json.dumps({"contacts": records}))
    out = tmp_path / "out"
    assert main(["convert", str(export), "--to", "vcard", "--out", str(out), "-q"]) == 1
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert [(s["table"], s["seq"]) for s in manifest["skipped"]] == [("contacts", 1)]
    assert manifest["tables"][0]["records_in"] == 2


def test_non_empty_output_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "old.txt").write_text("x")
    code = main(["convert", str(tmp_path / "missing.zip"), "--to", "csv", "--out",
                 str(tmp_path / "out")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "not empty" in err and "--force" in err


def test_unknown_format_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["convert", "x.zip", "--to", "pdf", "--out", str(tmp_path / "o")])
    assert code == 2 and "unknown format pdf" in capsys.readouterr().err
