"""The bytes yajl gets: lone surrogates and too-long integers rewritten, the rest untouched."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from viewer.jsonprep import Prepared

DIGITS = 3  # a tiny digit limit, so that generated integers cross it often
pytestmark = pytest.mark.usefixtures("nothing_outside")


def prepare(data: bytes, sizes: list[int], digits: int = DIGITS) -> bytes:
    """Feed `data` in chunks of the given sizes (cycled) and return all that came out."""
    prepared, out, pos, turn = Prepared(digits), [], 0, 0
    while pos < len(data):
        size = sizes[turn % len(sizes)]
        out.append(prepared.feed(data[pos : pos + size]))
        pos, turn = pos + size, turn + 1
    out.append(prepared.close())
    return b"".join(out)


def _fixed(value: Any) -> Any:
    """Return a value as it should read: lone surrogates replaced, as Python's json finds them."""
    if isinstance(value, str):
        return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in value)
    if isinstance(value, list):
        return [_fixed(v) for v in value]
    if isinstance(value, dict):
        return {_fixed(k): _fixed(v) for k, v in value.items()}
    return value


def expected(data: bytes) -> Any:
    """Return what the rewritten bytes must read as: too-long integers as their text."""
    return _fixed(
        json.loads(data, parse_int=lambda s: s if len(s.lstrip("-")) > DIGITS else int(s))
    )


TEXT = st.text(
    st.sampled_from(
        ['"', "\\", "/", "u", "d", "8", "0", "1", "9", " ", "é", "😀", "\ud800", "\udc00"]
    )
    | st.characters(min_codepoint=0xD7F0, max_codepoint=0xE010),
    max_size=12,
)
NUMBER = st.integers(min_value=-(10**8), max_value=10**8) | st.floats(allow_nan=False)
VALUES = st.recursive(
    st.none() | st.booleans() | NUMBER | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)


SIZES = st.lists(st.integers(min_value=1, max_value=13), min_size=1, max_size=5)


@settings(max_examples=400, deadline=None)
@given(VALUES, SIZES, st.sampled_from([None, 1]))
def test_rewritten_bytes_read_right_whatever_the_chunking(
    value: Any, sizes: list[int], indent: int | None
) -> None:
    data = json.dumps({"t": [value]}, indent=indent).encode()
    whole = prepare(data, [len(data)])
    assert prepare(data, sizes) == whole
    assert json.loads(whole) == expected(data)


@settings(max_examples=200, deadline=None)
@given(VALUES, SIZES)
def test_bytes_with_nothing_to_rewrite_pass_unchanged(value: Any, sizes: list[int]) -> None:
    data = json.dumps({"t": [_fixed(value)]}, ensure_ascii=False).encode()
    assert prepare(data, sizes, digits=10) == data  # all numbers fit, no lone surrogate


@pytest.mark.parametrize(
    ("data", "rewritten"),
    [
        (rb'["\ud800"]', rb'["\ufffd"]'),
        (rb'["\udc00x"]', rb'["\ufffdx"]'),
        (rb'["\ud800\u0041"]', rb'["\ufffd\u0041"]'),  # yajl would join the two into one
        (rb'["\ud83d\ude00", "\\ud800"]', rb'["\ud83d\ude00", "\\ud800"]'),
        (b"[12345, -12345, 123]", b'["12345", "-12345", 123]'),
        (
            b'[12345.5, 1e12345, 1.12345, "12345", 012345]',
            b'[12345.5, 1e12345, 1.12345, "12345", 012345]',
        ),
    ],
)
def test_what_is_rewritten(data: bytes, rewritten: bytes) -> None:
    for size in (1, 2, 5, len(data)):
        assert prepare(data, [size]) == rewritten


def test_a_long_number_across_many_chunks_is_kept_whole() -> None:
    digits = b"7" * 3_000_000
    data = b'{"t": [{"n": ' + digits + b"}]}"
    assert prepare(data, [64 * 1024], digits=4300) == b'{"t": [{"n": "' + digits + b'"}]}'


TRICKY = [
    rb'{"a": "x\\\\", "b": 12345, "c": "\\\"12345\\\"", "d": "\ud800", "e": 12345}',
    rb'["\\\\\\\"", 12345, "\\\\\\\\", "\"\udc00", 12345, "\ud83d\ude00\ud83d\ude00", 12345]',
    rb'["\u0041\ud83d\ude00\\", -12345, "\\\"\\u0041", "\\\ud800", 12345]',
    rb'["\\ud83d\udc00", "\\\\ud83d\udc00"]',  # a low after what only looks high
]


@pytest.mark.parametrize("data", TRICKY)
def test_backslashes_and_pairs_at_every_chunk_boundary(data: bytes) -> None:
    # Padding shifts every byte against the chunk boundaries; each cut must land safely.
    for pad in range(13):
        padded = b" " * pad + data
        whole = prepare(padded, [len(padded)])
        assert json.loads(whole) == expected(padded)
        for size in range(1, 30):
            assert prepare(padded, [size]) == whole, (pad, size)
