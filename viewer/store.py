"""The Store: every table and record of an opened export in SQLite (in memory unless asked).

Each record is kept once as compact JSON text with its provenance, plus the columns views sort and
filter on (id, time, counterpart); an FTS5 index (contentless: the text is not stored twice) covers
every string value of a record. The index is built from the stored JSON by SQLite itself, after
the load and in batches (index_text), so a server can show its first pages before search is ready.
The Store is a RecordSink: an entry's records become visible only
when the entry commits (a SAVEPOINT per entry), so a file that fails its CRC/HMAC check leaves no
trace.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verify.contract import Contract, Service, load_contract
from viewer.errors import OutputError, UsageError
from viewer.textfeed import TextFeed
from viewer.timeparse import to_epoch_ms

BATCH = 2000
PAGE = 1000  # records fetched at a time by records()
SEP = (",", ":")
FILE_CACHE_KIB = 64 * 1024  # SQLite's page cache for an on-disk Store
PAGE_BYTES = 16 * 1024  # SQLite's page size in memory (set before the first table)
MAX_MS = 2**62  # SQLite integers are 64-bit: a larger "time" is no time
COLUMNS = {"seq": "r.seq", "ts": "r.ts", "rid": "r.rid", "counterpart": "r.counterpart"}
INTEGER_COLUMNS = frozenset({"seq", "ts"})  # the others hold text (see _scalar)
# A record's file is a number, its name in src (29 MB less for a million records); looked up
# per row returned, so that it never weighs on a query's plan.
FILE_NAME = "(SELECT name FROM src WHERE id = r.file)"
SELECT = (
    f"SELECT r.seq, {FILE_NAME}, r.idx, r.data, r.rid, r.ts, r.counterpart, t.name "  # noqa: S608 (constants)
    "FROM record r "
)
EARLIEST_MONTH_MS = 946_684_800_000  # 2000-01-01: earlier "times" are no activity
SCHEMA = """
CREATE TABLE tbl(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, service TEXT,
                 records INTEGER NOT NULL DEFAULT 0);
CREATE TABLE tbl_file(tbl INTEGER NOT NULL, file TEXT NOT NULL, pos INTEGER NOT NULL,
                      PRIMARY KEY (tbl, file));
