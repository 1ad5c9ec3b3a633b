"""Build a browsable static site of an export (viewer pages in English and Swedish, plus the guide).

The site opens from file:// without a server. It holds your personal data in plain text: the
folder is created readable by you alone (0700, files 0600).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from viewer.options import add_open_options, load_contract_from_args, open_from_args

if TYPE_CHECKING:
    from verify.contract import Contract
    from verify.stats import StatsCollector


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("export", metavar="EXPORT", help="the export (ZIP) to build a site of")
    parser.add_argument("--out", metavar="DIR", required=True, help="the folder to write")
    parser.add_argument(
        "--lang", choices=("en", "sv"), action="append", help="only this language (repeatable)"
    )
    parser.add_argument(
        "--force", action="store_true", help="write into DIR even if it is not empty"
    )
    parser.add_argument("--no-guide", action="store_true", help="leave out the migration guide")
    add_open_options(parser)


def _check_out(out: Path, force: bool) -> None:
    from viewer.errors import OutputError

    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise OutputError(f"{out} is not empty: choose a new folder or pass --force")


def _make_private(root: Path) -> None:
    """Give the files MkDocs wrote the site's modes: 0700 folders, 0600 files."""
    root.chmod(0o700)
    for path in root.rglob("*"):
        path.chmod(0o700 if path.is_dir() else 0o600)


SCRATCH = ".export-viewer-records.sqlite"


def run(args: argparse.Namespace) -> int:
    from verify.run import new_collector
    from viewer.site.build import prepare_output

    out = Path(args.out)
    _check_out(out, args.force)
    contract = load_contract_from_args(args)
    collector = new_collector(contract)
    # The records go to a scratch database in the output folder, which will hold them in plain
    # text anyway: memory then stays small whatever the export's size. It is deleted at the end.
    scratch = None if args.store else prepare_output(out) / SCRATCH
    try:
        return _build(args, out, contract, collector, scratch)
    finally:
        if scratch is not None:
            scratch.unlink(missing_ok=True)


def _build(
    args: argparse.Namespace,
    out: Path,
    contract: Contract,
    collector: StatsCollector,
    scratch: Path | None,
) -> int:
    from verify.report import build_report
    from viewer.site.build import build_site

    # One pass over the export feeds both the Store (records) and the verification statistics.
    result = open_from_args(args, contract, keep_records=True, sinks=[collector], scratch=scratch)
    assert result.store is not None
    report = build_report(contract, collector, result.info, result.problems)
    langs = tuple(dict.fromkeys(args.lang or ("en", "sv")))
    # Said before the first file is written, so that it is said even if the build fails midway.
    sys.stderr.write(
        f"warning: {out.expanduser().resolve()} will hold your personal data in plain text; "
        "keep it private\n"
    )
    summary = build_site(result.store, report, contract, out, langs=langs, guide=not args.no_guide)
    if not args.no_guide:
        from viewer.guide.build import build_guide

        guide = build_guide(
            summary.out / "guide",
            viewer_link="../{lang}/index.html",
            contract=args.contract,
            mapping=args.mapping,
        ).parent
        _make_private(guide)
    result.store.close()
    if not args.quiet:
        print(
            f"{summary.out / 'index.html'}: {summary.pages} pages, {summary.files} files, "
            f"{summary.bytes / 1e6:.1f} MB in {summary.seconds:.1f} s"
        )
    return 0
