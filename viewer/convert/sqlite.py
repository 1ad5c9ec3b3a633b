"""The whole export -> one SQLite database: a table per export table, real typed columns.

Each table gets the columns of its schema (objects opened into dotted columns, typed INTEGER,
REAL or TEXT from the data, booleans as 0/1, lists as JSON text, readable `*_iso` times), plus
`_file` and `_index` (where the record came from in the export) and `_json` (the record as
exported), ready for Datasette.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from viewer.convert.context import Context
from viewer.convert.files import create_private, private_dir
from viewer.convert.manifest import ConversionLossError
from viewer.convert.schema import SQL_TYPES, unique_name
from viewer.errors import OutputError

if TYPE_CHECKING:
    from viewer.store import TableInfo

FORMAT = "sqlite"
FILE_NAME = "export.sqlite"
BATCH = 5000
PROVENANCE = ("_file", "_index")
RAW = "_json"  # the whole record as exported, for what columns cannot show (and json_extract)


def quote(name: str) -> str:
    """Quote an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def unique_names(names: Iterable[str], taken: set[str]) -> list[str]:
    """Return names unique case-insensitively (SQLite's rule), suffixing repeats with _2, _3..."""
    return [unique_name(name, taken) for name in names]


def sql_value(value: Any) -> Any:
    """Return a JSON value as an SQLite value."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dict | list):
        return _json(value)
    if isinstance(value, int) and not -(2**63) <= value < 2**63:
        return str(value)  # beyond SQLite's 64-bit integers: keep the digits exactly
    return value


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def convert_sqlite(ctx: Context) -> None:
    """Write every table into one new SQLite database file."""
    path = private_dir(ctx.out / FORMAT) / FILE_NAME
    os.close(create_private(path))  # an empty 0600 file is a valid empty database
    try:
        db = sqlite3.connect(path, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=MEMORY")  # no journal file beside it
            table_names: set[str] = {"sqlite_master"}
            for info, _service in ctx.tables():
                _copy_table(ctx, db, info, table_names)
        finally:
            db.close()
    except sqlite3.Error as exc:
        raise OutputError(f"cannot write {path}: {exc}") from exc
    ctx.done(path, FORMAT)


def _copy_table(ctx: Context, db: sqlite3.Connection, info: TableInfo, tables: set[str]) -> None:
    schema = ctx.schema(info.name)
    table = "_" + info.name if info.name.lower().startswith("sqlite_") else info.name
    name = unique_names([table], tables)[0]  # sqlite_* names are reserved
    taken: set[str] = set()
    *provenance, raw = unique_names([*PROVENANCE, RAW], taken)  # ours first: stable names
    columns = [*provenance, *unique_names(schema.names, taken), raw]
    types = ["TEXT", "INTEGER", *(SQL_TYPES[c.type] for c in schema.columns), "TEXT"]
    defs = ", ".join(f"{quote(c)} {t}" for c, t in zip(columns, types, strict=True))
    db.execute(f"CREATE TABLE {quote(name)} ({defs})")
    # Identifiers are quoted by quote(); values always go as parameters.
    insert = f"INSERT INTO {quote(name)} VALUES ({', '.join('?' * len(columns))})"  # noqa: S608
    db.execute("BEGIN")
    rows: list[list[Any]] = []
    for record, tally in ctx.records(info, FORMAT):
        data = record.data
        values = (sql_value(value) for value in schema.row(data))
        rows.append([record.file, record.index, *values, _json(data)])
        tally.wrote()
        if len(rows) >= BATCH:
            db.executemany(insert, rows)
            rows.clear()
    db.executemany(insert, rows)
    db.execute("COMMIT")
    stored = db.execute(f"SELECT count(*) FROM {quote(name)}").fetchone()[0]  # noqa: S608
    if stored != info.records:  # read back: what the database holds is what counts
        raise ConversionLossError(f"sqlite: table {name!r} holds {stored} of {info.records}")
