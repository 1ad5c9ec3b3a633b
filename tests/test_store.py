"""The Store: records with provenance and extracted columns, paging, sorting, search, rollback."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest

from verify.contract import load_contract
from viewer.errors import OutputError
from viewer.store import Store, fts_query, text_of

pytestmark = pytest.mark.usefixtures("nothing_outside")
CONTRACT = load_contract()
SMS = [
    {"id": "s1", "content": {"address": "+46701", "body": "Hej då Åsa", "date": 1_700_000_000_000}},
    {"id": "s2", "content": {"address": "+46702", "body": "middag?", "date": 1_600_000_000}},
    {"smsId": 7, "content": {"address": "+46701", "body": "ok", "date": "2021-05-01T10:00:00Z"}},
]


def load(
    store: Store, file: str, tables: dict[str, list[dict[str, Any]]], commit: bool = True
) -> None:
    entry = store.begin(file)
    for table, records in tables.items():
        entry.table(table)
        for index, record in enumerate(records):
            entry.add(table, index, record)
    entry.commit() if commit else entry.abort()


@pytest.fixture
def store() -> Store:
    s = Store.open(contract=CONTRACT)
    load(s, "a/sms.json", {"sms": SMS[:2], "mystery": [{"k": 1}], "empty_one": []})
    load(s, "b/more.json", {"sms": SMS[2:]})
    return s


def test_tables_in_load_order_with_services_and_files(store: Store) -> None:
    assert [(t.name, t.service, t.records, t.files) for t in store.tables()] == [
        ("sms", "sms", 3, ("a/sms.json", "b/more.json")),
        ("mystery", None, 1, ("a/sms.json",)),
        ("empty_one", None, 0, ("a/sms.json",)),
    ]
    assert store.table("nope") is None


def test_records_keep_provenance_and_extracted_columns(store: Store) -> None:
    got = [(r.seq, r.file, r.index, r.rid, r.ts, r.counterpart) for r in store.records("sms")]
    assert got == [
        (0, "a/sms.json", 0, "s1", 1_700_000_000_000, "+46701"),
        (1, "a/sms.json", 1, "s2", 1_600_000_000_000, "+46702"),
        (2, "b/more.json", 0, "7", 1_619_863_200_000, "+46701"),
    ]
    record = store.get("sms", 2)
    assert record is not None and record.data == SMS[2] and record.table == "sms"
    assert store.get("sms", 3) is None


def test_page_sorts_and_filters(store: Store) -> None:
    assert [r.seq for r in store.page("sms", sort="ts")] == [1, 2, 0]
    assert [r.seq for r in store.page("sms", sort="ts", desc=True, limit=2)] == [0, 2]
    assert [r.seq for r in store.page("sms", offset=1, limit=1)] == [1]
    assert [r.seq for r in store.page("sms", where={"counterpart": "+46701"})] == [0, 2]
    assert [r.seq for r in store.page("sms", sort="id")] == [0, 1, 2]  # missing key sorts last
    assert [r.seq for r in store.page("sms", where={"smsId": "7"})] == [2]
    assert store.count("sms") == 3 and store.count("sms", {"rid": "s2"}) == 1
    assert [r.seq for r in store.page("sms", where={"file": "a/sms.json"})] == [0, 1]
    assert (
        store.count("sms", {"file": "b/more.json"}) == 1 and store.count("sms", {"file": ""}) == 0
    )


def test_search_is_escaped_and_finds_prefixes(store: Store) -> None:
    assert [r.seq for r in store.search("hej")] == [0]
    assert [r.seq for r in store.search("asa")] == [0]  # diacritics folded
    assert [r.seq for r in store.search("midd")] == [1]
    assert [r.seq for r in store.search("+46701", table="sms")] == [0, 2]
    for hostile in ['"', "hej AND (", "NEAR(", "*", "-", "col:x", "'", ""]:
        assert isinstance(store.search(hostile), list)
    assert store.search("sms") == []  # keys are not searched, values are
    assert fts_query('a "b') == '"a"* """b"*'


