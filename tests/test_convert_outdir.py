"""The output folder: new levels 0700, non-empty refused, --force replaces only our output."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from verify.contract import load_contract
from viewer.convert import convert
from viewer.convert.outdir import plan_out_dir, prepare_out_dir
from viewer.errors import UsageError
from viewer.store import Store

CONTRACT = load_contract()


@pytest.fixture
def store() -> Iterator[Store]:
    made = Store.open(contract=CONTRACT)
    entry = made.begin("export.json")
    entry.table("clipboard")
    entry.add("clipboard", 0, {"id": 1, "text": "hello", "createTime": 1700000000000})
    entry.table("contacts")
    entry.add("contacts", 0, {"id": "1", "content": {"displayName": "Åsa"}})
    entry.commit()
    yield made
    made.close()


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def files_below(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if not p.is_dir()}


def test_every_missing_level_is_created_0700(tmp_path: Path) -> None:
    old = os.umask(0o022)  # the usual umask would give 0755 to folders made with parents=True
    try:
        out = prepare_out_dir(tmp_path / "a" / "b" / "out", force=False)
    finally:
        os.umask(old)
    assert out.is_dir()
    assert [mode(p) for p in (tmp_path / "a", tmp_path / "a" / "b", out)] == [0o700] * 3


def test_non_empty_folder_is_refused_without_force(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(UsageError, match=r"not empty.*--force"):
        prepare_out_dir(tmp_path, force=False)
    assert (tmp_path / "keep.txt").read_text() == "mine"


def test_force_removes_the_earlier_output_that_is_not_rewritten(
    store: Store, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    convert(store, CONTRACT, ["vcard", "csv"], out)
    assert "vcard/contacts.vcf" in files_below(out)
    with pytest.raises(UsageError, match="not empty"):
        convert(store, CONTRACT, ["jsonl"], out)
    manifest = convert(store, CONTRACT, ["jsonl"], out, force=True)
    listed = {f.path for f in manifest.files}
    assert files_below(out) == listed | {"manifest.json", "README.md"}
    assert not (out / "vcard").exists() and not (out / "csv").exists()
    assert listed == {"jsonl/clipboard.jsonl", "jsonl/contacts.jsonl"}


def test_force_refuses_files_an_earlier_run_did_not_write_and_removes_nothing(
    store: Store, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    convert(store, CONTRACT, ["csv"], out)
    (out / "csv" / "my notes.txt").write_text("mine")
    before = files_below(out)
    with pytest.raises(UsageError, match=r"1 file\(s\).*csv/my notes.txt"):
        convert(store, CONTRACT, ["jsonl"], out, force=True)
    assert files_below(out) == before


def test_force_refuses_a_folder_without_a_manifest_or_with_a_symlink(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.json").write_text("not json")
    (out / "data.csv").write_text("x")
    with pytest.raises(UsageError, match="did not write"):
        plan_out_dir(out, force=True)
    (out / "data.csv").unlink()
    (out / "manifest.json").write_text(json.dumps({"files": [{"path": "link"}]}))
    (out / "link").symlink_to(tmp_path)
    (out / "linked").symlink_to(tmp_path, target_is_directory=True)
    with pytest.raises(UsageError, match="linked"):
        plan_out_dir(out, force=True)
    assert (out / "link").is_symlink() and (tmp_path / "out").is_dir()
