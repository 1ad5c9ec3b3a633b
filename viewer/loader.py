"""Load an export in one pass: every JSON entry streamed, parsed and fed to the record sinks."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from verify.contract import Contract
from viewer.archive import Archive, ArchiveInfo, Entry, open_archive
from viewer.jsonfast import FastParser, HandOver, RawRecordCallback
from viewer.jsonstream import EntryParser, Problem, ijson_c
from viewer.limits import Limits
from viewer.options import PasswordSource
from viewer.progress import ProgressCallback
from viewer.store import Store

__all__ = [
    "EntrySink", "Fan", "LoadResult", "Problem", "RecordSink", "Stop", "into_sinks", "load_entry",
    "load_export",
]  # fmt: skip

Parsed = TypeVar("Parsed")


class EntrySink(Protocol):
    """Receives one entry's tables and records; they count only at commit().

    A sink may also have `add_raw(table, index, record, raw)`: it then gets each record's own
    JSON text as well, when the fast path has it (the Store keeps it instead of re-serialising).
    """

    def add(self, table: str, index: int, record: dict[str, Any]) -> None: ...

    def table(self, table: str) -> None: ...

    def commit(self) -> None: ...

    def abort(self) -> None: ...


class RecordSink(Protocol):
    """Something that consumes the record stream (the Store, verification statistics...)."""

    def begin(self, file: str) -> EntrySink: ...


@dataclass
class LoadResult:
    """What loading gave: the archive facts, the Store (unless not kept) and content problems."""

    info: ArchiveInfo
    store: Store | None
    problems: list[Problem]


@dataclass
class Stop:
    """Where to stop reading an entry that is read in two halves (see `viewer.halves`).

    The head half stops at the first record start at or after byte `at` if it is the split
    point the tail half finds too. `records` is then how many records of the entry's first table
    came before it (None: the entry was read to the end, as without a stop).
    """

    at: int
    records: int | None = None
    place: int | None = None  # the character offset it stopped at


def load_export(
    path: Path,
    *,
    password: PasswordSource,
    contract: Contract,
    store: Store | None = None,
    keep_records: bool = True,
    sinks: Sequence[RecordSink] = (),
    limits: Limits | None = None,
    progress: ProgressCallback | None = None,
    search: bool = True,
) -> LoadResult:
    """Open the export, check it, and stream every JSON entry into the Store and the sinks.

    With `search`, the Store's full-text index is built before returning (in memory, on another
    thread while the records load); without, it is left to the caller (`Store.index_text`, as
    the server does once the first pages are served).
    """
    limits = limits or Limits()
    ijson_c()  # fail before reading anything if only the slow backend is present
    own_store = keep_records and store is None
    if keep_records:
        store = store or Store.open(contract=contract)
        store.use_contract(contract)
    targets: list[RecordSink] = ([store] if keep_records and store else []) + list(sinks)
    try:
        with open_archive(Path(path), password=password, limits=limits) as archive:
            # In memory, the text is indexed on another thread while the records load.
            if search and keep_records and store is not None:
                store.start_text_feed()
            problems = _load_entries(archive, targets, progress)
            info = archive.info()
        if keep_records and store is not None:
            store.finish()  # the sort indexes, while the feed (if any) catches up
            if search:
                store.index_text()
    except BaseException:
        if own_store and store is not None:
            store.close()
        raise
    return LoadResult(info, store if keep_records else None, problems)


def _load_entries(
    archive: Archive, sinks: Sequence[RecordSink], progress: ProgressCallback | None
) -> list[Problem]:
    problems: list[Problem] = []
    total = archive.total
    for entry in archive.entries:
        problems.extend(load_entry(archive, entry, sinks, progress, total))
    if progress is not None:
        progress(archive.read_total, total)
    return problems


def load_entry(
    archive: Archive,
    entry: Entry,
    sinks: Sequence[RecordSink],
    progress: ProgressCallback | None,
    total: int,
    stop: Stop | None = None,
) -> list[Problem]:
    """Parse one entry into every sink; commit after its integrity check, else abort.

    With `stop`, the entry's head half: it may end at the split point, committed unchecked (the
    tail half, read to the end, checks the entry's CRC/HMAC for both).
    """
    return into_sinks(
        entry.name,
        sinks,
        lambda targets: _parse_entry(archive, entry, targets, progress, total, stop),
    )


def into_sinks(
    file: str,
    sinks: Sequence[RecordSink],
    parse: Callable[[list[EntrySink]], tuple[Parsed, bool]],
) -> Parsed:
    """Begin an entry in every sink and parse it into them: `parse` returns what it gives and
    whether the entry is whole, which commits it everywhere (else, or on an error, it aborts)."""
    targets = [sink.begin(file) for sink in sinks]
    try:
        parsed, ok = parse(targets)
    except BaseException:
        for target in targets:
            target.abort()
        raise
    for target in targets:
        if ok:
            target.commit()
        else:
            target.abort()
    return parsed


def _parse_entry(
    archive: Archive,
    entry: Entry,
    targets: list[EntrySink],
    progress: ProgressCallback | None,
    total: int,
    stop: Stop | None = None,
) -> tuple[list[Problem], bool]:
    """Parse on the fast path; if it hands over, replay the entry through the exact parser."""
    fan = Fan(targets)
    fast = FastParser(entry.name, fan.table, fan.add_raw(), max_depth=archive.limits.max_depth)
    if stop is not None:
        fast.stop_at(stop.at)
    start = archive.read_total
    chunks = archive.chunks(entry)
    try:
        for chunk in chunks:
            fast.feed(chunk)
            if progress is not None:
                progress(archive.read_total, total)
            if fast.stopped and stop is not None:
                chunks.close()
                stop.records, stop.place = fast.delivered, fast.stopped_at
                return fast.problems, True
        return fast.close(), True
    except HandOver:
        chunks.close()
    # The records passed on so far are the replay's first ones: the exact parser skips them.
    fan.skip = fast.delivered
    archive.read_total = start
    parser = EntryParser(entry.name, fan.table, fan.add, max_depth=archive.limits.max_depth)
    for chunk in archive.chunks(entry):
        parser.feed(chunk)
    problems = parser.close()
    return problems, not parser.failed


class Fan:
    """Pass one entry's tables and records to every sink (the raw text to those that keep it)."""

    def __init__(self, targets: list[EntrySink]) -> None:
        self.targets = targets
        self.tables: set[str] = set()
        self.skip = 0

    def table(self, name: str) -> None:
        if name not in self.tables:
            self.tables.add(name)
            for target in self.targets:
                target.table(name)

    def add_raw(self) -> RawRecordCallback:
        adds = [_raw_adder(target) for target in self.targets]
        if len(adds) == 1:
            return adds[0]

        def add(table: str, index: int, record: dict[str, Any], raw: str) -> None:
            for each in adds:
                each(table, index, record, raw)

        return add

    def add(self, table: str, index: int, record: dict[str, Any]) -> None:
        if self.skip:
            self.skip -= 1
            return
        for target in self.targets:
            target.add(table, index, record)


def _raw_adder(target: EntrySink) -> RawRecordCallback:
    add_raw: RawRecordCallback | None = getattr(target, "add_raw", None)
    if add_raw is not None:
        return add_raw

    def add(table: str, index: int, record: dict[str, Any], raw: str) -> None:
        target.add(table, index, record)

    return add
