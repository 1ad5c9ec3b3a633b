"""Fill the full-text index from a thread of its own while the records load.

A `TextFeed` owns a second connection to the (shared-cache, in-memory) database that holds the
index. The loader hands it each batch of records as their JSON texts with the id of the first
(a batch's ids follow on); one statement per batch then has SQLite take every string value out
of them and index it, all in C without holding the GIL, so the index grows on the other core
while the main thread parses (a statement per record would pass the GIL back and forth for
each). A bounded queue keeps the loader from running more than a few batches ahead.
"""

from __future__ import annotations

import contextlib
import os
import queue
import sqlite3
import threading

# Every string value of each record (not its keys), one per line: what Store.text_of gives.
INSERT = """
INSERT INTO record_fts(rowid, body)
SELECT ? + r.key,
       (SELECT group_concat(j.value, char(10)) FROM json_tree(r.value) j WHERE j.type = 'text')
FROM json_each(?) r
"""
AHEAD = 8  # batches queued at most before the loader waits
BACKGROUND_NICE = 10  # how much a background feed yields the CPU to the server's threads

Batch = tuple[int, list[str]]  # the first record's id, and the records' JSON texts


class TextFeed:
    """A thread indexing batches of records into `record_fts` of the database at `uri`.

    A `background` feed (the index built after the load, while pages are served) runs at a
    lower CPU priority than the rest of the process.
    """

    def __init__(self, uri: str, *, background: bool = False) -> None:
        self._background = background
        self._db = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        self._queue: queue.Queue[Batch | None] = queue.Queue(maxsize=AHEAD)
        self._error: BaseException | None = None
        self._stopped = False
        self._ending = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="text-feed", daemon=True)
        self._thread.start()

    def put(self, batch: Batch) -> None:
        """Queue a batch (waits while the feed is AHEAD batches behind)."""
        if batch[1]:
            self._queue.put(batch)

    def close(self) -> None:
        """Wait until every queued batch is in the index; raise what went wrong, if anything."""
        self._finish()
        if self._error is not None:
            raise self._error

    def stop(self) -> None:
        """Give up: drop what is queued and end the thread (the index is then incomplete)."""
        self._stopped = True
        self._finish()

    def _finish(self) -> None:
        with self._ending:
            if self._thread.is_alive():
                self._queue.put(None)
                self._thread.join()
            self._db.close()

    def _run(self) -> None:
        if self._background:
            # Linux keeps a nice value per thread: this one then takes the CPU only when the
            # threads answering pages (and the browser) leave it free.
            with contextlib.suppress(OSError, AttributeError):
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICE)
        while (batch := self._queue.get()) is not None:
            if self._error is None and not self._stopped:
                try:
                    self._insert(batch)
                except BaseException as exc:  # reported by close(); keep draining the queue
                    self._error = exc

    def _insert(self, batch: Batch) -> None:
        first, texts = batch
        records = "[" + ",".join(texts) + "]"
        try:
            self._db.execute(INSERT, (first, records))
        except UnicodeEncodeError:  # a lone surrogate SQLite cannot take: index U+FFFD instead
            mended = records.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
            self._db.execute(INSERT, (first, mended))