def test_aborted_entry_leaves_no_trace(store: Store) -> None:
    load(store, "c/broken.json", {"sms": SMS, "ghost": [{"id": 1}]}, commit=False)
    assert [t.name for t in store.tables()] == ["sms", "mystery", "empty_one"]
    assert store.count("sms") == 3 and store.search("middag") != []
    load(store, "d/after.json", {"sms": SMS[:1]})
    assert [(r.seq, r.file) for r in store.records("sms")][-1] == (3, "d/after.json")
    assert len(store.search("middag")) == 1
    load(store, "c/broken.json", {"sms": SMS[1:2]})  # the aborted entry's name, named again
    assert [
        (r.seq, r.file, r.index) for r in store.page("sms", where={"file": "c/broken.json"})
    ] == [(4, "c/broken.json", 0)]
    assert store.raw_rows("sms", 3, 5)[0][:3] == (3, "d/after.json", 0)


def test_on_disk_store_is_private_and_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "new" / "store.sqlite"
    s = Store.open(path, contract=CONTRACT)
    load(s, "a.json", {"sms": SMS})
    s.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert sorted(p.name for p in path.parent.iterdir()) == ["store.sqlite"]
    with pytest.raises(OutputError) as caught:
        Store.open(path)
    assert str(caught.value) == f"store file {path} already exists: choose a new name"


def test_text_of_joins_nested_string_values_only() -> None:
    assert text_of({"a": "x", "b": [1, "y", {"c": "z"}], "d": None}) == "x\ny\nz"


def test_the_text_index_is_built_after_the_load_in_batches_and_can_stop() -> None:
    from viewer.store import FTS_BATCH

    s = Store.open(contract=CONTRACT)
    many = [{"id": f"n{i}", "content": {"body": f"word{i} nested ünïcode"}} for i in range(12_000)]
    load(s, "big.json", {"notes": many})
    assert not s.searchable
    calls: list[int] = []

    def stop_after_one_batch() -> bool:
        calls.append(1)
        return len(calls) > 1

    assert s.index_text(stop_after_one_batch) is False
    assert not s.searchable and len(calls) == 2  # one batch of FTS_BATCH went in, then it stopped
    assert [r.seq for r in s.search(f"word{FTS_BATCH - 1}")] == [
        FTS_BATCH - 1
    ]  # search indexes the rest first
    assert s.searchable
    assert [r.seq for r in s.search("word11999")] == [11_999]
    assert len(s.search("unicode", limit=20_000)) == 12_000  # nested strings, diacritics folded
    assert s.index_text() is True
    s.close()


def test_plain_and_sorted_pages_agree_with_a_full_sort(store: Store) -> None:
    load(store, "c/more.json", {"sms": [dict(SMS[0], id=f"x{i}") for i in range(7)]})
    every = list(store.records("sms"))
    assert [r.seq for r in store.page("sms", offset=3, limit=4)] == [3, 4, 5, 6]
    assert [r.seq for r in store.page("sms", offset=2, limit=3, desc=True)] == [7, 6, 5]
    assert store.page("sms", offset=99) == [] and store.page("sms", offset=99, desc=True) == []
    by_time = sorted(every, key=lambda r: (r.ts is None, r.ts, r.seq))
    assert [r.seq for r in store.page("sms", sort="ts", limit=50)] == [r.seq for r in by_time]
    newest = sorted(every, key=lambda r: (r.ts is None, -(r.ts or 0), -r.seq))
    assert [r.seq for r in store.page("sms", sort="ts", desc=True, limit=50)] == [
        r.seq for r in newest
    ]


