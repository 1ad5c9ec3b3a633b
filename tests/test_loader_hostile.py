"""Hostile and odd content end to end: the verify command's report and exit code, never a crash."""

from __future__ import annotations

import json
import os
import socket
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.zipfactory import Raw, deflate, make_zip, raw_zip
from verify.contract import load_contract
from viewer.cli import main
from viewer.loader import load_export

pytestmark = pytest.mark.usefixtures("nothing_outside")
GOOD = {"notes": [{"id": "n1", "content": {"body": "still here"}}]}


def verify_json(path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, Any]:
    code = main(["verify", str(path), "--format", "json", "--quiet", *extra])
    out = capsys.readouterr()
    return code, json.loads(out.out) if out.out else out.err


def structural(report: Any) -> list[tuple[str, str]]:
    return [(f["check"], f["message"]) for f in report["findings"]
            if f["check"] in ("json-invalid", "structure-invalid")]  # fmt: skip


@pytest.mark.parametrize("depth", [100, 600, 1000, 100_000])
def test_a_deeply_nested_record_is_a_finding_and_the_rest_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], depth: int
) -> None:
    deep = '{"a":' * depth + "1" + "}" * depth
    text = '{"sms":[' + deep + ',{"id":"s2"}]}'
    path = make_zip(tmp_path / "deep.zip", {"sms.json": text.encode(), "notes.json": GOOD})
    code, report = verify_json(path, capsys)
    assert code == 1
    assert structural(report) == [("structure-invalid",
        "sms.json, $.sms[0]: the record is nested deeper than 64 levels; skipped")]  # fmt: skip
    assert {t["name"]: t["records"] for t in report["tables"]} == {"sms": 1, "notes": 1}


def test_a_table_named_twice_in_one_file_keeps_both_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "sms.json"
    path.write_text('{"sms": [{"id": "a"}], "sms": [{"id": "b"}, {"id": "c"}]}', encoding="utf-8")
    code, report = verify_json(path, capsys)
    assert code == 1
    message = "sms.json, $.sms: the table appears twice in the file; its records are kept together"
    assert structural(report) == [("structure-invalid", message)]
    assert report["tables"][0]["records"] == 3


def test_duplicate_keys_and_invalid_utf8_inside_records(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    entries = {
        "sms.json": b'{"sms": [{"id": "a", "id": "b"}, {"id": "c"}]}',
        "calls.json": b'{"call_log": [{"id": "\xff\xfe"}]}',
        "notes.json": GOOD,
    }
    code, report = verify_json(make_zip(tmp_path / "odd.zip", entries), capsys)
    assert code == 1
    found = structural(report)
    assert ("structure-invalid", "sms.json, $.sms[0]: the record has a duplicate key") in found
    assert [c for c, m in found if m.startswith("calls.json")] == ["json-invalid"]
    tables = {t["name"]: t["records"] for t in report["tables"]}
    assert tables["sms"] == 2 and tables["notes"] == 1


def test_a_number_past_pythons_digit_limit_loads_as_its_digits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    digits = "9" * 5000  # valid JSON, but Python turns at most 4300 digits into an int
    path = tmp_path / "sms.json"
    path.write_text('{"sms": [{"id": ' + digits + ', "n": -' + digits + "}]}", encoding="utf-8")
    code, report = verify_json(path, capsys)
    assert structural(report) == []
    assert report["tables"][0]["records"] == 1
    assert code in (0, 1)  # other findings (a tiny export misses services), never a crash
    assert _only_record(path).data == {"id": digits, "n": "-" + digits}  # exact, as text


def _only_record(path: Path) -> Any:
    result = load_export(path, password=lambda _n: "", contract=load_contract())
    assert result.store is not None and result.problems == []
    record = result.store.get("sms", 0)
    result.store.close()
    return record


@pytest.mark.parametrize(
    ("escaped", "value"),
    [
        ("\\ud800x", "\ufffdx"),  # a lone high surrogate: the replacement character
        ("\\udc00", "\ufffd"),  # a lone low one (yajl failed on it with a UTF-8 error)
        ("\\ud800\\u0041", "\ufffdA"),  # (yajl joined these two into one character)
        ("\\ud83d\\ude00", "\U0001f600"),  # a real pair stays what it is
    ],
)
def test_a_lone_surrogate_escape_loads_safely(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], escaped: str, value: str
) -> None:
    path = tmp_path / "sms.json"
    path.write_text('{"sms": [{"id": "' + escaped + '"}, {"id": "y"}]}', encoding="ascii")
    code, report = verify_json(path, capsys)
    assert structural(report) == []
    assert report["tables"][0]["records"] == 2
    assert code in (0, 1)
    assert _only_record(path).data == {"id": value}


