"""Try Export Viewer on a sample: a `typical` sample export, served and opened in your browser.

The sample (about 60,000 records of an invented Swedish resident) is written into a private
temporary folder that is deleted when you stop the demo with Ctrl+C.
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import sys
import tempfile
from pathlib import Path

THINGS_TO_TRY = (
    "Search the whole export for 'PostNord' (an SMS sender) with the search box at the top.",
    "Open the SMS table, filter it by a counterpart or a date range, and download it as CSV.",
    "Switch to Svenska at the top right, then open the guide to see what a real export holds.",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: free)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    parser.add_argument("--lang", choices=("en", "sv"), default="en", help="language of pages")
    parser.add_argument(
        "--size", default="typical", help="sample size: small, typical or heavy (default typical)"
    )


def run(args: argparse.Namespace) -> int:
    from viewer.app.server import prepare, run_server
    from viewer.commands.serve import contract_files
    from viewer.options import load_contract_from_args
    from viewer.sample import write_sample

    folder = Path(tempfile.mkdtemp(prefix="export-viewer-demo-"))  # 0700
    app = None
    try:
        password = secrets.token_urlsafe(9)
        export = folder / "xiaomi-cloud-export.zip"
        if not args.quiet:
            sys.stderr.write(f"Writing a {args.size} sample export...\n")
        contract = load_contract_from_args(args)
        write_sample(export, size=args.size, password=password, contract=contract)
        app, sock = prepare(contract, port=args.port, lang=args.lang, files=contract_files(args))
        app.state.sessions.open(export, password)
        intro = [
            f"Sample export: {export}",
            f"Its password (as the provider's e-mail would give it): {password}",
            "Three things to try:",
            *(f"  {n}. {thing}" for n, thing in enumerate(THINGS_TO_TRY, 1)),
            "Ctrl+C stops the demo and deletes the sample.",
        ]
        run_server(app, sock, open_browser=not args.no_browser, intro=intro)
    except KeyboardInterrupt:
        return 0
    finally:
        if app is not None:  # Ctrl+C before the server ran: its private folder goes too
            app.state.sessions.shutdown()
        shutil.rmtree(folder, ignore_errors=True)
    return 0
