"""Parse one JSON entry incrementally into table records, recording what is wrong as problems.

The parser never recurses (so deep nesting cannot raise RecursionError), keeps at most one record
in memory, and never puts record values into a problem message (they are personal data).

Decisions: a leading UTF-8 byte order mark is skipped and reported as `structure-invalid` (the
file still loads); invalid JSON, invalid UTF-8 and NaN/Infinity are `json-invalid` and the whole
file does not count; a table that is not an array, a record that is not an object, or a record
nested deeper than the cap is skipped with a `structure-invalid` problem; a duplicate key keeps
the last value and is reported once per record; a table named twice in a file keeps the records
of both, reported. A lone surrogate escape reads as U+FFFD and an integer longer than Python
reads as its digits, as text (`viewer.jsonprep` rewrites both before yajl sees them).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from viewer.errors import DependencyError
from viewer.jsonprep import Prepared

BOM = b"\xef\xbb\xbf"
FEED = 64 * 1024  # bytes handed to the parser at a time: bounds the position of a syntax error
MAX_PROBLEMS = 50  # per file; the rest are summed up in one last problem
START = {"start_map", "start_array"}
END = {"end_map", "end_array"}


@dataclass(frozen=True)
class Problem:
    """A finding about an entry's content: what is wrong and where, never the content itself."""

    check: str  # "json-invalid" | "structure-invalid"
    file: str
    position: str
    message: str


def ijson_c() -> Any:
    """Return ijson's C backend, or fail clearly (the pure-Python one is far too slow)."""
    try:
        import ijson

        return ijson.get_backend("yajl2_c")
    except (ImportError, ValueError) as exc:
        raise DependencyError(
            "ijson's C backend (yajl2_c) is not available: reinstall ijson from a wheel "
            "(pip install --force-reinstall ijson)"
        ) from exc


def _sendable_list() -> list[tuple[str, Any]]:
    import ijson

    events: list[tuple[str, Any]] = ijson.sendable_list()
    return events


def _first_line(error: Exception) -> str:
    # The C backend reports a failed conversion as a SystemError about its own internals; the
    # reason is the exception it chained (an integer past Python's digit limit, for one).
    cause = error.__cause__ or error.__context__
    if isinstance(error, SystemError) and isinstance(cause, Exception):
        error = cause
    if isinstance(error, ValueError) and "digits" in str(error):
        return f"a number longer than the {sys.get_int_max_str_digits()} digits Python reads"
    text = str(error)
    if text.startswith(("b'", 'b"')):
        text = text[2:]
    return text.replace("\\n", "\n").split("\n", 1)[0].strip().rstrip(".") or type(error).__name__


