"""Every table -> CSV (UTF-8, optional BOM, nested values as JSON text) and JSON Lines."""

from __future__ import annotations

import csv
import json
from typing import Any

from viewer.convert.context import Context
from viewer.convert.files import open_text, private_dir

# Spreadsheet programs run a cell starting with these as a formula (CSV injection).
_FORMULA_START = ("=", "@", "\t", "\r", "+", "-")


def cell(value: Any) -> str:
    """Return one value as CSV text: JSON for nested values, true/false, empty for null."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def excel_safe(text: str) -> str:
    """Prefix a cell a spreadsheet would run as a formula with an apostrophe (not numbers)."""
    if text.startswith(_FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def convert_csv(ctx: Context) -> None:
    """Write every table as CSV, one file per table, columns = union of top-level keys."""
    folder = private_dir(ctx.out / "csv")
    for info, _service in ctx.tables():
        columns = ctx.schema(info.name).columns
        path = ctx.file_name(folder, info.name, ".csv")
        with open_text(path, bom=ctx.options.excel, newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            for record, tally in ctx.records(info, "csv"):
                row = [cell(record.data.get(key)) for key in columns]
                writer.writerow([excel_safe(c) for c in row] if ctx.options.excel else row)
                tally.wrote()
        ctx.done(path, "csv")
        ctx.paths["csv", info.name] = path


def convert_jsonl(ctx: Context) -> None:
    """Write every table as JSON Lines, one record per line exactly as exported."""
    folder = private_dir(ctx.out / "jsonl")
    for info, _service in ctx.tables():
        path = ctx.file_name(folder, info.name, ".jsonl")
        with open_text(path, newline="\n") as handle:
            for record, tally in ctx.records(info, "jsonl"):
                handle.write(json.dumps(record.data, ensure_ascii=False) + "\n")
                tally.wrote()
        ctx.done(path, "jsonl")
