"""`export-viewer convert`: exit 0 when all converted, 1 when some records skipped, 2 on errors."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import pytest
import vobject

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


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str], dict[str, int]]:
    """A small sample export, the options that open it and its record counts."""
    base = tmp_path_factory.mktemp("cli")
    sample = write_sample(base / "export.zip", size="small", records=200, password="pw")
    (base / "pw").write_text("pw\n")
    return sample.path, ["--password-file", str(base / "pw"), "-q"], sample.tables


Export = tuple[Path, list[str], dict[str, int]]


def run(export: Export, out: Path, *args: str) -> int:
    path, opening, _counts = export
    return main(["convert", str(path), "--out", str(out), *opening, *args])


def test_split_and_vcard_version_flags(export: Export, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run(export, out, "--to", "vcard", "--split", "--vcard-version", "4.0") == 0
    files = sorted((out / "vcard" / "contacts").glob("*.vcf"))
    assert len(files) == export[2]["contacts"] > 1
    cards = [vobject.readOne(p.read_text("utf-8")) for p in files]
    assert {c.version.value for c in cards} == {"4.0"}
    assert all(c.tel.value.startswith("tel:") for c in cards if "tel" in c.contents)
    assert run(export, tmp_path / "plain", "--to", "vcard") == 0
    [single] = (tmp_path / "plain" / "vcard").iterdir()
    cards = list(vobject.readComponents(single.read_text("utf-8")))
    assert len(cards) == len(files) and {c.version.value for c in cards} == {"3.0"}


def test_excel_flag(export: Export, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run(export, out, "--to", "csv,datapackage", "--excel") == 0
    assert (out / "csv" / "sms.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    package = json.loads((out / "datapackage.json").read_text("utf-8"))
    paths = [resource["path"] for resource in package["resources"]]
    assert paths and all(p.startswith("datapackage/") for p in paths)
    assert not (out / paths[0]).read_bytes().startswith(b"\xef\xbb\xbf")


def test_force_flag_replaces_an_earlier_run_only(
    export: Export, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert run(export, out, "--to", "vcard") == 0
    assert run(export, out, "--to", "jsonl") == 2
    assert "not empty" in capsys.readouterr().err
    assert run(export, out, "--to", "jsonl", "--force") == 0
    assert not (out / "vcard").exists() and (out / "jsonl" / "sms.jsonl").is_file()
    (out / "mine.txt").write_text("keep")
    assert run(export, out, "--to", "csv", "--force") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "mine.txt" in err
    assert (out / "jsonl" / "sms.jsonl").is_file() and (out / "mine.txt").read_text() == "keep"


def test_backup_files_are_named_by_the_export_date(export: Export, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run(export, out, "--to", "sms-xml") == 0
    with zipfile.ZipFile(export[0]) as archive:
        newest = max(info.date_time for info in archive.infolist())
    made = dt.datetime(*newest)
    names = {p.name for p in (out / "sms-xml").glob("*.xml")}
    assert names == {f"sms-{made:%Y%m%d%H%M%S}.xml", f"calls-{made:%Y%m%d%H%M%S}.xml"}
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert dt.datetime.fromisoformat(manifest["source"]["export_date"]) == made
