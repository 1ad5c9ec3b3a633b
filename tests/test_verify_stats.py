"""The statistics collector: counts per key set, checks per record, ids, intact entries only."""

from __future__ import annotations

from typing import Any

from verify.contract import load_contract
from verify.stats import StatsCollector

CONTRACT = load_contract()
LATEST = 1_900_000_000_000  # 2030: later times are in the future
T = 1_700_000_000_000


def collect(*entries: tuple[str, list[dict[str, Any]], bool]) -> StatsCollector:
    collector = StatsCollector(CONTRACT, LATEST)
    for file, records, intact in entries:
        entry = collector.begin(file)
        entry.table("notes")
        for index, record in enumerate(records):
            entry.add("notes", index, record)
        entry.commit() if intact else entry.abort()
    return collector


def test_fields_are_counted_under_the_key_each_record_uses_across_key_sets() -> None:
    records = [
        {"id": "a", "createTime": T, "folderName": "x"},
        {"id": "b", "created": T, "folder": "y", "extra": 1},  # other keys for the same fields
        {"id": "c", "createTime": T, "folderName": "z"},
        {"noteId": "d", "createTime": T, "created": T},  # both keys: the first one counts
    ]
    stats = collect(("n.json", records, True)).tables["notes"]
    assert stats.records == 4
    created = stats.fields["create_time"]
    assert (created.present, dict(created.keys)) == (4, {"createTime": 3, "created": 1})
    folder = stats.fields["folder_name"]
    assert (folder.present, dict(folder.keys)) == (3, {"folderName": 2, "folder": 1})
    assert {k: t.count for k, t in stats.undocumented_keys.items()} == {"extra": 1}
    assert [(p.file, p.index) for p in stats.undocumented_keys["extra"].positions] == [
        ("n.json", 1)
    ]


def test_values_are_checked_in_every_record_of_a_shape() -> None:
    records = [{"id": str(i), "createTime": T, "updateTime": T, "order": 1} for i in range(5)]
    records[2]["order"] = "third"  # the same keys, a wrong type
    records[3]["updateTime"] = T - 1  # updated before created
    records[4]["createTime"] = 5  # before 2000
    stats = collect(("n.json", records, True)).tables["notes"]
    assert [(p.index) for p in stats.fields["order"].faults["type-mismatch"].positions] == [2]
    assert [p.index for p in stats.time_order.positions] == [3]
    faults = stats.fields["create_time"].faults
    assert list(faults) == ["timestamp-invalid:too-early"] and faults[next(iter(faults))].count == 1


def test_duplicate_ids_short_long_and_of_other_types() -> None:
    long_id = "x" * 200
    records = [
        {"id": "1"}, {"id": 1}, {"id": 1.0}, {"id": long_id}, {"id": long_id + "y"},
        {"id": "1"}, {"id": long_id}, {"id": [1, 2]}, {"id": [1, 2]},
    ]  # fmt: skip
    stats = collect(("n.json", records, True)).tables["notes"]
    assert [p.index for p in stats.duplicates.positions] == [5, 6, 8]
    assert stats.duplicates.count == 3


def test_an_aborted_entry_counts_nothing_and_ids_repeat_across_entries() -> None:
    collector = collect(
        ("a.json", [{"id": "1", "createTime": T}], True),
        ("lost.json", [{"id": "2", "createTime": T}] * 3, False),
        ("b.json", [{"id": "1", "createTime": T}, {"id": "2", "createTime": T}], True),
    )
    stats = collector.tables["notes"]
    assert stats.records == 3 and stats.fields["create_time"].present == 3
    assert [(p.file, p.index) for p in stats.duplicates.positions] == [("b.json", 0)]
    assert stats.files == ["a.json", "b.json"]


def test_many_key_sets_are_counted_the_same_without_keeping_each(monkeypatch: Any) -> None:
    import verify.stats

    records = [{"id": str(i), "createTime": T, f"k{i % 7}": i} for i in range(40)]
    records += [{"createTime": T, "id": "x"} for _ in range(3)]  # the same keys, in another order
    kept = collect(("n.json", records, True)).tables["notes"]
    monkeypatch.setattr(verify.stats, "MAX_SHAPES", 2)
    spilled = collect(("n.json", records, True)).tables["notes"]
    for stats in (kept, spilled):
        assert stats.records == 43
        created = stats.fields["create_time"]
        assert (created.present, dict(created.keys)) == (43, {"createTime": 43})
        assert sum(t.count for t in stats.undocumented_keys.values()) == 40
    assert kept.undocumented_keys.keys() == spilled.undocumented_keys.keys()