def test_a_fifo_named_like_an_export_is_refused_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "export.json"
    os.mkfifo(fifo)
    done: list[int] = []
    worker = threading.Thread(target=lambda: done.append(main(["info", str(fifo)])), daemon=True)
    worker.start()
    worker.join(30)
    if not done:  # unblock the reader so the test process can end, then fail
        with open(fifo, "wb"):
            pass
        pytest.fail("reading a FIFO blocked")
    assert done == [2]
    assert capsys.readouterr().err == "error: export.json: not a regular file or folder\n"


def test_a_device_or_a_socket_is_refused_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["info", "/dev/null"]) == 2  # a device: reading it would give nothing, or never end
    assert capsys.readouterr().err == "error: null: not a regular file or folder\n"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(tmp_path / "export.zip"))
        assert main(["info", str(tmp_path / "export.zip")]) == 2
    assert capsys.readouterr().err == "error: export.zip: not a regular file or folder\n"


def _aes_zip(tmp_path: Path) -> Path:
    return make_zip(tmp_path / "export.zip", {"a.json": GOOD}, password="pw")


def _patched(path: Path, old: bytes, new: bytes, count: int = 1) -> Path:
    data = path.read_bytes()
    assert data.count(old) >= count
    path.write_bytes(data.replace(old, new, count))
    return path


@pytest.mark.parametrize("encrypted", [False, True])
def test_a_local_header_that_names_another_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], encrypted: bool
) -> None:
    if encrypted:
        path = _patched(_aes_zip(tmp_path), b"a.json", b"b.json")  # the local header comes first
    else:
        path = tmp_path / "export.zip"
        path.write_bytes(raw_zip([Raw("a.json", b"{}")]))
        _patched(path, b"a.json", b"b.json")
    (tmp_path / "pw").write_text("pw\n", encoding="utf-8")
    assert main(["info", str(path), "--password-file", str(tmp_path / "pw"), "--quiet"]) == 2
    assert capsys.readouterr().err == (
        "error: export.zip: entry a.json has a local header that names another file "
        "(damaged or crafted)\n"
    )


def test_an_aes_strength_that_does_not_exist(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The AES extra field: id 0x9901, size 7, version, "AE", strength (3 = 256 bits), method.
    path = _patched(_aes_zip(tmp_path), b"AE\x03", b"AE\x09", count=2)
    (tmp_path / "pw").write_text("pw\n", encoding="utf-8")
    assert main(["info", str(path), "--password-file", str(tmp_path / "pw"), "--quiet"]) == 2
    assert capsys.readouterr().err == (
        "error: export.zip: entry a.json declares AES strength 9, which does not exist\n"
    )


def test_max_size_sets_the_caps_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from viewer.limits import Limits, parse_size

    path = make_zip(tmp_path / "export.zip", {"notes.json": b"[" + b" " * 6000 + b"]"})
    assert main(["info", str(path), "--max-size", "4K", "--quiet"]) == 2
    assert capsys.readouterr().err == (
        "error: export.zip: declared size 5.9 KiB exceeds the cap of 4.0 KiB (see --max-size)\n"
    )
    assert main(["info", str(path), "--max-size", "1G", "--quiet"]) in (0, 1)
    capsys.readouterr()
    bigger = Limits().with_max_size(parse_size("320G"))
    assert (bigger.max_total, bigger.max_entries, bigger.max_ratio) == (320 * 2**30, 10**6, 2500)
    smaller = Limits().with_max_size(parse_size("1G"))
    assert (smaller.max_entries, smaller.max_ratio) == (Limits().max_entries, Limits().max_ratio)


def test_max_size_lifts_the_ratio_cap_for_a_very_repetitive_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 4 MB of one record repeated deflates about 340 times: past the default cap of 250.
    record, count = b'{"id": "n", "content": {"body": "same"}},', 100_000
    table = b'{"notes": [' + record * count + b'{"id": "last"}]}'
    path = tmp_path / "export.zip"
    path.write_bytes(raw_zip([Raw("notes.json", deflate(table), method=8)]))
    ratio = len(table) / len(deflate(table))
    assert 250 < ratio < 2500
    assert main(["info", str(path), "--quiet"]) == 2
    assert capsys.readouterr().err == (
        f"error: export.zip: entry notes.json expands {ratio:.0f} times, above the cap of 250 "
        "(a zip bomb? see --max-size)\n"
    )
    assert main(["info", str(path), "--quiet", "--max-size", "320G"]) == 0
    assert "\nnotes  notes    100001   1\n\nproblems   0\n" in capsys.readouterr().out


def test_max_size_help_says_which_caps_it_raises(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["info", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert (
        "--max-size SIZE cap on the export's uncompressed size, declared and read, e.g. 64G "
        "(default 32G); a larger SIZE raises the caps on the number of files (100,000 per 32G) "
        "and on the compression ratio (250 per 32G) in proportion"
    ) in text
