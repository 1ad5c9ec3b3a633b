"""The `export-viewer` command line: parse arguments, run one command, turn errors into one line."""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from collections.abc import Sequence
from types import ModuleType

from viewer import __version__
from viewer.errors import ExportViewerError

# (name, module, one-line help). Each module has add_arguments(parser) and run(args) -> int,
# and imports its heavy dependencies inside run() so that start-up stays fast.
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("contract", "viewer.commands.contract", "print the documented contract as JSON or Markdown"),
    ("convert", "viewer.commands.convert", "convert an export to vCard, iCalendar, CSV, SQLite..."),
    ("sample", "viewer.commands.sample", "write a deterministic sample export"),
    ("guide", "viewer.commands.guide", "build or serve the migration guide (English, Swedish)"),
    ("timeline", "viewer.commands.timeline", "print the switching deadlines for a request date"),
    ("info", "viewer.commands.info", "open an export and count its tables and records"),
    ("build", "viewer.commands.build", "write a browsable static site of an export"),
    ("verify", "viewer.commands.verify", "check an export against the documented contract"),
    ("serve", "viewer.commands.serve", "serve the viewer and the guide on 127.0.0.1 in a browser"),
    ("demo", "viewer.commands.demo", "open a sample export in the browser, with the guide"),
)


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line and exit 2, like every other error."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"error: {message} (see {self.prog} --help)\n")
        raise SystemExit(2)


def add_common(parser: argparse.ArgumentParser) -> None:
    """Add the options every command takes."""
    parser.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress output")
    parser.add_argument(
        "--contract", metavar="FILE", help="the provider contract (default: Xiaomi Cloud)"
    )
    parser.add_argument(
        "--mapping",
        metavar="FILE",
        help="TOML/JSON mapping of observed table and key names to documented ids",
    )


def _load(module: str) -> ModuleType:
    return importlib.import_module(module)


def chosen_command(argv: Sequence[str]) -> str | None:
    """Return the command named in `argv` (its first word that is not an option), if any.

    The top-level options (--help, --version) take no value, so the first other word is the
    command (or a typo, which argparse reports)."""
    return next((word for word in argv if not word.startswith("-")), None)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """Return the parser with every command registered.

    Every command is listed with its help line, but only the one chosen in `argv` imports its
    module and adds its options (all of them when `argv` is None): the other modules' imports
    (the sample writer, the converters...) would only slow down the start of this one."""
    parser = _Parser(
        prog="export-viewer",
        description="Open, verify, browse and convert a personal-data export, on this machine.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    chosen = None if argv is None else chosen_command(argv)
    for name, module, help_text in COMMANDS:
        if argv is not None and name != chosen:
            sub.add_parser(name, help=help_text)  # listed only: never parsed in this run
            continue
        mod = _load(module)
        command = sub.add_parser(
            name,
            help=help_text,
            description=(mod.__doc__ or help_text).strip(),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        mod.add_arguments(command)
        add_common(command)
        command.set_defaults(_module=module)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    words = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(words)
    args = parser.parse_args(words)
    try:
        result: int = _load(args._module).run(args)
        return result
    except ExportViewerError as exc:
        if args.debug:
            traceback.print_exc()
        sys.stderr.write(f"error: {exc}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("error: interrupted\n")
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the last line of defence: never a traceback without --debug
        if args.debug:
            traceback.print_exc()
        sys.stderr.write(f"error: internal error: {type(exc).__name__}: {exc} (run with --debug)\n")
        return 2
