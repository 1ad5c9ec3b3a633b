"""The fast path for well-formed entries: records parsed in C, their raw text kept, no events.

`FastParser` reads the top two levels (an object of arrays) with a small state machine and hands
each record to the C scanner of the `json` module, which returns the record and where it ends, so
the record's own text is stored as is. It accepts only what the exact parser (`EntryParser`, on
yajl) accepts without a problem; anything else (invalid JSON or UTF-8, a BOM-less oddity such as
NaN, a table that is not an array, a record that is not an object, nesting past the cap, a
duplicate key or a table named twice, a lone surrogate, an integer too long for Python) raises
`HandOver`, and the loader replays the entry through the exact parser, which then reports it
with its usual messages and positions (or reads it as `viewer.jsonprep` rewrites it).
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable
from typing import Any

from viewer.jsonstream import BOM, Problem

WS = re.compile(r"[ \t\n\r]*")
BLANK = " \t\n\r"
FIRST_TABLE = re.compile(r'[ \t\n\r]*\{[ \t\n\r]*(?=")')
TABLE_OPENS = re.compile(r"[ \t\n\r]*:[ \t\n\r]*\[")
MIDPOINT_WINDOW = 64 * 1024  # characters searched from a split point for a record's start
SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
MAX_PENDING = 8 * 1024 * 1024  # characters of one unfinished record before handing over
NEAR_END = 16  # a scan error this close to the end of the buffer may just be a cut record

RawRecordCallback = Callable[[str, int, dict[str, Any], str], None]

# States: what the next non-blank character must be.
ROOT, OPEN, KEY, COLON, VALUE, FIRST, NEXT, RECORD, AFTER, NEXT_KEY, DONE = range(11)


class HandOver(Exception):
    """The entry needs the exact parser: replay it from its first byte."""


def _constant(name: str) -> Any:
    raise HandOver(name)  # NaN and Infinity are invalid JSON: the exact parser says so


def _depth(value: Any) -> int:
    """Return how deeply containers nest in a value (a flat object is 1).

    A loop, not recursion: the C scanner builds records nested far deeper than Python recurses.
    """
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        kind = type(item)
        if kind is not dict and kind is not list:
            continue
        deepest = max(deepest, level)
        children = item.values() if kind is dict else item
        stack.extend((child, level + 1) for child in children if type(child) in (dict, list))
    return deepest


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Build an object from its pairs, handing over at a duplicate key (the scanner's hook)."""
    built = dict(pairs)
    if len(built) != len(pairs):
        raise HandOver("duplicate key")
    return built


class Midpoint:
    """The place an entry is split at: the first `{` at or after an offset whose previous
    non-blank character is a comma, which is how every record but a table's first begins.

    The offset is given in bytes and taken in characters at the ratio of the first text fed (text
    in Chinese has 3 bytes to a character): both halves of a split entry feed the same text, so
    they find the same place. Only the half that parses from the start can tell whether it truly
    begins a record (a string may hold `,{`, a record an array of objects).
    Fed the entry's text in order; gives up (`failed`) if the window passes without one.
    """

    def __init__(self, at: int) -> None:
        self.at = at  # in bytes until the first text, then in characters
        self._scaled = False
        self.found: int | None = None
        self.failed = False
        self.seen = 0  # characters fed so far
        self._window = ""  # the text from a little before `at`, until the place is found
        self._window_start = 0

    def feed(self, text: str) -> int | None:
        """Take the next text; return the place once it is known."""
        if not self._scaled and text:
            self._scaled = True
            self.at = self.at * len(text) // len(text.encode("utf-8", "surrogatepass"))
        start, self.seen = self.seen, self.seen + len(text)
        if self.found is not None or self.failed or self.seen <= self.at - MIDPOINT_WINDOW:
            return self.found
        if not self._window:
            self._window_start = max(start, self.at - MIDPOINT_WINDOW)
        self._window += text[self._window_start + len(self._window) - start :]
        window = self._window
        brace = window.find("{", max(self.at - self._window_start, 0))
        while brace >= 0:
            before = brace - 1
            while before >= 0 and window[before] in BLANK:  # (back to the brace before, at most)
                before -= 1
            if before >= 0 and window[before] == ",":
                self.found, self._window = self._window_start + brace, ""
                return self.found
            if before < 0 and self._window_start > 0:  # blanks all through the window
                break
            brace = window.find("{", brace + 1)
        if brace >= 0 or len(window) > 2 * MIDPOINT_WINDOW:
            self.failed, self._window = True, ""
        return None


