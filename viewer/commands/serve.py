"""Serve the viewer and the guide on 127.0.0.1, in your browser.

Without EXPORT, the start page lets you choose an export (a path, or an upload of the still
encrypted ZIP) and type its password. The address printed carries this run's access token: open
it as is. The token works until the server stops (keep it to yourself); the browser keeps it as a
cookie. Everything stays on this computer; Ctrl+C stops the server and wipes the opened exports.
"""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from viewer.options import add_password_option

if TYPE_CHECKING:
    from viewer.app import ContractFiles


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("export", metavar="EXPORT", nargs="?", help="an export (ZIP) to open")
    add_password_option(parser)
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: free)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    parser.add_argument("--lang", choices=("en", "sv"), default="en", help="language of pages")
    parser.add_argument(
        "--dev", action="store_true", help="rebuild and reload pages when templates change"
    )
    parser.add_argument("--no-guide", action="store_true", help="do not build or serve the guide")


def _password(args: argparse.Namespace) -> str | None:
    """Return the password from the usual sources, or None to ask for it in the browser."""
    import os
    import sys

    from viewer.options import PASSWORD_ENV, password_source

    if args.password_file or os.environ.get(PASSWORD_ENV) or sys.stdin.isatty():
        return password_source(args.password_file)(Path(args.export).name)
    return None


def contract_files(args: argparse.Namespace) -> ContractFiles:
    """Return where the contract comes from (--contract, --mapping), for the guide and --dev."""
    from viewer.app import ContractFiles

    contract, mapping = getattr(args, "contract", None), getattr(args, "mapping", None)
    return ContractFiles(Path(contract) if contract else None, Path(mapping) if mapping else None)


def run(args: argparse.Namespace) -> int:
    from viewer.app.server import prepare, run_server
    from viewer.errors import UsageError
    from viewer.options import load_contract_from_args

    export = Path(args.export).expanduser() if args.export else None
    if export is not None and not export.is_file():
        raise UsageError(f"{export} is not a file")
    password = _password(args) if export is not None else None
    app, sock = prepare(
        load_contract_from_args(args),
        port=args.port,
        lang=args.lang,
        guide=not args.no_guide,
        dev=args.dev,
        files=contract_files(args),
    )
    if export is not None:
        app.state.sessions.open(export.resolve(), password)
    # Ctrl+C is how a server stops (the exports are wiped by then): not an error.
    with contextlib.suppress(KeyboardInterrupt):
        run_server(app, sock, open_browser=not args.no_browser)
    return 0
