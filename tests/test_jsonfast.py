"""The fast path: same records, problems and verdicts as the exact parser, on every input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.zipfactory import make_zip
from verify.contract import load_contract
from viewer.jsonfast import MIDPOINT_WINDOW, FastParser, HandOver, Midpoint, first_table
from viewer.jsonstream import Problem, parse_chunks
from viewer.loader import load_export

pytestmark = pytest.mark.usefixtures("nothing_outside")
SUITE = Path(__file__).parent / "fixtures" / "jsontestsuite" / "parsing.json"
CASES: dict[str, bytes] = {
    case["name"]: case["input"].encode("utf-8", "surrogatepass")
    for case in json.loads(SUITE.read_text(encoding="utf-8"))
}
# The npm package lost the suite's raw non-UTF-8 bytes: real ones, in values and in keys.
CASES |= {
    "u_lone_continuation.json": b'[{"a": "\x80"}]',
    "u_invalid_ff.json": b'[{"a": "x\xffy"}]',
    "u_overlong_slash.json": b'[{"a": "\xc0\xaf"}]',
    "u_encoded_surrogate.json": b'[{"a": "\xed\xa0\x80"}]',
    "u_above_max.json": b'[{"a": "\xf4\x90\x80\x80"}]',
    "u_cut_sequence.json": b'[{"a": "\xe2\x82"}]',
    "u_in_key.json": b'[{"\xe9": 1}]',
    "u_latin1_text.json": b'[{"a": "caf\xe9"}]',
}
Record = tuple[str, int, dict[str, Any]]


def variants() -> dict[str, bytes]:
    """Return every case as a whole file and as the value of a table."""
    out: dict[str, bytes] = {}
    for name, data in CASES.items():
        out[f"whole/{name}"] = data
        out[f"table/{name}"] = b'{"t": ' + data + b"}"
    return out


def exact(name: str, data: bytes) -> tuple[list[Record], list[Problem], bool]:
    """Parse with the exact (yajl) parser alone: what the fast path must reproduce."""
    records: list[Record] = []
    problems, ok = parse_chunks(
        [data], name, lambda _t: None, lambda t, i, r: records.append((t, i, r))
    )
    return records, problems, ok


class Capture:
    """A RecordSink keeping each file's committed records."""

    def __init__(self) -> None:
        self.records: dict[str, list[Record]] = {}
        self.aborted: set[str] = set()

    def begin(self, file: str) -> Capture.Entry:
        return Capture.Entry(self, file)

    class Entry:
        def __init__(self, owner: Capture, file: str) -> None:
            self.owner, self.file = owner, file
            self.pending: list[Record] = []

        def table(self, table: str) -> None:
            pass

        def add(self, table: str, index: int, record: dict[str, Any]) -> None:
            self.pending.append((table, index, record))

        def commit(self) -> None:
            self.owner.records[self.file] = self.pending

        def abort(self) -> None:
            self.owner.aborted.add(self.file)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Capture]:
    """Load every case from one ZIP, through the Store and a capturing sink."""
    path = make_zip(tmp_path_factory.mktemp("suite") / "suite.zip", variants())
    sink = Capture()
    result = load_export(path, password=lambda _n: "", contract=load_contract(), sinks=[sink])
    return result, sink


@pytest.mark.parametrize("kind", ["y_", "n_", "i_", "u_"])
def test_every_case_gives_the_exact_parsers_report(kind: str, loaded: tuple[Any, Capture]) -> None:
    result, sink = loaded
    problems: dict[str, list[Problem]] = {}
    for problem in result.problems:
        problems.setdefault(problem.file, []).append(problem)
    checked = 0
    for name, data in variants().items():
        if not name.split("/", 1)[1].startswith(kind):
            continue
        records, expected, ok = exact(name, data)
        assert problems.get(name, []) == expected, name
        assert all("\n" not in p.message for p in expected), name
        assert sink.records.get(name) == (records if ok else None), name
        assert (name in sink.aborted) == (not ok), name
        checked += 1
    assert checked >= 16