CREATE TABLE src(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE record(id INTEGER PRIMARY KEY, tbl INTEGER NOT NULL, seq INTEGER NOT NULL,
                    file INTEGER NOT NULL, idx INTEGER NOT NULL, rid TEXT, ts INTEGER,
                    counterpart TEXT, data TEXT NOT NULL);
"""
# In memory, the index lives in a database of its own (attached as "fts", shared with the
# TextFeed's connection, so that it can be filled on another core while the records load).
FTS_SCHEMA = """
CREATE VIRTUAL TABLE {schema}record_fts USING fts5(
    body, content='', tokenize='unicode61 remove_diacritics 2');
"""
# Every string value of the records in an id range, for the full-text index (text_of's strings).
FTS_FILL = """
INSERT INTO record_fts(rowid, body)
SELECT r.id, (SELECT group_concat(j.value, char(10)) FROM json_tree(r.data) j WHERE j.type = 'text')
FROM record r WHERE r.id > ? AND r.id <= ?
"""
FTS_BATCH = 5000  # records indexed per hold of the lock
FEED_STEP = 200  # records per statement of a background feed: the time a page may wait for it
TEXT_BATCH = "SELECT id, data FROM record WHERE id > ? ORDER BY id LIMIT ?"
# Built once the first load is done (or before the first read): one sort beats a million updates.
# The sort indexes end in seq, the tie-break of every order, so a sorted page is an index walk.
INDEXES = (
    "CREATE UNIQUE INDEX IF NOT EXISTS record_seq ON record(tbl, seq)",
    "CREATE INDEX IF NOT EXISTS record_ts ON record(tbl, ts, seq)",
    "CREATE INDEX IF NOT EXISTS record_counterpart ON record(tbl, counterpart, ts, seq)",
    "CREATE INDEX IF NOT EXISTS record_rid ON record(tbl, rid)",
)


@dataclass(frozen=True)
class Record:
    """One record with its provenance and the values views need."""

    table: str
    seq: int
    file: str
    index: int
    data: dict[str, Any]
    rid: str | None
    ts: int | None
    counterpart: str | None


@dataclass(frozen=True)
class TableInfo:
    """A table as loaded: its service (None when undocumented), record count and source files."""

    name: str
    service: str | None
    records: int
    files: tuple[str, ...]


def dig(record: Mapping[str, Any], path: str) -> Any:
    """Return the value at a dotted path in a record, or None."""
    value: Any = record
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def text_of(record: Any) -> str:
    """Return every string value in a record (not its keys), one per line, for full-text search."""
    parts: list[str] = []
    _strings(record.values() if type(record) is dict else (record,), parts)
    return "\n".join(parts)


def _strings(values: Any, parts: list[str]) -> None:
    # Exact type checks: JSON gives only these types, and this runs for every value loaded.
    for value in values:
        kind = type(value)
        if kind is str:
            parts.append(value)
        elif kind is dict:
            _strings(value.values(), parts)
        elif kind is list:
            _strings(value, parts)
        elif isinstance(value, str):
            parts.append(str(value))
        elif isinstance(value, dict):
            _strings(value.values(), parts)
        elif isinstance(value, list):
            _strings(value, parts)


def _get(record: Mapping[str, Any], parts: tuple[str, ...]) -> Any:
    """Return the value at a split dotted path, or None (dig() without the split, for speed)."""
    value: Any = record
    for part in parts:
        if type(value) is not dict and not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _scalar(value: Any) -> str | None:
    kind = type(value)
    if kind is str:
        return value  # type: ignore[no-any-return]
    if kind is int or kind is float:
        return str(value)
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class Extractor:
    """Pull a table's id, main time and counterpart out of a record, per its service."""

    def __init__(self, service: Service | None) -> None:
        self.id_keys = service.id_keys if service else ("id",)
        counterpart = service.view.get("counterpart") if service else None
        self.counterpart = tuple(counterpart.split(".")) if counterpart else None
        self.times = [(tuple(path.split(".")), fmt) for path, fmt in _time_paths(service)]

    def rid(self, record: Mapping[str, Any]) -> str | None:
        """Return the record id: the first present of the service's id keys."""
        for key in self.id_keys:
            value = _scalar(record.get(key))
            if value is not None:
                return value
        return None

    def ts(self, record: Mapping[str, Any]) -> int | None:
        """Return the main time in epoch ms."""
        for path, fmt in self.times:
            value = _get(record, path)
            if value is not None:
                ms = to_epoch_ms(value, fmt)
                return ms if ms is not None and abs(ms) < MAX_MS else None
        return None

    def party(self, record: Mapping[str, Any]) -> str | None:
        """Return the counterpart (phone number, address), if the service has one."""
        return _scalar(_get(record, self.counterpart)) if self.counterpart else None


def _time_paths(service: Service | None) -> list[tuple[str, str | None]]:
    if service is None:
        return []
    formats = {key: f.format for f in service.fields for key in f.keys}
    time = service.view.get("time")
    if time:
        return [(time, formats.get(time))]
    return [
        (key, f.format)
        for role in ("created", "updated")
        for f in service.fields
        if f.role == role
        for key in f.keys
    ]


class StoreEntry:
    """The records one entry adds; they count only at commit()."""

    def __init__(self, store: Store, file: str) -> None:
        self.store = store
        self.file = file
        self.rows: list[tuple[Any, ...]] = []
        self.texts: list[str] = []  # the batch's JSON texts for the TextFeed, when there is one
        self.feed = store._feed
        self.counts: dict[str, int] = {}
        self.next_id = store._next_id
        self._slots: dict[str, tuple[int, Extractor, int]] = {}
        with store._lock:
            store._db.execute("SAVEPOINT entry")
            self.source = store._source_id(file)

    def table(self, table: str) -> None:
        """Note that a table starts in this entry."""
        self._slot(table)

    def _slot(self, table: str) -> tuple[int, Extractor, int]:
        """Return the table's id, extractor and first seq in this entry (cached per entry)."""
        slot = self._slots.get(table)
        if slot is None:
            store = self.store
            with store._lock:
                tid = store._table_id(table, self.file)
            slot = (tid, store._extractor(table), store._counts.get(table, 0))
            self._slots[table] = slot
            self.counts.setdefault(table, 0)
        return slot

    def add(self, table: str, index: int, record: dict[str, Any]) -> None:
        """Add one record (buffered; written in batches)."""
        self.add_raw(table, index, record, json.dumps(record, ensure_ascii=False, separators=SEP))

    def add_raw(self, table: str, index: int, record: dict[str, Any], raw: str) -> None:
        """Add one record with its own JSON text, which is stored as is."""
        tid, ext, first = self._slots.get(table) or self._slot(table)
        count = self.counts[table]
        self.counts[table] = count + 1
        row_id = self.next_id
        self.next_id = row_id + 1
        self.rows.append(
            (row_id, tid, first + count, self.source, index, ext.rid(record), ext.ts(record),
             ext.party(record), raw)
        )  # fmt: skip
        if self.feed is not None:
            self.texts.append(raw)
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Write buffered rows."""
        with self.store._lock:
            try:
                self._write(self.rows)
            except UnicodeEncodeError:  # a lone surrogate SQLite cannot take: store U+FFFD
                self._write(_mended(self.rows))
        self.rows.clear()
        if self.feed is not None and self.texts:
            self.feed.put((self.next_id - len(self.texts), self.texts))
            self.texts = []

    def _write(self, rows: list[tuple[Any, ...]]) -> None:
        self.store._db.executemany("INSERT INTO record VALUES (?,?,?,?,?,?,?,?,?)", rows)

    def commit(self) -> None:
        """Make this entry's records visible."""
        self.flush()
        store = self.store
        with store._lock:
            for table, count in self.counts.items():
                store._db.execute(
                    "UPDATE tbl SET records = records + ? WHERE name = ?", (count, table)
                )
                store._counts[table] = store._counts.get(table, 0) + count
            store._db.execute("RELEASE entry")
            store._next_id = self.next_id

    def abort(self) -> None:
        """Forget everything this entry added.

        Its ids are not given out again: the TextFeed may have indexed their text already, and
        such an entry of the index, naming no record, is never found.
        """
        self.rows.clear()
        self.texts = []
        with self.store._lock:
            self.store._db.execute("ROLLBACK TO entry")
            self.store._db.execute("RELEASE entry")
            self.store._forget_uncommitted()
            self.store._next_id = self.next_id


def _mended(rows: list[Any]) -> list[tuple[Any, ...]]:
    """Return rows with every lone surrogate replaced by U+FFFD."""
    return [
        tuple(
            v.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
            if isinstance(v, str)
            else v
            for v in row
        )
        for row in rows
    ]


class Store:
    """Tables and records of one export; also a RecordSink for the loader."""

    def __init__(
        self, db: sqlite3.Connection, contract: Contract | None = None, fts_uri: str | None = None
    ) -> None:
        self._db = db
        self._contract = contract
        self._counts: dict[str, int] = {}
        self._ids: dict[str, int] = {}
        self._files: set[tuple[int, str]] = set()
        self._sources: dict[str, int] = {}  # file name -> its id in src
        self._extractors: dict[str, Extractor] = {}
        self._next_id = 1
        # One connection shared by the server's worker threads: every use of it holds this lock.
        self._lock = threading.RLock()
        self._indexed = False
        self._text_done = 0  # records (by id) already in the full-text index
        self._fts_uri = fts_uri  # the index's own in-memory database, if it has one
        self._feed: TextFeed | None = None
        self._indexing = threading.Lock()  # held by the one index_text under way

    @classmethod
    def open(cls, path: Path | None = None, *, contract: Contract | None = None) -> Store:
        """Open a new Store: in memory, or in a new file created 0600 (folder 0700)."""
        fts_uri = None
        if path is None:
            db = sqlite3.connect(
                ":memory:", uri=True, isolation_level=None, check_same_thread=False
            )
            # Named, so that a TextFeed can reach it; the name is only known in this process.
            fts_uri = f"file:export-viewer-fts-{secrets.token_hex(16)}?mode=memory&cache=shared"
            db.execute("ATTACH DATABASE ? AS fts", (fts_uri,))
        else:
            db = _create_file(Path(path))
        db.execute("PRAGMA temp_store=MEMORY")  # sorts must not spill plaintext into /tmp
        # In memory, pages of 16 KiB rather than 4: as fast, and less memory for a big export
        # (fewer page headers and allocations; a 993,207-record sample peaks 31 MB lower). A
        # file keeps SQLite's 4 KiB: with 16, a heavy build's process grew by 200 MB.
        if fts_uri:
            for schema in ("main", "fts"):
                db.execute(f"PRAGMA {schema}.page_size={PAGE_BYTES}")
        db.executescript(SCHEMA + FTS_SCHEMA.format(schema="fts." if fts_uri else ""))
        return cls(db, contract, fts_uri)

    def start_text_feed(self) -> bool:
        """Index the records' text while they load, on another thread; False if it cannot here.

        Only an in-memory Store can (a file has one writer); `finish_text_feed` waits for it.
        """
        with self._lock:
            if self._fts_uri is None or self._feed is not None or self._next_id > 1:
                return False
            self._feed = TextFeed(self._fts_uri)
            return True

    def finish_text_feed(self) -> None:
        """Wait for the TextFeed to index everything loaded (nothing to do without one).

        The wait is outside the lock: pages are served meanwhile (a search waits here).
        """
        with self._lock:
            feed = self._feed
        if feed is None:
            return
        feed.close()
        with self._lock:
            if self._feed is feed:
                self._feed = None
                self._text_done = self._next_id - 1

    def use_contract(self, contract: Contract) -> None:
        """Map tables to services with this contract (before loading)."""
        self._contract = contract

    # -- RecordSink -------------------------------------------------------------------------

    def begin(self, file: str) -> StoreEntry:
        """Start an entry."""
        return StoreEntry(self, file)

    def _table_id(self, table: str, file: str) -> int:
        tid = self._ids.get(table)
        if tid is None:
            service = self._service(table)
            cur = self._db.execute(
                "INSERT INTO tbl(name, service) VALUES (?, ?)",
                (table, service.id if service else None),
            )
            tid = self._ids[table] = int(cur.lastrowid or 0)
        if (tid, file) not in self._files:
            self._files.add((tid, file))
            self._db.execute("INSERT INTO tbl_file VALUES (?, ?, ?)", (tid, file, len(self._files)))
        return tid

    def _source_id(self, file: str) -> int:
        sid = self._sources.get(file)
        if sid is None:
            cur = self._db.execute("INSERT INTO src(name) VALUES (?)", (file,))
            sid = self._sources[file] = int(cur.lastrowid or 0)
        return sid

    def _forget_uncommitted(self) -> None:
        """Reload the caches from the database after a rollback."""
        self._ids = {name: tid for tid, name in self._db.execute("SELECT id, name FROM tbl")}
        self._files = set(self._db.execute("SELECT tbl, file FROM tbl_file"))
        self._sources = {name: sid for sid, name in self._db.execute("SELECT id, name FROM src")}

    def _service(self, table: str) -> Service | None:
        if self._contract is None:
            self._contract = load_contract()
        return self._contract.service_for_table(table)

    def _extractor(self, table: str) -> Extractor:
        ext = self._extractors.get(table)
        if ext is None:
            ext = self._extractors[table] = Extractor(self._service(table))
        return ext

    def finish(self) -> None:
        """Build the indexes for paging and sorting (done once; later inserts keep them up)."""
        with self._lock:
            if not self._indexed:
                for statement in INDEXES:
                    self._db.execute(statement)
                self._indexed = True

    def index_text(
        self, stop: Callable[[], bool] | None = None, wait: Callable[[], None] | None = None
    ) -> bool:
        """Add every record not yet in the full-text index; False if `stop` said to give up.

        `wait`, if given, is called before each batch, outside the lock (the server's pause
        while pages are being asked for).

        It goes a batch per hold of the lock, so pages are served in between. In memory, the
        batches' JSON texts go to a TextFeed, which indexes them on its own thread and outside
        the lock; in a file, SQLite indexes each batch under the lock (Python's lock is free
        meanwhile). One indexing at a time: a search waits for the one under way.
        """
        self.finish_text_feed()
        with self._indexing:
            if self._fts_uri is None:
                return self._index_in_place(stop, wait)
            return self._index_through_feed(self._fts_uri, stop, wait)

    def _index_in_place(
        self, stop: Callable[[], bool] | None, wait: Callable[[], None] | None
    ) -> bool:
        while True:
            if wait is not None:
                wait()
            with self._lock:
                last = self._next_id - 1
                if self._text_done >= last:
                    return True
                if stop is not None and stop():
                    return False
                end = min(self._text_done + FTS_BATCH, last)
                self._db.execute(FTS_FILL, (self._text_done, end))
                self._text_done = end

    def _index_through_feed(
        self, uri: str, stop: Callable[[], bool] | None, wait: Callable[[], None] | None
    ) -> bool:
        feed = TextFeed(uri, background=True)
        done = self._text_done
        try:
            while True:
                if wait is not None:
                    wait()
                with self._lock:
                    if stop is not None and stop():
                        return False
                    rows = self._db.execute(TEXT_BATCH, (done, FTS_BATCH)).fetchall()
                if not rows:
                    return True
                for first, texts in _runs(rows):
                    for at in range(0, len(texts), FEED_STEP):
                        feed.put((first + at, texts[at : at + FEED_STEP]))
                done = rows[-1][0]
        finally:
            feed.close()  # every batch put is in the index once this returns
            with self._lock:
                self._text_done = max(self._text_done, done)

    @property
    def searchable(self) -> bool:
        """Return whether every record is in the full-text index."""
        with self._lock:
            return self._feed is None and self._text_done >= self._next_id - 1

    # -- reading ----------------------------------------------------------------------------

    def _rows(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        """Run a query under the lock, indexes ready, and return all its rows."""
        with self._lock:
            if not self._indexed:
                self.finish()
            return self._db.execute(sql, params).fetchall()

    def tables(self) -> list[TableInfo]:
        """Return every table, in load order."""
        names = [row[0] for row in self._rows("SELECT name FROM tbl ORDER BY id")]
        return [info for name in names if (info := self.table(name)) is not None]

    def table(self, name: str) -> TableInfo | None:
        """Return one table's facts, or None."""
        rows = self._rows("SELECT id, service, records FROM tbl WHERE name = ?", (name,))
        if not rows:
            return None
        tid, service, records = rows[0]
        files = self._rows("SELECT file FROM tbl_file WHERE tbl = ? ORDER BY pos", (tid,))
        return TableInfo(name, service, records, tuple(f[0] for f in files))

    def records(self, table: str) -> Iterator[Record]:
        """Yield a table's records in load order, streamed (in pages, so threads can share)."""
        after = 0
        while batch := self._from_seq(table, after, PAGE):
            yield from batch
            after = batch[-1].seq + 1

    def _from_seq(self, table: str, first: int, limit: int, *, desc: bool = False) -> list[Record]:
        """Return up to `limit` records from position `first` on (down from it when `desc`)."""
        op, direction = ("<=", "DESC") if desc else (">=", "ASC")
        sql = (f"{SELECT}JOIN tbl t ON t.id = r.tbl WHERE t.name = ? AND r.seq {op} ? "
               f"ORDER BY r.seq {direction} LIMIT ?")  # fmt: skip
        return [_record(row) for row in self._rows(sql, (table, first, max(limit, 0)))]

    def raw_rows(self, table: str, first: int, limit: int) -> list[tuple[int, str, int, str]]:
        """Return (seq, file, index, JSON text) of records from position `first`, unparsed."""
        sql = (
            f"SELECT r.seq, {FILE_NAME}, r.idx, r.data FROM record r "  # noqa: S608 (constants)
            "JOIN tbl t ON t.id = r.tbl "
            "WHERE t.name = ? AND r.seq >= ? ORDER BY r.seq LIMIT ?"
        )
        return [
            (seq, file, idx, data)
            for seq, file, idx, data in self._rows(sql, (table, first, max(limit, 0)))
        ]

    def get(self, table: str, seq: int) -> Record | None:
        """Return one record by its position in the table."""
        found = self._from_seq(table, seq, 1)
        return found[0] if found and found[0].seq == seq else None

    def months(self, table: str, until_ms: int) -> dict[str, tuple[int, int, int]]:
        """Return `YYYY-MM` (UTC) -> (records, first ms, last ms) of the dated records.

        Only times from 2000 up to `until_ms` count: anything else is no plausible activity.
        """
        sql = (
            "SELECT strftime('%Y-%m', r.ts / 1000, 'unixepoch') AS m, count(*), min(r.ts), "
            "max(r.ts) FROM record r JOIN tbl t ON t.id = r.tbl WHERE t.name = ? "
            "AND r.ts >= ? AND r.ts < ? GROUP BY m ORDER BY m"
        )
        rows = self._rows(sql, (table, EARLIEST_MONTH_MS, until_ms))
        return {m: (n, first, last) for m, n, first, last in rows}

    def counterparts(self, table: str) -> dict[str, tuple[int, int | None]]:
        """Return each counterpart of a table with its record count and latest time."""
        sql = (
            "SELECT r.counterpart, count(*), max(r.ts) FROM record r JOIN tbl t ON t.id = r.tbl "
            "WHERE t.name = ? AND r.counterpart IS NOT NULL GROUP BY r.counterpart"
        )
        return {cp: (n, last) for cp, n, last in self._rows(sql, (table,))}

    def page(
        self,
        table: str,
        *,
        offset: int = 0,
        limit: int = 50,
        sort: Key | None = None,
        desc: bool = False,
        where: Mapping[str, str] | None = None,
        span: tuple[int | None, int | None] = (None, None),
    ) -> list[Record]:
        """Return one page of a table, sorted by a column, a key or a path (a tuple), filtered."""
        if not where and span == (None, None) and sort in (None, "seq"):
            # Positions are 0..n-1 without gaps: a page of the plain order is an index lookup.
            first = offset if not desc else self._last_seq(table) - offset
            return self._from_seq(table, max(first, 0), limit, desc=desc) if first >= 0 else []
        clause, params = _where(table, where, span)
        order, order_params = _order(sort, desc)
        sql = f"{SELECT}JOIN tbl t ON t.id = r.tbl WHERE {clause} ORDER BY {order} LIMIT ? OFFSET ?"
        rows = self._rows(sql, [*params, *order_params, max(limit, 0), max(offset, 0)])
        return [_record(row) for row in rows]

    def _last_seq(self, table: str) -> int:
        info = self._rows("SELECT records FROM tbl WHERE name = ?", (table,))
        return int(info[0][0]) - 1 if info else -1

    def count(
        self,
        table: str,
        where: Mapping[str, str] | None = None,
        span: tuple[int | None, int | None] = (None, None),
    ) -> int:
        """Return how many records of a table match `where` (and fall in the `span` of epoch ms)."""
        clause, params = _where(table, where, span)
        sql = f"SELECT count(*) FROM record r JOIN tbl t ON t.id = r.tbl WHERE {clause}"  # noqa: S608 (clause is ours)
        return int(self._rows(sql, params)[0][0])

    def search(
        self,
        query: str,
        *,
        table: str | None = None,
        limit: int = 50,
        offset: int = 0,
        sort: Key | None = None,
        desc: bool = False,
        where: Mapping[str, str] | None = None,
        span: tuple[int | None, int | None] = (None, None),
    ) -> list[Record]:
        """Full-text search over record text; `query` is plain user text (each word a prefix).

        In one table, the matches can be filtered and sorted like `page` (best matches first
        otherwise). Records not yet in the index are added first (the server asks `searchable`
        before, so that its pages do not wait for that).
        """
        match = fts_query(query)
        if not match:
            return []
        self.index_text()
        params: list[Any] = [match]
        sql = (
            f"{SELECT}JOIN tbl t ON t.id = r.tbl JOIN record_fts f ON f.rowid = r.id "
            "WHERE record_fts MATCH ?"
        )
        order = "f.rank, r.id"
        if table is not None:
            clause, where_params = _where(table, where, span)
            sql += f" AND {clause}"
            params += where_params
            if sort is not None:
                order, order_params = _order(sort, desc)
                params += order_params
        sql += f" ORDER BY {order} LIMIT ? OFFSET ?"
        try:
            rows = self._rows(sql, [*params, max(limit, 0), max(offset, 0)])
        except sqlite3.OperationalError:
            return []  # a query FTS cannot use is "no results", never an error page
        return [_record(row) for row in rows]

    def close(self) -> None:
        """Close the database (an in-memory Store is gone after this)."""
        with self._lock:
            feed, self._feed = self._feed, None
            if feed is not None:
                feed.stop()
            self._db.close()


def _runs(rows: list[tuple[int, str]]) -> Iterator[tuple[int, list[str]]]:
    """Split (id, JSON text) rows into TextFeed batches: runs of consecutive ids."""
    first, texts = rows[0][0], [rows[0][1]]
    for rid, text in rows[1:]:
        if rid != first + len(texts):  # ids skipped by an aborted entry
            yield first, texts
            first, texts = rid, []
        texts.append(text)
    yield first, texts


def fts_query(query: str) -> str:
    """Turn user text into a safe FTS5 query: every word quoted, as a prefix, all required."""
    words = [w for w in query.split() if w.strip('"')]
    return " ".join('"' + w.replace('"', '""') + '"*' for w in words[:32])


def _record(row: tuple[Any, ...]) -> Record:
    seq, file, idx, data, rid, ts, counterpart, table = row
    return Record(table, seq, file, idx, json.loads(data), rid, ts, counterpart)


Key = str | tuple[str, ...]  # a top-level key, or the parts of a path into nested objects


def _key_path(key: Key) -> str:
    parts = (key,) if isinstance(key, str) else key
    if not parts or any('"' in part or not part for part in parts):
        raise UsageError(f"cannot sort or filter on the key {key!r}")
    return "$" + "".join(f'."{part}"' for part in parts)


def _where(
    table: str,
    where: Mapping[str, str] | None,
    span: tuple[int | None, int | None] = (None, None),
) -> tuple[str, list[Any]]:
    clauses = ["t.name = ?"]
    params: list[Any] = [table]
    # A time span [since, until) on the main time; records without one fall outside any span.
    for bound, op in zip(span, (">=", "<"), strict=True):
        if bound is not None:
            clauses.append(f"r.ts {op} ?")
            params.append(bound)
    for key, value in (where or {}).items():
        # An empty value matches records without one too: a filter for "no folder".
        if key in INTEGER_COLUMNS:
            expr = f"CAST({COLUMNS[key]} AS TEXT)"
        elif key in COLUMNS:
            # Text columns are compared as they are, so that their indexes can serve the filter.
            expr = COLUMNS[key]
        elif key == "file":
            expr = FILE_NAME
        else:
            expr = "CAST(json_extract(r.data, ?) AS TEXT)"
            params.append(_key_path(key))
        clauses.append(f"coalesce({expr}, '') = ?" if value == "" else f"{expr} = ?")
        params.append(value)
    return " AND ".join(clauses), params


def _order(sort: Key | None, desc: bool) -> tuple[str, list[Any]]:
    # Records without the value come last either way; ties keep the table's order (reversed when
    # descending, so that the sort indexes, which end in seq, serve both directions).
    direction = "DESC" if desc else "ASC"
    if sort is None or sort == "seq":
        return f"r.seq {direction}", []
    if isinstance(sort, str) and sort in COLUMNS:
        return f"{COLUMNS[sort]} {direction} NULLS LAST, r.seq {direction}", []
    return f"json_extract(r.data, ?) {direction} NULLS LAST, r.seq {direction}", [_key_path(sort)]


def _create_file(path: Path) -> sqlite3.Connection:
    """Create an on-disk database readable by the user alone."""
    if path.exists():
        raise OutputError(f"store file {path} already exists: choose a new name")
    try:
        if not path.parent.exists():
            path.parent.mkdir(mode=0o700, parents=True)
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    except (OSError, sqlite3.Error) as exc:
        raise OutputError(f"cannot create store file {path}: {exc}") from exc
    db.execute("PRAGMA journal_mode=MEMORY")  # no plaintext journal file beside the store
    db.execute("PRAGMA synchronous=OFF")
    db.execute(f"PRAGMA cache_size=-{FILE_CACHE_KIB}")  # bounded, and far fewer reads than 2 MB
    return db
