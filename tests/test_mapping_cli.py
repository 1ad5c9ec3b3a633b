"""--mapping and --contract through the commands: a renamed export reads as the documented one."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from viewer.cli import main

# An inline table is one line in TOML.
MADE = ('{ id = "made", name = { en = "Made", sv = "Skapad" }, type = "timestamp", '
        'format = "epoch-ms", role = "created", keys = ["made"] }')  # fmt: skip
MAPPING = '[tables]\n"sms_records" = "sms"\n\n[fields.sms]\n"msgBody" = "content"\n'


@pytest.fixture(scope="module")
def renamed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A sample written with the mapping: its SMS table and content key have the observed names."""
    root = tmp_path_factory.mktemp("renamed")
    mapping = root / "mapping.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    export = root / "export.zip"
    args = ["sample", "--records", "300", "--no-encryption", "--mapping", str(mapping)]
    assert main([*args, "--out", str(export), "--quiet"]) == 0
    return export, mapping


def test_a_sample_with_a_mapping_uses_only_the_observed_names(renamed: tuple[Path, Path]) -> None:
    export, _mapping = renamed
    with zipfile.ZipFile(export) as zf:
        name = next(n for n in zf.namelist() if n.endswith("sms_records.json"))
        records = json.loads(zf.read(name))["sms_records"]
    keys = set().union(*(set(r) for r in records))
    assert "msgBody" in keys and "content" not in keys  # no documented name beside the observed
    assert {"address", "body", "date"} <= set(records[0]["msgBody"])  # the view's values, there


def test_verify_reads_the_renamed_export_as_complete_only_with_the_mapping(
    renamed: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    export, mapping = renamed
    assert main(["verify", str(export), "--format", "json", "--quiet"]) == 1
    without = json.loads(capsys.readouterr().out)
    assert "service-missing" in {f["check"] for f in without["findings"]}
    assert main(["verify", str(export), "--format", "json", "--mapping", str(mapping)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["status"] == "complete"
    assert {m["observed"] for m in report["mapping"]["applied"]} == {"sms_records", "msgBody"}


def test_info_build_and_convert_follow_the_mapping(
    renamed: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export, mapping = renamed
    assert main(["info", str(export), "--mapping", str(mapping)]) == 0
    assert any(
        line.split()[:2] == ["sms_records", "sms"] for line in capsys.readouterr().out.splitlines()
    )
    site = tmp_path / "site"
    args = ["build", str(export), "--out", str(site), "--no-guide", "--lang", "en", "--quiet"]
    assert main([*args, "--mapping", str(mapping)]) == 0
    conversations = site / "en" / "views" / "sms" / "index.html"
    assert conversations.is_file()  # the view found the counterparts under msgBody.address
    assert "with-" in conversations.read_text(encoding="utf-8")
    out = tmp_path / "moved"
    args = ["convert", str(export), "--to", "sms-xml", "--out", str(out), "--quiet"]
    assert main([*args, "--mapping", str(mapping)]) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    counts = {t["table"]: t for t in manifest["tables"]}
    assert counts["sms_records"]["records_in"] == 200


def test_verify_with_another_providers_contract(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    contract = tmp_path / "acme.toml"
    contract.write_text("""
[provider]
id = "acme"
name = { en = "Acme Cloud", sv = "Acme-molnet" }
version = "1"

[sources]
documented = { en = "Acme's list", sv = "Acmes lista" }
guessed = { en = "Key names", sv = "Nyckelnamn" }

[switching]
notice_period_max_months = 2
transition_period_days = 30
unfeasibility_notice_working_days = 14
alternative_transition_max_months = 7
retrieval_period_days = 30
download_link_valid_days = 30

[[services]]
id = "memos"
kind = "data"
name = { en = "Memos", sv = "Minnesanteckningar" }
tables = ["memos"]
id_keys = ["id"]
fields = [
  { id = "text", name = { en = "Text", sv = "Text" }, type = "text", keys = ["text"] },
  MADE,
]
""".replace("MADE", MADE), encoding="utf-8")  # fmt: skip
    export = tmp_path / "acme.zip"
    with zipfile.ZipFile(export, "w") as zf:
        zf.writestr("memos.json", json.dumps({"memos": [
            {"id": "1", "text": "hej", "made": 1_700_000_000_000},
            {"id": "2", "text": "då", "made": 1_700_000_100_000}]}))  # fmt: skip
    args = ["verify", str(export), "--contract", str(contract), "--format", "json"]
    assert main(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["contract"]["provider"] == "acme"
    assert [s["id"] for s in report["services"]] == ["memos"]
    assert report["summary"]["status"] == "complete"
    assert main(["verify", str(export), "--format", "json"]) == 1  # against Xiaomi's: incomplete
