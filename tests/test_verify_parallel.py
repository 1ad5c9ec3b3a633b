"""Verify on two processes: the same report as one pass, errors in order, nothing lost."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.zipfactory import make_zip
from verify.contract import load_contract
from verify.parallel import MIN_HALF, halves, remembered, split, verify_parallel
from verify.report import build_report
from verify.run import new_collector, verify_export
from viewer.errors import ArchiveError
from viewer.limits import Limits

CONTRACT = load_contract()
PASSWORD = "pär:ola;$(rm)"


def sms(start: int, ids: list[Any]) -> list[dict[str, Any]]:
    return [
        {"id": rid, "folder": 1,
         "content": {"address": f"+4670{start + n}", "body": "hi", "date": 1_600_000_000_000 + n}}
        for n, rid in enumerate(ids)
    ]  # fmt: skip


def entries() -> dict[str, Any]:
    """Several entries, one table across three of them with ids repeated within and across."""
    return {
        "export/sms_1.json": {"sms": sms(0, list(range(1, 400)))},
        "export/contacts.json": {"contacts": [{"id": "c1", "displayName": "A"}] * 3},
        "export/sms_2.json": {"sms": sms(500, [450, 3, 451, 3, 7, 452, 450])},
        "export/notes.json": {"notes": [{"id": 1, "content": "x"}], "unknown_table": [{"a": 1}]},
        "export/broken.json": b'{"calendar": [{"id": 1}, ',
        "export/sms_3.json": {"sms": sms(900, ["x" * 40, 5, "x" * 40, 451])},
    }


def timeless(report: dict[str, Any]) -> dict[str, Any]:
    report = json.loads(json.dumps(report))
    report.pop("generated_at", None)
    return report


def parallel_report(path: Path, password: str | None = PASSWORD) -> dict[str, Any]:
    collector = new_collector(CONTRACT)
    both = verify_parallel(
        path, collector, password=lambda _: password or "", limits=Limits(), progress=None
    )
    assert both is not None  # several entries: the worker took part
    info, problems = both
    return build_report(CONTRACT, collector, info, problems, None)


def test_two_processes_give_the_report_of_one_pass(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "export.zip", entries(), password=PASSWORD)
    one = timeless(verify_export(path, CONTRACT, password=lambda _: PASSWORD, parallel=False))
    two = timeless(parallel_report(path))
    assert two == one
    # The case the merge has to get right: duplicates across entries, with their positions.
    sms_table = next(t for t in one["tables"] if t["name"] == "sms")
    assert sms_table["records"] == 399 + 7 + 4
    found = next(f for f in two["findings"] if f["check"] == "duplicate-id" and f["table"] == "sms")
    assert found["count"] == 7  # 3, 7 and 5, 451 from earlier entries; 3, 450, "x"*40 again
    assert [(p["file"], p["index"]) for p in found["positions"]] == [
        ("export/sms_2.json", 1), ("export/sms_2.json", 3), ("export/sms_2.json", 4)
    ]  # fmt: skip
    assert any(f["check"] == "json-invalid" for f in two["findings"])


def test_the_split_balances_sizes_and_keeps_each_side_in_order() -> None:
    # 500 -> worker; 300, 200 -> here; 30 -> worker (500 against 500); 10, 5 -> here.
    assert split([10, 500, 30, 300, 200, 5]) == ([1, 2], [0, 3, 4, 5])
    assert split([7]) == ([0], [])


def test_the_password_is_asked_once_and_the_worker_gets_the_answer() -> None:
    asked: list[str] = []
    source = remembered(lambda name: asked.append(name) or "secret")
    assert source("a.zip") == "secret" and source("a.zip") == "secret"
    assert asked == ["a.zip"]


def damaged(path: Path, name: bytes) -> None:
    """Flip bytes inside one stored entry's data, so that only its CRC check fails."""
    data = bytearray(path.read_bytes())
    at = data.index(b'"' + name + b'"') + 10
    data[at : at + 4] = b"ZZZZ"
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("which", [b"notes", b"sms"])
def test_a_damaged_entry_gives_the_error_of_one_pass(tmp_path: Path, which: bytes) -> None:
    path = make_zip(tmp_path / "export.zip", entries(), stored=True)
    damaged(path, which)
    with pytest.raises(ArchiveError) as one:
        verify_export(path, CONTRACT, password=lambda _: "", parallel=False)
    with pytest.raises(ArchiveError) as two:
        parallel_report(path, None)
    assert str(two.value) == str(one.value)
    assert "CRC mismatch" in str(one.value)


def test_one_entry_is_left_to_the_single_pass(tmp_path: Path) -> None:
    path = make_zip(
        tmp_path / "one.zip", {"sms.json": {"sms": sms(0, [1, 2, 2])}}, password=PASSWORD
    )
    collector = new_collector(CONTRACT)
    assert verify_parallel(path, collector, password=lambda _: PASSWORD, limits=Limits(),
                           progress=None) is None  # fmt: skip
    asked: list[str] = []
    report = verify_export(path, CONTRACT, password=lambda name: asked.append(name) or PASSWORD)
    assert report["tables"][0]["records"] == 3
    assert asked == ["one.zip"]  # opened twice (to count its entries, then to read it), asked once


