"""Verify on two cores: a forked worker reads some entries while this process reads the others.

Each entry's statistics are worked out on their own (`StatsCollector.isolated`) and merged in the
archive's order (`merge_result`), so the report is the one a single pass gives, whichever side
read which entry. The entries are split by their declared sizes, the biggest first, so the two
sides get about as much to read. The worker opens the archive itself (a file position is not
shared between processes) with the password this process already has, and sends each entry's
result, or the error it met, over a pipe; its records never leave it. The ids an entry holds
cross only for a table that more than one entry has (they find duplicates across entries). An
entry the worker could not finish (it died) is read here afterwards.

An entry that outweighs all the others together (a phone's SMS) is read in two halves: the
worker parses its head and this process its tail (`viewer.halves`), then its other entries; the
halves' results are joined as one pass gives them (`join_halves`), and whenever they cannot be,
the entry is read whole, here.

Only a process with one thread forks (a fork copies no other thread, and whatever lock one held).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import threading
from collections import Counter
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from verify.stats import EntryResult, StatsCollector, join_halves
from viewer.archive import Archive, ArchiveInfo, Entry, open_archive
from viewer.errors import ArchiveError
from viewer.halves import Tail, read_tail
from viewer.jsonstream import Problem
from viewer.limits import Limits
from viewer.loader import Stop, load_entry
from viewer.options import PasswordSource
from viewer.progress import ProgressCallback

POLL_SECONDS = 0.1  # how often progress moves while only the worker reads
MIN_HALF = 1 << 20  # an entry smaller than this is not worth reading in halves
MIN_TAIL = 1 << 18  # nor one whose tail half would be smaller than this
# Inflating, which the tail half does from the entry's start, costs about this share of parsing.
INFLATE_SHARE = 0.05


@dataclass
class _Done:
    """What reading one entry gave: its problems and result (None if it failed its check)."""

    problems: list[Problem]
    result: EntryResult | None = None
    error: BaseException | None = None


@dataclass
class _Head:
    """What the worker read of an entry's head half: up to `place`, `records` of its first table.

    (Its ids stay with the worker, which finds those the tail has too.)
    """

    problems: list[Problem]
    result: EntryResult
    records: int
    place: int


_Tail = tuple[Tail, EntryResult] | _Done | None  # a tail half's result, its error, or nothing


@dataclass
class _Results:
    """Entries read so far, by their index in the archive (and the head half of a split one)."""

    done: dict[int, _Done] = field(default_factory=dict)
    heads: dict[int, _Head] = field(default_factory=dict)

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


def halves(sizes: list[int]) -> tuple[int, int] | None:
    """Return (index, byte offset) to read an entry in two halves at, or None.

    The biggest entry is split if it outweighs the others together: the worker takes the head,
    this process the tail (inflated from the start) and the others, about as much each.
    """
    if not sizes:
        return None
    big = max(range(len(sizes)), key=sizes.__getitem__)
    rest = sum(sizes) - sizes[big]
    if sizes[big] < MIN_HALF or sizes[big] <= rest:
        return None
    at = int((sizes[big] + rest) * (1 + INFLATE_SHARE) / (2 + INFLATE_SHARE))
    return (big, at) if sizes[big] - at >= MIN_TAIL else None


def verify_parallel(
    path: Path,
    collector: StatsCollector,
    *,
    password: PasswordSource,
    limits: Limits,
    progress: ProgressCallback | None,
) -> tuple[ArchiveInfo, list[Problem]] | None:
    """Read every entry into `collector`, on two processes; None if there is no use in it
    (one small entry).

    Errors are raised as a single pass would: the first, in the archive's order.
    """
    source = remembered(password)
    with open_archive(path, password=source, limits=limits) as archive:
        sizes = [e.size for e in archive.entries]
        half = halves(sizes)
        if len(archive.entries) < 2 and half is None:
            return None
        if half is None:
            theirs, ours = split(sizes)
        else:
            theirs, ours = [half[0]], [i for i in range(len(sizes)) if i != half[0]]
        results = _Results()
        context = multiprocessing.get_context("fork")
        read = context.Value("q", 0, lock=False)  # bytes the worker has read, for progress
        here, there = context.Pipe()
        worker = context.Process(
            target=_work,
            args=(path, source, limits, collector, theirs, there, read, half),
            daemon=True,
        )
        worker.start()
        there.close()
        try:
            shown = _Shown(progress, archive, read)
            tail = _tail(archive, collector, half, shown) if half is not None else None
            _read(archive, collector, ours, results, shown)
            _receive(here, worker, theirs, results, shown)
            common = _ask_ids(here, theirs, results, _against(half, tail, results))
            if half is not None:
                _join(archive, collector, half, tail, common, results, shown)
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


class _Shown:
    """A progress callback that adds the worker's bytes to ours (less those read by both)."""

    def __init__(self, progress: ProgressCallback | None, archive: Archive, read: Any) -> None:
        self.progress = progress
        self.archive = archive
        self.read = read
        self.head = 0  # bytes of read_total that the worker reads too (a split entry's head)
        self.tail = 0  # bytes read here that read_total no longer counts (that entry's tail)
        self.shown = 0  # (never less than before: a tail given up is read again)

    def __call__(self, done: int, total: int) -> None:
        if self.progress is not None:
            both = self.archive.read_total - self.head + self.tail + self.read.value
            self.shown = max(self.shown, min(both, self.archive.total))
            self.progress(self.shown, self.archive.total)


