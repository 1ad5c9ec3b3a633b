"""What opening an export costs, step by step, on one core; and what the Store holds in memory.

    python -m bench.costs SAMPLE.zip PASSWORD_FILE     # prints one JSON object

Each step runs alone and in turn in this one process, so their times add up to the work of an
open and show where the two open targets stand (1.5x the floor's time on two cores, 1.5x the JSON
in memory): decrypt + inflate; + parse every record (the fast path, records built, nothing kept);
+ extract each record's id, time and counterpart; the whole load into an in-memory Store
without the full-text index (what `build`, `convert` and `serve`'s first page wait for), then its
sort indexes, then its full-text index. The Store's size comes from SQLite's own page counts
(`dbstat`), per table and index.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from verify.contract import Contract, load_contract
from viewer.archive import open_archive
from viewer.jsonfast import FastParser
from viewer.loader import load_export
from viewer.options import password_source
from viewer.store import Extractor, Store

PAGES = "SELECT name, sum(pgsize) FROM dbstat(?) GROUP BY name"
Record = Callable[[str, int, dict[str, Any], str], None]


class Reader:
    """The callbacks of one entry's FastParser: each record parsed, and its values extracted."""

    def __init__(self, contract: Contract, extract: bool) -> None:
        self.contract = contract
        self.extractors: dict[str, Extractor] = {}
        self.record: Record = self.extracted if extract else self.parsed

    def table(self, name: str) -> None:
        self.extractors[name] = Extractor(self.contract.service_for_table(name))

    def parsed(self, table: str, index: int, record: dict[str, Any], raw: str) -> None:
        pass

    def extracted(self, table: str, index: int, record: dict[str, Any], raw: str) -> None:
        ext = self.extractors[table]
        ext.rid(record), ext.ts(record), ext.party(record)


def read_all(sample: Path, password: Path, contract: Contract, step: str) -> float:
    """Read every entry up to `step` (inflate, parse or extract); return the seconds taken."""
    start = time.perf_counter()
    with open_archive(sample, password=password_source(str(password))) as archive:
        for entry in archive.entries:
            if step == "inflate":
                for _chunk in archive.chunks(entry):
                    pass
                continue
            reader = Reader(contract, extract=step == "extract")
            parser = FastParser(entry.name, reader.table, reader.record)
            for chunk in archive.chunks(entry):
                parser.feed(chunk)
            parser.close()
    return time.perf_counter() - start


def composition(db: sqlite3.Connection) -> dict[str, float]:
    """Return the Store's bytes: records table, their JSON text, sort indexes, text index."""
    sizes: dict[str, float] = {}
    try:
        pages = dict(db.execute(PAGES, ("main",)))
        text = dict(db.execute(PAGES, ("fts",))) if "fts" in schemas(db) else {}
    except sqlite3.Error:  # a SQLite built without dbstat: no breakdown
        return sizes
    sizes["store_records_bytes"] = pages.get("record", 0)
    sizes["store_indexes_bytes"] = sum(v for k, v in pages.items() if k.startswith("record_"))
    sizes["store_text_index_bytes"] = sum(text.values())
    (json_bytes,) = db.execute("SELECT sum(length(CAST(data AS BLOB))) FROM record").fetchone()
    sizes["store_json_bytes"] = json_bytes or 0
    return sizes


def schemas(db: sqlite3.Connection) -> set[str]:
    """Return the names of the databases a connection has attached."""
    return {row[1] for row in db.execute("PRAGMA database_list")}


def measure(sample: Path, password: Path) -> dict[str, float]:
    """Return every step's seconds and the Store's composition."""
    contract = load_contract()
    figures = {
        f"cost_{step}_s": read_all(sample, password, contract, step)
        for step in ("inflate", "parse", "extract")
    }
    last = [0.0]

    def progress(done: int, total: int) -> None:
        last[0] = time.perf_counter()  # its last call comes once every record is in

    start = time.perf_counter()
    store = Store.open(contract=contract)
    result = load_export(sample, password=password_source(str(password)), contract=contract,
                         store=store, search=False, progress=progress)  # fmt: skip
    loaded, indexed = last[0], time.perf_counter()  # then load_export built the sort indexes
    store.index_text()
    searchable = time.perf_counter()
    figures |= {
        "cost_load_s": loaded - start,
        "cost_sort_indexes_s": indexed - loaded,
        "cost_text_index_s": searchable - indexed,
        "records": sum(t.records for t in store.tables()),
        "json_bytes": result.info.uncompressed,
    }
    figures["cost_open_work_s"] = searchable - start  # the open's whole work, one step at a time
    figures |= composition(store._db)  # (the Store's insides, measured)
    parts = ("store_records_bytes", "store_indexes_bytes", "store_text_index_bytes")
    if all(part in figures for part in parts):
        figures["store_bytes"] = sum(figures[part] for part in parts)
    store.close()
    return figures


if __name__ == "__main__":
    print(json.dumps(measure(Path(sys.argv[1]), Path(sys.argv[2]))))
