"""One pass over an export into the Store and other sinks; broken files are findings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.zipfactory import Raw, deflate, have_tools, make_zip, raw_zip, tool_zip, write_tree
from verify.contract import load_contract
from viewer.cli import main
from viewer.errors import WrongPasswordError
from viewer.loader import LoadResult, load_export

pytestmark = pytest.mark.usefixtures("nothing_outside")
REPO = Path(__file__).resolve().parent.parent
CONTRACT = load_contract()
GOOD = {
    "export/sms.json": {"sms": [{"id": i, "content": {"body": f"m{i}"}} for i in range(5)]},
    "export/calls.json": {"call_log": [{"id": 1}], "sms": [{"id": 99}]},
    "export/unknown.json": {"mystery_table": [{"a": 1}]},
}


def load(path: Path, password: str = "pw", **kwargs: Any) -> LoadResult:  # noqa: S107
    return load_export(path, password=lambda _n: password, contract=CONTRACT, **kwargs)


class Counter:
    """A RecordSink that counts committed records per table, like verification statistics."""

    def __init__(self) -> None:
        self.committed: dict[str, int] = {}
        self.aborted: list[str] = []

    def begin(self, file: str) -> Counter.Entry:
        return Counter.Entry(self, file)

    class Entry:
        def __init__(self, owner: Counter, file: str) -> None:
            self.owner, self.file, self.pending = owner, file, {}  # type: ignore[var-annotated]

        def table(self, table: str) -> None:
            self.pending.setdefault(table, 0)

        def add(self, table: str, index: int, record: dict[str, Any]) -> None:
            self.pending[table] += 1

        def commit(self) -> None:
            for table, n in self.pending.items():
                self.owner.committed[table] = self.owner.committed.get(table, 0) + n

        def abort(self) -> None:
            self.owner.aborted.append(self.file)


def summary(result: LoadResult) -> list[tuple[str, str | None, int, tuple[str, ...]]]:
    assert result.store is not None
    return [(t.name, t.service, t.records, t.files) for t in result.store.tables()]


def test_tables_merge_across_files_with_provenance(tmp_path: Path) -> None:
    result = load(make_zip(tmp_path / "e.zip", GOOD, password="pw"))
    assert result.problems == []
    assert (result.info.encryption, result.info.entries) == ("aes-256", 3)
    assert summary(result) == [
        ("sms", "sms", 6, ("export/sms.json", "export/calls.json")),
        ("call_log", "call_log", 1, ("export/calls.json",)),
        ("mystery_table", None, 1, ("export/unknown.json",)),
    ]
    assert result.store is not None
    last = result.store.get("sms", 5)
    assert last is not None and (last.file, last.index, last.rid) == ("export/calls.json", 0, "99")
    # search=True (the default): the text was indexed while loading, and is ready on return
    assert result.store.searchable and result.store._feed is None
    assert [(r.table, r.seq, r.file) for r in result.store.search("m3")] == [
        ("sms", 3, "export/sms.json")
    ]


def test_one_file_layout_and_folder_load_the_same(tmp_path: Path) -> None:
    merged = {"sms": GOOD["export/sms.json"]["sms"], "call_log": [{"id": 1}]}
    one = load(make_zip(tmp_path / "one.zip", {"data/all.json": merged}))
    folder = load(write_tree(tmp_path / "folder", {"all.json": merged}))
    assert (
        [t[:3] for t in summary(one)]
        == [t[:3] for t in summary(folder)]
        == [
            ("sms", "sms", 5),
            ("call_log", "call_log", 1),
        ]
    )
    assert folder.info.kind == "folder"


def test_broken_files_are_problems_and_the_good_ones_load(tmp_path: Path) -> None:
    entries = {
        **GOOD,
        "export/broken.json": b'{"sms": [{"id": 100}, {"id": ',
        "export/nan.json": b'{"notes": [{"id": NaN}]}',
        "export/shape.json": b'{"notes": [1, {"id": "n"}], "browser": {"id": 1}}',
    }
    sink = Counter()
    result = load(make_zip(tmp_path / "e.zip", entries, password="pw"), sinks=[sink])
    assert [(p.check, p.file, p.position) for p in result.problems] == [
        ("json-invalid", "export/broken.json", "byte 29"),
        ("json-invalid", "export/nan.json", "bytes 0-24"),
        ("structure-invalid", "export/shape.json", "$.notes[0]"),
        ("structure-invalid", "export/shape.json", "$.browser"),
    ]
    assert [t[:3] for t in summary(result)] == [
        ("sms", "sms", 6),
        ("call_log", "call_log", 1),
        ("mystery_table", None, 1),
        ("notes", "notes", 1),
    ]
    assert sink.committed == {"sms": 6, "call_log": 1, "mystery_table": 1, "notes": 1}
    assert sink.aborted == ["export/broken.json", "export/nan.json"]


def test_keep_records_false_feeds_only_the_sinks(tmp_path: Path) -> None:
    sink = Counter()
    result = load(make_zip(tmp_path / "e.zip", GOOD), keep_records=False, sinks=[sink])
    assert result.store is None
    assert sink.committed == {"sms": 6, "call_log": 1, "mystery_table": 1}


def test_progress_reports_bytes(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    result = load(make_zip(tmp_path / "e.zip", GOOD), progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (result.info.uncompressed, result.info.uncompressed)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_entry_failing_its_check_counts_nothing(tmp_path: Path) -> None:
    path = make_zip(
        tmp_path / "e.zip", {"sms.json": GOOD["export/sms.json"]}, password="pw", stored=True
    )
    raw = bytearray(path.read_bytes())
    raw[80] ^= 0x01
    path.write_bytes(bytes(raw))
    sink = Counter()
    with pytest.raises(WrongPasswordError):
        load(path, sinks=[sink])
    assert sink.committed == {} and sink.aborted == ["sms.json"]


@pytest.mark.tools
@pytest.mark.skipif(not have_tools(), reason="zip and 7z are not installed")
@pytest.mark.parametrize("tool", ["zip", "7z-aes", "7z-zipcrypto"])
def test_cli_info_on_tool_made_exports(
    tmp_path: Path, tool: str, capsys: pytest.CaptureFixture[str]
) -> None:
    password = "a b$c'd\"e;f&g|h`i!j*k"
    path = tool_zip(tmp_path / "export.zip", GOOD, password, tool)
    (tmp_path / "pw").write_text(password + "\n")
    assert main(["info", str(path), "--password-file", str(tmp_path / "pw")]) == 0
    out = capsys.readouterr().out
    assert "table          service       records  files\n" in out
    assert "sms            sms           6        2\n" in out
    assert "mystery_table  undocumented  1        1\n" in out
    assert out.endswith("problems   0\n")


def test_cli_info_exit_1_with_problems_and_store_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = make_zip(tmp_path / "export.zip", {"a.json": {"sms": [1]}})
    store = tmp_path / "s.sqlite"
    assert main(["info", str(path), "--store", str(store), "--max-size", "1M"]) == 1
    out = capsys.readouterr().out
    assert out.endswith(
        "problems   1\n  structure-invalid  a.json  $.sms[0]  the record is not an object\n"
    )
    assert store.stat().st_mode & 0o777 == 0o600


CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from verify.contract import load_contract
    from viewer.errors import ExportViewerError
    from viewer.loader import load_export
    try:
        r = load_export(Path(sys.argv[1]), password=lambda n: "pw", contract=load_contract(),
                        keep_records=False)
        print("loaded", r.info.uncompressed)
    except ExportViewerError as exc:
        print("error", exc)
    # VmHWM, not ru_maxrss: Linux carries the parent's peak across fork+exec into ru_maxrss.
    status = Path("/proc/self/status").read_text()
    print(next(int(l.split()[1]) for l in status.splitlines() if l.startswith("VmHWM")) // 1024)
    print(__import__("viewer").__file__)
    """
)


def run_child(path: Path) -> tuple[str, int]:
    env = dict(os.environ, PYTHONPATH=str(REPO))  # this checkout, not what the venv has installed
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    first, rss, module = done.stdout.strip().splitlines()
    assert module == str(REPO / "viewer" / "__init__.py")
    return first, int(rss)


def test_bomb_fails_fast_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "bomb.zip"
    path.write_bytes(raw_zip([Raw("bomb.json", deflate(b" " * 200_000_000), method=8)]))
    first, rss_mb = run_child(path)
    assert first.startswith("error bomb.zip: entry bomb.json expands ")
    assert rss_mb < 150


def test_a_big_table_streams_in_bounded_memory(tmp_path: Path) -> None:
    records = b",".join(json.dumps({"id": i, "body": "x" * 200}).encode() for i in range(150_000))
    path = make_zip(tmp_path / "big.zip", {"sms.json": b'{"sms": [' + records + b"]}"})
    first, rss_mb = run_child(path)
    assert first.startswith("loaded 3")  # about 33 MB of JSON
    assert rss_mb < 120
