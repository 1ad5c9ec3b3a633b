"""Collect, in one pass and small memory, the statistics the checks need (never record values).

`StatsCollector` is a record sink for the loader: it sees every record once, keeps counts,
key names, a few positions and hashed ids, and forgets the record.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace
from typing import Any

from verify.contract import Contract, Field, Service
from verify.values import TypeCheck, timestamp_problem, type_check
from viewer.timeparse import to_epoch_ms

MAX_POSITIONS = 3
_NO_IDS: set[Hashable] = set()  # (never added to)
MAX_SHAPES = 256  # key sets of a table kept per entry; records of others are counted one by one
SHORT_ID = 32  # characters of an id kept as it is to find duplicates; a longer one is hashed


@dataclass(frozen=True)
class Position:
    """Where a finding was seen: the entry, and the table, record index or bytes where known."""

    file: str
    index: int | None = None
    table: str | None = None
    bytes: tuple[int, int] | None = None


@dataclass
class Tally:
    """How often something was seen, with the first few positions."""

    count: int = 0
    positions: list[Position] = field(default_factory=list)

    def hit(self, file: str, index: int) -> None:
        self.count += 1
        if len(self.positions) < MAX_POSITIONS:
            self.positions.append(Position(file, index))

    def shift(self, before: int) -> None:
        """Move the positions `before` records on (a tail half's, counted from its start)."""
        self.positions = [
            p if p.index is None else replace(p, index=p.index + before) for p in self.positions
        ]

    def merge(self, other: Tally) -> None:
        self.count += other.count
        room = MAX_POSITIONS - len(self.positions)
        self.positions.extend(other.positions[:room])


@dataclass
class FieldStats:
    """A documented field in one table: how often present, under which keys, with what faults."""

    present: int = 0
    keys: Counter[str] = field(default_factory=Counter)
    faults: dict[str, Tally] = field(default_factory=dict)

    def fault(self, code: str, file: str, index: int) -> None:
        self.faults.setdefault(code, Tally()).hit(file, index)

    def merge(self, other: FieldStats) -> None:
        self.present += other.present
        self.keys.update(other.keys)
        for code, tally in other.faults.items():
            self.faults.setdefault(code, Tally()).merge(tally)


@dataclass
class TableStats:
    """Everything the checks need to know about one table."""

    name: str
    service: Service | None
    records: int = 0
    files: list[str] = field(default_factory=list)
    fields: dict[str, FieldStats] = field(default_factory=dict)
    undocumented_keys: dict[str, Tally] = field(default_factory=dict)
    not_exportable_keys: dict[tuple[str, str], Tally] = field(default_factory=dict)
    time_order: Tally = field(default_factory=Tally)
    duplicates: Tally = field(default_factory=Tally)

    def tallies(self) -> list[Tally]:
        """Return every tally of the table (each holds positions)."""
        faults = [t for stats in self.fields.values() for t in stats.faults.values()]
        return [*faults, *self.undocumented_keys.values(), *self.not_exportable_keys.values(),
                self.time_order, self.duplicates]  # fmt: skip

    def merge(self, other: TableStats) -> None:
        self.records += other.records
        self.files.extend(f for f in other.files if f not in self.files)
        for fid, stats in other.fields.items():
            self.fields.setdefault(fid, FieldStats()).merge(stats)
        for key, tally in other.undocumented_keys.items():
            self.undocumented_keys.setdefault(key, Tally()).merge(tally)
        for pair, tally in other.not_exportable_keys.items():
            self.not_exportable_keys.setdefault(pair, Tally()).merge(tally)
        self.time_order.merge(other.time_order)
        self.duplicates.merge(other.duplicates)


@dataclass(frozen=True)
class _FieldPlan:
    field: Field
    check: TypeCheck
    keys: tuple[str, ...] = ()
    timestamp: bool = False


class _TablePlan:
    """What to look at in each record of a table, worked out once from the contract."""

    def __init__(self, service: Service | None, not_exportable_keys: dict[str, str]) -> None:
        self.service = service
        self.fields = (
            [
                _FieldPlan(f, type_check(f), tuple(f.keys), f.type == "timestamp")
                for f in service.fields
            ]
            if service
            else []
        )
        self.known = {k for f in service.fields for k in f.keys} if service else set()
        self.known |= set(service.id_keys) if service else set()
        self.id_keys = service.id_keys if service else ()
        self.not_exportable_keys = not_exportable_keys
        # A role can have several fields (recorder: deletion and purge time are both "deleted").
        self.roles: dict[str, tuple[Field, ...]] = {}
        for f in service.fields if service else ():
            if f.role:
                self.roles[f.role] = (*self.roles.get(f.role, ()), f)


def _id_hash(value: Any) -> Hashable:
    """Return what stands for a record id among its table's: itself if short, else a digest."""
    kind = type(value)
    if (kind is str and len(value) <= SHORT_ID) or kind is int:
        kept: Hashable = value  # a str and an int are never equal, as their reprs never are
        return kept
    return hashlib.blake2b(repr(value).encode("utf-8", "surrogatepass"), digest_size=12).digest()


class _Shape:
    """The keys one kind of record has in a table, and what the plan makes of them.

    Records of a table mostly share a few key sets: each is worked out once, and its count
    gives the fields' presence and key counts at the end of the entry.
    """

    def __init__(self, plan: _TablePlan, keys: tuple[str, ...]) -> None:
        record = dict.fromkeys(keys)
        self.count = 0
        # Each field is read from the first of its keys the record has.
        self.present = [
            (fp, next(k for k in fp.keys if k in record))
            for fp in plan.fields
            if any(k in record for k in fp.keys)
        ]
        extra = record.keys() - plan.known
        ne = plan.not_exportable_keys
        self.not_exportable = [(ne[k], k) for k in keys if k in extra and k in ne] if ne else []
        self.undocumented = [k for k in keys if k in extra and not (ne and k in ne)]
        self.created = _role_keys(plan.roles.get("created", ()), record)
        self.later = [
            key_format
            for role in ("updated", "deleted")
            for key_format in _role_keys(plan.roles.get(role, ()), record)
        ]


def _count(stats: TableStats, shape: _Shape, n: int) -> None:
    """Add `n` records of a shape to its table: records, and every field's presence and key."""
    stats.records += n
    for fp, key in shape.present:
        fstats = stats.fields.get(fp.field.id)
        if fstats is None:
            fstats = stats.fields[fp.field.id] = FieldStats()
        fstats.present += n
        fstats.keys[key] += n


def _add_hits(tally: Tally, file: str, indexes: list[int]) -> None:
    """Add hits at these sorted record indexes of one entry to its tally, positions in order."""
    tally.count += len(indexes)
    found = tally.positions + [Position(file, index) for index in indexes[:MAX_POSITIONS]]
    found.sort(key=lambda p: p.index or 0)
    tally.positions = found[:MAX_POSITIONS]


def _role_keys(fields: tuple[Field, ...], record: dict[str, Any]) -> list[tuple[str, str | None]]:
    """Return (key, format) of each field of a role the record has, by the field's first key."""
    found = []
    for f in fields:
        key = next((k for k in f.keys if k in record), None)
        if key is not None:
            found.append((key, f.format))
    return found


# Per table of an entry: its stats, plan, key sets, new ids, and the ids of the entries before.
_Slot = tuple["TableStats", _TablePlan, dict[tuple[str, ...], _Shape], set[Hashable], set[Hashable]]


@dataclass
class EntryResult:
    """An intact entry's statistics, worked out without the entries before it (see isolated).

    `ids` holds, per table, the hashes of the entry's ids; a record whose id an earlier entry
    has is a duplicate, found when the results are merged (`StatsCollector.merge_result`).
    """

    file: str
    tables: dict[str, TableStats]
    ids: dict[str, set[Hashable]]


def join_halves(
    head: EntryResult,
    tail: EntryResult,
    table: str,
    before: int,
    again: set[Hashable],
    locate: Callable[[set[Hashable]], list[int]],
) -> EntryResult:
    """Return an entry's result from its two halves (see `viewer.halves`), as one pass gives it.

    The tail's records of `table` follow the head's `before` ones. `again` holds the ids both
    halves have: the tail's first record of each is a duplicate too, which `locate(again)`
    finds (the tail is read again, in the rare case that there is one). The halves' id sets
    are joined in place (they are not used apart again).
    """
    tables = dict(head.tables)
    for name, stats in tail.tables.items():
        if name == table:
            for tally in stats.tallies():
                tally.shift(before)
        if name in tables:
            tables[name].merge(stats)
        else:
            tables[name] = stats
    if again:
        found = sorted(index + before for index in locate(again))
        _add_hits(tables[table].duplicates, head.file, found)
    ids = dict(head.ids)
    for name, more in tail.ids.items():
        if name in ids:
            ids[name] |= more
        else:
            ids[name] = more
    return EntryResult(head.file, tables, ids)


class _EntryStats:
    """Statistics of one archive entry, merged into the collector only if the entry is intact.

    An isolated entry does not look at the ids of the entries before it: its commit hands an
    `EntryResult` to `done` instead of merging, so entries can be worked on in any order (in
    another process) and merged in theirs.
    """

    def __init__(
        self,
        owner: StatsCollector,
        file: str,
        done: Callable[[EntryResult], None] | None = None,
    ) -> None:
        self.owner = owner
        self.file = file
        self.done = done
        self.tables: dict[str, TableStats] = {}
        self.ids: dict[str, set[Hashable]] = {}  # ids new in this entry, per table
        self._slots: dict[str, _Slot] = {}

    def table(self, table: str) -> None:
        self._stats(table)

    def _stats(self, table: str) -> TableStats:
        stats = self.tables.get(table)
        if stats is None:
            plan = self.owner.plan(table)
            stats = TableStats(name=table, service=plan.service, files=[self.file])
            self.tables[table] = stats
        return stats

    def add(self, table: str, index: int, record: dict[str, Any]) -> None:
        self.add_raw(table, index, record, "")

    def add_raw(self, table: str, index: int, record: dict[str, Any], raw: str) -> None:
        """Count one record (its text is not needed: the loader's fast path calls this)."""
        slot = self._slots.get(table)
        if slot is None:  # looked up once per table and entry: this runs for every record
            slot = self._slots[table] = (
                self._stats(table),
                self.owner.plan(table),
                {},
                self.ids.setdefault(table, set()),
                # (merged into only at a commit, after this entry; an isolated entry has none)
                _NO_IDS if self.done is not None else self.owner.ids_of(table),
            )
        stats, plan, shapes, new_ids, old_ids = slot
        keys = tuple(record)
        shape = shapes.get(keys)
        if shape is not None:
            shape.count += 1
        else:
            shape = _Shape(plan, keys)
            if len(shapes) < MAX_SHAPES:
                shape.count = 1
                shapes[keys] = shape
            else:  # too many key sets to keep one each (a hostile file): counted at once
                _count(stats, shape, 1)
        for fp, key in shape.present:
            value = record[key]
            if value is not None:
                self._value(stats, fp, value, index)
        for pair in shape.not_exportable:
            # A key that reveals a category documented as not exportable is that finding only.
            stats.not_exportable_keys.setdefault(pair, Tally()).hit(self.file, index)
        for key in shape.undocumented:
            stats.undocumented_keys.setdefault(key, Tally()).hit(self.file, index)
        if shape.created and shape.later:
            self._time_order(stats, shape, record, index)
        for k in plan.id_keys:
            rid = record.get(k)
            if rid is not None:
                # A duplicate of an id of the entries before, or of this one so far.
                rkey = _id_hash(rid)
                if rkey in new_ids or rkey in old_ids:
                    stats.duplicates.hit(self.file, index)
                else:
                    new_ids.add(rkey)
                break

    def _value(self, stats: TableStats, fp: _FieldPlan, value: Any, index: int) -> None:
        f = fp.field
        if fp.timestamp:
            problem = timestamp_problem(value, f.format, self.owner.latest_ms)
            if problem:
                self._fault(stats, f, f"timestamp-invalid:{problem}", index)
            elif not fp.check(value):  # a real time, but not in the documented shape
                self._fault(stats, f, "type-mismatch", index)
        elif not fp.check(value):
            self._fault(stats, f, "type-mismatch", index)
        elif f.values and str(value) not in f.values:
            self._fault(stats, f, "status-unknown", index)

    def _fault(self, stats: TableStats, f: Field, code: str, index: int) -> None:
        fstats = stats.fields.get(f.id)
        if fstats is None:
            fstats = stats.fields[f.id] = FieldStats()
        fstats.fault(code, self.file, index)

    def _count_shapes(self) -> None:
        """Add each shape's count to its table: records, and every field's presence and key."""
        for stats, _plan, shapes, _new, _old in self._slots.values():
            for shape in shapes.values():
                _count(stats, shape, shape.count)

    def _time_order(
        self, stats: TableStats, shape: _Shape, record: dict[str, Any], index: int
    ) -> None:
        created = None
        for key, fmt in shape.created:  # a plain loop: this runs for every record
            created = to_epoch_ms(record[key], fmt)
            if created is not None:
                break
        if created is None:
            return
        for key, fmt in shape.later:
            later = to_epoch_ms(record[key], fmt)
            if later is not None and later < created:
                stats.time_order.hit(self.file, index)
                return

    def commit(self) -> None:
        self._count_shapes()
        if self.done is None:
            self.owner.merge(self)
        else:
            self.done(EntryResult(self.file, self.tables, self.ids))

    def abort(self) -> None:
        self.tables.clear()
        self.ids.clear()
        self._slots.clear()


class StatsCollector:
    """A record sink that keeps per-table statistics for verification."""

    def __init__(self, contract: Contract, latest_ms: int) -> None:
        self.contract = contract
        self.latest_ms = latest_ms
        self.tables: dict[str, TableStats] = {}
        self._plans: dict[str, _TablePlan] = {}
        self._ids: dict[str, set[Hashable]] = {}
        self._ne_keys = {k: c.id for c in contract.not_exportable for k in c.keys}

    def plan(self, table: str) -> _TablePlan:
        plan = self._plans.get(table)
        if plan is None:
            plan = _TablePlan(self.contract.service_for_table(table), self._ne_keys)
            self._plans[table] = plan
        return plan

    def begin(self, file: str) -> _EntryStats:
        return _EntryStats(self, file)

    def isolated(self, done: Callable[[EntryResult], None]) -> IsolatedSink:
        """Return a sink whose entries ignore the ones before and go to `done` when intact."""
        return IsolatedSink(self, done)

    def merge_result(
        self, result: EntryResult, locate: Callable[[str, set[Hashable]], list[int]]
    ) -> None:
        """Merge an isolated entry, as if it had been read after every entry merged so far.

        A record whose id an earlier entry has is a duplicate, as one pass would have found:
        `locate(table, ids)` gives the index of the first record of each such id in the entry
        (the entry is read again, in the rare case that there is one), to keep the positions.
        """
        for name, stats in result.tables.items():
            stats.service = self.plan(name).service  # the collector's own, not a copy
            ids = result.ids.get(name)
            seen = self._ids.get(name)
            if ids and seen:
                again = ids & seen
                if again:
                    _add_hits(stats.duplicates, result.file, sorted(locate(name, again)))
            if name in self.tables:
                self.tables[name].merge(stats)
            else:
                self.tables[name] = stats
            if ids:
                if seen is None:
                    self._ids[name] = ids
                else:
                    seen |= ids

    def locator(self, table: str, wanted: set[Hashable]) -> tuple[RecordLocator, list[int]]:
        """Return a sink that finds the first record of each wanted id, and what it finds."""
        found: list[int] = []
        return RecordLocator(self.plan(table), table, wanted, found), found

    def ids_of(self, table: str) -> set[Hashable]:
        """Return the ids of a table in the entries merged so far (hashed when long)."""
        return self._ids.get(table) or _NO_IDS

    def merge(self, entry: _EntryStats) -> None:
        for name, stats in entry.tables.items():
            if name in self.tables:
                self.tables[name].merge(stats)
            else:
                self.tables[name] = stats
            new = entry.ids.get(name)
            if new:  # (duplicates were counted as the entry went: they are in its stats)
                seen = self._ids.get(name)
                if seen is None:
                    self._ids[name] = new
                else:
                    seen |= new


class IsolatedSink:
    """A record sink for entries worked on apart (see `EntryResult`); nothing is merged here."""

    def __init__(self, owner: StatsCollector, done: Callable[[EntryResult], None]) -> None:
        self.owner = owner
        self.done = done

    def begin(self, file: str) -> _EntryStats:
        return _EntryStats(self.owner, file, self.done)


class RecordLocator:
    """A record sink that notes the index of the first record of each wanted id of a table."""

    def __init__(
        self, plan: _TablePlan, table: str, wanted: set[Hashable], found: list[int]
    ) -> None:
        self.plan = plan
        self.name = table
        self.wanted = set(wanted)
        self.found = found

    def begin(self, file: str) -> RecordLocator:
        return self

    def table(self, table: str) -> None:
        pass

    def add(self, table: str, index: int, record: dict[str, Any]) -> None:
        if table != self.name or not self.wanted:
            return
        for k in self.plan.id_keys:
            rid = record.get(k)
            if rid is not None:
                rkey = _id_hash(rid)
                if rkey in self.wanted:
                    self.wanted.discard(rkey)
                    self.found.append(index)
                break

    def commit(self) -> None:
        pass

    def abort(self) -> None:
        self.found.clear()