class EntryParser:
    """A push parser for one entry: feed() chunks, then close(); calls back per table and record."""

    def __init__(
        self,
        file: str,
        on_table: Callable[[str], None],
        on_record: Callable[[str, int, dict[str, Any]], None],
        *,
        max_depth: int = 64,
    ) -> None:
        self.file = file
        self.on_table = on_table
        self.on_record = on_record
        self.max_depth = max_depth
        self.problems: list[Problem] = []
        self.failed = False  # invalid JSON: nothing of this entry counts
        self._suppressed = 0
        self._events: list[tuple[str, Any]] = _sendable_list()
        self._coro = ijson_c().basic_parse_coro(self._events, use_float=False)
        self._offset = 0
        self._started = False
        self._prepared = Prepared()  # yajl's misreadings rewritten before it sees them
        self._state = "root"  # root | tables | value | records | record | skip | done
        self._skip = 0  # open containers left to skip
        self._after_skip = "done"
        self._table = ""
        self._index: dict[str, int] = {}
        self._stack: list[Any] = []
        self._keys: list[str | None] = []
        self._dup = False

    # -- feeding ----------------------------------------------------------------------------

    def feed(self, chunk: bytes) -> None:
        """Parse the next bytes of the entry."""
        if self.failed:
            return
        if not self._started:
            self._started = True
            if chunk.startswith(BOM):
                self._problem("structure-invalid", "byte 0", "file starts with a byte order mark")
                chunk = chunk[len(BOM) :]
                self._offset = len(BOM)
        self._send_all(self._prepared.feed(chunk))

    def _send_all(self, data: bytes) -> bool:
        """Send `data` in pieces; return False at the first error (the rest is not sent)."""
        return all(self._send(data[start : start + FEED]) for start in range(0, len(data), FEED))

    def close(self) -> list[Problem]:
        """Finish the entry and return its problems."""
        if not self.failed and self._send_all(self._prepared.close()):
            try:
                self._coro.close()
                self._drain()
            except Exception as exc:  # any parser error is a finding, not a crash
                self._invalid(exc, f"byte {self._offset}")
        if self._suppressed:
            self.problems.append(
                Problem(
                    "structure-invalid",
                    self.file,
                    "$",
                    f"{self._suppressed} more problems in this file not listed",
                )
            )
        return self.problems

    def _send(self, piece: bytes) -> bool:
        start = self._offset
        self._offset += len(piece)
        try:
            self._coro.send(piece)
            self._drain()
        except Exception as exc:  # yajl, UTF-8, number errors
            self._invalid(exc, f"bytes {start}-{self._offset}")
            return False
        return True

    def _invalid(self, exc: Exception, position: str) -> None:
        self.failed = True
        reason = _first_line(exc)
        kind = "unreadable JSON" if reason.startswith("a number longer") else "invalid JSON"
        self._problem("json-invalid", position, f"{kind}: {reason}")

    def _problem(self, check: str, position: str, message: str) -> None:
        if len(self.problems) >= MAX_PROBLEMS:
            self._suppressed += 1
            return
        self.problems.append(Problem(check, self.file, position, message))

    # -- events -----------------------------------------------------------------------------

    def _drain(self) -> None:
        events = self._events
        for event, value in events:
            if self._state == "record":
                self._build(event, value)
            else:
                self._structure(event, value)
        del events[:]

    def _structure(self, event: str, value: Any) -> None:
        state = self._state
        if state == "skip":
            self._skipping(event)
        elif state == "records":
            self._in_table(event)
        elif state == "tables":
            if event == "map_key":
                self._table = value
                self._state = "value"
            else:  # end_map of the root
                self._state = "done"
        elif state == "value":
            self._table_value(event)
        elif state == "root":
            if event == "start_map":
                self._state = "tables"
            else:
                self._problem("structure-invalid", "$", "the top level is not an object")
                self._skip_value(event, "done")

    def _table_value(self, event: str) -> None:
        if event == "start_array":
            if self._table in self._index:  # a repeated key of the root: keep both, say so
                self._problem(
                    "structure-invalid",
                    f"$.{self._table}",
                    "the table appears twice in the file; its records are kept together",
                )
            self.on_table(self._table)
            self._index.setdefault(self._table, 0)
            self._state = "records"
        else:
            self._problem("structure-invalid", f"$.{self._table}", "the table is not an array")
            self._skip_value(event, "tables")

    def _in_table(self, event: str) -> None:
        if event == "end_array":
            self._state = "tables"
            return
        index = self._index[self._table]
        self._index[self._table] = index + 1
        if event == "start_map":
            self._stack = [{}]
            self._keys = [None]
            self._dup = False
            self._state = "record"
        else:
            self._problem(
                "structure-invalid", f"$.{self._table}[{index}]", "the record is not an object"
            )
            self._skip_value(event, "records")

    def _skip_value(self, event: str, after: str) -> None:
        if event in START:
            self._skip = 1
            self._after_skip = after
            self._state = "skip"
        else:
            self._state = after

    def _skipping(self, event: str) -> None:
        if event in START:
            self._skip += 1
        elif event in END:
            self._skip -= 1
            if self._skip == 0:
                self._state = self._after_skip

    def _build(self, event: str, value: Any) -> None:
        stack = self._stack
        if event == "map_key":
            if value in stack[-1]:
                self._duplicate()
            self._keys[-1] = value
            return
        if event in END:
            done = stack.pop()
            self._keys.pop()
            if stack:
                self._attach(done)
            else:
                self._emit(done)
            return
        if event in START:
            if len(stack) + 3 > self.max_depth:
                self._too_deep()
                return
            stack.append({} if event == "start_map" else [])
            self._keys.append(None)
            return
        if type(value) is Decimal:  # integers stay exact (64-bit ids); fractions become floats
            value = float(value)
        self._attach(value)

    def _attach(self, value: Any) -> None:
        top = self._stack[-1]
        if type(top) is dict:
            top[self._keys[-1]] = value
        else:
            top.append(value)

    def _emit(self, record: dict[str, Any]) -> None:
        self._state = "records"
        self.on_record(self._table, self._index[self._table] - 1, record)

    def _where(self) -> str:
        return f"$.{self._table}[{self._index[self._table] - 1}]"

    def _duplicate(self) -> None:
        if not self._dup:
            self._dup = True
            self._problem("structure-invalid", self._where(), "the record has a duplicate key")

    def _too_deep(self) -> None:
        self._problem(
            "structure-invalid",
            self._where(),
            f"the record is nested deeper than {self.max_depth} levels; skipped",
        )
        self._skip = len(self._stack) + 1
        self._stack = []
        self._after_skip = "records"
        self._state = "skip"


def parse_chunks(
    chunks: Iterable[bytes],
    file: str,
    on_table: Callable[[str], None],
    on_record: Callable[[str, int, dict[str, Any]], None],
    *,
    max_depth: int = 64,
) -> tuple[list[Problem], bool]:
    """Parse a whole entry; return its problems and whether it was valid JSON."""
    parser = EntryParser(file, on_table, on_record, max_depth=max_depth)
    for chunk in chunks:
        parser.feed(chunk)
    problems = parser.close()
    return problems, not parser.failed
