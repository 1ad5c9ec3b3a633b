"""Verify exports against the documented contract and report what is missing, extra or wrong.

One export: the report in text (default), JSON or HTML, on stdout or in --output FILE.
Several exports (several paths, or a folder of .zip files): with --output DIR, one report per
export in the chosen format (DIR/NAME.report.txt|json|html) plus summary.csv and summary.html
(one row per export, coverage per service); without --output, the text reports one after
another and then the summary tables. Several JSON or HTML reports need --output DIR (they
are separate documents). An export that cannot be opened is reported on stderr and the others
are still verified (exit 2 at the end).

Exit codes: 0 no errors, 1 errors found (--fail-on warning: warnings too), 2 could not verify.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from viewer.errors import ExportViewerError, UsageError
from viewer.options import add_open_options

FORMATS = ("text", "json", "html")
SUFFIX = {"text": "txt", "json": "json", "html": "html"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("exports", nargs="+", metavar="EXPORT", help="export file(s) or folder")
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument("--output", metavar="PATH", help="file (one export) or folder (several)")
    parser.add_argument("--fail-on", choices=("error", "warning"), default="error")
    parser.add_argument("--max-findings", type=int, metavar="N", help="list at most N findings")
    parser.add_argument(
        "--color", choices=("auto", "always", "never"), default="auto", help="colour in text"
    )
    add_open_options(parser)


def _targets(paths: list[str]) -> list[Path]:
    """Expand a folder holding several .zip exports into its exports; keep everything else."""
    targets: list[Path] = []
    for name in paths:
        path = Path(name)
        zips = sorted(path.glob("*.zip")) if path.is_dir() else []
        targets.extend(zips or [path])
    return targets


def _render(report: dict[str, Any], fmt: str, color: bool | None) -> str:
    from verify.formats import render_html, render_json, render_text

    if fmt == "json":
        return render_json(report)
    if fmt == "html":
        return render_html(report)
    return render_text(report, color=color)


def _color(args: argparse.Namespace, to_terminal: bool) -> bool:
    """Return whether the text report is coloured: on a terminal, unless NO_COLOR is set."""
    if args.color == "always":
        return True
    if args.color == "never" or not to_terminal:
        return False
    return "NO_COLOR" not in os.environ  # the report is rendered to a string: decide here


def _verify_one(args: argparse.Namespace, path: Path) -> dict[str, Any]:
    from verify.report import Options
    from verify.run import verify_export
    from viewer.limits import Limits, parse_size
    from viewer.options import load_contract_from_args, password_source
    from viewer.progress import progress_bar

    limits = Limits()
    if args.max_size:
        limits = limits.with_max_size(parse_size(args.max_size))
    with progress_bar(f"Verifying {path.name}", quiet=args.quiet) as progress:
        return verify_export(
            path,
            load_contract_from_args(args),
            password=password_source(args.password_file),
            options=Options(max_findings=args.max_findings),
            limits=limits,
            progress=progress,
        )


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc


def _run_one(args: argparse.Namespace, path: Path) -> int:
    from verify.report import exit_code

    report = _verify_one(args, path)
    if args.output:
        _write(Path(args.output), _render(report, args.format, False))
    else:
        sys.stdout.write(_render(report, args.format, _color(args, sys.stdout.isatty())))
    return exit_code(report, args.fail_on)


def _run_many(args: argparse.Namespace, paths: list[Path]) -> int:
    from verify.formats import (
        render_summary_csv,
        render_summary_html,
        render_summary_text,
        render_text,
    )
    from verify.report import exit_code

    out = Path(args.output) if args.output else None
    if out is None and args.format != "text":
        raise UsageError(
            f"several exports give one {args.format} report each: pass --output DIR for them"
        )
    if out is not None:
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"cannot make the folder {out}: {exc.strerror or exc}") from exc
    reports, worst = [], 0
    for path in paths:
        try:
            report = _verify_one(args, path)
        except ExportViewerError as exc:
            sys.stderr.write(f"error: {exc}\n")
            worst = 2
            continue
        reports.append(report)
        worst = max(worst, exit_code(report, args.fail_on))
        if out is not None:
            _write(
                out / f"{path.stem}.report.{SUFFIX[args.format]}",
                _render(report, args.format, False),
            )
        else:
            sys.stdout.write(render_text(report, color=_color(args, sys.stdout.isatty())) + "\n")
    if out is not None:
        _write(out / "summary.csv", render_summary_csv(reports))
        _write(out / "summary.html", render_summary_html(reports))
        sys.stdout.write(f"wrote {len(reports)} reports and summary.csv, summary.html to {out}\n")
    else:
        sys.stdout.write(render_summary_text(reports))
    return worst


def _many(args: argparse.Namespace, paths: list[Path]) -> bool:
    """Return whether to write per-export reports and a summary (a folder given or several)."""
    if len(paths) > 1:
        return True
    folder_given = any(Path(name).is_dir() and paths[0] != Path(name) for name in args.exports)
    return folder_given or bool(args.output and Path(args.output).is_dir())


def run(args: argparse.Namespace) -> int:
    if args.store:
        raise UsageError("verify keeps no records: --store is for info, build, serve and convert")
    if args.max_findings is not None and args.max_findings < 0:
        raise UsageError(f"--max-findings must be 0 or more, not {args.max_findings}")
    paths = _targets(args.exports)
    if _many(args, paths):
        return _run_many(args, paths)
    return _run_one(args, paths[0])
