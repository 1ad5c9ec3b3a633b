"""Load an export in one pass: every JSON entry streamed, parsed and fed to the record sinks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from verify.contract import Contract
from viewer.archive import Archive, ArchiveInfo, Entry, open_archive
from viewer.jsonstream import EntryParser, Problem, ijson_c
from viewer.limits import Limits
from viewer.options import PasswordSource
from viewer.progress import ProgressCallback
from viewer.store import Store

__all__ = ["EntrySink", "LoadResult", "Problem", "RecordSink", "load_export"]


class EntrySink(Protocol):
    """Receives one entry's tables and records; they count only at commit()."""

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
) -> LoadResult:
    """Open the export, check it, and stream every JSON entry into the Store and the sinks."""
    limits = limits or Limits()
    ijson_c()  # fail before reading anything if only the slow backend is present
    own_store = keep_records and store is None
    if keep_records:
        store = store or Store.open(contract=contract)
        store.use_contract(contract)
    targets: list[RecordSink] = ([store] if keep_records and store else []) + list(sinks)
    try:
        with open_archive(Path(path), password=password, limits=limits) as archive:
            problems = _load_entries(archive, targets, progress)
            info = archive.info()
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
        problems.extend(_load_entry(archive, entry, sinks, progress, total))
    if progress is not None:
        progress(archive.read_total, total)
    return problems


def _load_entry(
    archive: Archive,
    entry: Entry,
    sinks: Sequence[RecordSink],
    progress: ProgressCallback | None,
    total: int,
) -> list[Problem]:
    """Parse one entry into every sink; commit after its integrity check, else abort."""
    targets = [sink.begin(entry.name) for sink in sinks]
    parser = EntryParser(
        entry.name, _fan_table(targets), _fan_add(targets), max_depth=archive.limits.max_depth
    )
    try:
        for chunk in archive.chunks(entry):
            parser.feed(chunk)
            if progress is not None:
                progress(archive.read_total, total)
        problems = parser.close()
    except BaseException:
        for target in targets:
            target.abort()
        raise
    for target in targets:
        if parser.failed:
            target.abort()
        else:
            target.commit()
    return problems


def _fan_add(targets: list[EntrySink]) -> Any:
    if len(targets) == 1:
        return targets[0].add

    def add(table: str, index: int, record: dict[str, Any]) -> None:
        for target in targets:
            target.add(table, index, record)

    return add


def _fan_table(targets: list[EntrySink]) -> Any:
    def table(name: str) -> None:
        for target in targets:
            target.table(name)

    return table
