"""The tail half of a split entry: the same place as the head's, its records, its checks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.test_jsonfast import Capture
from tests.zipfactory import make_zip
from viewer.archive import open_archive
from viewer.errors import ArchiveError
from viewer.halves import read_tail
from viewer.limits import Limits
from viewer.loader import Stop, load_entry

pytestmark = pytest.mark.usefixtures("nothing_outside")
PASSWORD = "pär:ola;$(rm)"


def sms(n: int) -> list[dict[str, Any]]:
    return [{"id": i, "address": f"+46{i}", "body": "hej é€ " * (i % 5)} for i in range(n)]


def halves(path: Path, at: int, password: str | None = PASSWORD) -> tuple[Stop, Capture, Any]:
    """Read the head half of the archive's one entry, then its tail half."""
    head, tail = Capture(), Capture()
    with open_archive(path, password=lambda _: password or "", limits=Limits()) as archive:
        entry = archive.entries[0]
        stop = Stop(at)
        load_entry(archive, entry, [head], None, archive.total, stop)
        found = read_tail(archive, entry, [tail], at)
    return stop, head, (found, tail)


@pytest.mark.parametrize("bom", [False, True])
def test_the_halves_meet_at_one_record_and_add_up_to_the_entry(tmp_path: Path, bom: bool) -> None:
    records = sms(3000)
    data = b"\xef\xbb\xbf" * bom + json.dumps({"sms": records}, ensure_ascii=False).encode()
    path = make_zip(tmp_path / "export.zip", {"export/sms.json": data}, password=PASSWORD)
    at = len(data) // 3
    stop, head, (tail, rest) = halves(path, at)
    assert stop.records is not None and stop.place is not None
    assert data.decode("utf-8-sig")[stop.place : stop.place + 7] == '{"id": '  # a record
    assert tail is not None and tail.place == stop.place and tail.table == "sms"
    first = head.records["export/sms.json"]
    second = rest.records["export/sms.json"]
    assert len(first) == stop.records
    assert [r for _t, _i, r in first + second] == records
    assert [i for _t, i, _r in second] == list(range(len(records) - stop.records))


def test_a_tail_that_meets_a_problem_gives_up(tmp_path: Path) -> None:
    text = json.dumps({"sms": sms(2000)})
    text = text[: len(text) * 3 // 4] + text[len(text) * 3 // 4 :].replace('"address"', '"id"', 1)
    path = make_zip(tmp_path / "export.zip", {"sms.json": text.encode()}, password=PASSWORD)
    stop, _head, (tail, rest) = halves(path, len(text) // 2)
    assert stop.records is not None  # the head half is fine ...
    assert tail is None and "sms.json" not in rest.records  # ... the tail's duplicate key is not


def test_a_tail_whose_place_is_not_a_record_is_not_the_heads(tmp_path: Path) -> None:
    doc = {"sms": [{"id": i, "body": "a,{b" * 40} for i in range(400)]}
    path = make_zip(tmp_path / "export.zip", {"sms.json": doc}, password=PASSWORD)
    stop, head, (tail, _rest) = halves(path, len(json.dumps(doc)) // 2)
    assert stop.records is None and len(head.records["sms.json"]) == 400  # read whole
    assert tail is None  # its place is inside a string: no records from there


def test_the_tail_checks_the_entry(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "export.zip", {"sms.json": {"sms": sms(2000)}}, stored=True)
    data = bytearray(path.read_bytes())
    place = data.index(b'"id": 1999')
    data[place : place + 4] = b"ZZZZ"  # the tail's text, a CRC mismatch at the end
    path.write_bytes(bytes(data))
    with pytest.raises(ArchiveError, match="CRC mismatch"):
        halves(path, 1000, None)


def test_the_split_point_is_a_byte_offset_whatever_the_script(tmp_path: Path) -> None:
    records = [{"id": i, "body": "你好，明天见" * (1 + i % 4)} for i in range(3000)]
    data = json.dumps({"sms": records}, ensure_ascii=False).encode()
    text = data.decode()
    path = make_zip(tmp_path / "export.zip", {"sms.json": data}, password=PASSWORD)
    at = len(data) // 2  # half the bytes: well past half the characters' offset in bytes
    stop, head, (tail, rest) = halves(path, at)
    assert tail is not None and stop.place == tail.place
    assert stop.records is not None and abs(stop.records - 1500) < 150  # about half the records
    assert len(text[: stop.place].encode()) >= at - 1024  # (the ratio of the first chunk)
    assert len(head.records["sms.json"]) + len(rest.records["sms.json"]) == len(records)
