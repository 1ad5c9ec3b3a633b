"""Print the documented contract: JSON for machines, Markdown tables as the guide shows them."""

from __future__ import annotations

import argparse
import json
import sys

from viewer.options import load_contract_from_args


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("json", "markdown"), default="json")
    parser.add_argument("--lang", choices=("en", "sv"), default="en", help="language of Markdown")


def run(args: argparse.Namespace) -> int:
    from verify.contract_export import contract_as_json, contract_as_markdown

    contract = load_contract_from_args(args)
    if args.format == "json":
        json.dump(contract_as_json(contract), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(contract_as_markdown(contract, args.lang))
    return 0
