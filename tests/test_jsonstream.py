"""The incremental parser: records out, problems (with positions, without content) for the rest."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from viewer.jsonstream import MAX_PROBLEMS, Problem, parse_chunks

pytestmark = pytest.mark.usefixtures("nothing_outside")


def parse(
    data: bytes, *, piece: int | None = None, max_depth: int = 64
) -> tuple[list[tuple[str, int, dict[str, Any]]], list[str], list[Problem], bool]:
    records: list[tuple[str, int, dict[str, Any]]] = []
    tables: list[str] = []
    size = piece or max(len(data), 1)
    chunks = [data[i : i + size] for i in range(0, len(data), size)]
    problems, ok = parse_chunks(
        chunks,
        "f.json",
        tables.append,
        lambda t, i, r: records.append((t, i, r)),
        max_depth=max_depth,
    )
    return records, tables, problems, ok


def rows(problems: list[Problem]) -> list[tuple[str, str, str]]:
    return [(p.check, p.position, p.message) for p in problems]


DOC = {
    "sms": [{"id": 1, "content": {"body": "hej", "tags": [1, 2.5, None, True]}}, {"id": 2}],
    "empty": [],
    "notes": [{"id": "n", "nested": [[{"x": "y"}]]}],
}


@pytest.mark.parametrize("piece", [None, 1, 7])
def test_records_come_out_whole_whatever_the_chunking(piece: int | None) -> None:
    records, tables, problems, ok = parse(json.dumps(DOC).encode(), piece=piece)
    assert ok and problems == []
    assert tables == ["sms", "empty", "notes"]
    assert records == [
        ("sms", 0, DOC["sms"][0]),
        ("sms", 1, DOC["sms"][1]),
        ("notes", 0, DOC["notes"][0]),
    ]


def test_bom_is_skipped_and_reported() -> None:
    records, _, problems, ok = parse(b'\xef\xbb\xbf{"sms": [{"id": 1}]}')
    assert ok and records == [("sms", 0, {"id": 1})]
    assert rows(problems) == [("structure-invalid", "byte 0", "file starts with a byte order mark")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"sms": [{"id": NaN}]}', "invalid JSON: lexical error: invalid char in json text"),
        (b'{"sms": [{"id": Infinity}]}', "invalid JSON: lexical error: invalid char in json text"),
        (
            b'{"sms": [{"b": "\xff\xfe"}]}',
            "invalid JSON: lexical error: invalid bytes in UTF8 string",
        ),
        (b'{"sms": [{"id": 1}', "invalid JSON: parse error: premature EOF"),
        (b"", "invalid JSON: parse error: premature EOF"),
        (b"{}{}", "invalid JSON: parse error: trailing garbage"),
    ],
)
def test_invalid_json_is_a_problem_without_content(data: bytes, message: str) -> None:
    _, _, problems, ok = parse(data)
    assert not ok
    assert [(p.check, p.message) for p in problems] == [("json-invalid", message)]
    assert problems[0].position.startswith("byte")
    assert "NaN" not in problems[0].message and "hej" not in problems[0].message


def test_position_of_invalid_json_is_the_window_it_is_in() -> None:
    data = b'{"sms": [' + b'{"id": 1},' * 20_000 + b"{oops}]}"
    _, _, problems, _ = parse(data)
    assert problems[0].position == "bytes 196608-200017"


@pytest.mark.parametrize(
    ("data", "expected", "problem"),
    [
        (b"[1, 2]", [], ("structure-invalid", "$", "the top level is not an object")),
        (b'"text"', [], ("structure-invalid", "$", "the top level is not an object")),
        (
            b'{"sms": {"id": 1}, "notes": [{"id": 2}]}',
            [("notes", 0, {"id": 2})],
            ("structure-invalid", "$.sms", "the table is not an array"),
        ),
        (
            b'{"sms": [1, {"id": 2}, [3]]}',
            [("sms", 1, {"id": 2})],
            ("structure-invalid", "$.sms[0]", "the record is not an object"),
        ),
        (
            b'{"sms": [{"id": 1, "id": 2}]}',
            [("sms", 0, {"id": 2})],
            ("structure-invalid", "$.sms[0]", "the record has a duplicate key"),
        ),
    ],
)
def test_structure_problems_skip_only_what_is_wrong(
    data: bytes, expected: list[Any], problem: tuple[str, str, str]
) -> None:
    records, _, problems, ok = parse(data)
    assert ok and records == expected
    assert rows(problems)[0] == problem


def test_deep_nesting_is_skipped_not_a_recursion_error() -> None:
    deep = b"[" * 200_000 + b"]" * 200_000
    data = b'{"sms": [{"a": ' + deep + b'}, {"id": 2}], "x": ' + deep + b"}"
    records, _, problems, ok = parse(data, piece=65536)
    assert ok and records == [("sms", 1, {"id": 2})]
    assert rows(problems) == [
        ("structure-invalid", "$.sms[0]", "the record is nested deeper than 64 levels; skipped"),
        ("structure-invalid", "$.x[0]", "the record is not an object"),
    ]


def test_depth_cap_is_exact() -> None:
    def nested(levels: int) -> bytes:
        return b'{"t": [' + b'{"a": ' * (levels - 2) + b"1" + b"}" * (levels - 2) + b"]}"

    assert parse(nested(64))[2] == []
    assert len(parse(nested(65))[2]) == 1


def test_problems_are_capped_per_file() -> None:
    data = b'{"sms": [' + b",".join([b"1"] * 500) + b"]}"
    _, _, problems, _ = parse(data)
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[-1].message == "450 more problems in this file not listed"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_give_findings_never_an_exception(data: bytes) -> None:
    _, _, problems, ok = parse(data, piece=3)
    assert ok or "json-invalid" in {p.check for p in problems}


@settings(max_examples=100, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
        max_leaves=20,
    )
)
def test_records_equal_what_json_loads_gives(record: Any) -> None:
    doc = {"t": [{"v": record}]}
    for piece in (None, random.Random(1).randint(1, 9)):
        records, _, problems, ok = parse(json.dumps(doc).encode(), piece=piece)
        assert ok and problems == [] and records == [("t", 0, {"v": record})]


def test_lone_surrogates_and_long_integers_read_the_same_whatever_the_chunking() -> None:
    long = b"4" * 4400  # past Python's default limit of 4300 digits
    inf = float("inf")  # a fraction that long is past any float, as Python's json reads it
    data = b'{"t": [{"a": "\\ud800\\u0041", "b": "\\udc00", "c": "\\ud83d\\ude00", "n": ' + long
    data += b', "f": ' + long + b'.5}, {"id": 2}]}'
    for piece in (None, 1, 7, 4096):
        records, _, problems, ok = parse(data, piece=piece)
        assert ok and problems == []
        assert records == [
            ("t", 0, {"a": "\ufffdA", "b": "\ufffd", "c": "😀", "n": long.decode(), "f": inf}),
            ("t", 1, {"id": 2}),
        ]
