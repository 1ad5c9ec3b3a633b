"""Verify on two cores: a forked worker reads some entries while this process reads the others.

Each entry's statistics are worked out on their own (`StatsCollector.isolated`) and merged in the
archive's order (`merge_result`), so the report is the one a single pass gives, whichever side
read which entry. The entries are split by their declared sizes, the biggest first, so the two
sides get about as much to read. The worker opens the archive itself (a file position is not
shared between processes) with the password this process already has, and sends each entry's
result, or the error it met, over a pipe; its records never leave it. The ids an entry holds
cross only for a table that more than one entry has (they find duplicates across entries). An
entry the worker could not finish (it died) is read here afterwards.

Only a process with one thread forks (a fork copies no other thread, and whatever lock one held).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import threading
from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from verify.stats import EntryResult, StatsCollector
from viewer.archive import Archive, ArchiveInfo, Entry, open_archive
from viewer.errors import ArchiveError
from viewer.jsonstream import Problem
from viewer.limits import Limits
from viewer.loader import load_entry
from viewer.options import PasswordSource
from viewer.progress import ProgressCallback

POLL_SECONDS = 0.1  # how often progress moves while only the worker reads


@dataclass
class _Done:
    """What reading one entry gave: its problems and result (None if it failed its check)."""

    problems: list[Problem]
    result: EntryResult | None = None
    error: BaseException | None = None


@dataclass
class _Results:
    """Entries read so far, by their index in the archive."""

    done: dict[int, _Done] = field(default_factory=dict)

    def first_error(self) -> int | None:
        failed = [i for i, d in self.done.items() if d.error is not None]
        return min(failed) if failed else None


def can_fork() -> bool:
    """Return whether a worker can be forked here: two cores, fork, and no other thread."""
    return (
        (os.cpu_count() or 1) > 1
        and "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
    )


def remembered(password: PasswordSource) -> PasswordSource:
    """Return a source that asks `password` once and then gives the same answer (the worker's)."""
    answers: dict[str, str] = {}

    def source(name: str) -> str:
        if name not in answers:
            answers[name] = password(name)
        return answers[name]

    return source


def split(sizes: list[int]) -> tuple[list[int], list[int]]:
    """Split entry indexes into (worker's, ours): biggest first, each to the lighter side.

    The worker takes the biggest, so that this process, which also merges, has the lighter side.
    Each side's indexes are in the archive's order.
    """
    sides: tuple[list[int], list[int]] = ([], [])
    loads = [0, 0]
    for i in sorted(range(len(sizes)), key=lambda i: -sizes[i]):
        side = 0 if loads[0] <= loads[1] else 1
        sides[side].append(i)
        loads[side] += sizes[i]
    return sorted(sides[0]), sorted(sides[1])


def verify_parallel(
    path: Path,
    collector: StatsCollector,
    *,
    password: PasswordSource,
    limits: Limits,
    progress: ProgressCallback | None,
) -> tuple[ArchiveInfo, list[Problem]] | None:
    """Read every entry into `collector`, on two processes; None if the export has one entry.

    Errors are raised as a single pass would: the first, in the archive's order.
    """
    source = remembered(password)
    with open_archive(path, password=source, limits=limits) as archive:
        if len(archive.entries) < 2:
            return None
        theirs, ours = split([e.size for e in archive.entries])
        results = _Results()
        context = multiprocessing.get_context("fork")
        read = context.Value("q", 0, lock=False)  # bytes the worker has read, for progress
        here, there = context.Pipe()
        worker = context.Process(
            target=_work, args=(path, source, limits, collector, theirs, there, read), daemon=True
        )
        worker.start()
        there.close()
        try:
            shown = _shown(progress, archive, read)
            _read(archive, collector, ours, results, shown)
            _receive(here, worker, theirs, results, shown)
            if results.first_error() is None:
                _ask_ids(here, theirs, results)
        finally:
            here.close()
            if worker.is_alive():
                worker.terminate()
            worker.join()
        # What the worker could not finish (it died): read here, so nothing is lost.
        _read(archive, collector, _missing(theirs, results), results, shown)
        if progress is not None:
            progress(archive.total, archive.total)
        problems = _merge(archive, collector, results)
        return archive.info(), problems


def _shown(
    progress: ProgressCallback | None, archive: Archive, read: Any
) -> ProgressCallback | None:
    """Return a progress callback that adds the worker's bytes to ours."""
    if progress is None:
        return None

    def shown(done: int, total: int) -> None:
        progress(archive.read_total + read.value, archive.total)

    return shown


def _read(
    archive: Archive,
    collector: StatsCollector,
    indexes: list[int],
    results: _Results,
    progress: ProgressCallback | None,
) -> None:
    """Read these entries here, stopping at the first error (kept as that entry's result)."""
    for i in indexes:
        first_error = results.first_error()
        if first_error is not None and i > first_error:
            return
        done = _entry(archive, collector, i, progress)
        results.done[i] = done
        if done.error is not None:
            return


def _entry(
    archive: Archive, collector: StatsCollector, i: int, progress: ProgressCallback | None
) -> _Done:
    """Read one entry on its own: its problems and result, or the error it met."""
    found: list[EntryResult] = []
    try:
        problems = load_entry(
            archive, archive.entries[i], [collector.isolated(found.append)], progress,
            archive.total,
        )  # fmt: skip
    except Exception as exc:  # an ArchiveError above all: raised in order by _merge
        return _Done([], error=exc)
    return _Done(problems, found[0] if found else None)


def _receive(
    here: Connection,
    worker: Any,
    theirs: list[int],
    results: _Results,
    progress: ProgressCallback | None,
) -> None:
    """Take the worker's results until it has sent all, or all that come before an error."""
    while not _enough(theirs, results):
        if not here.poll(POLL_SECONDS):
            if progress is not None:
                progress(0, 0)  # (the callback adds up both sides' bytes)
            if not worker.is_alive() and not here.poll(0):
                return
            continue
        try:
            i, done = here.recv()
        except EOFError:  # the worker ended
            return
        results.done[i] = done


def _enough(theirs: list[int], results: _Results) -> bool:
    """Whether every worker entry before the first error (if any) is in.

    (The worker sends in order and stops at its own error, so that error ends the wait too.)
    """
    first_error = results.first_error()
    return all(i in results.done for i in theirs if first_error is None or i < first_error)


def _ask_ids(here: Connection, theirs: list[int], results: _Results) -> None:
    """Fetch the worker's ids of the tables that other entries have too (usually none)."""
    names = Counter(name for d in results.done.values() if d.result for name in d.result.tables)
    wanted = [
        (i, name)
        for i in theirs
        if (result := results.done[i].result) is not None
        for name in result.tables
        if names[name] > 1
    ]
    try:
        here.send(wanted)
        ids: dict[tuple[int, str], set[Hashable]] = here.recv() if wanted else {}
    except (EOFError, OSError):  # the worker died: its entries are read again here
        for i in theirs:
            results.done.pop(i, None)
        return
    for (i, name), table_ids in ids.items():
        result = results.done[i].result
        if result is not None:
            result.ids[name] = table_ids


def _missing(theirs: list[int], results: _Results) -> list[int]:
    return [i for i in theirs if i not in results.done]


def _merge(archive: Archive, collector: StatsCollector, results: _Results) -> list[Problem]:
    """Merge every entry's result in the archive's order; raise the first error met."""
    problems: list[Problem] = []
    for i, entry in enumerate(archive.entries):
        done = results.done[i]
        if done.error is not None:
            raise done.error
        problems.extend(done.problems)
        if done.result is not None:

            def locate(table: str, ids: set[Hashable], entry: Entry = entry) -> list[int]:
                sink, found = collector.locator(table, ids)
                load_entry(archive, entry, [sink], None, archive.total)
                return found

            collector.merge_result(done.result, locate)
    return problems


def _work(
    path: Path,
    password: PasswordSource,
    limits: Limits,
    collector: StatsCollector,
    indexes: list[int],
    there: Connection,
    read: Any,
) -> None:
    """The worker: read its entries in order and send each one's result; stop at an error.

    Then it sends the ids asked for (the tables other entries have too), and ends.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is for the parent, which ends this
    kept: dict[int, dict[str, set[Hashable]]] = {}
    with open_archive(path, password=password, limits=limits) as archive:

        def counted(done: int, total: int) -> None:
            read.value = done

        for i in indexes:
            done = _entry(archive, collector, i, counted)
            if done.error is not None:
                there.send((i, _Done([], error=_sendable(done.error))))
                return
            if done.result is not None:
                kept[i], done.result.ids = done.result.ids, {}
                for stats in done.result.tables.values():
                    stats.service = None  # (not picklable; merge_result puts the collector's back)
            there.send((i, done))
    try:
        wanted: list[tuple[int, str]] = there.recv()
        if wanted:
            there.send({(i, name): kept[i].get(name, set()) for i, name in wanted})
    except (EOFError, OSError):  # the parent no longer asks (it met an error, or is ending)
        return


def _sendable(exc: BaseException) -> BaseException:
    """Return the error itself if it crosses a pipe, else an error with its message."""
    try:
        pickle.loads(pickle.dumps(exc))  # noqa: S301  (our own bytes, made just now)
    except Exception:
        return ArchiveError(str(exc))
    return exc
