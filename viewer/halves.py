"""Read one big entry in two halves, on two processes: the tail half.

An export whose biggest entry outweighs all the others (the SMS of a phone) leaves a second core
idle while one reads it. Such an entry is split at an offset: the head half parses it
from the start and stops at the split point (`loader.Stop`); the tail half, here, inflates it
from the start too (a deflate stream cannot be entered in the middle, but inflating is cheap
next to parsing), skips to the same place and parses the rest as records of the entry's first
table, counted from 0. Both find the place the same way (`jsonfast.Midpoint`); only the head
half can tell whether it truly begins a record of the first table, and stops there only if so.
Reading to the end, the tail half checks the entry's CRC/HMAC, which covers the head's records.

Whatever is unusual (the place not found, a problem the exact parser would report, invalid
UTF-8) ends the tail half with None: the entry is then read whole, as one pass reads it, and
nothing of the halves counts.
"""

from __future__ import annotations

import codecs
from collections.abc import Sequence
from dataclasses import dataclass

from viewer.archive import Archive, Entry
from viewer.jsonfast import FastParser, HandOver, Midpoint, first_table
from viewer.jsonstream import BOM
from viewer.loader import EntrySink, Fan, RecordSink, into_sinks
from viewer.progress import ProgressCallback

HEAD_CHARS = 64 * 1024  # the first table's name must be known within this many characters


@dataclass(frozen=True)
class Tail:
    """What the tail half read: the split point (a character offset) and the first table."""

    place: int
    table: str


def read_tail(
    archive: Archive,
    entry: Entry,
    sinks: Sequence[RecordSink],
    at: int,
    *,
    progress: ProgressCallback | None = None,
) -> Tail | None:
    """Parse the records from the split point at or after byte `at` into the sinks.

    They are committed only if the whole entry passed its integrity check; None (and nothing
    committed) when the tail half cannot be read on its own.
    An integrity error is raised, as reading the entry would raise it.
    """

    def parse(targets: list[EntrySink]) -> tuple[Tail | None, bool]:
        tail = _parse(archive, entry, Fan(targets), at, progress)
        return tail, tail is not None

    return into_sinks(entry.name, sinks, parse)


def _parse(
    archive: Archive,
    entry: Entry,
    fan: Fan,
    at: int,
    progress: ProgressCallback | None,
) -> Tail | None:
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    midpoint = Midpoint(at)
    head, table = "", None
    parser: FastParser | None = None
    chunks = archive.chunks(entry)
    try:
        for n, chunk in enumerate(chunks):
            if n == 0 and chunk.startswith(BOM):
                chunk = chunk[len(BOM) :]
            text = decoder.decode(chunk)
            if parser is not None:
                parser.feed_text(text)
            else:
                if table is None:
                    head += text
                    table = first_table(head)
                    if table is None and len(head) > HEAD_CHARS:
                        return None
                place = midpoint.feed(text)
                if midpoint.failed or (place is not None and table is None):
                    return None
                if place is not None and table is not None:
                    parser = FastParser.tail(
                        entry.name, table, fan.table, fan.add_raw(),
                        max_depth=archive.limits.max_depth,
                    )  # fmt: skip
                    parser.feed_text(text[place - (midpoint.seen - len(text)) :])
            if progress is not None:
                progress(archive.read_total, archive.total)
        rest = decoder.decode(b"", True)
        if parser is None or midpoint.found is None or table is None:
            return None
        parser.feed_text(rest)
        parser.close()  # (what it would report, a BOM, was stripped above: the head reports it)
        return Tail(midpoint.found, table)
    except (HandOver, UnicodeDecodeError):
        return None
    finally:
        chunks.close()
