"""A Frictionless (v1) `datapackage.json` describing the CSV files, with typed schema fields.

The package describes the values exactly as exported. `--excel` CSV files are changed for
spreadsheets (an apostrophe before formula-like cells, a BOM), so with `--excel` the package
gets its own plain copies in `datapackage/` and describes those instead.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from viewer.convert.context import Context
from viewer.convert.files import open_text, private_dir
from viewer.convert.schema import Column
from viewer.convert.tabular import convert_csv, write_csv_tables

FORMAT = "datapackage"
FILE_NAME = "datapackage.json"


def resource_name(text: str, taken: set[str]) -> str:
    """Return a Frictionless resource name (lower-case letters, digits, . _ -), unique."""
    base = re.sub(r"[^a-z0-9._-]+", "_", text.lower()).strip("._-") or "table"
    name, n = base, 2
    while name in taken:
        name = f"{base}_{n}"
        n += 1
    taken.add(name)
    return name


def field_of(column: Column) -> dict[str, Any]:
    """Return the Table Schema field describing one CSV column."""
    described: dict[str, Any] = {"name": column.name, "type": column.type}
    if column.title:
        described["title"] = column.title
    if column.time_of is not None:
        described["description"] = f"{column.time_of} as ISO 8601 UTC, to the second"
    elif len(column.path) > 1:
        described["description"] = "nested value " + " > ".join(column.path)
    return described


def convert_datapackage(ctx: Context) -> None:
    """Write datapackage.json at the top of the output (writing the CSV files it needs first)."""
    if ctx.options.excel:
        write_csv_tables(ctx, private_dir(ctx.out / FORMAT), FORMAT, excel=False)
        source = FORMAT
    else:
        if not any(fmt == "csv" for fmt, _table in ctx.paths):
            convert_csv(ctx)
        source = "csv"
    taken: set[str] = set()
    resources = []
    for info, service in ctx.tables():
        resource: dict[str, Any] = {
            "name": resource_name(info.name, taken),
            "title": info.name,
            "path": ctx.paths[source, info.name].relative_to(ctx.out).as_posix(),
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": {
                "fields": [field_of(c) for c in ctx.schema(info.name).columns],
                "missingValues": [""],
            },
        }
        if service is not None:
            resource["description"] = f"{service.name.en} ({info.records} records)"
        resources.append(resource)
    descriptor = {
        "profile": "tabular-data-package",
        "name": resource_name(ctx.contract.provider + "-export", set()),
        "title": f"{ctx.contract.provider_name.en} export",
        "created": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "resources": resources,
    }
    path = ctx.out / FILE_NAME
    with open_text(path) as handle:
        json.dump(descriptor, handle, ensure_ascii=False, indent=2)
        handle.write("\n")
    ctx.done(path, FORMAT)