def first_table(text: str) -> str | None:
    """Return the name of the first table of an entry from its beginning (None: not yet known,
    or no object of arrays)."""
    opened = FIRST_TABLE.match(text)
    if opened is None:
        return None
    try:
        name, end = json.JSONDecoder().scan_once(text, opened.end())  # type: ignore[attr-defined]
    except (json.JSONDecodeError, StopIteration):
        return None
    return name if isinstance(name, str) and TABLE_OPENS.match(text, end) else None


class FastParser:
    """A push parser for one plain, well-formed entry: feed() chunks, then close()."""

    def __init__(
        self,
        file: str,
        on_table: Callable[[str], None],
        on_record: RawRecordCallback,
        *,
        max_depth: int = 64,
    ) -> None:
        self.file = file
        self.on_table = on_table
        self.on_record = on_record
        self.max_brackets = max_depth - 2  # a record sits at depth 3: root, table, record
        self.problems: list[Problem] = []
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
        # The hook sees every object's pairs, so a duplicate key at any level hands over.
        decoder = json.JSONDecoder(parse_constant=_constant, object_pairs_hook=_unique_pairs)
        self._scan: Callable[[str, int], tuple[Any, int]] = decoder.scan_once  # type: ignore[attr-defined]
        self._buf = ""
        self._pos = 0
        self._escapes = False  # whether the buffer holds a \\u escape that may be a surrogate
        self._state = ROOT
        self._started = False
        self._table = ""
        self._index: dict[str, int] = {}
        self._base = 0  # characters of the entry before the buffer
        self._midpoint: Midpoint | None = None
        self.stopped_at: int | None = None  # the character offset of the split point, if there

    @classmethod
    def tail(
        cls,
        file: str,
        table: str,
        on_table: Callable[[str], None],
        on_record: RawRecordCallback,
        *,
        max_depth: int = 64,
    ) -> FastParser:
        """Return a parser for the text from a split point on: records of `table`, the first
        of them at index 0 (fed with feed_text, the caller decodes)."""
        parser = cls(file, on_table, on_record, max_depth=max_depth)
        parser._started, parser._state, parser._table = True, RECORD, table
        parser._index[table] = 0
        on_table(table)
        return parser

    def stop_at(self, at: int) -> None:
        """Stop at the split point at or after byte `at` (`Midpoint`), if it begins a record of
        the entry's first table; else read on to the end."""
        self._midpoint = Midpoint(at)

    @property
    def stopped(self) -> bool:
        """Return whether the parser stopped at the split point (see `stop_at`)."""
        return self.stopped_at is not None

    def _reached(self, at: int, state: int) -> bool:
        """Decide, at the first record start past the split point, whether to stop there."""
        midpoint, self._midpoint = self._midpoint, None
        return (
            midpoint is not None
            and midpoint.found == at
            and state == RECORD
            and len(self._index) == 1  # still in the entry's first table
        )

    @property
    def delivered(self) -> int:
        """Return how many records were passed on so far."""
        return sum(self._index.values())

    def feed(self, chunk: bytes) -> None:
        """Parse the next bytes of the entry."""
        if not self._started:
            self._started = True
            if chunk.startswith(BOM):
                message = "file starts with a byte order mark"
                self.problems.append(Problem("structure-invalid", self.file, "byte 0", message))
                chunk = chunk[len(BOM) :]
        self._extend(chunk, final=False)
        self._run(final=False)
        if len(self._buf) - self._pos > MAX_PENDING:
            raise HandOver("a record larger than the window")

    def feed_text(self, text: str) -> None:
        """Parse the next text of the entry (a tail parser's caller decodes it)."""
        self._take(text)
        self._run(final=False)
        if len(self._buf) - self._pos > MAX_PENDING:
            raise HandOver("a record larger than the window")

    def close(self) -> list[Problem]:
        """Finish the entry and return its problems (only a BOM can be one here)."""
        self._extend(b"", final=True)
        self._run(final=True)
        if self._state != DONE or self._buf[self._pos :].strip(" \t\n\r"):
            raise HandOver("incomplete or trailing data")
        return self.problems

    def _extend(self, chunk: bytes, *, final: bool) -> None:
        try:
            text = self._decoder.decode(chunk, final)
        except UnicodeDecodeError as exc:
            raise HandOver("invalid UTF-8") from exc
        self._take(text)

    def _take(self, text: str) -> None:
        self._base += self._pos
        if self._midpoint is not None:
            self._midpoint.feed(text)
        self._buf = self._buf[self._pos :] + text if self._pos < len(self._buf) else text
        self._pos = 0
        self._escapes = SURROGATE.search(self._buf) is not None  # once per chunk, not per record

    def _run(self, *, final: bool) -> None:
        """Advance through the buffer; stop at its end (waiting for more) or hand over."""
        buf = self._buf
        size = len(buf)
        pos = self._pos
        state = self._state
        skip = WS.match
        split = self._midpoint.at - self._base if self._midpoint is not None else size + 1
        while True:
            pos = skip(buf, pos).end()  # type: ignore[union-attr]  # "[...]*" always matches
            if pos >= size:
                break
            char = buf[pos]
            if char == "{" and state in (RECORD, FIRST):
                if pos >= split:  # the first record start past the split point (if any)
                    split = size + 1
                    if self._reached(self._base + pos, state):
                        self.stopped_at = self._base + pos
                        break
                end = self._record(buf, pos, final)
                if end < 0:
                    break
                pos, state = end, NEXT
            elif state == RECORD:
                raise HandOver("a record that is not an object")
            elif state == NEXT:
                if char == ",":
                    pos, state = pos + 1, RECORD
                    continue
                state = self._close_table(char)
                pos += 1
            else:
                found = self._structure(state, buf, pos, final)
                if found is None:
                    break
                pos, state = found
        self._pos, self._state = pos, state

    def _close_table(self, char: str) -> int:
        if char != "]":
            raise HandOver("expected , or ]")
        return AFTER

    def _structure(self, state: int, buf: str, pos: int, final: bool) -> tuple[int, int] | None:
        """Take one structural step at `pos`; None when the buffer ends inside a key."""
        char = buf[pos]
        if state == ROOT and char == "{":
            return pos + 1, OPEN
        if state == OPEN and char == "}":
            return pos + 1, DONE
        if state in (OPEN, NEXT_KEY) and char == '"':
            return self._key(buf, pos, final)
        if state == COLON and char == ":":
            return pos + 1, VALUE
        if state == VALUE and char == "[":
            if self._table in self._index:
                raise HandOver("a table key repeated")
            if self._index:
                self._midpoint = None  # a second table before the split point: read on
            self.on_table(self._table)
            self._index.setdefault(self._table, 0)
            return pos + 1, FIRST
        if state == FIRST and char == "]":
            return pos + 1, AFTER
        if state == AFTER and char in ",}":
            return pos + 1, (NEXT_KEY if char == "," else DONE)
        raise HandOver(f"unexpected {char!r} in state {state}")

    def _key(self, buf: str, pos: int, final: bool) -> tuple[int, int] | None:
        try:
            key, end = self._scan(buf, pos)
        except (json.JSONDecodeError, StopIteration) as exc:
            if final or not _maybe_cut(exc, len(buf)):
                raise HandOver("bad key") from exc
            return None
        if SURROGATE.search(buf, pos, end) and not _encodable(key):
            raise HandOver("lone surrogate")
        self._table = key
        return end, COLON

    def _record(self, buf: str, pos: int, final: bool) -> int:
        """Parse the record at `pos` and pass it on; return where it ends, or -1 for more data."""
        try:
            record, end = self._scan(buf, pos)
        except (json.JSONDecodeError, StopIteration) as exc:
            if final or not _maybe_cut(exc, len(buf)):
                raise HandOver("invalid record") from exc
            return -1
        except (ValueError, RecursionError) as exc:
            raise HandOver("unusual record") from exc
        raw = buf[pos:end]
        try:
            self._check(record, raw)
        except RecursionError as exc:  # measuring or encoding a very deep record
            raise HandOver("too deep") from exc
        index = self._index[self._table]
        self._index[self._table] = index + 1
        self.on_record(self._table, index, record, raw)
        return end

    def _check(self, record: dict[str, Any], raw: str) -> None:
        """Hand over a record the exact parser would report: too deep, or a lone surrogate.

        (A duplicate key has already handed over, from the scanner's hook.)
        """
        if (
            raw.count("{") + raw.count("[") > self.max_brackets
            and _depth(record) > self.max_brackets
        ):
            raise HandOver("too deep")
        if self._escapes and SURROGATE.search(raw) and not _encodable(record):
            raise HandOver("lone surrogate")


def _maybe_cut(exc: Exception, size: int) -> bool:
    """Return whether a scan error may only mean the buffer ends inside the value."""
    if isinstance(exc, StopIteration):  # nothing at an index: the C scanner's "no value here"
        return isinstance(exc.value, int) and exc.value >= size - NEAR_END
    if not isinstance(exc, json.JSONDecodeError):
        return False
    return exc.pos >= size - NEAR_END or exc.msg.startswith("Unterminated string")


def _encodable(value: Any) -> bool:
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
