"""Write a deterministic sample export: one Swedish resident's Xiaomi Cloud data, 2023-2025.

The JSON is the same for the same seed, size and defects. The ZIP is AES-256 encrypted unless
--no-encryption is given; without --password-file a strong password is generated and printed.
"""

from __future__ import annotations

import argparse
import secrets
import sys
from pathlib import Path

from viewer.options import add_password_option, read_password_file
from viewer.sample.defects import defects_help
from viewer.sample.plan import SIZES
from viewer.sample.writer import LAYOUTS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = defects_help()
    parser.add_argument(
        "--out", metavar="FILE.zip", required=True, type=Path, help="the ZIP to write"
    )
    add_password_option(parser)
    parser.add_argument("--seed", type=int, default=1, help="the random seed (default: 1)")
    amount = parser.add_mutually_exclusive_group()
    amount.add_argument(
        "--size",
        choices=tuple(SIZES),
        default="small",
        help="small (~2k records), typical (~60k) or heavy (~1M); default: small",
    )
    amount.add_argument("--records", type=int, metavar="N", help="about N records in all")
    parser.add_argument(
        "--layout",
        choices=LAYOUTS,
        default="per-service",
        help="one JSON file per table (default) or one export.json for all",
    )
    parser.add_argument("--no-encryption", action="store_true", help="write a plain (deflate) ZIP")
    parser.add_argument(
        "--defect",
        action="append",
        default=[],
        metavar="SPEC",
        help="add a deliberate defect (repeatable; see the list below)",
    )


def _password(args: argparse.Namespace) -> tuple[str | None, bool]:
    """Return the password to use and whether it was generated here."""
    if args.no_encryption:
        return None, False
    if args.password_file:
        return read_password_file(args.password_file), False
    return secrets.token_urlsafe(24), True


def run(args: argparse.Namespace) -> int:
    from viewer.options import load_contract_from_args
    from viewer.sample import write_sample

    password, generated = _password(args)
    summary = write_sample(
        args.out,
        seed=args.seed,
        size=args.size,
        records=args.records,
        layout=args.layout,
        password=password,
        defects=args.defect,
        contract=load_contract_from_args(args),
    )
    out = sys.stdout
    out.write(
        f"wrote {summary.path} ({summary.encryption}, {sum(summary.tables.values())} records)\n"
    )
    if generated:
        out.write(f"password: {summary.password}\n")
    for table, count in summary.tables.items():
        out.write(f"  {table:<24} {count:>9}\n")
    return 0