def test_suite_verdicts_hold(loaded: tuple[Any, Capture]) -> None:
    result, sink = loaded
    invalid = {p.file for p in result.problems if p.check == "json-invalid"}
    # Every y_ case is valid JSON; every n_ one (but those whose bytes the package lost) is not.
    assert not {n for n in invalid if n.split("/", 1)[1].startswith("y_")}
    lost = {n for n, d in CASES.items() if n.startswith("n_") and "\ufffd".encode() in d}
    missed = {
        n for n in CASES if n.startswith("n_") and n not in lost and f"whole/{n}" not in invalid
    }
    assert missed == {"n_structure_whitespace_formfeed.json"}  # yajl takes \f as a blank
    assert {f"whole/{n}" for n in CASES if n.startswith("u_")} <= invalid
    assert result.store is not None and result.store.count("t") == sum(
        len(r) for n, r in sink.records.items() if n.startswith("table/")
    )


def fast(data: bytes, piece: int) -> tuple[list[Record], list[Problem]]:
    records: list[Record] = []
    parser = FastParser(
        "f.json", lambda _t: None, lambda t, i, r, raw: records.append((t, i, r)), max_depth=64
    )
    for start in range(0, len(data), piece):
        parser.feed(data[start : start + piece])
    return records, parser.close()


@pytest.mark.parametrize("piece", [1, 3, 64, 1 << 20])
def test_fast_path_is_whole_whatever_the_chunking(piece: int) -> None:
    doc = {"sms": [{"id": i, "b": 'é€😀 \\" x' * (i % 3), "n": [1.5, None]} for i in range(40)]}
    text = json.dumps(doc, indent=1, ensure_ascii=False).encode()
    bom = piece >= 3  # like the exact parser, a BOM counts only whole in the first chunk
    records, problems = fast(b"\xef\xbb\xbf" * bom + text, piece)
    assert [r for _t, _i, r in records] == doc["sms"]
    assert [p.message for p in problems] == ["file starts with a byte order mark"] * bom


def test_raw_text_is_the_records_own() -> None:
    raws: list[str] = []
    parser = FastParser("f.json", lambda _t: None, lambda t, i, r, raw: raws.append(raw))
    parser.feed(b'{"a": [ {"x": 1,\n "y": "\\u00e9"} , {}], "b": []}')
    parser.close()
    assert raws == ['{"x": 1,\n "y": "\\u00e9"}', "{}"]


@pytest.mark.parametrize(
    "data",
    [
        b'{"t": [{"a": 1, "a": 2}]}',
        b'{"t": [{"a": {"b": 1, "b": 1}, "c": "x:y"}]}',
        b'{"t": [{"a": "\\ud800"}]}',
        b'{"t": [{"a": NaN}]}',
        b'{"t": [{"a": 1}], "t": []}',  # a table named twice: the exact parser reports it
        b'{"t": [1]}',
        b'{"t": {}}',
        b'{"t": []} x',
        b'{"t": [' + b'{"a": ' * 63 + b"1" + b"}" * 63 + b"]}",
    ],
)
def test_anything_unusual_hands_over(data: bytes) -> None:
    with pytest.raises(HandOver):
        fast(data, 1 << 20)


def test_colons_in_text_are_not_taken_for_duplicate_keys() -> None:
    records, problems = fast(b'{"t": [{"u": "https://x", "d": {"t": "10:00"}}]}', 7)
    assert problems == [] and records == [("t", 0, {"u": "https://x", "d": {"t": "10:00"}})]


def midpoint(text: str, at: int, piece: int) -> Midpoint:
    found = Midpoint(at)
    for start in range(0, len(text), piece):
        found.feed(text[start : start + piece])
    return found


