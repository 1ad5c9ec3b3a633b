"""The whole export -> one SQLite database: a table per export table, real typed columns.

Each table gets a column per top-level key (nested values as JSON text, booleans as 0/1) plus
`_file` and `_index` (where the record came from in the export), ready for Datasette.
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
from viewer.convert.schema import SQL_TYPES
from viewer.errors import OutputError

if TYPE_CHECKING:
    from viewer.store import TableInfo

FORMAT = "sqlite"
FILE_NAME = "export.sqlite"
BATCH = 5000
PROVENANCE = ("_file", "_index")


def quote(name: str) -> str:
    """Quote an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def unique_names(names: Iterable[str], taken: set[str]) -> list[str]:
    """Return names unique case-insensitively (SQLite's rule), suffixing repeats with _2, _3..."""
    result = []
    for name in names:
        candidate, n = name or "_", 2
        while candidate.casefold() in taken:
            candidate = f"{name}_{n}"
            n += 1
        taken.add(candidate.casefold())
        result.append(candidate)
    return result


def sql_value(value: Any) -> Any:
    """Return a JSON value as an SQLite value."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, int) and not -(2**63) <= value < 2**63:
        return str(value)  # beyond SQLite's 64-bit integers: keep the digits exactly
    return value


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


def _copy_table(ctx: Context, db: sqlite3.Connection, info: TableInfo, taken: set[str]) -> None:
    schema = ctx.schema(info.name)
    table = "_" + info.name if info.name.lower().startswith("sqlite_") else info.name
    name = unique_names([table], taken)[0]  # sqlite_* names are reserved
    columns = unique_names([*PROVENANCE, *schema.columns], set())
    types = ["TEXT", "INTEGER"] + [SQL_TYPES[schema.types[c]] for c in schema.columns]
    defs = ", ".join(f"{quote(c)} {t}" for c, t in zip(columns, types, strict=True))
    db.execute(f"CREATE TABLE {quote(name)} ({defs})")
    # Identifiers are quoted by quote(); values always go as parameters.
    insert = f"INSERT INTO {quote(name)} VALUES ({', '.join('?' * len(columns))})"  # noqa: S608
    db.execute("BEGIN")
    rows: list[list[Any]] = []
    for record, tally in ctx.records(info, FORMAT):
        data = record.data
        rows.append([record.file, record.index, *(sql_value(data.get(k)) for k in schema.columns)])
        tally.wrote()
        if len(rows) >= BATCH:
            db.executemany(insert, rows)
            rows.clear()
    db.executemany(insert, rows)
    db.execute("COMMIT")
    stored = db.execute(f"SELECT count(*) FROM {quote(name)}").fetchone()[0]  # noqa: S608
    if stored != info.records:  # read back: what the database holds is what counts
        raise ConversionLossError(f"sqlite: table {name!r} holds {stored} of {info.records}")