@contextmanager
def _uncounted(archive: Archive) -> Iterator[int]:
    """Read an entry again without counting it towards the cap on bytes read (which counts
    what one pass reads): yield where the count stood, and put it back after."""
    start = archive.read_total
    try:
        yield start
    finally:
        archive.read_total = start


def _tail(
    archive: Archive, collector: StatsCollector, half: tuple[int, int], shown: _Shown
) -> _Tail:
    """Read the tail half of the split entry: its result, the error it met, or None."""
    i, at = half
    found: list[EntryResult] = []
    with _uncounted(archive) as start:  # (the worker counts the head; a fallback, the whole)

        def progress(done: int, total: int) -> None:
            shown.head = min(archive.read_total - start, at)
            shown(done, total)

        try:
            tail = read_tail(
                archive, archive.entries[i], [collector.isolated(found.append)], at,
                progress=progress,
            )  # fmt: skip
        except Exception as exc:  # an integrity error: the entry's, as one pass meets it
            return _Done([], error=exc)
        finally:
            shown.head = 0
        if tail is None or not found:
            return None
        shown.tail = max(archive.read_total - start - at, 0)
    return tail, found[0]


def _against(
    half: tuple[int, int] | None, tail: _Tail, results: _Results
) -> dict[tuple[int, str], set[Hashable]]:
    """Return the tail half's ids, for the worker to say which its head half has too."""
    if half is None or not isinstance(tail, tuple) or half[0] not in results.heads:
        return {}
    found, result = tail
    return {(half[0], found.table): result.ids.get(found.table, set())}