@pytest.mark.parametrize("piece", [1, 5, 100, 1 << 20])
def test_the_midpoint_is_the_first_brace_after_a_comma_whatever_the_chunking(piece: int) -> None:
    text = '{"t": [{"a": {"b": 1}}, \n {"a": 2},{"a": 3}]}'
    second = text.index('{"a": 2}')
    assert midpoint(text, 0, piece).found == second  # not the root, the first record nor "b"'s
    assert midpoint(text, second, piece).found == second
    assert midpoint(text, text.index('{"a": 2}') + 1, piece).found == text.index('{"a": 3}')
    assert midpoint(text, text.index('{"a": 3}') + 1, piece).found is None  # (waits: no more)


def test_the_midpoint_gives_up_past_its_window() -> None:
    text = '{"t": [{"a": "' + "x" * (3 * MIDPOINT_WINDOW) + '"}]}'
    found = midpoint(text, 20, 4096)
    assert found.failed and found.found is None
    blanks = '{"t": [{"a": 1},' + " " * (2 * MIDPOINT_WINDOW) + '{"a": 2}]}'
    assert midpoint(blanks, 2 * MIDPOINT_WINDOW, 4096).failed  # the comma is out of sight


def test_the_midpoint_search_stays_linear_on_braces_and_blanks() -> None:
    text = "{ " * (2 * MIDPOINT_WINDOW)  # every brace looks back over one blank only
    found = midpoint(text, MIDPOINT_WINDOW, 1 << 20)
    assert found.failed


@pytest.mark.parametrize(
    ("text", "table"),
    [
        ('{"sms": [', "sms"),
        (' \n{ "a\\"b" :\t[{}', 'a"b'),
        ('{"sms": {', None),
        ('{"sms"', None),  # not yet known
        ("[{}]", None),
        ('{"sms": 1', None),
    ],
)
def test_first_table_is_read_from_the_beginning(text: str, table: str | None) -> None:
    assert first_table(text) == table


def split_parse(text: str, at: int) -> tuple[FastParser, list[Record], FastParser, list[Record]]:
    """Parse a head half to the split point and a tail half from it (as found by Midpoint)."""
    head: list[Record] = []
    parser = FastParser("f.json", lambda _t: None, lambda t, i, r, raw: head.append((t, i, r)))
    parser.stop_at(at)
    parser.feed(text.encode())
    tail: list[Record] = []
    rest = FastParser.tail(
        "f.json", "t", lambda _t: None, lambda t, i, r, raw: tail.append((t, i, r))
    )
    place = midpoint(text, at, 1 << 20).found
    assert place is not None
    rest.feed_text(text[place:])
    rest.close()
    return parser, head, rest, tail


def test_a_head_stops_at_the_split_point_and_the_tail_goes_on_from_it() -> None:
    doc = {"t": [{"id": i, "s": "x" * (i % 7)} for i in range(50)], "u": [{"id": 1}]}
    text = json.dumps(doc)
    parser, head, _rest, tail = split_parse(text, len(text) // 2)
    assert parser.stopped and parser.stopped_at == midpoint(text, len(text) // 2, 9).found
    assert [r for _t, _i, r in head + tail] == doc["t"] + doc["u"]
    assert [i for t, i, _r in tail if t == "t"] == list(range(len(tail) - 1))  # counted from 0
    assert tail[-1] == ("u", 0, {"id": 1})


@pytest.mark.parametrize(
    "doc",
    [
        {"t": [{"id": i, "s": "a,{b" * 30} for i in range(20)]},  # the place inside a string
        {"t": [{"id": i, "p": [{"n": 1}, {"n": 2}] * 9} for i in range(20)]},  # or a record
        {"s": [{"id": 1}], "t": [{"id": i} for i in range(90)]},  # a second table begun
    ],
)
def test_a_head_reads_on_unless_the_split_point_begins_a_record_of_the_first_table(
    doc: dict[str, Any],
) -> None:
    text = json.dumps(doc)
    records: list[Record] = []
    parser = FastParser("f.json", lambda _t: None, lambda t, i, r, raw: records.append((t, i, r)))
    parser.stop_at(len(text) // 2 + 3)
    parser.feed(text.encode())
    parser.close()
    assert not parser.stopped
    assert [r for _t, _i, r in records] == [r for rows in doc.values() for r in rows]