def test_progress_counts_both_sides_bytes(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "export.zip", entries())
    seen: list[tuple[int, int]] = []
    collector = new_collector(CONTRACT)
    verify_parallel(path, collector, password=lambda _: "", limits=Limits(),
                    progress=lambda done, total: seen.append((done, total)))  # fmt: skip
    total = sum(
        len(v if isinstance(v, bytes) else json.dumps(v).encode()) for v in entries().values()
    )
    assert seen[-1] == (total, total)
    assert all(t == total and 0 <= d <= total for d, t in seen)


def test_only_an_entry_that_outweighs_the_others_is_read_in_halves() -> None:
    big = 4 * MIN_HALF
    index, at = halves([100, big, MIN_HALF]) or (None, 0)
    assert index == 1 and (big + MIN_HALF + 100) // 2 < at < big  # (the tail is inflated too)
    assert halves([big]) is not None
    assert halves([big, big - 100, 200]) is None  # no need: the two sides are even already
    assert halves([big, big - 100]) is None  # a tail too small to be worth reading apart
    assert halves([MIN_HALF - 1]) is None and halves([]) is None


def big_sms() -> list[dict[str, Any]]:
    """More than MIN_HALF of SMS; ids and faults of the tail half repeat or follow the head's."""
    records = sms(0, list(range(12_000)))
    records[-5]["id"] = 17  # a duplicate of the head's, twice, and of the tail's own
    records[-3]["id"] = 17
    records[-4]["id"] = records[-2]["id"]
    records[-6]["updateTime"] = "yesterday"  # a bad time, with its position
    records[-7]["colour"] = "red"  # an undocumented field
    return records


def halved(tmp_path: Path, records: Any, **more: Any) -> Path:
    data = {"export/sms.json": {"sms": records}, "export/notes.json": {"notes": [{"id": 1}]}}
    data |= more
    path = make_zip(tmp_path / "export.zip", data, password=PASSWORD)
    size = len(json.dumps({"sms": records}).encode())
    assert size > MIN_HALF and halves([size, 100]) is not None
    return path


def test_an_entry_read_in_halves_gives_the_report_of_one_pass(tmp_path: Path) -> None:
    path = halved(tmp_path, big_sms(), **{"export/sms_2.json": {"sms": sms(0, [17, 11_999])}})
    one = timeless(verify_export(path, CONTRACT, password=lambda _: PASSWORD, parallel=False))
    assert timeless(parallel_report(path)) == one
    found = {f["check"]: f for f in one["findings"] if f["table"] == "sms"}
    assert found["duplicate-id"]["count"] == 5
    assert [p["index"] for p in found["duplicate-id"]["positions"]] == [11_995, 11_997, 11_998]
    assert [p["index"] for p in found["timestamp-invalid"]["positions"]] == [11_994]


@pytest.mark.parametrize(
    "records",
    [
        [{"id": n, "body": "a,{b" * 30} for n in range(12_000)],  # no record starts at the place
        [{"id": n, "p": [{"n": 1}, {"n": 2}] * 9} for n in range(6_000)],  # nor here
    ],
    ids=["string", "array"],
)
def test_an_entry_that_cannot_be_split_is_read_whole(tmp_path: Path, records: Any) -> None:
    path = halved(tmp_path, records)
    one = timeless(verify_export(path, CONTRACT, password=lambda _: PASSWORD, parallel=False))
    assert timeless(parallel_report(path)) == one
    assert next(t for t in one["tables"] if t["name"] == "sms")["records"] == len(records)


def test_a_problem_in_the_tail_half_is_found_as_one_pass_finds_it(tmp_path: Path) -> None:
    text = json.dumps({"sms": big_sms()})
    last = text.rindex('"folder": 1')
    text = text[:last] + '"folder": 1, "folder": 2' + text[last + len('"folder": 1') :]
    path = make_zip(tmp_path / "export.zip", {"export/sms.json": text.encode()}, password=PASSWORD)
    one = timeless(verify_export(path, CONTRACT, password=lambda _: PASSWORD, parallel=False))
    assert timeless(parallel_report(path)) == one
    assert any(f["check"] == "structure-invalid" for f in one["findings"])
    # Read twice here (the tail, then whole), it counts once against the cap on bytes read.
    tight = Limits(max_total=len(text.encode()))
    capped = verify_export(path, CONTRACT, password=lambda _: PASSWORD, limits=tight)
    assert timeless(capped) == one


def test_a_damaged_entry_read_in_halves_gives_the_error_of_one_pass(tmp_path: Path) -> None:
    records = big_sms()
    path = make_zip(tmp_path / "export.zip", {"sms.json": {"sms": records}}, stored=True)
    data = bytearray(path.read_bytes())
    at = data.index(b"+467011990")  # in the tail half: only the CRC at the end finds it
    data[at : at + 4] = b"ZZZZ"
    path.write_bytes(bytes(data))
    with pytest.raises(ArchiveError) as one:
        verify_export(path, CONTRACT, password=lambda _: "", parallel=False)
    with pytest.raises(ArchiveError) as two:
        parallel_report(path, None)
    assert str(two.value) == str(one.value) and "CRC mismatch" in str(one.value)


def test_progress_counts_a_split_entrys_bytes_once(tmp_path: Path) -> None:
    path = halved(tmp_path, big_sms())
    seen: list[tuple[int, int]] = []
    collector = new_collector(CONTRACT)
    verify_parallel(path, collector, password=lambda _: PASSWORD, limits=Limits(),
                    progress=lambda done, total: seen.append((done, total)))  # fmt: skip
    total = seen[-1][1]
    assert seen[-1] == (total, total) and len(seen) > 2
    assert all(t == total and 0 <= d <= total for d, t in seen)
