"""Every table -> CSV (UTF-8, optional BOM, objects opened into columns) and JSON Lines."""

from __future__ import annotations

import csv
import json
from pathlib import Path
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
    """Write every table as CSV, one file per table, nested objects opened into columns."""
    write_csv_tables(ctx, private_dir(ctx.out / "csv"), "csv", excel=ctx.options.excel)


def write_csv_tables(ctx: Context, folder: Path, fmt: str, *, excel: bool) -> None:
    """Write every table as CSV into `folder`, counted as `fmt` (`excel`: BOM, formulas defused)."""
    for info, _service in ctx.tables():
        schema = ctx.schema(info.name)
        path = ctx.file_name(folder, info.name, ".csv")
        with open_text(path, bom=excel, newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(schema.names)
            for record, tally in ctx.records(info, fmt):
                row = [cell(value) for value in schema.row(record.data)]
                writer.writerow([excel_safe(c) for c in row] if excel else row)
                tally.wrote()
        ctx.done(path, fmt)
        ctx.paths[fmt, info.name] = path


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
