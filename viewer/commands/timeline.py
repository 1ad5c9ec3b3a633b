"""Print the switching deadlines for a request date (the guide's calculator gives the same dates).

Months end on the same day number (or the month's last day), days are calendar days, working days
skip weekends and the country's public holidays. See viewer/timeline.py for what each counts from.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from viewer.errors import UsageError
from viewer.options import load_contract_from_args


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-03-02") from exc


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--requested", type=_date, required=True, metavar="DATE", help="request date, YYYY-MM-DD"
    )
    parser.add_argument(
        "--ready", type=_date, metavar="DATE", help="day the copy was ready (download link)"
    )
    parser.add_argument(
        "--country",
        metavar="CC",
        help="country whose public holidays are skipped (default: the contract's, NL)",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")


def run(args: argparse.Namespace) -> int:
    from viewer.timeline import deadlines

    contract = load_contract_from_args(args)
    country = (args.country or str(contract.info.get("country", "NL"))).upper()
    if len(country) != 2 or not country.isalpha():
        raise UsageError(f"--country must be a two-letter country code, not {args.country!r}")
    rows = deadlines(args.requested, contract.switching, country, ready=args.ready)
    if args.format == "json":
        data = {
            "requested": args.requested.isoformat(),
            "country": country,
            "deadlines": [row.as_dict() for row in rows],
        }
        json.dump(data, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    day = args.requested
    sys.stdout.write(
        f"Switching deadlines for a request made on {day.isoformat()} ({day:%A}); "
        f"working days skip weekends and public holidays in {country}.\n\n"
    )
    for row in rows:
        rule = f"{row.amount} {row.unit} from {row.counts_from}"
        sys.stdout.write(
            f"{row.label:<32}{rule:<32}{row.last_day.isoformat()} ({row.last_day:%A})\n"
        )
    return 0