def _join(
    archive: Archive,
    collector: StatsCollector,
    half: tuple[int, int],
    tail: _Tail,
    common: dict[tuple[int, str], set[Hashable]] | None,
    results: _Results,
    shown: _Shown,
) -> None:
    """Put the split entry's result together from its halves, or read it whole here."""
    i, at = half
    head = results.heads.pop(i, None)
    if head is None:  # the worker read it whole, as one pass (or met an error, or died)
        return
    if isinstance(tail, _Done):  # the entry's integrity error, met at its end
        results.done[i] = tail
        return
    if common is None:  # an error elsewhere ends the verification: no use in joining them
        results.done[i] = _Done(head.problems)
        return
    if tail is None or tail[0].place != head.place or list(head.result.tables) != [tail[0].table]:
        results.done[i] = _entry(archive, collector, i, shown)
        return
    found, result = tail
    entry = archive.entries[i]

    def locate(ids: set[Hashable]) -> list[int]:
        sink, located = collector.locator(found.table, ids)
        with _uncounted(archive):
            read_tail(archive, entry, [sink], at)
        return located

    again = common.get((i, found.table), set())
    joined = join_halves(head.result, result, found.table, head.records, again, locate)
    results.done[i] = _Done(head.problems, joined)


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
    archive: Archive,
    collector: StatsCollector,
    i: int,
    progress: ProgressCallback | None,
    stop: Stop | None = None,
) -> _Done:
    """Read one entry on its own: its problems and result, or the error it met."""
    found: list[EntryResult] = []
    try:
        problems = load_entry(
            archive, archive.entries[i], [collector.isolated(found.append)], progress,
            archive.total, stop,
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
        except (EOFError, OSError):  # the worker ended (or died in the middle of a message)
            return
        if isinstance(done, _Head):
            results.heads[i] = done
        else:
            results.done[i] = done


def _enough(theirs: list[int], results: _Results) -> bool:
    """Whether every worker entry before the first error (if any) is in.

    (The worker sends in order and stops at its own error, so that error ends the wait too.)
    """
    first_error = results.first_error()
    return all(
        i in results.done or i in results.heads
        for i in theirs
        if first_error is None or i < first_error
    )


def _ask_ids(
    here: Connection,
    theirs: list[int],
    results: _Results,
    against: dict[tuple[int, str], set[Hashable]],
) -> dict[tuple[int, str], set[Hashable]] | None:
    """Fetch the worker's ids of the tables that other entries have too (usually none), and
    those of a head half that its tail has too (`against`); None if there was an error.
    """
    if results.first_error() is not None:
        return None
    read: dict[int, _Done | _Head] = {**results.done, **results.heads}
    names = Counter(name for d in read.values() if d.result for name in d.result.tables)
    wanted = [
        (i, name)
        for i in theirs
        if i in read and (result := read[i].result) is not None
        for name in result.tables
        if names[name] > 1
    ]
    try:
        here.send((wanted, against))
        answer: tuple[dict[tuple[int, str], set[Hashable]], dict[tuple[int, str], set[Hashable]]]
        answer = here.recv() if wanted or against else ({}, {})
    except (EOFError, OSError):  # the worker died: its entries are read again here
        for i in theirs:
            results.done.pop(i, None)
            results.heads.pop(i, None)
        return None
    ids, common = answer
    for (i, name), table_ids in ids.items():
        result = read[i].result
        if result is not None:
            result.ids[name] = table_ids
    return common


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
                with _uncounted(archive):
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
    half: tuple[int, int] | None,
) -> None:
    """The worker: read its entries in order and send each one's result; stop at an error.

    Of a split entry, it reads the head half (or the whole entry, if it cannot stop at the
    split point). Then it sends the ids asked for (the tables other entries have too), and ends.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is for the parent, which ends this
    kept: dict[int, dict[str, set[Hashable]]] = {}
    with open_archive(path, password=password, limits=limits) as archive:

        def counted(done: int, total: int) -> None:
            read.value = done

        for i in indexes:
            stop = Stop(half[1]) if half is not None and i == half[0] else None
            done = _entry(archive, collector, i, counted, stop)
            if done.error is not None:
                there.send((i, _Done([], error=_sendable(done.error))))
                return
            if done.result is not None:
                for stats in done.result.tables.values():
                    stats.service = None  # (not picklable; merge_result puts the collector's back)
                kept[i], done.result.ids = done.result.ids, {}
                if stop is not None and stop.records is not None and stop.place is not None:
                    there.send((i, _Head(done.problems, done.result, stop.records, stop.place)))
                    continue
            there.send((i, done))
    try:
        wanted: list[tuple[int, str]]
        against: dict[tuple[int, str], set[Hashable]]
        wanted, against = there.recv()
        if wanted or against:
            ids = {(i, name): kept[i].get(name, set()) for i, name in wanted}
            common = {
                (i, name): kept[i].get(name, set()) & more for (i, name), more in against.items()
            }
            there.send((ids, common))
    except (EOFError, OSError):  # the parent no longer asks (it met an error, or is ending)
        return


def _sendable(exc: BaseException) -> BaseException:
    """Return the error itself if it crosses a pipe, else an error with its message."""
    try:
        pickle.loads(pickle.dumps(exc))  # noqa: S301  (our own bytes, made just now)
    except Exception:
        return ArchiveError(str(exc))
    return exc
