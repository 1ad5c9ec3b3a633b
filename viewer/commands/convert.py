"""Convert an export into open formats other providers import: vCard, iCalendar, SMS Backup &
Restore XML, Markdown, CSV, JSON Lines, SQLite and a Frictionless data package, with a manifest.

Exit status: 0 when every record was converted, 1 when some were skipped (listed in
manifest.json with the reason), 2 when the export or the output folder cannot be used.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from viewer.options import add_open_options, load_contract_from_args


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from viewer.convert import FORMATS

    parser.add_argument("export", metavar="EXPORT", help="the export (.zip) to convert")
    parser.add_argument(
        "--to",
        metavar="FORMAT[,FORMAT...]",
        required=True,
        help=f"formats: {', '.join([*FORMATS, 'all'])}",
    )
    parser.add_argument("--out", metavar="DIR", required=True, help="output folder (new or empty)")
    parser.add_argument(
        "--force", action="store_true", help="replace an earlier conversion in the output folder"
    )
    parser.add_argument("--split", action="store_true", help="one vCard file per contact")
    parser.add_argument("--vcard-version", choices=("3.0", "4.0"), default="3.0")
    parser.add_argument("--excel", action="store_true", help="CSV with a BOM for spreadsheets")
    add_open_options(parser)


def run(args: argparse.Namespace) -> int:
    from viewer.convert import ConvertOptions, convert, parse_formats
    from viewer.convert.outdir import plan_out_dir
    from viewer.options import open_from_args

    formats = parse_formats(args.to)
    out = Path(args.out)
    plan_out_dir(out, force=args.force)  # refuse before the slow part; replace only after it
    contract = load_contract_from_args(args)
    result = open_from_args(args, contract)
    assert result.store is not None  # records are kept by default
    options = ConvertOptions(split=args.split, vcard_version=args.vcard_version, excel=args.excel)
    info = result.info
    source = {
        "name": info.name,
        "sha256": info.sha256,
        "encryption": info.encryption,
        "export_date": info.export_date.isoformat() if info.export_date else None,
    }
    try:
        manifest = convert(
            result.store, contract, formats, out, options=options, force=args.force, source=source
        )
    finally:
        result.store.close()
    if not args.quiet:
        sys.stdout.write(
            f"wrote {len(manifest.files)} files to {out} ({', '.join(formats)}); "
            f"{len(manifest.skipped)} records skipped, {len(manifest.changed)} changed: "
            f"see {out / 'manifest.json'}\n"
        )
    return 1 if manifest.skipped else 0
