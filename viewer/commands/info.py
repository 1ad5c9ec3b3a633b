"""Open and load an export; print its facts, a count per table and any content problems.

Exit 0 when the content has no problems, 1 when it has some, 2 when the export cannot be opened.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

from viewer.options import add_open_options, load_contract_from_args, open_from_args


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("export", metavar="EXPORT", help="the export: ZIP, folder or .json file")
    add_open_options(parser)


def run(args: argparse.Namespace) -> int:
    from viewer.archive import human

    contract = load_contract_from_args(args)
    result = open_from_args(args, contract)
    out: TextIO = sys.stdout
    info = result.info
    date = info.export_date.isoformat(sep=" ") if info.export_date else "unknown"
    facts = [
        ("export", info.name),
        ("kind", info.kind),
        ("size", f"{info.size} bytes ({human(info.size)})"),
        ("sha256", info.sha256),
        ("encryption", info.encryption),
        ("entries", f"{info.entries} JSON files, {human(info.uncompressed)} uncompressed"),
        ("exported", date),
    ]
    for label, value in facts:
        out.write(f"{label:<11}{value}\n")
    store = result.store
    rows = [("table", "service", "records", "files")]
    for table in store.tables() if store else []:
        service = table.service or "undocumented"
        rows.append((table.name, service, str(table.records), str(len(table.files))))
    out.write("\n" + _columns(rows))
    out.write(f"\nproblems   {len(result.problems)}\n")
    for p in result.problems:
        out.write(f"  {p.check}  {p.file}  {p.position}  {p.message}\n")
    if store:
        store.close()
    return 1 if result.problems else 0


def _columns(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(line.rstrip() for line in lines) + "\n"