def test_the_text_feed_indexes_while_loading_and_an_aborted_entry_leaves_no_hit() -> None:
    from viewer.store import BATCH

    s = Store.open(contract=CONTRACT)
    assert s.start_text_feed() is True
    assert s.start_text_feed() is False  # one feed at a time
    lost = [{"id": f"x{i}", "body": f"vanished{i} words"} for i in range(BATCH + 10)]
    load(s, "lost.json", {"notes": lost}, commit=False)  # a batch went to the feed, then abort
    kept = [{"id": f"k{i}", "content": {"body": f"kept{i} ünïcode"}} for i in range(BATCH * 2 + 1)]
    load(s, "kept.json", {"notes": kept})
    assert not s.searchable  # the feed is still open
    s.finish_text_feed()
    assert s.searchable
    assert s.search("vanished") == []  # its ids were not given to the kept records
    assert [r.data["id"] for r in s.search(f"kept{BATCH}")] == [f"k{BATCH}"]
    assert len(s.search("unicode", limit=10_000)) == len(kept)
    names = [row[1] for row in s._db.execute("PRAGMA database_list")]
    assert names == ["main", "fts"]  # the index is in its own (in-memory) database
    assert s.index_text() is True  # nothing left for the SQL path
    s.close()


def test_a_store_file_has_no_text_feed_and_indexes_after_the_load(tmp_path: Path) -> None:
    s = Store.open(tmp_path / "s" / "store.sqlite", contract=CONTRACT)
    assert s.start_text_feed() is False
    load(s, "a.json", {"sms": SMS})
    assert not s.searchable
    assert [r.seq for r in s.search("middag")] == [1]
    assert s.searchable
    s.close()


def test_closing_a_store_stops_its_text_feed() -> None:
    s = Store.open(contract=CONTRACT)
    assert s.start_text_feed()
    load(s, "a.json", {"notes": [{"id": str(i), "t": f"w{i}"} for i in range(5000)]})
    feed = s._feed
    assert feed is not None
    s.close()
    assert not feed._thread.is_alive()


def test_indexing_after_the_load_skips_the_ids_of_an_aborted_entry() -> None:
    from viewer.store import _runs

    assert list(_runs([(1, "a"), (2, "b"), (5, "c"), (6, "d"), (9, "e")])) == [
        (1, ["a", "b"]),
        (5, ["c", "d"]),
        (9, ["e"]),
    ]
    s = Store.open(contract=CONTRACT)
    load(s, "a.json", {"notes": [{"id": "1", "t": "first words"}]})
    load(s, "lost.json", {"notes": [{"id": "2", "t": "gone"}] * 3}, commit=False)
    load(s, "b.json", {"notes": [{"id": "3", "t": "later words"}]})
    assert s.index_text() is True and s.searchable
    assert [r.data["id"] for r in s.search("words")] == ["1", "3"]
    assert s.search("gone") == []
    s.close()


def test_index_text_waits_before_each_batch() -> None:
    from viewer.store import FTS_BATCH

    s = Store.open(contract=CONTRACT)
    load(s, "a.json", {"notes": [{"id": str(i), "t": f"w{i}"} for i in range(FTS_BATCH * 2 + 1)]})
    waits: list[int] = []
    assert s.index_text(wait=lambda: waits.append(1)) is True
    assert len(waits) == 4  # three batches, and the look that finds nothing left
    assert [r.seq for r in s.search("w10000")] == [10_000]
    s.close()


def test_pages_are_16_kib_in_memory_and_4_in_a_file(tmp_path: Path) -> None:
    from viewer.store import PAGE_BYTES

    assert PAGE_BYTES == 16 * 1024
    for s, size in ((Store.open(), PAGE_BYTES), (Store.open(tmp_path / "s" / "db.sqlite"), 4096)):
        names = [row[1] for row in s._db.execute("PRAGMA database_list")]
        sizes = [s._db.execute(f"PRAGMA {name}.page_size").fetchone()[0] for name in names]
        assert sizes == [size] * len(names)
        s.close()
