"""The TextFeed: batches of records indexed on a thread of their own, errors reported at close."""

from __future__ import annotations

import json
import sqlite3

import pytest

from viewer.textfeed import TextFeed

URI = "file:test-textfeed-{}?mode=memory&cache=shared"


def _index(name: str) -> sqlite3.Connection:
    """Return a connection that keeps a shared in-memory database with an empty index alive."""
    db = sqlite3.connect(URI.format(name), uri=True, isolation_level=None)
    db.execute("CREATE VIRTUAL TABLE record_fts USING fts5(body, content='')")
    return db


def _hits(db: sqlite3.Connection, word: str) -> list[int]:
    sql = "SELECT rowid FROM record_fts WHERE record_fts MATCH ? ORDER BY rowid"
    return [row[0] for row in db.execute(sql, (word,))]


def test_batches_get_their_ids_from_the_first_and_only_string_values_are_indexed() -> None:
    keep = _index("ids")
    feed = TextFeed(URI.format("ids"))
    feed.put((10, [json.dumps({"a": "alpha", "n": 7, "k": {"deep": ["beta"]}}), '{"b":"gamma"}']))
    feed.put((12, ['{"c":"alpha"}']))
    feed.put((99, []))  # nothing to index: not queued
    feed.close()
    assert _hits(keep, "alpha") == [10, 12]
    assert _hits(keep, "beta") == [10] and _hits(keep, "gamma") == [11]
    assert _hits(keep, "deep") == [] and _hits(keep, "7") == []  # keys and numbers are not text
    keep.close()


def test_a_lone_surrogate_is_indexed_as_a_replacement_character() -> None:
    keep = _index("surrogate")
    feed = TextFeed(URI.format("surrogate"))
    feed.put((1, ['{"a":"bad\ud800 word"}']))
    feed.close()
    assert _hits(keep, "word") == [1]
    keep.close()


def test_an_error_in_the_thread_is_raised_by_close_and_later_batches_are_dropped() -> None:
    keep = _index("error")
    feed = TextFeed(URI.format("error"))
    feed.put((1, ["{not json"]))
    feed.put((2, ['{"a":"after"}']))
    with pytest.raises(sqlite3.OperationalError):
        feed.close()
    assert _hits(keep, "after") == []
    keep.close()


def test_stop_drops_what_is_queued_and_ends_the_thread() -> None:
    keep = _index("stop")
    feed = TextFeed(URI.format("stop"))
    for first in range(1, 6):
        feed.put((first, [f'{{"a":"word{first}"}}']))
    feed.stop()
    assert not feed._thread.is_alive()
    with pytest.raises(sqlite3.ProgrammingError):  # its connection is closed too
        feed._db.execute("SELECT 1")
    assert len(_hits(keep, "word*")) <= 5
    feed.stop()  # twice is harmless
    keep.close()
