"""A Frictionless (v1) `datapackage.json` describing the CSV files, with typed schema fields."""

from __future__ import annotations

import json
import re

from viewer.convert.context import Context
from viewer.convert.files import open_text
from viewer.convert.tabular import convert_csv

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


def convert_datapackage(ctx: Context) -> None:
    """Write datapackage.json beside the CSV folder (writing the CSV files first if needed)."""
    if not any(fmt == "csv" for fmt, _table in ctx.paths):
        convert_csv(ctx)
    taken: set[str] = set()
    resources = []
    for info, service in ctx.tables():
        schema = ctx.schema(info.name)
        path = ctx.paths["csv", info.name]
        fields = [{"name": column, "type": schema.types[column]} for column in schema.columns]
        resource = {
            "name": resource_name(info.name, taken),
            "title": info.name,
            "path": path.relative_to(ctx.out).as_posix(),
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8-sig" if ctx.options.excel else "utf-8",
            "schema": {"fields": fields, "missingValues": [""]},
        }
        if service is not None:
            resource["description"] = f"{service.name.en} ({info.records} records)"
        resources.append(resource)
    descriptor = {
        "profile": "tabular-data-package",
        "name": resource_name(ctx.contract.provider + "-export", set()),
        "title": f"{ctx.contract.provider_name.en} export",
        "resources": resources,
    }
    path = ctx.out / FILE_NAME
    with open_text(path) as handle:
        json.dump(descriptor, handle, ensure_ascii=False, indent=2)
        handle.write("\n")
    ctx.done(path, FORMAT)
