"""Build the migration guide (English and Swedish) as a static site, or serve it on 127.0.0.1.

`guide build --out DIR` writes a site that opens from file://; `guide serve` builds it into a
temporary folder and serves it on 127.0.0.1 until you press Ctrl+C.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("build", "serve"), help="build the site or serve it")
    parser.add_argument(
        "--out", metavar="DIR", default="site", help="output folder for build (default: site)"
    )
    parser.add_argument("--port", type=int, default=0, help="port for serve (default: a free one)")
    parser.add_argument("--open", action="store_true", help="open the guide in a browser (serve)")


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # so that SIGTERM also removes the temporary build


def _serve(args: argparse.Namespace) -> int:
    import signal
    import webbrowser

    from viewer.guide.build import build_guide
    from viewer.guide.serve import make_server

    with tempfile.TemporaryDirectory(prefix="export-viewer-guide-") as tmp:
        build_guide(Path(tmp), contract=args.contract, mapping=args.mapping)
        server = make_server(Path(tmp), args.port)
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        if not args.quiet:
            sys.stderr.write(f"serving the guide at {url} (Ctrl+C to stop)\n")
        if args.open:
            webbrowser.open(url)
        signal.signal(signal.SIGTERM, _stop)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
    return 0


def run(args: argparse.Namespace) -> int:
    from viewer.guide.build import build_guide

    if args.action == "serve":
        return _serve(args)
    index = build_guide(Path(args.out), contract=args.contract, mapping=args.mapping)
    if not args.quiet:
        sys.stderr.write(f"built the guide: {index.as_uri()}\n")
    return 0
